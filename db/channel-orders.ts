/**
 * Storing channel orders: one row per platform order, whichever way it arrived (push, poll, import) and however
 * often. A copy replaces the stored one only when it is newer by the platform's own modified time (or as new
 * with a different content), so duplicate and out-of-order deliveries change nothing; an amount change arrives
 * as a newer copy and is re-evaluated.
 */
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Channel } from '../domain/channels/order';
import type { ReceivedOrder } from '../domain/channels/received';
import type { RuleEvaluation } from '../domain/channels/rules';
import { goodsSubtotalFen } from '../domain/channels/order';
import type { Queryable } from './client';
import { channelCustomerLinks, channelOrders } from './schema';

export interface StoreOutcome {
  added: number;
  changed: number;
  /** Copies identical to, or older than, the stored one. */
  unchanged: number;
  /** The ids of the rows added or changed, for the steps that follow (customer links, stacking review). */
  ids: number[];
}

/** The newest copy of each order in a batch (a page may hold an order twice when it changed while paging). */
function newestCopies(received: ReceivedOrder[]): ReceivedOrder[] {
  const byKey = new Map<string, ReceivedOrder>();
  for (const copy of received) {
    const key = `${copy.order.channel}\u0000${copy.order.orderId}`;
    const held = byKey.get(key);
    if (!held || Date.parse(copy.updatedAt) >= Date.parse(held.updatedAt)) byKey.set(key, copy);
  }
  return [...byKey.values()];
}

/**
 * Stores a batch in one multi-row statement. `evaluate` gives the rule pool's result for a paid order (null for
 * an unpaid one is applied by the caller's choice). Rows whose buyer is already mapped get the customer.
 */
export async function storeChannelOrders(
  db: Queryable,
  received: ReceivedOrder[],
  options: {
    source: 'push' | 'poll' | 'import';
    now: Date;
    evaluate: (copy: ReceivedOrder) => RuleEvaluation | null;
  },
): Promise<StoreOutcome> {
  const copies = newestCopies(received);
  if (copies.length === 0) return { added: 0, changed: 0, unchanged: received.length, ids: [] };
  const rows = copies.map((copy) => {
    const evaluation = options.evaluate(copy);
    return {
      channel: copy.order.channel,
      shop: copy.order.shop,
      orderId: copy.order.orderId,
      status: copy.status,
      buyerKey: copy.order.buyerKey,
      buyerPhoneHash: copy.buyerPhoneHash,
      createdAt: new Date(copy.order.createdAt),
      paidAt: copy.order.paidAt === null ? null : new Date(copy.order.paidAt),
      platformUpdatedAt: new Date(copy.updatedAt),
      body: copy.order,
      goodsFen: goodsSubtotalFen(copy.order),
      paidFen: copy.order.totals.paidFen,
      evaluation,
      expectedInvoiceFen: evaluation?.expectedInvoiceFen ?? null,
      source: options.source,
      receivedAt: options.now,
      updatedAt: options.now,
    };
  });
  const stored = await db
    .insert(channelOrders)
    .values(rows)
    .onConflictDoUpdate({
      target: [channelOrders.channel, channelOrders.orderId],
      set: {
        status: sql`excluded.status`,
        buyerKey: sql`excluded.buyer_key`,
        buyerPhoneHash: sql`coalesce(excluded.buyer_phone_hash, ${channelOrders.buyerPhoneHash})`,
        createdAt: sql`excluded.created_at`,
        paidAt: sql`excluded.paid_at`,
        platformUpdatedAt: sql`excluded.platform_updated_at`,
        body: sql`excluded.body`,
        goodsFen: sql`excluded.goods_fen`,
        paidFen: sql`excluded.paid_fen`,
        evaluation: sql`excluded.evaluation`,
        expectedInvoiceFen: sql`excluded.expected_invoice_fen`,
        updatedAt: sql`excluded.updated_at`,
      },
      setWhere: sql`excluded.platform_updated_at > ${channelOrders.platformUpdatedAt}
        or (excluded.platform_updated_at = ${channelOrders.platformUpdatedAt}
            and (excluded.status <> ${channelOrders.status} or excluded.body <> ${channelOrders.body}))`,
    })
    .returning({ id: channelOrders.id, added: sql<boolean>`xmax = 0` });
  const ids = stored.map((row) => row.id);
  if (ids.length > 0) await linkMappedBuyers(db, ids);
  const added = stored.filter((row) => row.added).length;
  return { added, changed: stored.length - added, unchanged: received.length - stored.length, ids };
}

/** Joins an order to the link of its buyer (channel and buyer id). */
export const buyerLinkOfOrder = and(
  eq(channelCustomerLinks.channel, channelOrders.channel),
  eq(channelCustomerLinks.buyerKey, channelOrders.buyerKey),
);

/** Sets the customer of the given rows from the buyer mapping (a mapping added later is applied by linkBuyer). */
export async function linkMappedBuyers(db: Queryable, ids: number[]): Promise<void> {
  await db
    .update(channelOrders)
    .set({ customerId: channelCustomerLinks.customerId })
    .from(channelCustomerLinks)
    .where(
      and(
        inArray(channelOrders.id, ids),
        eq(channelCustomerLinks.channel, channelOrders.channel),
        eq(channelCustomerLinks.buyerKey, channelOrders.buyerKey),
        sql`${channelOrders.customerId} is distinct from ${channelCustomerLinks.customerId}`,
      ),
    );
}

export async function findChannelOrder(db: Queryable, channel: Channel, orderId: string) {
  const [row] = await db
    .select()
    .from(channelOrders)
    .where(and(eq(channelOrders.channel, channel), eq(channelOrders.orderId, orderId)));
  return row ?? null;
}
