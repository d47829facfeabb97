/**
 * Review items for suspected rule stacking across channels: one per set of channel orders (order_set, the ids
 * sorted and joined, is unique), so a second run or a second process creates nothing new. A set that grows (a
 * third order joins the group later) gets an item of its own; the open item of the smaller set is closed as
 * superseded (status 'dismissed', reviewer null, reason "superseded:<new id>"). A set contained in an item
 * that exists already (the group shrank: an order was cancelled) creates nothing.
 */
import { buyerLinkOfOrder } from './channel-orders';
import { and, desc, eq, gte, inArray, isNotNull, ne, or, sql } from 'drizzle-orm';
import type { Channel } from '../domain/channels/order';
import type { RuleEvaluation } from '../domain/channels/rules';
import { orderSetKey, type StackingOrder, type StackingSet } from '../domain/channels/stacking';
import type { Queryable } from './client';
import { channelCustomerLinks, channelOrders, channelRules, customers, stackingReviews } from './schema';

export type StackingReview = typeof stackingReviews.$inferSelect;

/** The reason a superseded item carries: "superseded:<id of the item for the bigger set>". */
export const SUPERSEDED = 'superseded:';

export function supersededBy(review: Pick<StackingReview, 'status' | 'reason' | 'reviewer'>): number | null {
  if (review.status !== 'dismissed' || review.reviewer !== null || !review.reason?.startsWith(SUPERSEDED)) return null;
  const id = Number(review.reason.slice(SUPERSEDED.length));
  return Number.isSafeInteger(id) ? id : null;
}

const COUNTED = ['paid', 'shipped', 'finished'] as const;

/** A paid channel order as the detection reads it, with its customer. */
export interface CandidateOrder extends StackingOrder {
  customerId: number;
}

/**
 * The paid orders to check: for every customer with an order paid or changed since `since`, or a buyer linked
 * since then, that customer's paid orders within `windowMs` of those orders.
 */
export async function candidateOrders(db: Queryable, since: Date, windowMs: number): Promise<CandidateOrder[]> {
  const touched = await db
    .select({
      customerId: sql<number>`${channelOrders.customerId}`,
      from: sql<Date>`min(${channelOrders.paidAt})`.mapWith(channelOrders.paidAt),
      to: sql<Date>`max(${channelOrders.paidAt})`.mapWith(channelOrders.paidAt),
    })
    .from(channelOrders)
    .leftJoin(channelCustomerLinks, buyerLinkOfOrder)
    .where(
      and(
        isNotNull(channelOrders.customerId),
        isNotNull(channelOrders.paidAt),
        inArray(channelOrders.status, [...COUNTED]),
        or(
          gte(channelOrders.paidAt, since),
          gte(channelOrders.updatedAt, since),
          gte(channelCustomerLinks.linkedAt, since),
        ),
      ),
    )
    .groupBy(channelOrders.customerId);
  if (touched.length === 0) return [];
  const rows = await db
    .select({
      id: channelOrders.id,
      channel: channelOrders.channel,
      customerId: channelOrders.customerId,
      paidAt: channelOrders.paidAt,
      body: channelOrders.body,
      evaluation: channelOrders.evaluation,
    })
    .from(channelOrders)
    .where(
      and(
        inArray(channelOrders.status, [...COUNTED]),
        or(
          ...touched.map((t) =>
            and(
              eq(channelOrders.customerId, t.customerId),
              gte(channelOrders.paidAt, new Date(t.from.getTime() - windowMs)),
              sql`${channelOrders.paidAt} <= ${new Date(t.to.getTime() + windowMs).toISOString()}::timestamptz`,
            ),
          ),
        ),
      ),
    )
    .orderBy(channelOrders.id);
  return rows.map((r) => ({
    id: r.id,
    channel: r.channel,
    customerId: r.customerId!,
    paidAt: r.paidAt!.getTime(),
    skus: [...new Set(r.body.lines.map((l) => l.sku))],
    ruleCodes: appliedCodes(r.evaluation),
  }));
}

function appliedCodes(evaluation: RuleEvaluation | null): string[] {
  return [...new Set((evaluation?.applied ?? []).map((a) => a.code))];
}

/** exclusiveWith of every version of the given rule codes, merged per code (exclusion is checked on codes). */
export async function exclusiveWithOf(db: Queryable, codes: readonly string[]): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  if (codes.length === 0) return out;
  const rows = await db
    .select({ code: channelRules.code, rule: channelRules.rule })
    .from(channelRules)
    .where(inArray(channelRules.code, [...new Set(codes)]));
  for (const r of rows) {
    out[r.code] = [...new Set([...(out[r.code] ?? []), ...(r.rule.exclusiveWith ?? [])])].sort();
  }
  return out;
}

/**
 * Stores the item for a set unless the set, or a bigger set containing it, has one already. Returns the new item
 * and the open items of smaller sets it supersedes (closed here), or null when nothing was created.
 */
export async function recordStackingSet(
  db: Queryable,
  set: StackingSet & { customerId: number },
  now: Date,
): Promise<{ review: StackingReview; superseded: StackingReview[] } | null> {
  const [covering] = await db
    .select({ id: stackingReviews.id })
    .from(stackingReviews)
    .where(sql`${stackingReviews.orderIds} @> ${JSON.stringify(set.orderIds)}::jsonb`)
    .limit(1);
  if (covering) return null;
  const [review] = await db
    .insert(stackingReviews)
    .values({
      orderSet: orderSetKey(set.orderIds),
      customerId: set.customerId,
      orderIds: set.orderIds,
      ruleCodes: set.ruleCodes,
      overlapSkus: set.overlapSkus,
      status: 'open',
      createdAt: now,
    })
    .onConflictDoNothing({ target: stackingReviews.orderSet })
    .returning();
  if (!review) return null;
  const superseded = await db
    .update(stackingReviews)
    .set({ status: 'dismissed', reason: `${SUPERSEDED}${review.id}`, reviewer: null, decidedAt: now })
    .where(
      and(
        eq(stackingReviews.status, 'open'),
        ne(stackingReviews.id, review.id),
        sql`${JSON.stringify(set.orderIds)}::jsonb @> ${stackingReviews.orderIds}`,
      ),
    )
    .returning();
  return { review, superseded };
}

/** One item, locked for the decision. */
export async function lockReview(db: Queryable, id: number): Promise<StackingReview | null> {
  const [row] = await db.select().from(stackingReviews).where(eq(stackingReviews.id, id)).for('update');
  return row ?? null;
}

/** Records a decision once: only an open item changes. Returns the decided item, or null when it was not open. */
export async function decideReview(
  db: Queryable,
  id: number,
  decision: { status: 'confirmed' | 'dismissed'; reviewer: string; reason: string | null; now: Date },
): Promise<StackingReview | null> {
  const [row] = await db
    .update(stackingReviews)
    .set({ status: decision.status, reviewer: decision.reviewer, reason: decision.reason, decidedAt: decision.now })
    .where(and(eq(stackingReviews.id, id), eq(stackingReviews.status, 'open')))
    .returning();
  return row ?? null;
}

/** One order of an item, with what the card and the board show of it. */
export interface ReviewOrder {
  id: number;
  channel: Channel;
  shop: string;
  orderId: string;
  buyerKey: string;
  paidAt: Date | null;
  status: string;
  lines: Array<{ sku: string; quantity: number }>;
  applied: Array<{ code: string; label: string; amountFen: number }>;
  /** How the buyer came to be this customer: the link as it is now (null: unlinked since). */
  link: { method: 'phone-hash' | 'manual'; linkedBy: string | null; linkedAt: Date; customerId: number } | null;
}

export interface ReviewDetail {
  review: StackingReview;
  customerName: string;
  orders: ReviewOrder[];
}

/** Items with their customer, orders and links. */
export async function reviewDetails(db: Queryable, reviews: StackingReview[]): Promise<ReviewDetail[]> {
  if (reviews.length === 0) return [];
  const orderIds = [...new Set(reviews.flatMap((r) => r.orderIds))];
  const customerIds = [...new Set(reviews.map((r) => r.customerId))];
  const [orderRows, customerRows] = await Promise.all([
    db
      .select({ order: channelOrders, link: channelCustomerLinks })
      .from(channelOrders)
      .leftJoin(channelCustomerLinks, buyerLinkOfOrder)
      .where(inArray(channelOrders.id, orderIds)),
    db.select({ id: customers.id, name: customers.name }).from(customers).where(inArray(customers.id, customerIds)),
  ]);
  const orders = new Map<number, ReviewOrder>(
    orderRows.map(({ order: o, link }) => [
      o.id,
      {
        id: o.id,
        channel: o.channel,
        shop: o.shop,
        orderId: o.orderId,
        buyerKey: o.buyerKey,
        paidAt: o.paidAt,
        status: o.status,
        lines: o.body.lines.map((l) => ({ sku: l.sku, quantity: l.quantity })),
        applied: (o.evaluation?.applied ?? []).map((a) => ({ code: a.code, label: a.label, amountFen: a.amountFen })),
        link: link
          ? { method: link.method, linkedBy: link.linkedBy, linkedAt: link.linkedAt, customerId: link.customerId }
          : null,
      },
    ]),
  );
  const names = new Map(customerRows.map((c) => [c.id, c.name]));
  return reviews.map((review) => ({
    review,
    customerName: names.get(review.customerId) ?? `#${review.customerId}`,
    orders: review.orderIds.flatMap((id) => {
      const o = orders.get(id);
      return o ? [o] : [];
    }),
  }));
}

/** The open items (oldest first) and the latest decisions, superseded ones included, for the board. */
export async function boardReviews(
  db: Queryable,
  options: { decidedLimit?: number } = {},
): Promise<{ open: ReviewDetail[]; decided: ReviewDetail[] }> {
  const [open, decided] = await Promise.all([
    db.select().from(stackingReviews).where(eq(stackingReviews.status, 'open')).orderBy(stackingReviews.createdAt),
    db
      .select()
      .from(stackingReviews)
      .where(ne(stackingReviews.status, 'open'))
      .orderBy(desc(stackingReviews.decidedAt), desc(stackingReviews.id))
      .limit(options.decidedLimit ?? 30),
  ]);
  return { open: await reviewDetails(db, open), decided: await reviewDetails(db, decided) };
}
