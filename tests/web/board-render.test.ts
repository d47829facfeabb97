import { describe, expect, it } from 'vitest';
import { renderLineChart } from '../../web/board/svg-chart';
import {
  escapeHtml,
  renderBoardPage,
  renderLoginPage,
  renderNotFoundPage,
  renderOrderPage,
  type BoardOrderRow,
  type BoardPageData,
  type OrderPageData,
  type WeekPoint,
} from '../../web/board/views';

const XSS = '<script>alert(1)</script>';
const HOUR = 3600_000;
// 2026-03-05 14:30 in China
const NOW = new Date('2026-03-05T06:30:00Z');

function row(overrides: Partial<BoardOrderRow>): BoardOrderRow {
  return {
    number: 'SO-1',
    customerName: '华东机械',
    requesterName: '李娜',
    status: 'pending_approval',
    statusLabel: '待审批',
    waitingOn: '技术部（王工）',
    ageMs: 40 * 60_000,
    paused: false,
    etd: null,
    promisedAt: null,
    late: false,
    colour: 'blue',
    reasons: [],
    ...overrides,
  };
}

function weeks(): WeekPoint[] {
  return Array.from({ length: 12 }, (_, i) => ({
    label: `2026-W${String(i + 1).padStart(2, '0')}`,
    latencyP50Ms: (i + 1) * HOUR,
    latencyP90Ms: (i + 2) * HOUR,
    onTimeRate: 0.9,
    promiseAccuracy: i === 3 ? null : 0.925,
    handlingP50Ms: 2 * HOUR,
  }));
}

function board(overrides: Partial<BoardPageData> = {}): BoardPageData {
  return {
    company: '宁波精密',
    userName: '张经理',
    now: NOW,
    figures: [
      { label: '感知时延中位', value: '3小时', previous: '4小时', trend: 'better' },
      { label: '准时交付率', value: '88%', previous: '92%', trend: 'worse' },
    ],
    weeks: weeks(),
    counts: [
      { status: 'pending_approval', label: '待审批', count: 2 },
      { status: 'confirmed', label: '生产中', count: 5 },
    ],
    orders: [
      row({ number: 'SO-RED', colour: 'red', reasons: ['审批超时 35分钟'] }),
      row({ number: 'SO/Y 2', colour: 'yellow', paused: true, reasons: ['预计晚于承诺 5小时'] }),
      row({ number: 'SO-BLUE', colour: 'blue', status: 'confirmed', statusLabel: '生产中' }),
    ],
    ordersTotal: 3,
    lines: [{ line: 'L1', name: '一号线', loadPct: 87, colour: 'yellow' }],
    thresholds: { dueSoon: 30 * 60_000, lineLoad: { yellow: 0.9, red: 1 }, lateness: { yellow: 0, red: 4 * HOUR } },
    ...overrides,
  };
}

function orderPage(overrides: Partial<OrderPageData> = {}): OrderPageData {
  return {
    company: '宁波精密',
    userName: '张经理',
    now: NOW,
    order: {
      number: 'SO-42',
      customerName: '华东机械',
      requesterName: '李娜',
      statusLabel: '生产中',
      sourceText: '要 500 件 A-100，月底前',
      requestedAt: new Date('2026-03-01T01:00:00Z'),
      confirmedAt: null,
      promisedAt: null,
      etd: null,
      latencyMs: null,
      pausedMs: 2 * HOUR,
      paused: true,
      colour: 'yellow',
      reasons: ['预计晚于承诺 5小时'],
      items: [{ materialCode: 'A-100', quantity: 500, unit: '件' }],
    },
    pauses: [
      { from: new Date('2026-03-01T02:00:00Z'), to: new Date('2026-03-01T03:00:00Z'), reason: '等图纸' },
      { from: new Date('2026-03-05T05:30:00Z'), to: null, reason: null },
    ],
    timeline: [
      { at: new Date('2026-03-01T01:00:00Z'), label: '收到需求', actor: '李娜', detail: null, kind: 'message' },
      { at: new Date('2026-03-01T02:00:00Z'), label: '暂停', actor: null, detail: '等图纸', kind: 'pause' },
      { at: new Date('2026-03-02T08:15:00Z'), label: '审批通过', actor: '王工', detail: '可以做', kind: 'decision' },
    ],
    ...overrides,
  };
}

/** The HTML between `<tag ... id="id"` and its closing tag (no nesting of the same tag assumed). */
function element(html: string, tag: string, id: string): string {
  const match = new RegExp(`<${tag}[^>]*id="${id}"[^>]*>([\\s\\S]*?)</${tag}>`).exec(html);
  expect(match, `#${id}`).not.toBeNull();
  return match?.[1] ?? '';
}

function chartFor(html: string, kpi: string): string {
  const match = new RegExp(`<figure class="chart" data-kpi="${kpi}">([\\s\\S]*?)</figure>`).exec(html);
  expect(match, kpi).not.toBeNull();
  return match?.[1] ?? '';
}

describe('escapeHtml', () => {
  it('escapes the five HTML-significant characters', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe(
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;',
    );
  });
});

describe('escaping of data in pages', () => {
  it('escapes a script tag in a customer name on the board', () => {
    const html = renderBoardPage(
      board({ orders: [row({ customerName: XSS, number: `N${XSS}`, reasons: [XSS] })], company: XSS, userName: XSS }),
    );
    expect(html).not.toContain('<script');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain(`href="/board/orders/${encodeURIComponent(`N${XSS}`)}"`);
  });

  it('escapes a script tag in a timeline detail, customer name and request text on the order page', () => {
    const data = orderPage({
      timeline: [{ at: NOW, label: XSS, actor: XSS, detail: XSS, kind: 'event' }],
      pauses: [{ from: NOW, to: null, reason: XSS }],
    });
    data.order.customerName = XSS;
    data.order.sourceText = XSS;
    const html = renderOrderPage(data);
    expect(html).not.toContain('<script');
    expect(element(html, 'ol', 'timeline')).toContain('<p class="detail">&lt;script&gt;alert(1)&lt;/script&gt;</p>');
  });

  it('escapes the login error and the prefilled username and next', () => {
    const html = renderLoginPage({
      company: '宁波精密',
      error: XSS,
      username: `"><script>alert(1)</script>`,
      next: `"><script>alert(1)</script>`,
    });
    expect(html).not.toContain('<script');
    expect(html).toContain('<p class="error" role="alert">&lt;script&gt;alert(1)&lt;/script&gt;</p>');
    expect(html).toContain('value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"');
  });

  it('escapes the not-found subject', () => {
    expect(renderNotFoundPage({ company: 'x', what: XSS })).not.toContain('<script');
  });
});

describe('renderBoardPage', () => {
  const html = renderBoardPage(board());

  it('is a complete Chinese HTML page with the header and logout form', () => {
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain('<html lang="zh-CN">');
    expect(html).toContain('<meta charset="utf-8">');
    expect(html).toContain('name="viewport"');
    expect(html).toContain('<title>运营看板 · 宁波精密</title>');
    expect(html).toContain('张经理');
    expect(html).toContain('<form method="post" action="/board/logout"><button>退出</button></form>');
    expect(html).toContain('更新于 14:30');
    expect(html).not.toMatch(/<(script|link)\b/);
    expect(html).not.toMatch(/\son[a-z]+=/);
  });

  it('links the channel pages only for a plant that sells on e-commerce channels', () => {
    expect(html).not.toContain('/board/reconcile');
    const selling = renderBoardPage({ ...board(), channelPages: true });
    expect(selling).toContain('<a href="/board/reconcile">渠道对账</a><a href="/board/stacking">叠用复核</a>');
  });

  it('lists the rows in the given order with colour classes and links', () => {
    const tbody = element(html, 'table', 'open-orders');
    const rows = [...tbody.matchAll(/<tr class="order (\w+)" data-number="([^"]*)">/g)].map((m) => [m[1], m[2]]);
    expect(rows).toEqual([
      ['red', 'SO-RED'],
      ['yellow', 'SO/Y 2'],
      ['blue', 'SO-BLUE'],
    ]);
    expect(tbody).toContain('<a href="/board/orders/SO%2FY%202">SO/Y 2</a>');
    expect(tbody).toContain('<a href="/board/orders/SO-RED">SO-RED</a>');
    expect(tbody).toContain('审批超时 35分钟');
  });

  it('marks a paused order as waiting on the customer and shows its age', () => {
    const yellowRow = /<tr class="order yellow"[\s\S]*?<\/tr>/.exec(html)?.[0] ?? '';
    expect(yellowRow).toContain('40分钟');
    expect(yellowRow).toContain('（等客户）');
    const redRow = /<tr class="order red"[\s\S]*?<\/tr>/.exec(html)?.[0] ?? '';
    expect(redRow).not.toContain('（等客户）');
  });

  it('shows ETD late against the promise in China time', () => {
    const late = renderBoardPage(
      board({
        orders: [
          row({ etd: new Date('2026-03-10T10:00:00Z'), promisedAt: new Date('2026-03-10T05:00:00Z'), late: true }),
        ],
      }),
    );
    expect(late).toContain('<div class="late">预计 03-10 18:00</div>');
    expect(late).toContain('承诺 03-10 13:00');
  });

  it('says how many rows are shown only when the list is cut', () => {
    expect(html).not.toContain('显示前');
    const cut = renderBoardPage(board({ ordersTotal: 57 }));
    expect(cut).toContain('显示前 3 条，共 57 条');
  });

  it('renders figure tiles with previous values and coloured trends', () => {
    expect(html).toContain('上周 4小时<span class="trend better"');
    expect(html).toContain('上周 92%<span class="trend worse"');
    expect(html).toMatch(/\.trend\.better\{color:#188038\}/);
    expect(html).toMatch(/\.trend\.worse\{color:#d93025\}/);
  });

  it('renders the status counts and line load', () => {
    expect(html).toMatch(/<li data-status="confirmed"><b>5<\/b>生产中<\/li>/);
    expect(html).toContain('<span class="fill yellow" style="width:87%"></span>');
    expect(html).toContain('一号线');
  });

  it('explains the colours', () => {
    expect(html).toContain('红 = 审批超时 / 预计晚于承诺超过 4小时 / 产线负荷 ≥ 100%');
    expect(html).toContain('黄 = 审批 30分钟内到期 / 预计晚于承诺 / 产线负荷 ≥ 90%');
  });

  it('has the four charts with their KPIs, short week labels and formatted values', () => {
    const charts = element(html, 'section', 'charts');
    const kpis = [...charts.matchAll(/<figure class="chart" data-kpi="([^"]+)">/g)].map((m) => m[1]);
    expect(kpis).toEqual(['latency', 'on-time', 'accuracy', 'handling']);
    const latency = chartFor(html, 'latency');
    expect(latency).toContain('客户感知时延');
    expect(latency).toContain('>W09</text>');
    expect(latency).not.toContain('2026-W09');
    expect(latency).toContain('<title>W03 中位: 3小时</title>');
    expect(latency).toContain('<title>W03 P90: 4小时</title>');
    expect(chartFor(html, 'on-time')).toContain('<title>W01 准时率: 90%</title>');
    expect(chartFor(html, 'accuracy')).toContain('<title>W01 准确率: 92.5%</title>');
    expect(chartFor(html, 'accuracy')).toContain('>100%</text>');
    expect(chartFor(html, 'handling')).toContain('部门处理时长（中位）');
  });

  it('breaks the accuracy line at the missing week', () => {
    expect(chartFor(html, 'accuracy').match(/<polyline /g)).toHaveLength(2);
    expect(chartFor(html, 'on-time').match(/<polyline /g)).toHaveLength(1);
  });

  it('shows an empty table row when nothing is open', () => {
    const empty = renderBoardPage(board({ orders: [], ordersTotal: 0 }));
    expect(element(empty, 'table', 'open-orders')).toContain('暂无未完成订单');
  });
});

describe('renderLineChart', () => {
  const base = { title: '测试', labels: ['W01', 'W02', 'W03', 'W04', 'W05'], formatValue: (v: number) => `${v}小时` };

  it('is a scalable, labelled svg', () => {
    const svg = renderLineChart({ ...base, series: [{ name: '中位', colour: '#1a73e8', values: [1, 2, 3, 4, 5] }] });
    expect(svg).toMatch(/^<svg [^>]*role="img"/);
    expect(svg).toContain('aria-label="测试"');
    expect(svg).toContain('viewBox="0 0 560 220"');
    expect(svg).toContain('width="100%"');
    expect(svg.match(/<circle /g)).toHaveLength(5);
    expect(svg.match(/<polyline /g)).toHaveLength(1);
    expect(svg).toContain('<title>W02 中位: 2小时</title>');
    // max 5 over 4 intervals → a round step of 2 → axis 0..8
    expect(svg).toContain('>8小时</text>');
    expect(svg).toContain('>0小时</text>');
    expect(svg.match(/<line /g)?.length).toBe(5);
  });

  it('says 暂无数据 when every value is null', () => {
    const svg = renderLineChart({
      ...base,
      series: [{ name: '中位', colour: '#000', values: [null, null, null, null, null] }],
    });
    expect(svg).toContain('暂无数据');
    expect(svg).not.toContain('<polyline');
    expect(svg).toContain('role="img"');
  });

  it('breaks a polyline at a null and keeps a lone point as a dot', () => {
    const svg = renderLineChart({ ...base, series: [{ name: 's', colour: '#000', values: [1, 2, null, 4, null] }] });
    expect(svg.match(/<polyline /g)).toHaveLength(1);
    expect(svg.match(/<circle /g)).toHaveLength(3);
    const split = renderLineChart({ ...base, series: [{ name: 's', colour: '#000', values: [1, 2, null, 4, 5] }] });
    const lines = [...split.matchAll(/<polyline points="([^"]+)"/g)].map((m) => (m[1] ?? '').split(' ').length);
    expect(lines).toEqual([2, 2]);
  });

  it('uses a fixed axis when given and escapes series names', () => {
    const svg = renderLineChart({
      ...base,
      yMin: 0,
      yMax: 1,
      formatValue: (v) => `${Math.round(v * 100)}%`,
      series: [{ name: XSS, colour: '#000', values: [0.5, 0.6, 0.7, 0.8, 0.9] }],
    });
    expect(svg).toContain('>100%</text>');
    expect(svg).toContain('>25%</text>');
    expect(svg).not.toContain('<script');
  });
});

describe('renderOrderPage', () => {
  const html = renderOrderPage(orderPage());

  it('has the title, back link and header', () => {
    expect(html).toContain('<title>SO-42 · 运营看板</title>');
    expect(html).toContain('href="/board"');
    expect(html).toContain('<h1>SO-42</h1><span class="badge yellow">生产中</span>');
  });

  it('lists the facts, with dashes for missing values', () => {
    expect(html).toContain('<blockquote>要 500 件 A-100，月底前</blockquote>');
    expect(html).toContain('<dt>提出时间</dt><dd>2026-03-01 09:00</dd>');
    expect(html).toContain('<dt>客户感知时延</dt><dd>—</dd>');
    expect(html).toContain('<dt>确认时间</dt><dd>—</dd>');
    expect(html).toMatch(/<dt>暂停合计<\/dt><dd>2小时/);
    expect(html).toContain('× 500 件');
  });

  it('shows the pauses, an open one as 进行中 and measured to now', () => {
    const table = element(html, 'table', 'pauses-table');
    const rows = table.match(/<tr class="pause[^"]*">[\s\S]*?<\/tr>/g) ?? [];
    expect(rows).toHaveLength(2);
    expect(rows[0]).toContain('等图纸');
    expect(rows[0]).toContain('1小时');
    expect(rows[1]).toContain('进行中');
    expect(rows[1]).toContain('1小时');
  });

  it('shows the timeline in order with kinds and China times', () => {
    const timeline = element(html, 'ol', 'timeline');
    const kinds = [...timeline.matchAll(/<li class="(\w+)">/g)].map((m) => m[1]);
    expect(kinds).toEqual(['message', 'pause', 'decision']);
    const labels = [...timeline.matchAll(/<span class="label">([^<]*)<\/span>/g)].map((m) => m[1]);
    expect(labels).toEqual(['收到需求', '暂停', '审批通过']);
    expect(timeline).toContain('>03-02 16:15</time>');
    expect(timeline).toContain('<span class="actor">王工</span>');
  });

  it('formats the latency when known', () => {
    const data = orderPage();
    data.order.latencyMs = 27 * HOUR;
    expect(renderOrderPage(data)).toContain('<dt>客户感知时延</dt><dd>1天3小时</dd>');
  });
});

describe('renderLoginPage', () => {
  it('has the form fields and the hidden next', () => {
    const html = renderLoginPage({ company: '宁波精密', next: '/board/orders/SO-1', username: 'zhang' });
    expect(html).toContain('<title>登录 · 运营看板</title>');
    expect(html).toContain('<form method="post" action="/board/login">');
    expect(html).toMatch(/<input [^>]*name="username"[^>]*autocomplete="username"[^>]*value="zhang"/);
    expect(html).toMatch(/<input [^>]*name="password" type="password" autocomplete="current-password"/);
    expect(html).toContain('<input type="hidden" name="next" value="/board/orders/SO-1">');
    expect(html).toMatch(/<button type="submit">登录<\/button>/);
    expect(html).not.toContain('class="error"');
  });

  it('omits next when not given and shows an error when given', () => {
    const html = renderLoginPage({ company: '宁波精密', error: '用户名或密码错误' });
    expect(html).not.toContain('name="next"');
    expect(html).toContain('<p class="error" role="alert">用户名或密码错误</p>');
  });
});
