/**
 * One pass of channel-order intake over every configured shop: the platform's messages (Douyin pushes already
 * stored, Taobao TMC messages pulled here) re-read in full, the shop's orders polled from its cursor, its
 * settlement lines polled. Platform calls happen outside any transaction; each page is stored together with its
 * cursor, so a crash or restart repeats at most a page (storing is idempotent) and never skips one.
 * One shop failing (rate limit, credentials, network) leaves the others running and its cursor where it was.
 */
import type { Logger } from 'pino';
import type { BusinessConfig } from '../config/business-config';
import type { Database, Queryable } from '../db/client';
import { noteCursorError, readCursor, saveCursor, type CursorKind } from '../db/channel-cursors';
import { markMessagesProcessed, markMessagesRetry, storeChannelMessages } from '../db/channel-messages';
import { type StoreOutcome, storeChannelOrders } from '../db/channel-orders';
import { channelRuleEvaluator, materialCodes } from '../db/channel-pool';
import { storeSettlements } from '../db/channel-settlements';
import { channelMessages } from '../db/schema';
import { mapOuterSkus } from '../domain/channels/sku-map';
import type { ReceivedOrder } from '../domain/channels/received';
import { ChannelApiError, type ChannelAdapter, type Cursor } from '../integrations/channels/port';
import { and, asc, eq } from 'drizzle-orm';

export interface ChannelIntakeDeps {
  db: Database;
  adapters: ChannelAdapter[];
  config: BusinessConfig;
  now: () => Date;
  log: Logger;
  /** Pages read per shop and kind in one pass, so that one busy shop does not hold up the others. */
  maxPages?: number;
}

export interface ShopIntake {
  channel: string;
  shop: string;
  messages: number;
  orders: { added: number; changed: number; unchanged: number };
  settlements: number;
  /** The first failure of this pass, if any. */
  error: string | null;
}

/** Messages re-read per pass and shop. */
const MESSAGES_PER_PASS = 100;
const DEFAULT_MAX_PAGES = 50;

export async function runChannelIntake(deps: ChannelIntakeDeps): Promise<ShopIntake[]> {
  const results: ShopIntake[] = [];
  if (deps.adapters.length === 0) return results;
  const prepare = await orderPreparer(deps.db, deps.config);
  for (const adapter of deps.adapters) {
    const result: ShopIntake = {
      channel: adapter.channel,
      shop: adapter.shop,
      messages: 0,
      orders: { added: 0, changed: 0, unchanged: 0 },
      settlements: 0,
      error: null,
    };
    const step = async (kind: CursorKind | 'messages', work: () => Promise<void>) => {
      try {
        await work();
      } catch (err) {
        const message = describe(err);
        result.error ??= message;
        deps.log.warn({ channel: adapter.channel, shop: adapter.shop, kind, err: message }, 'channel intake failed');
        if (kind !== 'messages') {
          await noteCursorError(deps.db, { channel: adapter.channel, shop: adapter.shop, kind }, message, deps.now());
        }
      }
    };
    await step('messages', () => intakeMessages(deps, adapter, prepare, result));
    await step('orders', () => pollOrders(deps, adapter, prepare, result));
    await step('settlements', () => pollSettlements(deps, adapter, result));
    results.push(result);
  }
  return results;
}

type Prepare = (copies: ReceivedOrder[]) => {
  copies: ReceivedOrder[];
  evaluate: Parameters<typeof storeChannelOrders>[2]['evaluate'];
};

/** Outer SKUs mapped to material codes, and the active rule pool, read once per pass. */
async function orderPreparer(db: Queryable, config: BusinessConfig): Promise<Prepare> {
  const [evaluate, codes] = await Promise.all([channelRuleEvaluator(db), materialCodes(db)]);
  return (copies) => ({
    copies: copies.map((copy) => ({ ...copy, order: mapOuterSkus(copy.order, config.channels.skuAliases, codes) })),
    evaluate,
  });
}

function add(result: ShopIntake, outcome: StoreOutcome) {
  result.orders.added += outcome.added;
  result.orders.changed += outcome.changed;
  result.orders.unchanged += outcome.unchanged;
}

async function intakeMessages(deps: ChannelIntakeDeps, adapter: ChannelAdapter, prepare: Prepare, result: ShopIntake) {
  if (adapter.pullMessages) {
    const pulled = await adapter.pullMessages(MESSAGES_PER_PASS);
    if (pulled.messages.length > 0) {
      await storeChannelMessages(deps.db, adapter.channel, adapter.shop, pulled.messages, deps.now());
      // Confirmed only once stored: a crash before this line gets the messages again (stored once).
      await pulled.confirm(pulled.messages.map((m) => m.messageId));
    }
  }
  const pending = await deps.db
    .select({ id: channelMessages.id, orderId: channelMessages.orderId })
    .from(channelMessages)
    .where(
      and(
        eq(channelMessages.channel, adapter.channel),
        eq(channelMessages.shop, adapter.shop),
        eq(channelMessages.status, 'received'),
      ),
    )
    .orderBy(asc(channelMessages.id))
    .limit(MESSAGES_PER_PASS);
  const byOrder = new Map<string, typeof pending>();
  for (const message of pending) byOrder.set(message.orderId, [...(byOrder.get(message.orderId) ?? []), message]);
  for (const [orderId, messages] of byOrder) {
    const ids = messages.map((m) => m.id);
    let copy: ReceivedOrder | null;
    try {
      copy = await adapter.fetchOrder(orderId);
    } catch (err) {
      if (err instanceof ChannelApiError && err.kind === 'rate-limited') throw err;
      await markMessagesRetry(deps.db, ids, describe(err), deps.now());
      continue;
    }
    if (copy === null) {
      await markMessagesRetry(deps.db, ids, `the platform does not know order ${orderId} (yet)`, deps.now());
      continue;
    }
    const { copies, evaluate } = prepare([copy]);
    await deps.db.transaction(async (tx) => {
      add(result, await storeChannelOrders(tx, copies, { source: 'push', now: deps.now(), evaluate }));
      await markMessagesProcessed(tx, ids, deps.now());
    });
    result.messages += ids.length;
  }
}

/** Whether the shop's last poll of this kind ended caught up less than pollEvery ago. */
async function restingSince(deps: ChannelIntakeDeps, adapter: ChannelAdapter, kind: CursorKind) {
  const row = await readCursor(deps.db, adapter.channel, adapter.shop, kind);
  const every = shopConfig(deps.config, adapter)?.pollEvery ?? 5 * 60_000;
  const resting = row?.caughtUpAt != null && deps.now().getTime() - row.caughtUpAt.getTime() < every;
  return { resting, cursor: row && Object.keys(row.cursor).length > 0 ? row.cursor : null };
}

function shopConfig(config: BusinessConfig, adapter: ChannelAdapter) {
  return config.channels.shops.find((s) => s.channel === adapter.channel && s.shop === adapter.shop);
}

async function pollOrders(deps: ChannelIntakeDeps, adapter: ChannelAdapter, prepare: Prepare, result: ShopIntake) {
  const start = await restingSince(deps, adapter, 'orders');
  if (start.resting) return;
  const pages = deps.maxPages ?? DEFAULT_MAX_PAGES;
  let next = prefetch(adapter.pollOrders(start.cursor, deps.now()));
  for (let page = 0; page < pages; page++) {
    const read = await next;
    const now = deps.now();
    // The next page is read from the platform while this one is stored: its cursor is the platform's, not the
    // database's. Should storing fail, the page read ahead is dropped and the saved cursor still points here.
    if (read.more && page + 1 < pages) next = prefetch(adapter.pollOrders(read.cursor, now));
    const { copies, evaluate } = prepare(read.orders);
    await deps.db.transaction(async (tx) => {
      add(result, await storeChannelOrders(tx, copies, { source: 'poll', now, evaluate }));
      const key = { channel: adapter.channel, shop: adapter.shop, kind: 'orders' as const };
      await saveCursor(tx, key, read.cursor, !read.more, now);
    });
    if (!read.more) return;
  }
}

/** A read started ahead: its failure is reported where it is awaited, never as an unhandled rejection. */
function prefetch<T>(read: Promise<T>): Promise<T> {
  read.catch(() => undefined);
  return read;
}

async function pollSettlements(deps: ChannelIntakeDeps, adapter: ChannelAdapter, result: ShopIntake) {
  const start = await restingSince(deps, adapter, 'settlements');
  if (start.resting) return;
  let cursor: Cursor | null = start.cursor;
  for (let page = 0; page < (deps.maxPages ?? DEFAULT_MAX_PAGES); page++) {
    const now = deps.now();
    const read = await adapter.pollSettlements(cursor, now);
    await deps.db.transaction(async (tx) => {
      result.settlements += await storeSettlements(tx, adapter.channel, adapter.shop, read.lines, 'api', now);
      const key = { channel: adapter.channel, shop: adapter.shop, kind: 'settlements' as const };
      await saveCursor(tx, key, read.cursor, !read.more, now);
    });
    cursor = read.cursor;
    if (!read.more) return;
  }
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
