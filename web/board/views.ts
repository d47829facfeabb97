import type { BoardThresholds } from '../../config/business-config';
import { chinaDate, chinaTime } from '../../domain/china-time';
import { type Catalogue, type Lang, texts } from '../../texts';
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
  /** Expected later than promised by more than the yellow lateness threshold: the ETD is shown in red. */
  late: boolean;
  colour: Colour;
  reasons: string[];
  /** The sale order the ERP has for it (written back), when it has one. */
  erpNumber?: string | null;
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
  /** The colour thresholds in force, stated in the legend. */
  thresholds: BoardThresholds;
  /** Links to the channel pages (reconciliation, stacking reviews) when the plant sells on e-commerce channels. */
  channelPages?: boolean;
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
    erpNumber?: string | null;
  };
  pauses: { from: Date; to: Date | null; reason: string | null }[];
  timeline: TimelineEntry[];
}

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
.lang{white-space:nowrap}
.login .lang{display:block;text-align:right;font-size:13px}
.error{color:#d93025;background:#fce8e6;border-radius:6px;padding:8px 10px;margin:12px 0 0}
@media (max-width:600px){main{padding:8px}section{padding:12px}.facts{grid-template-columns:1fr}.facts dt{margin-top:4px}.tile-value{font-size:20px}}
`;

const DASH = '—';

/** How a page is shown: its language, and where the link to the other language goes. */
export interface PageOptions {
  /** Chinese unless given. */
  lang?: Lang;
  /** This page in the other language; `?lang=…` on the same path when not given. */
  switchHref?: string;
}

interface View {
  lang: Lang;
  t: Catalogue;
  b: Catalogue['board'];
  switchHref: string;
}

function viewOf(options: PageOptions): View {
  const lang = options.lang ?? 'zh';
  const t = texts(lang);
  return { lang, t, b: t.board, switchHref: options.switchHref ?? `?lang=${otherLang(lang)}` };
}

function otherLang(lang: Lang): Lang {
  return lang === 'zh' ? 'en' : 'zh';
}

function page(v: View, title: string, body: string, extraCss = ''): string {
  return `<!doctype html>
<html lang="${escapeHtml(v.b.htmlLang)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${escapeHtml(title)}</title>
<style>${CSS}${extraCss}</style>
</head>
<body>
${body}
</body>
</html>`;
}

/** "English" on a Chinese page, "中文" on an English one. */
function langSwitch(v: View): string {
  const other = otherLang(v.lang);
  const lang = escapeHtml(texts(other).board.htmlLang);
  return `<a class="lang" href="${escapeHtml(v.switchHref)}" hreflang="${lang}" lang="${lang}">${escapeHtml(v.b.otherLanguage)}</a>`;
}

function topBar(v: View, company: string, userName: string, extra = ''): string {
  return `<header class="topbar"><div class="inner">
<div class="brand">${escapeHtml(company)}<span>${escapeHtml(v.b.name)}</span></div>
<div class="user">${extra}${langSwitch(v)}<span>${escapeHtml(userName)}</span><form method="post" action="/board/logout"><button>${escapeHtml(v.b.signOut)}</button></form></div>
</div></header>`;
}

/**
 * A page of the board beside the main one (channel reconciliation, stacking reviews): the board's look, top bar
 * and sign-out, a link back to the board, the page's own styles and content.
 */
export function renderBoardSubPage(
  args: { title: string; company: string; userName: string; css: string; main: string },
  options: PageOptions = {},
): string {
  const v = viewOf(options);
  const back = `<a href="/board">${escapeHtml(v.b.backToBoard)}</a>`;
  return page(
    v,
    args.title,
    `${topBar(v, args.company, args.userName, back)}\n<main>\n${args.main}\n</main>`,
    args.css,
  );
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

function colourDot(v: View, colour: Colour): string {
  return `<span class="dot ${colour}" role="img" aria-label="${escapeHtml(v.b.colours[colour])}"></span>`;
}

function reasonList(reasons: string[]): string {
  if (reasons.length === 0) return '';
  return `<ul class="reasons">${reasons.map((r) => `<li>${escapeHtml(r)}</li>`).join('')}</ul>`;
}

function orderHref(number: string): string {
  return `/board/orders/${encodeURIComponent(number)}`;
}

// ---------- board page ----------

export function renderBoardPage(data: BoardPageData, options: PageOptions = {}): string {
  const v = viewOf(options);
  const updated = `<span class="muted">${escapeHtml(v.b.updatedAt(chinaTime(data.now)))}</span>`;
  const channelLinks = data.channelPages
    ? `<a href="/board/reconcile">${escapeHtml(v.b.channelPages.reconcile)}</a><a href="/board/stacking">${escapeHtml(v.b.channelPages.stacking)}</a>`
    : '';
  const body = `${topBar(v, data.company, data.userName, channelLinks + updated)}
<main>
${figuresSection(v, data.figures)}
${chartsSection(v, data.weeks)}
${countsSection(v, data.counts)}
${linesSection(v, data.lines)}
${ordersSection(v, data.orders, data.ordersTotal, data.thresholds)}
</main>`;
  return page(v, v.b.titles.board(data.company), body);
}

const TREND_ARROWS: Record<Exclude<Figure['trend'], 'none'>, string> = { better: '▲', worse: '▼', same: '—' };

function trendMark(v: View, trend: Figure['trend']): string {
  if (trend === 'none') return '';
  const word = escapeHtml(v.b.figures[trend]);
  return `<span class="trend ${trend}" title="${word}">${TREND_ARROWS[trend]} ${word}</span>`;
}

function figuresSection(v: View, figures: Figure[]): string {
  if (figures.length === 0) return '';
  const tiles = figures.map(
    (f) => `<li class="tile">
<div class="tile-label">${escapeHtml(f.label)}</div>
<div class="tile-value">${escapeHtml(f.value)}</div>
<div class="tile-prev">${escapeHtml(v.b.figures.lastWeek(f.previous))}${trendMark(v, f.trend)}</div>
</li>`,
  );
  return `<section id="figures" aria-label="${escapeHtml(v.b.figures.label)}"><ul class="tiles">${tiles.join('')}</ul></section>`;
}

function countsSection(v: View, counts: BoardPageData['counts']): string {
  const total = counts.reduce((sum, c) => sum + c.count, 0);
  const chips = counts.map(
    (c) => `<li data-status="${escapeHtml(c.status)}"><b>${c.count}</b>${escapeHtml(c.label)}</li>`,
  );
  return `<section id="counts"><h2>${escapeHtml(v.b.counts.heading)} <span class="muted">${escapeHtml(v.b.counts.total(total))}</span></h2><ul class="counts">${chips.join('')}</ul></section>`;
}

function ordersSection(v: View, orders: BoardOrderRow[], total: number, thresholds: BoardThresholds): string {
  const o = v.b.orders;
  const rows =
    orders.length === 0
      ? `<tr><td colspan="9" class="muted">${escapeHtml(o.none)}</td></tr>`
      : orders.map((row) => orderRow(v, row)).join('\n');
  const note = total > orders.length ? `<p class="list-note">${escapeHtml(o.shown(orders.length, total))}</p>` : '';
  const headings = [o.number, o.customer, o.requester, o.status, o.waitingOn, o.age, o.etdAndPromise, o.reasons]
    .map((h) => `<th>${escapeHtml(h)}</th>`)
    .join('');
  return `<section id="orders"><h2>${escapeHtml(o.heading)}</h2>
<div class="table-wrap"><table id="open-orders">
<thead><tr><th aria-label="${escapeHtml(o.colour)}"></th>${headings}</tr></thead>
<tbody>
${rows}
</tbody></table></div>${note}
${colourLegend(v, thresholds)}
</section>`;
}

function orderRow(v: View, o: BoardOrderRow): string {
  const paused = o.paused ? `<span class="paused-note">${escapeHtml(v.b.orders.paused)}</span>` : '';
  return `<tr class="order ${o.colour}" data-number="${escapeHtml(o.number)}">
<td>${colourDot(v, o.colour)}</td>
<td class="nowrap"><a href="${escapeHtml(orderHref(o.number))}">${escapeHtml(o.number)}</a>${erpNumberNote(v, o.erpNumber)}</td>
<td>${orDash(o.customerName)}</td>
<td>${escapeHtml(o.requesterName)}</td>
<td class="nowrap">${escapeHtml(o.statusLabel)}</td>
<td>${orDash(o.waitingOn)}</td>
<td class="nowrap">${escapeHtml(v.t.format.latency(o.ageMs))}${paused}</td>
<td class="nowrap">${etdVsPromise(v, o.etd, o.promisedAt, o.late)}</td>
<td>${reasonList(o.reasons)}</td>
</tr>`;
}

function erpNumberNote(v: View, erpNumber: string | null | undefined): string {
  if (!erpNumber) return '';
  return `<div class="muted erp-number">${escapeHtml(v.t.erp.board.number)} ${escapeHtml(erpNumber)}</div>`;
}

function etdVsPromise(v: View, etd: Date | null, promisedAt: Date | null, late: boolean): string {
  const etdText = v.b.orders.etd(etd ? shortTime(etd) : DASH);
  const promiseText = v.b.orders.promise(promisedAt ? shortTime(promisedAt) : DASH);
  return `<div${late ? ' class="late"' : ''}>${escapeHtml(etdText)}</div><div class="muted">${escapeHtml(promiseText)}</div>`;
}

function colourLegend(v: View, thresholds: BoardThresholds): string {
  const c = v.b.colours;
  const span = v.t.format.latency;
  const load = (share: number) => `${Math.round(share * 1000) / 10}%`;
  const { lateness, lineLoad } = thresholds;
  const red = c.redMeans({ late: span(lateness.red), load: load(lineLoad.red) });
  const yellow = c.yellowMeans({
    dueSoon: span(thresholds.dueSoon),
    late: lateness.yellow > 0 ? span(lateness.yellow) : null,
    load: load(lineLoad.yellow),
  });
  return `<ul class="legend-colours" aria-label="${escapeHtml(c.legend)}">
<li>${colourDot(v, 'red')} ${escapeHtml(red)}</li>
<li>${colourDot(v, 'yellow')} ${escapeHtml(yellow)}</li>
<li>${colourDot(v, 'blue')} ${escapeHtml(c.blueMeans)}</li>
</ul>`;
}

function linesSection(v: View, lines: LineLoadRow[]): string {
  if (lines.length === 0) return '';
  const items = lines.map((l) => {
    const width = Math.min(100, Math.max(0, l.loadPct));
    return `<li class="line ${l.colour}" data-line="${escapeHtml(l.line)}">
<span class="line-name" title="${escapeHtml(l.line)}">${escapeHtml(l.name)}</span>
<span class="bar" role="img" aria-label="${escapeHtml(v.b.lines.load(Math.round(l.loadPct)))}"><span class="fill ${l.colour}" style="width:${Math.round(width)}%"></span></span>
<span class="pct">${Math.round(l.loadPct)}%</span>
</li>`;
  });
  return `<section id="lines"><h2>${escapeHtml(v.b.lines.heading)}</h2><ul class="lines">${items.join('')}</ul></section>`;
}

// ---------- charts ----------

const HOUR_MS = 3600_000;

function hours(ms: number | null): number | null {
  return ms === null ? null : ms / HOUR_MS;
}

function formatPercent(v: number): string {
  return `${Math.round(v * 1000) / 10}%`;
}

/** '2026-W09' → 'W09'; anything else is shown as given. */
function shortWeek(label: string): string {
  return /W\d+$/.exec(label)?.[0] ?? label;
}

function chartSection(
  v: View,
  kpi: string,
  title: string,
  weeks: WeekPoint[],
  series: ChartSeries[],
  percent: boolean,
): string {
  const svg = renderLineChart({
    title,
    labels: weeks.map((w) => shortWeek(w.label)),
    series,
    formatValue: percent ? formatPercent : (h) => v.b.charts.hours(Math.round(h * 10) / 10),
    noData: v.b.charts.noData,
    ...(percent ? { yMin: 0, yMax: 1 } : {}),
  });
  return `<figure class="chart" data-kpi="${kpi}"><figcaption>${escapeHtml(title)}</figcaption>${svg}</figure>`;
}

function chartsSection(v: View, weeks: WeekPoint[]): string {
  const c = v.b.charts;
  const charts = [
    chartSection(
      v,
      'latency',
      c.latency,
      weeks,
      [
        { name: c.median, colour: '#1a73e8', values: weeks.map((w) => hours(w.latencyP50Ms)) },
        { name: c.p90, colour: '#e8710a', values: weeks.map((w) => hours(w.latencyP90Ms)) },
      ],
      false,
    ),
    chartSection(
      v,
      'on-time',
      c.onTime,
      weeks,
      [{ name: c.onTimeRate, colour: '#188038', values: weeks.map((w) => w.onTimeRate) }],
      true,
    ),
    chartSection(
      v,
      'accuracy',
      c.accuracy,
      weeks,
      [{ name: c.accuracyRate, colour: '#9334e6', values: weeks.map((w) => w.promiseAccuracy) }],
      true,
    ),
    chartSection(
      v,
      'handling',
      c.handling,
      weeks,
      [{ name: c.median, colour: '#1a73e8', values: weeks.map((w) => hours(w.handlingP50Ms)) }],
      false,
    ),
  ];
  return `<section id="charts"><h2>${escapeHtml(c.heading(weeks.length))}</h2><div class="grid">${charts.join('\n')}</div></section>`;
}

// ---------- order page ----------

export function renderOrderPage(data: OrderPageData, options: PageOptions = {}): string {
  const v = viewOf(options);
  const o = data.order;
  const body = `${topBar(v, data.company, data.userName)}
<main>
<a class="back" href="/board">${escapeHtml(v.b.backToBoard)}</a>
<section id="order">
<div class="order-head">${colourDot(v, o.colour)}<h1>${escapeHtml(o.number)}</h1><span class="badge ${o.colour}">${escapeHtml(o.statusLabel)}</span></div>
${reasonList(o.reasons)}
${orderFacts(v, o)}
</section>
${pausesSection(v, data.pauses, data.now)}
${timelineSection(v, data.timeline)}
</main>`;
  return page(v, v.b.titles.order(o.number), body);
}

function orderFacts(v: View, o: OrderPageData['order']): string {
  const f = v.b.order;
  const latency = v.t.format.latency;
  const paused = `${escapeHtml(latency(o.pausedMs))}${o.paused ? `<span class="paused-note">${escapeHtml(f.paused)}</span>` : ''}`;
  const facts: [string, string][] = [
    [f.customer, orDash(o.customerName)],
    [f.requester, escapeHtml(o.requesterName)],
    [f.request, `<blockquote>${escapeHtml(o.sourceText)}</blockquote>`],
    [f.requestedAt, fullTime(o.requestedAt)],
    [f.confirmedAt, o.confirmedAt ? fullTime(o.confirmedAt) : DASH],
    [f.latency, o.latencyMs === null ? DASH : escapeHtml(latency(o.latencyMs))],
    [f.pausedTotal, paused],
    [f.promisedAt, o.promisedAt ? fullTime(o.promisedAt) : DASH],
    [f.etd, o.etd ? fullTime(o.etd) : DASH],
    [f.items, itemList(o.items)],
    ...(o.erpNumber
      ? [[v.t.erp.board.number, `<code class="erp-number">${escapeHtml(o.erpNumber)}</code>`] as [string, string]]
      : []),
  ];
  return `<dl class="facts">${facts.map(([k, value]) => `<dt>${escapeHtml(k)}</dt><dd>${value}</dd>`).join('\n')}</dl>`;
}

function itemList(items: OrderPageData['order']['items']): string {
  if (items.length === 0) return DASH;
  const lis = items.map(
    (i) => `<li><code>${escapeHtml(i.materialCode)}</code> × ${i.quantity} ${escapeHtml(i.unit)}</li>`,
  );
  return `<ul class="items">${lis.join('')}</ul>`;
}

function pausesSection(v: View, pauses: OrderPageData['pauses'], now: Date): string {
  const p = v.b.pauses;
  const rows =
    pauses.length === 0
      ? `<tr><td colspan="4" class="muted">${escapeHtml(p.none)}</td></tr>`
      : pauses
          .map((pause) => {
            const end = pause.to ?? now;
            return `<tr class="pause${pause.to ? '' : ' open'}">
<td class="nowrap">${fullTime(pause.from)}</td>
<td class="nowrap">${pause.to ? fullTime(pause.to) : `<span class="paused-note">${escapeHtml(p.ongoing)}</span>`}</td>
<td>${orDash(pause.reason)}</td>
<td class="nowrap">${escapeHtml(v.t.format.latency(end.getTime() - pause.from.getTime()))}</td>
</tr>`;
          })
          .join('\n');
  const headings = [p.from, p.to, p.reason, p.duration].map((h) => `<th>${escapeHtml(h)}</th>`).join('');
  return `<section id="pauses"><h2>${escapeHtml(p.heading)}</h2><div class="table-wrap"><table id="pauses-table">
<thead><tr>${headings}</tr></thead>
<tbody>
${rows}
</tbody></table></div></section>`;
}

function timelineSection(v: View, entries: TimelineEntry[]): string {
  const items =
    entries.length === 0
      ? `<li class="event muted">${escapeHtml(v.b.timeline.none)}</li>`
      : entries
          .map(
            (e) => `<li class="${escapeHtml(e.kind)}">
<time datetime="${e.at.toISOString()}">${shortTime(e.at)}</time><span class="label">${escapeHtml(e.label)}</span>${e.actor ? `<span class="actor">${escapeHtml(e.actor)}</span>` : ''}${e.detail ? `<p class="detail">${escapeHtml(e.detail)}</p>` : ''}
</li>`,
          )
          .join('\n');
  return `<section><h2>${escapeHtml(v.b.timeline.heading)}</h2><ol id="timeline">
${items}
</ol></section>`;
}

// ---------- login / not found ----------

export function renderLoginPage(
  args: { company: string; error?: string; next?: string; username?: string },
  options: PageOptions = {},
): string {
  const v = viewOf(options);
  const l = v.b.login;
  const error = args.error ? `<p class="error" role="alert">${escapeHtml(args.error)}</p>` : '';
  const next = args.next !== undefined ? `<input type="hidden" name="next" value="${escapeHtml(args.next)}">` : '';
  const username = args.username ? ` value="${escapeHtml(args.username)}"` : ' autofocus';
  const body = `<main class="login"><section>
${langSwitch(v)}
<h1>${escapeHtml(l.heading(args.company))}</h1>
${error}
<form method="post" action="/board/login">
${next}
<label for="username">${escapeHtml(l.username)}</label>
<input id="username" name="username" type="text" autocomplete="username" autocapitalize="none" spellcheck="false" required${username}>
<label for="password">${escapeHtml(l.password)}</label>
<input id="password" name="password" type="password" autocomplete="current-password" required${args.username ? ' autofocus' : ''}>
<button type="submit">${escapeHtml(l.submit)}</button>
</form>
</section></main>`;
  return page(v, v.b.titles.login, body);
}

/** `what` names what was looked for, as `texts(lang).board.notFound.order` gives it. */
export function renderNotFoundPage(args: { company: string; what: string }, options: PageOptions = {}): string {
  const v = viewOf(options);
  const body = `<main><section>
<h1>${escapeHtml(v.b.notFound.heading)}</h1>
<p>${escapeHtml(v.b.notFound.text(args.what))}</p>
<p><a href="/board">${escapeHtml(v.b.backToBoard)}</a></p>
</section></main>`;
  return page(v, v.b.titles.notFound(args.company), body);
}
