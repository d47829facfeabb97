/**
 * /board/stacking: the suspected rule-stacking reviews (open ones first, then the latest decisions) with how each
 * buyer was linked to the customer, and the buyers nobody has linked yet that ordered more than once. Read-only:
 * decisions are taken on the reviewer's card in the chat. Behind the board's login (routes.ts adds requireUser).
 */
import type { Context } from 'koa';
import { type BusinessConfig, type ConfigSource, personName } from '../../config/business-config';
import type { Database } from '../../db/client';
import { type UnmappedBuyer, unmappedRepeatBuyers } from '../../db/channel-customers';
import { boardReviews, type ReviewDetail, supersededBy } from '../../db/stacking-reviews';
import { formatFen } from '../../domain/channels/money';
import { chinaDate, chinaTime } from '../../domain/china-time';
import { type Lang, texts } from '../../texts';
import { isLang } from '../lang';
import { escapeHtml } from './html';
import { renderBoardSubPage } from './views';

/** This page's own styles; the board's come with renderBoardSubPage. */
const CSS = `
h1{margin:0 0 12px}
tr.review.open td:first-child{box-shadow:inset 4px 0 #d93025}
ul.plain{margin:0;padding:0;list-style:none}ul.plain li+li{margin-top:6px}
.link{color:#5f6368;font-size:12px}.link.manual{color:#8a5a00}
.badge.open{background:#d93025;color:#fff}.badge.confirmed{background:#f9ab00}
.note{margin:0 0 8px;color:#5f6368;font-size:13px}
code{word-break:break-all}
`;

/** The page's handler: the router puts it behind the board login. */
export function stackingPage(args: { db: Database; config: ConfigSource; clock: () => Date }) {
  return async (ctx: Context) => {
    const lang: Lang = isLang(ctx.state.lang) ? ctx.state.lang : 'zh';
    const user = ctx.state.user as { name: string } | undefined;
    const config = args.config.current;
    const [reviews, buyers] = await Promise.all([boardReviews(args.db), unmappedRepeatBuyers(args.db)]);
    ctx.status = 200;
    ctx.type = 'text/html; charset=utf-8';
    ctx.set('Cache-Control', 'no-store');
    ctx.set('X-Frame-Options', 'DENY');
    ctx.body = renderStackingPage({
      lang,
      config,
      userName: user?.name ?? '',
      now: args.clock(),
      ...reviews,
      buyers,
    });
  };
}

export interface StackingPageData {
  lang: Lang;
  config: BusinessConfig;
  userName: string;
  now: Date;
  open: ReviewDetail[];
  decided: ReviewDetail[];
  buyers: UnmappedBuyer[];
}

const time = (d: Date) => `${chinaDate(d)} ${chinaTime(d)}`;

export function renderStackingPage(data: StackingPageData): string {
  const t = texts(data.lang);
  const b = t.channels.board;
  const reviewer = data.config.channels.reviewer;
  const main = `<section id="stacking-open">
<h1>${escapeHtml(b.heading)}</h1>
${reviewer ? '' : `<p class="note" id="no-reviewer">${escapeHtml(b.noReviewer)}</p>`}
<h2>${escapeHtml(b.open(data.open.length))}</h2>
${reviewTable(data, data.open)}
</section>
<section id="stacking-decided">
<h2>${escapeHtml(b.decided)}</h2>
${reviewTable(data, data.decided)}
</section>
<section id="unmapped-buyers">
<h2>${escapeHtml(b.unmapped)}</h2>
<p class="note">${escapeHtml(b.unmappedNote)}</p>
${buyerTable(data)}
</section>`;
  return renderBoardSubPage(
    { title: b.title(data.config.company), company: data.config.company, userName: data.userName, css: CSS, main },
    { lang: data.lang },
  );
}

function reviewTable(data: StackingPageData, rows: ReviewDetail[]): string {
  const t = texts(data.lang);
  const b = t.channels.board;
  const c = b.columns;
  if (rows.length === 0) return `<p class="muted">${escapeHtml(b.none)}</p>`;
  const head = [c.id, c.created, c.customer, c.orders, c.overlap, c.rules, c.status]
    .map((h) => `<th>${escapeHtml(h)}</th>`)
    .join('');
  const today = chinaDate(data.now);
  const body = rows
    .map(({ review, customerName, orders }) => {
      const replacedBy = supersededBy(review);
      const state = replacedBy !== null ? 'superseded' : review.status;
      const orderList = orders
        .map((o) => {
          const link = o.link && o.link.customerId === review.customerId ? o.link : null;
          const how = t.channels.link({
            method: link?.method ?? null,
            by: link?.linkedBy ? personName(data.config, link.linkedBy) : null,
            on: link ? t.format.date(chinaDate(link.linkedAt), today) : '',
          });
          const shop = data.config.channels.shops.find((s) => s.channel === o.channel && s.shop === o.shop)?.name;
          const lines = o.lines.map((l) => t.channels.card.line(l.sku, l.quantity));
          const rules = o.applied.map((a) => t.channels.card.rule(a.label, a.code, formatFen(a.amountFen)));
          return `<li data-order="${o.id}">${escapeHtml(t.channels.card.orderLabel(t.channels.channel(o.channel), shop ?? o.shop))} · <code>${escapeHtml(o.orderId)}</code> · ${o.paidAt ? escapeHtml(time(o.paidAt)) : '—'}<br>${escapeHtml(t.format.list(lines))}<br>${escapeHtml(rules.join('; '))}<br><span class="link ${link?.method ?? 'none'}">${escapeHtml(t.channels.buyer(o.channel, o.buyerKey))} · ${escapeHtml(how)}</span></li>`;
        })
        .join('');
      const decision =
        state === 'open'
          ? ''
          : state === 'superseded'
            ? `<br><span class="muted">${escapeHtml(t.channels.card.superseded(replacedBy!))}</span>`
            : `<br><span class="muted">${escapeHtml(
                b.decision(
                  personName(data.config, review.reviewer ?? ''),
                  review.decidedAt ? time(review.decidedAt) : '',
                  review.reason,
                ),
              )}</span>`;
      return `<tr class="review ${state}" data-review="${review.id}">
<td class="nowrap">#${review.id}</td>
<td class="nowrap">${escapeHtml(time(review.createdAt))}</td>
<td>${escapeHtml(customerName)}</td>
<td><ul class="plain">${orderList}</ul></td>
<td>${escapeHtml(t.format.list(review.overlapSkus))}</td>
<td>${escapeHtml(t.format.list(review.ruleCodes))}</td>
<td><span class="badge ${state}">${escapeHtml(b.status[state])}</span>${decision}</td>
</tr>`;
    })
    .join('\n');
  return `<div class="table-wrap"><table><thead><tr>${head}</tr></thead><tbody>
${body}
</tbody></table></div>`;
}

function buyerTable(data: StackingPageData): string {
  const t = texts(data.lang);
  const b = t.channels.board;
  if (data.buyers.length === 0) return `<p class="muted">${escapeHtml(b.none)}</p>`;
  const c = b.unmappedColumns;
  const head = [c.buyer, c.shops, c.orders, c.paid, c.last, c.phone].map((h) => `<th>${escapeHtml(h)}</th>`).join('');
  const shopName = (u: UnmappedBuyer, shop: string) =>
    data.config.channels.shops.find((s) => s.channel === u.channel && s.shop === shop)?.name ?? shop;
  const rows = data.buyers
    .map(
      (u) => `<tr class="buyer" data-channel="${escapeHtml(u.channel)}" data-buyer="${escapeHtml(u.buyerKey)}">
<td>${escapeHtml(t.channels.channel(u.channel))} · <code>${escapeHtml(u.buyerKey)}</code></td>
<td>${escapeHtml(t.format.list(u.shops.map((s) => shopName(u, s))))}</td>
<td class="nowrap">${u.orders}</td>
<td class="nowrap">${escapeHtml(formatFen(u.paidFen))}</td>
<td class="nowrap">${u.lastPaidAt ? escapeHtml(time(u.lastPaidAt)) : '—'}</td>
<td>${escapeHtml(b.phoneHash(u.phoneHash))}</td>
</tr>`,
    )
    .join('\n');
  return `<div class="table-wrap"><table><thead><tr>${head}</tr></thead><tbody>
${rows}
</tbody></table></div>`;
}
