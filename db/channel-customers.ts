/**
 * Who a channel buyer is: the platforms give encrypted, per-platform buyer ids (Douyin doudian_open_id, Taobao
 * buyer_open_uid / oaid, JD open_id_buyer), never matched across channels. channel_customer_links maps one
 * (channel, buyer key) to one of our customers, made either
 * - by phone hash: the platform gave the buyer's mainland mobile in the clear (sha256 hex in
 *   channel_orders.buyer_phone_hash) and exactly one customer's contact phone hashes the same; or
 * - by hand: a sales person, the reviewer or an admin links the buyer in the chat (handlers/channel-customers.ts).
 * A link applies to the buyer's past orders as well as later ones (channel_orders.customer_id).
 * Limits: see docs/channels-review.md.
 */
import { buyerLinkOfOrder } from './channel-orders';
import { createHash } from 'node:crypto';
import { and, desc, eq, gte, inArray, isNotNull, isNull, or, sql } from 'drizzle-orm';
import type { Channel } from '../domain/channels/order';
import { normalizePhone } from '../domain/phone';
import type { Queryable } from './client';
import { channelCustomerLinks, channelOrders, customers } from './schema';

export type ChannelCustomerLink = typeof channelCustomerLinks.$inferSelect;

/** sha256 hex of a phone number when it is a mainland mobile (its 11 digits); null for a landline or anything else. */
export function mobileHash(phone: string | null | undefined): string | null {
  if (!phone) return null;
  const normal = normalizePhone(phone);
  if (normal === null || !/^1\d{10}$/.test(normal)) return null;
  return createHash('sha256').update(normal).digest('hex');
}

/** The customer of each buyer's orders follows its link (or becomes null when it has none). Returns rows changed. */
async function applyLink(db: Queryable, channel: Channel, buyerKey: string, customerId: number | null) {
  const rows = await db
    .update(channelOrders)
    .set({ customerId })
    .where(
      and(
        eq(channelOrders.channel, channel),
        eq(channelOrders.buyerKey, buyerKey),
        sql`${channelOrders.customerId} is distinct from ${customerId}`,
      ),
    )
    .returning({ id: channelOrders.id });
  return rows.length;
}

/**
 * Links buyers by phone hash: every unlinked buyer with a phone hash on an order received since `since` (or on
 * any order, when a customer's record changed since then: a contact phone given later still links old buyers).
 * A buyer links only when all its hashes point at exactly one customer; ambiguous or unknown buyers stay
 * unlinked. Returns the links made.
 */
export async function linkBuyersByPhoneHash(
  db: Queryable,
  options: { now: Date; since: Date },
): Promise<Array<{ channel: Channel; buyerKey: string; customerId: number }>> {
  const phones = await db
    .select({ id: customers.id, phone: customers.contactPhone, updatedAt: customers.updatedAt })
    .from(customers)
    .where(isNotNull(customers.contactPhone));
  const byHash = new Map<string, Set<number>>();
  for (const c of phones) {
    const hash = mobileHash(c.phone);
    if (hash) byHash.set(hash, (byHash.get(hash) ?? new Set()).add(c.id));
  }
  if (byHash.size === 0) return [];
  const customersChanged = phones.some((c) => c.updatedAt >= options.since);
  const candidates = await db
    .selectDistinct({
      channel: channelOrders.channel,
      buyerKey: channelOrders.buyerKey,
      hash: channelOrders.buyerPhoneHash,
    })
    .from(channelOrders)
    .leftJoin(channelCustomerLinks, buyerLinkOfOrder)
    .where(
      and(
        isNotNull(channelOrders.buyerPhoneHash),
        isNull(channelCustomerLinks.customerId),
        customersChanged ? undefined : gte(channelOrders.updatedAt, options.since),
      ),
    );
  // Every hash the buyer's orders carry must agree on one customer.
  const byBuyer = new Map<string, { channel: Channel; buyerKey: string; ids: Set<number>; unknown: boolean }>();
  for (const c of candidates) {
    const key = `${c.channel}\u0000${c.buyerKey}`;
    const entry = byBuyer.get(key) ?? { channel: c.channel, buyerKey: c.buyerKey, ids: new Set(), unknown: false };
    const matches = byHash.get(c.hash!.toLowerCase());
    if (matches) for (const id of matches) entry.ids.add(id);
    else entry.unknown = true;
    byBuyer.set(key, entry);
  }
  const made: Array<{ channel: Channel; buyerKey: string; customerId: number }> = [];
  for (const entry of byBuyer.values()) {
    if (entry.ids.size !== 1 || entry.unknown) continue;
    const customerId = [...entry.ids][0]!;
    const inserted = await db
      .insert(channelCustomerLinks)
      .values({
        channel: entry.channel,
        buyerKey: entry.buyerKey,
        customerId,
        method: 'phone-hash',
        linkedBy: null,
        linkedAt: options.now,
      })
      .onConflictDoNothing()
      .returning({ customerId: channelCustomerLinks.customerId });
    if (inserted.length === 0) continue;
    await applyLink(db, entry.channel, entry.buyerKey, customerId);
    made.push({ channel: entry.channel, buyerKey: entry.buyerKey, customerId });
  }
  return made;
}

export async function findLink(db: Queryable, channel: Channel, buyerKey: string): Promise<ChannelCustomerLink | null> {
  const [row] = await db
    .select()
    .from(channelCustomerLinks)
    .where(and(eq(channelCustomerLinks.channel, channel), eq(channelCustomerLinks.buyerKey, buyerKey)))
    .for('update');
  return row ?? null;
}

/**
 * A buyer linked by hand (replacing any earlier link, by hand or by phone hash), applied to every order of the
 * buyer. Returns the link it replaced, and how many of the buyer's orders there are.
 */
export async function linkBuyerByHand(
  db: Queryable,
  link: { channel: Channel; buyerKey: string; customerId: number; linkedBy: string; now: Date },
): Promise<{ previous: ChannelCustomerLink | null; orders: number }> {
  const previous = await findLink(db, link.channel, link.buyerKey);
  await db
    .insert(channelCustomerLinks)
    .values({
      channel: link.channel,
      buyerKey: link.buyerKey,
      customerId: link.customerId,
      method: 'manual',
      linkedBy: link.linkedBy,
      linkedAt: link.now,
    })
    .onConflictDoUpdate({
      target: [channelCustomerLinks.channel, channelCustomerLinks.buyerKey],
      set: { customerId: link.customerId, method: 'manual', linkedBy: link.linkedBy, linkedAt: link.now },
    });
  await applyLink(db, link.channel, link.buyerKey, link.customerId);
  return { previous, orders: await buyerOrderCount(db, link.channel, link.buyerKey) };
}

/** The link removed and the buyer's orders left without a customer; null when the buyer had no link. */
export async function unlinkBuyer(
  db: Queryable,
  channel: Channel,
  buyerKey: string,
): Promise<{ previous: ChannelCustomerLink; orders: number } | null> {
  const [previous] = await db
    .delete(channelCustomerLinks)
    .where(and(eq(channelCustomerLinks.channel, channel), eq(channelCustomerLinks.buyerKey, buyerKey)))
    .returning();
  if (!previous) return null;
  return { previous, orders: await applyLink(db, channel, buyerKey, null) };
}

async function buyerOrderCount(db: Queryable, channel: Channel, buyerKey: string): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(channelOrders)
    .where(and(eq(channelOrders.channel, channel), eq(channelOrders.buyerKey, buyerKey)));
  return Number(row?.n ?? 0);
}

/** The links of the given buyers, keyed "channel\0buyerKey". */
export async function linksOf(
  db: Queryable,
  buyers: ReadonlyArray<{ channel: Channel; buyerKey: string }>,
): Promise<Map<string, ChannelCustomerLink>> {
  const out = new Map<string, ChannelCustomerLink>();
  if (buyers.length === 0) return out;
  const rows = await db
    .select()
    .from(channelCustomerLinks)
    .where(
      or(
        ...buyers.map((b) =>
          and(eq(channelCustomerLinks.channel, b.channel), eq(channelCustomerLinks.buyerKey, b.buyerKey)),
        ),
      ),
    );
  for (const r of rows) out.set(`${r.channel}\u0000${r.buyerKey}`, r);
  return out;
}

export interface UnmappedBuyer {
  channel: Channel;
  buyerKey: string;
  shops: string[];
  orders: number;
  paidFen: number;
  lastPaidAt: Date | null;
  /** Whether the platform gave a phone hash (no customer's contact phone matched it, or more than one did). */
  phoneHash: boolean;
}

/** Buyers nobody has linked yet that ordered (and paid) at least `minOrders` times: most orders first. */
export async function unmappedRepeatBuyers(
  db: Queryable,
  options: { minOrders?: number; limit?: number } = {},
): Promise<UnmappedBuyer[]> {
  const minOrders = options.minOrders ?? 2;
  const rows = await db
    .select({
      channel: channelOrders.channel,
      buyerKey: channelOrders.buyerKey,
      shops: sql<string[]>`array_agg(distinct ${channelOrders.shop})`,
      orders: sql<number>`count(*)::int`,
      paidFen: sql<string>`sum(${channelOrders.paidFen})::text`,
      lastPaidAt: sql<Date | null>`max(${channelOrders.paidAt})`.mapWith(channelOrders.paidAt),
      phoneHash: sql<boolean>`bool_or(${channelOrders.buyerPhoneHash} is not null)`,
    })
    .from(channelOrders)
    .leftJoin(channelCustomerLinks, buyerLinkOfOrder)
    .where(
      and(
        isNull(channelCustomerLinks.customerId),
        isNotNull(channelOrders.paidAt),
        inArray(channelOrders.status, ['paid', 'shipped', 'finished']),
      ),
    )
    .groupBy(channelOrders.channel, channelOrders.buyerKey)
    .having(sql`count(*) >= ${minOrders}`)
    .orderBy(
      desc(sql`count(*)`),
      desc(sql`max(${channelOrders.paidAt})`),
      channelOrders.channel,
      channelOrders.buyerKey,
    )
    .limit(options.limit ?? 50);
  return rows.map((r) => ({
    channel: r.channel,
    buyerKey: r.buyerKey,
    shops: [...(r.shops ?? [])].sort(),
    orders: Number(r.orders),
    paidFen: Number(r.paidFen),
    lastPaidAt: r.lastPaidAt ?? null,
    phoneHash: Boolean(r.phoneHash),
  }));
}
