import { describe, expect, it } from 'vitest';
import { boardThresholds, loadBusinessConfig } from '../../config/business-config';
import type { OpenOrderRow } from '../../db/kpi';
import type { KpiFigures } from '../../domain/kpi';
import { texts } from '../../texts';
import { en } from '../../texts/en';
import { zh } from '../../texts/zh';
import { boardRow, headlineFigures, timelineEntry } from '../../web/board/board-data';
import {
  type BoardPageData,
  type OrderPageData,
  renderBoardPage,
  renderLoginPage,
  renderNotFoundPage,
  renderOrderPage,
} from '../../web/board/views';
import { renderPlaygroundPage } from '../../web/playground/page';

/** A Han character: with data in plain ASCII, any on an English page came from code, not from the catalogue. */
const HAN = /[\u4e00-\u9fff]/;
const HOUR = 3600_000;
const NOW = new Date('2026-03-05T06:30:00Z');
const config = loadBusinessConfig();

/** The page without its link to the Chinese page (which reads "中文" on purpose). */
function withoutLangLink(html: string): string {
  const link = /<a class="lang" [^>]*>中文<\/a>/;
  expect(html).toMatch(link);
  return html.replace(link, '');
}

function boardData(): BoardPageData {
  return {
    company: 'Acme Precision',
    userName: 'Zhou',
    now: NOW,
    figures: headlineFigures(kpis(3 * HOUR), kpis(4 * HOUR), 'en'),
    weeks: Array.from({ length: 12 }, (_, i) => ({
      label: `2026-W${String(i + 1).padStart(2, '0')}`,
      latencyP50Ms: (i + 1) * HOUR,
      latencyP90Ms: i === 0 ? null : (i + 2) * HOUR,
      onTimeRate: 0.9,
      promiseAccuracy: 0.925,
      handlingP50Ms: 2 * HOUR,
    })),
    counts: [
      { status: 'pending_approval', label: texts('en').board.status.pendingApproval, count: 2 },
      { status: 'confirmed:in_production', label: texts('en').stages.label('in_production'), count: 5 },
    ],
    orders: [
      boardRow(config, openRow({ number: 'SO-RED', nextDueAt: new Date(NOW.getTime() - 35 * 60_000) }), NOW, 'en'),
      boardRow(
        config,
        openRow({ number: 'SO-PAUSED', pausedSince: NOW, pauseReason: 'drawings', nextDueAt: NOW }),
        NOW,
        'en',
      ),
      boardRow(
        config,
        openRow({
          number: 'SO-LATE',
          status: 'confirmed',
          stage: 'packed',
          etd: new Date(NOW.getTime() + 30 * HOUR),
          promisedAt: NOW,
        }),
        NOW,
        'en',
      ),
    ],
    ordersTotal: 57,
    lines: [{ line: 'A', name: 'Line A', loadPct: 95, colour: 'yellow' }],
    thresholds: boardThresholds(config),
  };
}

function kpis(latency: number): KpiFigures {
  return {
    latencyP50Ms: latency,
    latencyP90Ms: latency * 2,
    onTimeRate: 0.9,
    promiseAccuracy: 0.8,
    handlingP50Ms: HOUR,
    handling: [],
    confirmedCount: 7,
    deliveredCount: 3,
  };
}

function openRow(overrides: Partial<OpenOrderRow>): OpenOrderRow {
  return {
    id: 1,
    number: 'SO-1',
    customerName: 'Bosch',
    requesterName: 'Li',
    status: 'pending_approval',
    stage: null,
    requestedAt: new Date(NOW.getTime() - 2 * HOUR),
    latencyMs: 2 * HOUR,
    pausedSince: null,
    pauseReason: null,
    etd: null,
    promisedAt: null,
    nextDueAt: null,
    escalated: false,
    pendingDepartments: ['tech', 'purchasing'],
    onBusyLine: true,
    severity: 2,
    ...overrides,
  };
}

let eventId = 0;
const event = (type: string, data: Record<string, unknown> = {}) => ({
  id: ++eventId,
  orderId: 1,
  at: new Date('2026-02-26T02:00:00Z'),
  type,
  actorId: null,
  data,
});

function orderData(): OrderPageData {
  const timeline = [
    event('created', { dueDate: '2026-03-05' }),
    event('promise-checked', { earliest: '2026-03-01', explanation: 'stock 3, needs 5' }),
    event('promise-blocked', { earliest: '2026-04-01' }),
    event('task-approved', { department: 'tech', note: 'ok' }),
    event('task-rejected', { department: 'purchasing', note: 'no stock' }),
    event('task-escalated', { department: 'production', waitedMs: 3 * HOUR }),
    event('confirmed', { promisedDate: '2026-03-05' }),
    event('rejected'),
    event('paused', { reason: 'drawings' }),
    event('resumed', { waitedMs: HOUR }),
    event('stage-completed', { stage: 'shipped', waybill: 'SF123' }),
    event('etd-changed', { from: '2026-02-28T06:30:00.000Z', to: '2026-03-01T02:00:00.000Z' }),
    event('delay-alert', { lateMs: 5 * HOUR }),
    event('waybill-added', { waybill: 'SF123' }),
    event('tracking-updated', { text: 'in transit' }),
    event('sms-rejected', { reason: 'blocked' }),
    event('sms-uncertain', { reason: 'timeout' }),
  ].map((e) => timelineEntry(config, e, undefined, 'en'));
  return {
    company: 'Acme Precision',
    userName: 'Zhou',
    now: NOW,
    order: {
      number: 'SO-42',
      customerName: 'Bosch',
      requesterName: 'Li',
      statusLabel: texts('en').stages.label('in_production'),
      sourceText: '500 pcs A-100 by month end',
      requestedAt: new Date('2026-03-01T01:00:00Z'),
      confirmedAt: null,
      promisedAt: null,
      etd: null,
      latencyMs: 27 * HOUR,
      pausedMs: 2 * HOUR,
      paused: true,
      colour: 'yellow',
      reasons: [],
      items: [{ materialCode: 'A-100', quantity: 500, unit: 'pcs' }],
    },
    pauses: [
      { from: new Date('2026-03-01T02:00:00Z'), to: new Date('2026-03-01T03:00:00Z'), reason: 'drawings' },
      { from: new Date('2026-03-05T05:30:00Z'), to: null, reason: null },
    ],
    timeline,
  };
}

describe('the ops board in English', () => {
  it('says nothing in Chinese on the board, and reads its labels from the English catalogue', () => {
    const html = renderBoardPage(boardData(), { lang: 'en', switchHref: '/board?lang=zh' });
    expect(withoutLangLink(html)).not.toMatch(HAN);
    expect(html).toContain('<html lang="en">');
    expect(html).toContain('<title>Ops board · Acme Precision</title>');
    expect(html).toContain('<a class="lang" href="/board?lang=zh" hreflang="zh-CN" lang="zh-CN">中文</a>');
    expect(html).toContain('<button>Sign out</button>');
    expect(html).toContain('Updated 14:30');
    expect(html).toContain('Customer-facing latency (median)');
    expect(html).toContain('Last week 4h<span class="trend better" title="better">▲ better</span>');
    expect(html).toContain('<h2>Open orders <span class="muted">7 in all</span></h2>');
    expect(html).toContain('<b>5</b>in production</li>');
    expect(html).toContain('<th>Waiting on</th>');
    expect(html).toContain('Showing the first 3 of 57');
    expect(html).toContain('<title>W03 median: 3 h</title>');
    expect(html).toContain('<title>W01 on time: 90%</title>');
    expect(html).toContain('aria-label="load 95%"');
    expect(html).toContain('red = approval overdue / expected more than 4h later than promised / line load ≥ 100%');
    expect(html).toContain('yellow = approval due within 30m / expected later than promised / line load ≥ 90%');
    expect(html).toContain('aria-label="red"');
  });

  it('gives status labels, who an order waits on and why it is red or yellow in English', () => {
    const [red, paused, late] = boardData().orders;
    expect(red).toMatchObject({
      statusLabel: 'awaiting approval',
      waitingOn: 'Engineering, Purchasing',
      reasons: ['approval overdue by 35m', 'busy production line'],
    });
    expect(paused).toMatchObject({
      waitingOn: 'customer (drawings)',
      reasons: ['waiting on the customer, approval clock paused', 'busy production line'],
    });
    expect(late).toMatchObject({
      statusLabel: 'packed',
      waitingOn: 'Logistics',
      reasons: ['expected 1d 6h later than promised', 'busy production line'],
    });
  });

  it('reads every kind of timeline event in English', () => {
    const data = orderData();
    expect(data.timeline.map((e) => [e.label, e.detail])).toEqual([
      ['Request created', 'requested for 2026-03-05'],
      ['Delivery date checked', 'earliest 2026-03-01, stock 3, needs 5'],
      ['Delivery date blocked', 'earliest 2026-04-01'],
      ['Engineering approved', 'ok'],
      ['Purchasing rejected', 'no stock'],
      ['Production approval escalated', 'waited 3h'],
      ['Delivery date confirmed', 'promised for 2026-03-05'],
      ['Order rejected', null],
      ['Waiting on the customer (clock paused)', 'drawings'],
      ['Customer replied (clock running again)', 'waited 1h'],
      ['shipped', 'waybill SF123'],
      ['Expected delivery changed', 'Feb 28 14:30 → Mar 1 10:00'],
      ['Delay alert', '5h later than promised'],
      ['Waybill added', 'SF123'],
      ['Tracking update', 'in transit'],
      ['SMS refused', 'blocked'],
      ['SMS outcome unknown', 'timeout'],
    ]);
    const html = renderOrderPage(data, { lang: 'en' });
    expect(withoutLangLink(html)).not.toMatch(HAN);
    expect(html).toContain('<a class="lang" href="?lang=zh"');
    expect(html).toContain('<dt>Customer-facing latency</dt><dd>1d 3h</dd>');
    expect(html).toContain(' (still waiting on the customer)');
    expect(html).toContain('<span class="paused-note">ongoing</span>');
    expect(html).toContain('← Back to the board');
  });

  it('has the login and the not-found page in English', () => {
    const login = renderLoginPage(
      { company: 'Acme', error: en.board.login.wrongPassword, next: '/board', username: 'ops' },
      { lang: 'en', switchHref: '/board/login?next=%2Fboard&lang=zh' },
    );
    expect(withoutLangLink(login)).not.toMatch(HAN);
    expect(login).toContain('<title>Sign in · Ops board</title>');
    expect(login).toContain('<label for="username">Username</label>');
    expect(login).toContain('<button type="submit">Sign in</button>');
    expect(login).toContain('<p class="error" role="alert">Wrong username or password.</p>');
    expect(login).toContain('href="/board/login?next=%2Fboard&amp;lang=zh"');

    const missing = renderNotFoundPage({ company: 'Acme', what: en.board.notFound.order('SO-9') }, { lang: 'en' });
    expect(missing).not.toMatch(HAN);
    expect(missing).toContain('<p>Could not find order SO-9.</p>');
  });
});

describe('the ops board in Chinese (the default)', () => {
  it('renders the same page with or without lang: zh, with a link to the English page', () => {
    const data = boardData();
    expect(renderBoardPage(data)).toBe(renderBoardPage(data, { lang: 'zh' }));
    const html = renderBoardPage(data);
    expect(html).toContain('<html lang="zh-CN">');
    expect(html).toContain('<a class="lang" href="?lang=en" hreflang="en" lang="en">English</a>');
    expect(html).toContain('<h2>未完成订单 <span class="muted">合计 7</span></h2>');
  });

  it('keeps the Chinese labels of the data', () => {
    const row = boardRow(config, openRow({ nextDueAt: new Date(NOW.getTime() - 35 * 60_000) }), NOW);
    expect(row).toMatchObject({
      statusLabel: '待审批',
      waitingOn: '技术部、采购部',
      reasons: ['审批超时 35分钟', '产线负荷高'],
    });
    expect(headlineFigures(kpis(HOUR), kpis(HOUR)).map((f) => f.label)).toEqual([
      '客户感知时延（中位）',
      '客户感知时延（P90）',
      '准时交付率',
      '承诺准确率',
      '客户投诉率',
      '部门处理时长（中位）',
      '本周确认订单',
    ]);
  });
});

describe('the playground page', () => {
  const slots = (message: string) => [...message.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

  it('has the same {slots} in every English message as in the Chinese one', () => {
    for (const [key, message] of Object.entries(zh.playground)) {
      const english = en.playground[key as keyof typeof en.playground];
      if (typeof message === 'string') expect(slots(english as string), key).toEqual(slots(message));
    }
  });

  it('is in English with ?lang=en: no Chinese at all, English sample requests', () => {
    const html = renderPlaygroundPage('en');
    expect(html).toContain('<html lang="en">');
    expect(html).toContain('<title>Order assistant · local playground</title>');
    expect(html).toContain('<button type="button" class="btn primary" id="send-button">Send</button>');
    expect(html).not.toMatch(/\{\{\w+\}\}/);
    expect(html).toContain(JSON.stringify(en.playground.examples).slice(1, -1));
    expect(html).not.toMatch(HAN);
    expect(en.playground.examples).toContain('BRK-2026-01 samples ×5 by 3/5');
  });

  it('is in Chinese by default, with the words it had', () => {
    const html = renderPlaygroundPage('zh');
    expect(html).toContain('<html lang="zh-CN">');
    expect(html).toContain('<title>订单助手 · 本地调试台</title>');
    expect(html).toContain('<span id="health">数据库: 检测中…</span>');
    expect(html).toContain('placeholder="输入消息，Enter 发送，Shift+Enter 换行"');
  });

  it('puts its messages into the script as JSON that cannot close the script element', () => {
    const html = renderPlaygroundPage('zh');
    const json = /var T = (\{.*\});/.exec(html)?.[1] ?? '';
    expect(JSON.parse(json)).toEqual(zh.playground);
    expect(html.match(/<\/script>/g)).toHaveLength(1);
    expect(html).not.toContain('{{{texts}}}');
  });
});
