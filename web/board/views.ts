import { chinaDate, chinaTime, formatLatency } from '../../domain/china-time';
import { escapeHtml } from './html';
import { renderLineChart, type ChartSeries } from './svg-chart';

export { escapeHtml };

export type Colour = 'red' | 'yellow' | 'blue';

export interface BoardOrderRow {
  number: string;
  customerName: string | null;
  requesterName: string;
  status: 'pending_approval' | 'confirmed';
  statusLabel: string;
  waitingOn: string | null;
  ageMs: number;
  paused: boolean;
  etd: Date | null;
  promisedAt: Date | null;
  colour: Colour;
  reasons: string[];
}

export interface LineLoadRow {
  line: string;
  name: string;
  loadPct: number;
  colour: Colour;
}

export interface WeekPoint {
  label: string;
  latencyP50Ms: number | null;
  latencyP90Ms: number | null;
  onTimeRate: number | null;
  promiseAccuracy: number | null;
  handlingP50Ms: number | null;
}

export interface Figure {
  label: string;
  value: string;
  previous: string;
  trend: 'better' | 'worse' | 'same' | 'none';
}

export interface BoardPageData {
  company: string;
  userName: string;
  now: Date;
  figures: Figure[];
  weeks: WeekPoint[];
  counts: { status: string; label: string; count: number }[];
  orders: BoardOrderRow[];
  ordersTotal: number;
  lines: LineLoadRow[];
}

export interface TimelineEntry {
  at: Date;
  label: string;
  actor: string | null;
  detail: string | null;
  kind: 'event' | 'pause' | 'etd' | 'decision' | 'message';
}

export interface OrderPageData {
  company: string;
  userName: string;
  now: Date;
  order: {
    number: string;
    customerName: string | null;
    requesterName: string;
    statusLabel: string;
    sourceText: string;
    requestedAt: Date;
    confirmedAt: Date | null;
    promisedAt: Date | null;
    etd: Date | null;
    latencyMs: number | null;
    pausedMs: number;
    paused: boolean;
    colour: Colour;
    reasons: string[];
    items: { materialCode: string; quantity: number; unit: string }[];
  };
  pauses: { from: Date; to: Date | null; reason: string | null }[];
  timeline: TimelineEntry[];
}

const COLOUR_NAMES: Record<Colour, string> = { red: '红', yellow: '黄', blue: '蓝' };
const DASH = '—';

const CSS = `
*{box-sizing:border-box}
body{margin:0;font-family:-apple-system,BlinkMacSystemFont,"Segoe UI","PingFang SC","Hiragino Sans GB","Microsoft YaHei","Noto Sans CJK SC",Roboto,"Helvetica Neue",Arial,sans-serif;font-size:14px;line-height:1.5;color:#202124;background:#f4f6f8}
a{color:#1a73e8;text-decoration:none}a:hover{text-decoration:underline}
main{max-width:1240px;margin:0 auto;padding:16px}
section{background:#fff;border:1px solid #e3e6ea;border-radius:8px;padding:16px;margin-bottom:16px}
h1{font-size:20px;margin:0}h2{font-size:16px;margin:0 0 12px}
.muted{color:#5f6368}
.topbar{background:#fff;border-bottom:1px solid #e3e6ea}
.topbar .inner{max-width:1240px;margin:0 auto;padding:10px 16px;display:flex;flex-wrap:wrap;align-items:center;gap:8px 16px}
.brand{font-size:16px;font-weight:600;flex:1 1 auto}.brand span{color:#5f6368;font-weight:400;margin-left:8px}
.user{display:flex;align-items:center;gap:12px;color:#5f6368}
.user form{margin:0}
button{font:inherit;cursor:pointer;border:1px solid #dadce0;background:#fff;border-radius:6px;padding:4px 12px;color:#202124}
button:hover{background:#f1f3f4}
.tiles{display:grid;grid-template-columns:repeat(auto-fit,minmax(160px,1fr));gap:12px;list-style:none;margin:0;padding:0}
.tile{border:1px solid #e3e6ea;border-radius:8px;padding:12px}
.tile-label{color:#5f6368;font-size:13px}.tile-value{font-size:24px;font-weight:600;margin:2px 0}
.tile-prev{color:#5f6368;font-size:12px}
.trend{font-weight:600;margin-left:6px}.trend.better{color:#188038}.trend.worse{color:#d93025}.trend.same{color:#80868b}
.counts{display:flex;flex-wrap:wrap;gap:8px;list-style:none;margin:0;padding:0}
.counts li{background:#f1f3f4;border-radius:16px;padding:4px 12px}.counts b{margin-right:4px}
.table-wrap{overflow-x:auto;-webkit-overflow-scrolling:touch}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:8px;border-bottom:1px solid #eceff1;vertical-align:top}
th{font-size:12px;color:#5f6368;font-weight:600;white-space:nowrap}
td.nowrap,td.num{white-space:nowrap}
tr.order.red td:first-child{box-shadow:inset 4px 0 #d93025}
tr.order.yellow td:first-child{box-shadow:inset 4px 0 #f9ab00}
tr.order.blue td:first-child{box-shadow:inset 4px 0 #1a73e8}
.dot{display:inline-block;width:10px;height:10px;border-radius:50%;vertical-align:middle}
.dot.red,.bar .fill.red{background:#d93025}.dot.yellow,.bar .fill.yellow{background:#f9ab00}.dot.blue,.bar .fill.blue{background:#1a73e8}
.badge{display:inline-block;border-radius:12px;padding:2px 10px;font-size:13px;color:#fff;vertical-align:middle}
.badge.red{background:#d93025}.badge.yellow{background:#f9ab00;color:#202124}.badge.blue{background:#1a73e8}
.reasons{margin:0;padding:0;list-style:none;font-size:13px}.reasons li{color:#b3261e}
tr.order.yellow .reasons li{color:#8a5a00}
.late{color:#d93025}
.paused-note{color:#8a5a00}
.list-note{margin:8px 0 0;color:#5f6368;font-size:13px}
.lines{list-style:none;margin:0;padding:0;display:grid;grid-template-columns:repeat(auto-fit,minmax(220px,1fr));gap:8px 24px}
.line{display:grid;grid-template-columns:7em 1fr 3.5em;align-items:center;gap:8px}
.line-name{overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.bar{height:10px;background:#eceff1;border-radius:5px;overflow:hidden}.bar .fill{display:block;height:100%}
.line .pct{text-align:right;font-variant-numeric:tabular-nums}
#charts .grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(100%,420px),1fr));gap:16px}
figure.chart{margin:0}figure.chart figcaption{font-weight:600;margin-bottom:4px}
figure.chart svg{display:block;height:auto}
.legend-colours{display:flex;flex-wrap:wrap;gap:6px 20px;margin:0;padding:0;list-style:none;font-size:13px;color:#3c4043}
.back{display:inline-block;margin-bottom:12px}
.order-head{display:flex;flex-wrap:wrap;align-items:center;gap:8px 12px;margin-bottom:8px}
.facts{display:grid;grid-template-columns:8em 1fr;gap:8px 16px;margin:0}
.facts dt{color:#5f6368}.facts dd{margin:0}
blockquote{margin:0;padding:8px 12px;border-left:3px solid #dadce0;background:#f8f9fa;white-space:pre-wrap;word-break:break-word}
.items{margin:0;padding-left:1.2em}
#timeline{list-style:none;margin:0;padding:0}
#timeline li{position:relative;padding:0 0 12px 20px;border-left:2px solid #e3e6ea;margin-left:6px}
#timeline li::before{content:"";position:absolute;left:-6px;top:5px;width:10px;height:10px;border-radius:50%;background:#9aa0a6}
#timeline li.decision::before{background:#1a73e8}#timeline li.etd::before{background:#f9ab00}
#timeline li.pause::before{background:#8a5a00}#timeline li.message::before{background:#188038}
#timeline time{color:#5f6368;font-variant-numeric:tabular-nums;margin-right:8px}
#timeline .label{font-weight:600}#timeline .actor{color:#5f6368;margin-left:8px}
#timeline .detail{margin:2px 0 0;white-space:pre-wrap;word-break:break-word;color:#3c4043}
.login{max-width:360px;margin:12vh auto 0}
.login label{display:block;margin:12px 0 4px;color:#3c4043}
.login input{width:100%;font:inherit;padding:8px 10px;border:1px solid #dadce0;border-radius:6px}
.login button{width:100%;margin-top:16px;padding:8px;background:#1a73e8;border-color:#1a73e8;color:#fff}
.login button:hover{background:#1765cc}
.error{color:#d93025;background:#fce8e6;border-radius:6px;padding:8px 10px;margin:12px 0 0}
@media (max-width:600px){main{padding:8px}section{padding:12px}.facts{grid-template-columns:1fr}.facts dt{margin-top:4px}.tile-value{font-size:20px}}
`;

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${escapeHtml(title)}</title>
<style>${CSS}</style>
</head>
<body>
${body}
</body>
</html>`;
}

function topBar(company: string, userName: string, extra = ''): string {
  return `<header class="topbar"><div class="inner">
<div class="brand">${escapeHtml(company)}<span>运营看板</span></div>
<div class="user">${extra}<span>${escapeHtml(userName)}</span><form method="post" action="/board/logout"><button>退出</button></form></div>
</div></header>`;
}

/** "2026-03-05 14:30" in China time. */
function fullTime(d: Date): string {
  return `${chinaDate(d)} ${chinaTime(d)}`;
}

/** "03-05 14:30" in China time. */
function shortTime(d: Date): string {
  return `${chinaDate(d).slice(5)} ${chinaTime(d)}`;
}

function orDash(s: string | null | undefined): string {
  return s === null || s === undefined || s === '' ? DASH : escapeHtml(s);
}

function colourDot(colour: Colour): string {
  return `<span class="dot ${colour}" role="img" aria-label="${COLOUR_NAMES[colour]}"></span>`;
}

function reasonList(reasons: string[]): string {
  if (reasons.length === 0) return '';
  return `<ul class="reasons">${reasons.map((r) => `<li>${escapeHtml(r)}</li>`).join('')}</ul>`;
}

function orderHref(number: string): string {
  return `/board/orders/${encodeURIComponent(number)}`;
}

// ---------- board page ----------

export function renderBoardPage(data: BoardPageData): string {
  const body = `${topBar(data.company, data.userName, `<span class="muted">更新于 ${chinaTime(data.now)}</span>`)}
<main>
${figuresSection(data.figures)}
${chartsSection(data.weeks)}
${countsSection(data.counts)}
${linesSection(data.lines)}
${ordersSection(data.orders, data.ordersTotal)}
</main>`;
  return page(`运营看板 · ${data.company}`, body);
}

const TREND_MARKS: Record<Figure['trend'], string> = {
  better: '<span class="trend better" title="好转">▲ 好转</span>',
  worse: '<span class="trend worse" title="变差">▼ 变差</span>',
  same: '<span class="trend same" title="持平">— 持平</span>',
  none: '',
};

function figuresSection(figures: Figure[]): string {
  if (figures.length === 0) return '';
  const tiles = figures.map(
    (f) => `<li class="tile">
<div class="tile-label">${escapeHtml(f.label)}</div>
<div class="tile-value">${escapeHtml(f.value)}</div>
<div class="tile-prev">上周 ${escapeHtml(f.previous)}${TREND_MARKS[f.trend]}</div>
</li>`,
  );
  return `<section id="figures" aria-label="本周指标"><ul class="tiles">${tiles.join('')}</ul></section>`;
}

function countsSection(counts: BoardPageData['counts']): string {
  const total = counts.reduce((sum, c) => sum + c.count, 0);
  const chips = counts.map(
    (c) => `<li data-status="${escapeHtml(c.status)}"><b>${c.count}</b>${escapeHtml(c.label)}</li>`,
  );
  return `<section id="counts"><h2>未完成订单 <span class="muted">合计 ${total}</span></h2><ul class="counts">${chips.join('')}</ul></section>`;
}

function ordersSection(orders: BoardOrderRow[], total: number): string {
  const rows =
    orders.length === 0
      ? '<tr><td colspan="9" class="muted">暂无未完成订单</td></tr>'
      : orders.map(orderRow).join('\n');
  const note = total > orders.length ? `<p class="list-note">显示前 ${orders.length} 条，共 ${total} 条</p>` : '';
  return `<section id="orders"><h2>订单明细</h2>
<div class="table-wrap"><table id="open-orders">
<thead><tr><th aria-label="颜色"></th><th>订单号</th><th>客户</th><th>业务员</th><th>状态</th><th>等待</th><th>已用时</th><th>预计 / 承诺</th><th>原因</th></tr></thead>
<tbody>
${rows}
</tbody></table></div>${note}
${colourLegend()}
</section>`;
}

function orderRow(o: BoardOrderRow): string {
  const age = `${formatLatency(o.ageMs, 'zh')}${o.paused ? '<span class="paused-note">（等客户）</span>' : ''}`;
  return `<tr class="order ${o.colour}" data-number="${escapeHtml(o.number)}">
<td>${colourDot(o.colour)}</td>
<td class="nowrap"><a href="${escapeHtml(orderHref(o.number))}">${escapeHtml(o.number)}</a></td>
<td>${orDash(o.customerName)}</td>
<td>${escapeHtml(o.requesterName)}</td>
<td class="nowrap">${escapeHtml(o.statusLabel)}</td>
<td>${orDash(o.waitingOn)}</td>
<td class="nowrap">${age}</td>
<td class="nowrap">${etdVsPromise(o.etd, o.promisedAt)}</td>
<td>${reasonList(o.reasons)}</td>
</tr>`;
}

function etdVsPromise(etd: Date | null, promisedAt: Date | null): string {
  const late = etd !== null && promisedAt !== null && etd.getTime() > promisedAt.getTime();
  const etdText = etd ? shortTime(etd) : DASH;
  const promiseText = promisedAt ? shortTime(promisedAt) : DASH;
  return `<div${late ? ' class="late"' : ''}>预计 ${etdText}</div><div class="muted">承诺 ${promiseText}</div>`;
}

function colourLegend(): string {
  return `<ul class="legend-colours" aria-label="颜色说明">
<li>${colourDot('red')} 红 = 审批超时 / 预计晚于承诺超过阈值</li>
<li>${colourDot('yellow')} 黄 = 即将超时 / 预计晚于承诺 / 产线负荷高</li>
<li>${colourDot('blue')} 蓝 = 正常</li>
</ul>`;
}

function linesSection(lines: LineLoadRow[]): string {
  if (lines.length === 0) return '';
  const items = lines.map((l) => {
    const width = Math.min(100, Math.max(0, l.loadPct));
    return `<li class="line ${l.colour}" data-line="${escapeHtml(l.line)}">
<span class="line-name" title="${escapeHtml(l.line)}">${escapeHtml(l.name)}</span>
<span class="bar" role="img" aria-label="负荷 ${Math.round(l.loadPct)}%"><span class="fill ${l.colour}" style="width:${Math.round(width)}%"></span></span>
<span class="pct">${Math.round(l.loadPct)}%</span>
</li>`;
  });
  return `<section id="lines"><h2>产线负荷</h2><ul class="lines">${items.join('')}</ul></section>`;
}

// ---------- charts ----------

const HOUR_MS = 3600_000;

function hours(ms: number | null): number | null {
  return ms === null ? null : ms / HOUR_MS;
}

function formatHours(v: number): string {
  return `${Math.round(v * 10) / 10}小时`;
}

function formatPercent(v: number): string {
  return `${Math.round(v * 1000) / 10}%`;
}

/** '2026-W09' → 'W09'; anything else is shown as given. */
function shortWeek(label: string): string {
  return /W\d+$/.exec(label)?.[0] ?? label;
}

function chartSection(kpi: string, title: string, weeks: WeekPoint[], series: ChartSeries[], percent: boolean): string {
  const svg = renderLineChart({
    title,
    labels: weeks.map((w) => shortWeek(w.label)),
    series,
    formatValue: percent ? formatPercent : formatHours,
    ...(percent ? { yMin: 0, yMax: 1 } : {}),
  });
  return `<figure class="chart" data-kpi="${kpi}"><figcaption>${escapeHtml(title)}</figcaption>${svg}</figure>`;
}

function chartsSection(weeks: WeekPoint[]): string {
  const charts = [
    chartSection(
      'latency',
      '客户感知时延',
      weeks,
      [
        { name: '中位', colour: '#1a73e8', values: weeks.map((w) => hours(w.latencyP50Ms)) },
        { name: 'P90', colour: '#e8710a', values: weeks.map((w) => hours(w.latencyP90Ms)) },
      ],
      false,
    ),
    chartSection(
      'on-time',
      '准时交付率',
      weeks,
      [{ name: '准时率', colour: '#188038', values: weeks.map((w) => w.onTimeRate) }],
      true,
    ),
    chartSection(
      'accuracy',
      '承诺准确率',
      weeks,
      [{ name: '准确率', colour: '#9334e6', values: weeks.map((w) => w.promiseAccuracy) }],
      true,
    ),
    chartSection(
      'handling',
      '部门处理时长（中位）',
      weeks,
      [{ name: '中位', colour: '#1a73e8', values: weeks.map((w) => hours(w.handlingP50Ms)) }],
      false,
    ),
  ];
  return `<section id="charts"><h2>近 ${weeks.length} 周趋势</h2><div class="grid">${charts.join('\n')}</div></section>`;
}

// ---------- order page ----------

export function renderOrderPage(data: OrderPageData): string {
  const o = data.order;
  const body = `${topBar(data.company, data.userName)}
<main>
<a class="back" href="/board">← 返回看板</a>
<section id="order">
<div class="order-head">${colourDot(o.colour)}<h1>${escapeHtml(o.number)}</h1><span class="badge ${o.colour}">${escapeHtml(o.statusLabel)}</span></div>
${reasonList(o.reasons)}
${orderFacts(o)}
</section>
${pausesSection(data.pauses, data.now)}
${timelineSection(data.timeline)}
</main>`;
  return page(`${o.number} · 运营看板`, body);
}

function orderFacts(o: OrderPageData['order']): string {
  const paused = `${formatLatency(o.pausedMs, 'zh')}${o.paused ? '<span class="paused-note">（等客户中）</span>' : ''}`;
  const facts: [string, string][] = [
    ['客户', orDash(o.customerName)],
    ['业务员', escapeHtml(o.requesterName)],
    ['原始需求', `<blockquote>${escapeHtml(o.sourceText)}</blockquote>`],
    ['提出时间', fullTime(o.requestedAt)],
    ['确认时间', o.confirmedAt ? fullTime(o.confirmedAt) : DASH],
    ['客户感知时延', o.latencyMs === null ? DASH : formatLatency(o.latencyMs, 'zh')],
    ['暂停合计', paused],
    ['承诺交期', o.promisedAt ? fullTime(o.promisedAt) : DASH],
    ['预计交期', o.etd ? fullTime(o.etd) : DASH],
    ['物料', itemList(o.items)],
  ];
  return `<dl class="facts">${facts.map(([k, v]) => `<dt>${k}</dt><dd>${v}</dd>`).join('\n')}</dl>`;
}

function itemList(items: OrderPageData['order']['items']): string {
  if (items.length === 0) return DASH;
  const lis = items.map(
    (i) => `<li><code>${escapeHtml(i.materialCode)}</code> × ${i.quantity} ${escapeHtml(i.unit)}</li>`,
  );
  return `<ul class="items">${lis.join('')}</ul>`;
}

function pausesSection(pauses: OrderPageData['pauses'], now: Date): string {
  const rows =
    pauses.length === 0
      ? '<tr><td colspan="4" class="muted">无暂停</td></tr>'
      : pauses
          .map((p) => {
            const end = p.to ?? now;
            return `<tr class="pause${p.to ? '' : ' open'}">
<td class="nowrap">${fullTime(p.from)}</td>
<td class="nowrap">${p.to ? fullTime(p.to) : '<span class="paused-note">进行中</span>'}</td>
<td>${orDash(p.reason)}</td>
<td class="nowrap">${formatLatency(end.getTime() - p.from.getTime(), 'zh')}</td>
</tr>`;
          })
          .join('\n');
  return `<section id="pauses"><h2>等待客户</h2><div class="table-wrap"><table id="pauses-table">
<thead><tr><th>开始</th><th>结束</th><th>原因</th><th>时长</th></tr></thead>
<tbody>
${rows}
</tbody></table></div></section>`;
}

function timelineSection(entries: TimelineEntry[]): string {
  const items =
    entries.length === 0
      ? '<li class="event muted">暂无记录</li>'
      : entries
          .map(
            (e) => `<li class="${escapeHtml(e.kind)}">
<time datetime="${e.at.toISOString()}">${shortTime(e.at)}</time><span class="label">${escapeHtml(e.label)}</span>${e.actor ? `<span class="actor">${escapeHtml(e.actor)}</span>` : ''}${e.detail ? `<p class="detail">${escapeHtml(e.detail)}</p>` : ''}
</li>`,
          )
          .join('\n');
  return `<section><h2>时间线</h2><ol id="timeline">
${items}
</ol></section>`;
}

// ---------- login / not found ----------

export function renderLoginPage(args: { company: string; error?: string; next?: string; username?: string }): string {
  const error = args.error ? `<p class="error" role="alert">${escapeHtml(args.error)}</p>` : '';
  const next = args.next !== undefined ? `<input type="hidden" name="next" value="${escapeHtml(args.next)}">` : '';
  const username = args.username ? ` value="${escapeHtml(args.username)}"` : ' autofocus';
  const body = `<main class="login"><section>
<h1>${escapeHtml(args.company)} · 运营看板</h1>
${error}
<form method="post" action="/board/login">
${next}
<label for="username">用户名</label>
<input id="username" name="username" type="text" autocomplete="username" autocapitalize="none" spellcheck="false" required${username}>
<label for="password">密码</label>
<input id="password" name="password" type="password" autocomplete="current-password" required${args.username ? ' autofocus' : ''}>
<button type="submit">登录</button>
</form>
</section></main>`;
  return page('登录 · 运营看板', body);
}

export function renderNotFoundPage(args: { company: string; what: string }): string {
  const body = `<main><section>
<h1>未找到</h1>
<p>找不到${escapeHtml(args.what)}。</p>
<p><a href="/board">← 返回看板</a></p>
</section></main>`;
  return page(`未找到 · 运营看板 · ${args.company}`, body);
}
