/**
 * The board's reconciliation page, /board/reconcile?from=&to=&channel=: per channel the difference rate, the share
 * matched to the 分, the unsettled orders and the fees; the differences by cause; the largest differences. Behind
 * the board's login (any board user); registered in routes.ts. Defaults to the last seven China days up to
 * yesterday.
 */
import type { Context } from 'koa';
import type { ConfigSource } from '../../config/business-config';
import type { Database } from '../../db/client';
import { reconcileReport } from '../../db/reconcile';
import { chinaDate } from '../../domain/china-time';
import type { Channel } from '../../domain/channels/order';
import {
  CAUSES,
  CHANNELS,
  type ChannelFigures,
  chinaPeriod,
  type ReconcileReport,
} from '../../domain/channels/reconcile';
import { type Lang, texts } from '../../texts';
import { escapeHtml } from './html';
import { renderBoardSubPage } from './views';

/** How many of the largest differences the page lists. */
export const LARGEST_LISTED = 50;
const DAY_MS = 86_400_000;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

export function reconcilePage(args: { db: Database; config: ConfigSource; clock: () => Date }) {
  return async (ctx: Context): Promise<void> => {
    const lang: Lang = ctx.state.lang === 'en' ? 'en' : 'zh';
    const t = texts(lang).reconcile;
    const yesterday = chinaDate(new Date(args.clock().getTime() - DAY_MS));
    const to = typeof ctx.query.to === 'string' && ctx.query.to !== '' ? ctx.query.to : yesterday;
    const from =
      typeof ctx.query.from === 'string' && ctx.query.from !== ''
        ? ctx.query.from
        : ISO_DATE.test(to) && !Number.isNaN(Date.parse(to))
          ? chinaDate(new Date(Date.parse(`${to}T00:00:00+08:00`) - 6 * DAY_MS))
          : yesterday;
    const channelParam = typeof ctx.query.channel === 'string' ? ctx.query.channel : '';
    const channel = (CHANNELS as readonly string[]).includes(channelParam) ? (channelParam as Channel) : undefined;
    const user = (ctx.state.user as { name?: string } | undefined)?.name ?? '';
    const company = args.config.current.company;
    const view = { lang, company, user, from, to, channel, switchHref: switchHref(ctx, lang) };
    let valid = true;
    try {
      chinaPeriod(from, to);
    } catch {
      valid = false;
    }
    ctx.type = 'text/html; charset=utf-8';
    ctx.set('Cache-Control', 'no-store');
    ctx.set('X-Frame-Options', 'DENY');
    if (!valid || (channelParam !== '' && channel === undefined)) {
      ctx.status = 400;
      ctx.body = renderReconcilePage(view, null, t.page.badPeriod);
      return;
    }
    const report = await reconcileReport(args.db, { from, to, ...(channel ? { channel } : {}) });
    ctx.status = 200;
    ctx.body = renderReconcilePage(view, report, null);
  };
}

interface View {
  lang: Lang;
  company: string;
  user: string;
  from: string;
  to: string;
  channel: Channel | undefined;
  switchHref: string;
}

function switchHref(ctx: Context, lang: Lang): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(ctx.query)) if (k !== 'lang' && typeof v === 'string') params.set(k, v);
  params.set('lang', lang === 'zh' ? 'en' : 'zh');
  return `${ctx.path}?${params.toString()}`;
}

/** This page's own styles; the board's come with renderBoardSubPage. */
const CSS = `
form.period{display:flex;flex-wrap:wrap;gap:8px 12px;align-items:center;margin:0}
form.period input,form.period select{font:inherit;padding:4px 8px;border:1px solid #dadce0;border-radius:6px}
th.num{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}
td.num{font-variant-numeric:tabular-nums}
tr.total td{font-weight:600}
.error{color:#d93025;background:#fce8e6;border-radius:6px;padding:8px 10px;margin:0}
@media (max-width:600px){main{padding:8px}section{padding:12px}}
`;

export function renderReconcilePage(view: View, report: ReconcileReport | null, error: string | null): string {
  const t = texts(view.lang).reconcile;
  const p = t.page;
  const options = [
    `<option value=""${view.channel ? '' : ' selected'}>${escapeHtml(p.allChannels)}</option>`,
    ...CHANNELS.map(
      (c) => `<option value="${c}"${view.channel === c ? ' selected' : ''}>${escapeHtml(t.channelName(c))}</option>`,
    ),
  ].join('');
  const form = `<section id="period"><form class="period" method="get" action="/board/reconcile">
<label>${escapeHtml(p.from)} <input type="date" name="from" value="${escapeHtml(view.from)}"></label>
<label>${escapeHtml(p.to)} <input type="date" name="to" value="${escapeHtml(view.to)}"></label>
<label>${escapeHtml(p.channel)} <select name="channel">${options}</select></label>
<input type="hidden" name="lang" value="${view.lang}">
<button>${escapeHtml(p.show)}</button>
</form></section>`;
  let body: string;
  if (error !== null || report === null) body = `<section><p class="error">${escapeHtml(error ?? '')}</p></section>`;
  else if (report.channels.length === 0) body = `<section><p class="muted">${escapeHtml(p.nothing)}</p></section>`;
  else
    body = [
      figuresSection(view.lang, report),
      causesSection(view.lang, report),
      largestSection(view.lang, report),
    ].join('\n');
  return renderBoardSubPage(
    { title: p.title(view.company), company: view.company, userName: view.user, css: CSS, main: `${form}\n${body}` },
    { lang: view.lang, switchHref: view.switchHref },
  );
}

function rows(report: ReconcileReport): ChannelFigures[] {
  return report.channels.length > 1 ? [...report.channels, report.total] : report.channels;
}

function figuresSection(lang: Lang, report: ReconcileReport): string {
  const t = texts(lang).reconcile;
  const p = t.page;
  const body = rows(report)
    .map(
      (f) => `<tr${f.channel === null ? ' class="total"' : ` data-channel="${f.channel}"`}>
<td>${escapeHtml(t.channelName(f.channel))}</td>
<td class="num rate">${escapeHtml(t.rate(f.differenceRate))}</td>
<td class="num match">${escapeHtml(t.rate(f.matchRate))}</td>
<td class="num settled">${f.settledOrders}</td>
<td class="num unsettled">${f.unsettledOrders}</td>
<td class="num fees">${escapeHtml(t.yuan(f.feeFen))}</td>
</tr>`,
    )
    .join('');
  return `<section id="figures"><h2>${escapeHtml(t.heading(report.from, report.to))}</h2><div class="table-wrap"><table>
<thead><tr><th>${escapeHtml(p.channel)}</th><th class="num">${escapeHtml(p.rate)}</th><th class="num">${escapeHtml(p.matchRate)}</th><th class="num">${escapeHtml(p.settled)}</th><th class="num">${escapeHtml(p.unsettled)}</th><th class="num">${escapeHtml(p.fees)}</th></tr></thead>
<tbody>${body}</tbody></table></div><p class="muted">${escapeHtml(p.rateNote)}</p></section>`;
}

function causesSection(lang: Lang, report: ReconcileReport): string {
  const t = texts(lang).reconcile;
  const p = t.page;
  const columns = rows(report);
  const head = columns.map((f) => `<th class="num" colspan="2">${escapeHtml(t.channelName(f.channel))}</th>`).join('');
  const sub = columns
    .map(() => `<th class="num">${escapeHtml(p.orders)}</th><th class="num">${escapeHtml(p.amount)}</th>`)
    .join('');
  const body = CAUSES.filter((cause) => report.total.causes[cause].orders > 0)
    .map(
      (cause) =>
        `<tr data-cause="${cause}"><td>${escapeHtml(t.causeName(cause))}</td>${columns
          .map(
            (f) =>
              `<td class="num">${f.causes[cause].orders}</td><td class="num">${escapeHtml(t.yuan(f.causes[cause].amountFen))}</td>`,
          )
          .join('')}</tr>`,
    )
    .join('');
  return `<section id="causes"><h2>${escapeHtml(p.byCause)}</h2><div class="table-wrap"><table>
<thead><tr><th rowspan="2">${escapeHtml(p.cause)}</th>${head}</tr><tr>${sub}</tr></thead>
<tbody>${body}</tbody></table></div></section>`;
}

function largestSection(lang: Lang, report: ReconcileReport): string {
  const t = texts(lang).reconcile;
  const p = t.page;
  const listed = report.differences.slice(0, LARGEST_LISTED);
  if (listed.length === 0) return `<section id="largest"><p class="muted">${escapeHtml(t.noDifferences)}</p></section>`;
  const body = listed
    .map(
      (d) => `<tr class="difference" data-order="${escapeHtml(d.orderId)}" data-cause="${d.cause}">
<td>${escapeHtml(t.channelName(d.channel))}</td><td>${escapeHtml(d.shop)}</td><td>${escapeHtml(d.orderId)}</td>
<td>${escapeHtml(t.causeName(d.cause))}</td>
<td class="num">${escapeHtml(t.yuan(d.expectedFen))}</td>
<td class="num">${d.settledFen === null ? '—' : escapeHtml(t.yuan(d.settledFen))}</td>
<td class="num">${d.differenceFen === null ? '—' : escapeHtml(t.yuan(d.differenceFen))}</td>
</tr>`,
    )
    .join('');
  return `<section id="largest"><h2>${escapeHtml(p.largest(listed.length))}</h2><div class="table-wrap"><table>
<thead><tr><th>${escapeHtml(p.channel)}</th><th>${escapeHtml(p.shop)}</th><th>${escapeHtml(p.order)}</th><th>${escapeHtml(p.cause)}</th><th class="num">${escapeHtml(p.expected)}</th><th class="num">${escapeHtml(p.settledAmount)}</th><th class="num">${escapeHtml(p.difference)}</th></tr></thead>
<tbody>${body}</tbody></table></div></section>`;
}
