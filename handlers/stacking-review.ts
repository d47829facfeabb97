/**
 * Suspected rule stacking across channels (issue 20; ../shared/protocols/channels.md §1.4, §3.1): one customer
 * ordering the same SKUs on two or more channels within config.channels.stackingWindow, where the orders' applied
 * rules exclude each other. The job links buyers by phone hash, finds the groups (domain/channels/stacking.ts),
 * records one review item per set of orders (db/stacking-reviews.ts: idempotent, a bigger set supersedes the open
 * smaller one) and sends each new item as a card to the ops supervisor (config.channels.reviewer; unset: the
 * board only). The supervisor or an admin confirms, or dismisses with a reason, once.
 */
import { eq } from 'drizzle-orm';
import { type Card, chosenReason } from '../cards/model';
import { buildStackingReviewCard, STACKING_ACTIONS, type StackingCardInput } from '../cards/stacking-review-card';
import { type BusinessConfig, personName } from '../config/business-config';
import type { HandlerContext } from '../core/context';
import type { CardActionEvent } from '../core/events';
import { linkBuyersByPhoneHash } from '../db/channel-customers';
import { type CardRow, cards } from '../db/schema';
import {
  type CandidateOrder,
  candidateOrders,
  decideReview,
  exclusiveWithOf,
  lockReview,
  recordStackingSet,
  type ReviewDetail,
  reviewDetails,
  type StackingReview,
  supersededBy,
} from '../db/stacking-reviews';
import { chinaDate } from '../domain/china-time';
import { excludes, findStackingSets } from '../domain/channels/stacking';
import { type Lang, texts } from '../texts';
import { replaceCard, tellTapper } from './card-updates';
import { PLANT_LANG } from './names';

/** The card of a review item: one per item, to the reviewer. */
export function stackingCardId(reviewId: number): string {
  return `sr-${reviewId}`;
}

function reviewIdOfCard(cardId: string): number | null {
  const m = /^sr-(\d+)$/.exec(cardId);
  return m ? Number(m[1]) : null;
}

/** Who may decide: the configured reviewer and the admins. */
export function mayReview(config: BusinessConfig, personId: string): boolean {
  return config.channels.reviewer === personId || config.admins.includes(personId);
}

/**
 * The scheduled job: buyers linked by phone hash, then every customer with an order paid, changed or linked
 * within the last window checked; new review items get their card. Returns how many items it created.
 */
export async function reviewRuleStacking(ctx: HandlerContext): Promise<number> {
  const windowMs = ctx.config.channels.stackingWindow;
  const since = new Date(ctx.now.getTime() - windowMs);
  const linked = await linkBuyersByPhoneHash(ctx.tx, { now: ctx.now, since });
  const orders = await candidateOrders(ctx.tx, since, windowMs);
  if (orders.length === 0) {
    if (linked.length > 0) ctx.log.info({ linked: linked.length }, 'channel buyers linked by phone hash');
    return 0;
  }
  const exclusiveWith = await exclusiveWithOf(ctx.tx, [...new Set(orders.flatMap((o) => o.ruleCodes))]);
  const byCustomer = new Map<number, CandidateOrder[]>();
  for (const o of orders) byCustomer.set(o.customerId, [...(byCustomer.get(o.customerId) ?? []), o]);
  let created = 0;
  let superseded = 0;
  for (const [customerId, own] of [...byCustomer.entries()].sort((a, b) => a[0] - b[0])) {
    for (const set of findStackingSets(own, exclusiveWith, windowMs)) {
      const recorded = await recordStackingSet(ctx.tx, { ...set, customerId }, ctx.now);
      if (!recorded) continue;
      created += 1;
      superseded += recorded.superseded.length;
      await sendCard(ctx, recorded.review, exclusiveWith);
      for (const old of recorded.superseded) await redraw(ctx, old, exclusiveWith);
    }
  }
  ctx.log.info(
    { linked: linked.length, checked: orders.length, created, superseded },
    'channel rule stacking reviewed',
  );
  return created;
}

async function sendCard(ctx: HandlerContext, review: StackingReview, exclusiveWith: Record<string, string[]>) {
  const reviewer = ctx.config.channels.reviewer;
  if (!reviewer) return;
  const [detail] = await reviewDetails(ctx.tx, [review]);
  const id = stackingCardId(review.id);
  const card = drawCard(ctx, detail!, id, exclusiveWith);
  const platform = ctx.platform;
  await ctx.tx
    .insert(cards)
    .values({
      id,
      purpose: 'stacking-review',
      platform,
      recipientId: reviewer,
      content: card,
      createdAt: ctx.now,
    })
    .onConflictDoNothing();
  await ctx.emit({ kind: 'send-card', to: { userId: reviewer }, card }, `card:${id}:send`, { platform });
}

/** The item's card drawn again from the database (after a decision, or when superseded), if it was sent. */
async function redraw(
  ctx: HandlerContext,
  review: StackingReview,
  exclusiveWith?: Record<string, string[]>,
  callbackRef?: string,
): Promise<void> {
  const id = stackingCardId(review.id);
  const [row] = await ctx.tx.select().from(cards).where(eq(cards.id, id));
  if (!row) return;
  const [detail] = await reviewDetails(ctx.tx, [review]);
  const codes = exclusiveWith ?? (await exclusiveWithOf(ctx.tx, review.ruleCodes));
  await replaceCard(ctx, row, drawCard(ctx, detail!, id, codes), { key: `${ctx.eventKey}:card:${id}`, callbackRef });
}

/** The card of an item as it stands (open, decided or superseded), in the plant's language. */
export function drawCard(
  ctx: Pick<HandlerContext, 'config' | 'now'>,
  detail: ReviewDetail,
  cardId: string,
  exclusiveWith: Record<string, string[]>,
  lang: Lang = PLANT_LANG,
): Card {
  const { review, orders } = detail;
  const config = ctx.config;
  const codes = review.ruleCodes;
  const pairs: Array<[string, string]> = [];
  for (let i = 0; i < codes.length; i++) {
    for (let j = i + 1; j < codes.length; j++) {
      if (excludes(exclusiveWith, codes[i]!, codes[j]!)) pairs.push([codes[i]!, codes[j]!]);
    }
  }
  const replacedBy = supersededBy(review);
  const outcome: StackingCardInput['outcome'] =
    replacedBy !== null
      ? { kind: 'superseded', by: replacedBy }
      : review.status === 'open'
        ? { kind: 'open' }
        : review.status === 'confirmed'
          ? { kind: 'confirmed', by: personName(config, review.reviewer ?? ''), at: review.decidedAt ?? ctx.now }
          : {
              kind: 'dismissed',
              by: personName(config, review.reviewer ?? ''),
              at: review.decidedAt ?? ctx.now,
              reason: review.reason ?? '',
            };
  return buildStackingReviewCard({
    cardId,
    lang,
    reviewId: review.id,
    customerName: detail.customerName,
    orders: orders.map((o) => ({
      id: o.id,
      channel: o.channel,
      shopName: config.channels.shops.find((s) => s.channel === o.channel && s.shop === o.shop)?.name ?? o.shop,
      orderId: o.orderId,
      buyerKey: o.buyerKey,
      paidAt: o.paidAt,
      lines: o.lines,
      applied: o.applied,
      link:
        o.link && o.link.customerId === review.customerId
          ? {
              method: o.link.method,
              linkedByName: o.link.linkedBy ? personName(config, o.link.linkedBy) : null,
              linkedAt: o.link.linkedAt,
            }
          : null,
    })),
    overlapSkus: review.overlapSkus,
    exclusivePairs: pairs,
    windowMs: config.channels.stackingWindow,
    now: ctx.now,
    outcome,
  });
}

/** 确认叠用 / 忽略 on the card: recorded once, by the reviewer or an admin; the card is redrawn with the outcome. */
export async function handleStackingReviewAction(event: CardActionEvent, ctx: HandlerContext, row: CardRow) {
  const t = texts(PLANT_LANG).channels.review;
  const notify = (text: string) => tellTapper(ctx, event, text);
  const id = reviewIdOfCard(row.id);
  const review = id === null ? null : await lockReview(ctx.tx, id);
  if (!review) return notify(t.gone);
  const reviewer = ctx.config.channels.reviewer;
  if (!mayReview(ctx.config, event.actorId)) {
    return notify(reviewer ? t.notReviewer(personName(ctx.config, reviewer)) : t.noReviewer);
  }
  const replacedBy = supersededBy(review);
  if (replacedBy !== null) return notify(t.superseded(replacedBy));
  if (review.status !== 'open') {
    const who = personName(ctx.config, review.reviewer ?? '');
    const at = texts(PLANT_LANG).format.dateTime(review.decidedAt ?? ctx.now, chinaDate(ctx.now));
    return notify(t.decided({ who, at, confirmed: review.status === 'confirmed' }));
  }
  const key = event.actionKey;
  if (key !== STACKING_ACTIONS.confirm && key !== STACKING_ACTIONS.dismiss) return notify(t.unknownAction(key));
  let reason: string | null = null;
  if (key === STACKING_ACTIONS.dismiss) {
    const note = event.note?.trim() || null;
    const chosen = chosenReason(row.content as Card, key, event.reasonId) ?? null;
    // "Other" says nothing by itself: it needs the note.
    if (!note && (!chosen || event.reasonId === 'other')) return notify(t.needsReason);
    reason = chosen && note ? t.reasonWithNote(chosen, note) : (note ?? chosen);
  }
  const decided = await decideReview(ctx.tx, review.id, {
    status: key === STACKING_ACTIONS.confirm ? 'confirmed' : 'dismissed',
    reviewer: event.actorId,
    reason,
    now: ctx.now,
  });
  if (!decided) return notify(t.gone);
  ctx.log.info({ review: review.id, status: decided.status, reviewer: event.actorId }, 'stacking review decided');
  await redraw(ctx, decided, undefined, event.callbackRef);
}
