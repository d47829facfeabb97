import { eq } from 'drizzle-orm';
import pino from 'pino';
import { beforeEach, describe, expect, it } from 'vitest';
import { type BusinessConfig, loadBusinessConfig } from '../../config/business-config';
import { storeChannelMessages } from '../../db/channel-messages';
import {
  channelCursors,
  channelMessages,
  channelOrders,
  channelRules,
  channelSettlements,
  materials,
} from '../../db/schema';
import type { ChannelOrder } from '../../domain/channels/order';
import type { ReceivedOrder, SettlementLine } from '../../domain/channels/received';
import type { ChannelRule } from '../../domain/channels/rules';
import { runChannelIntake } from '../../handlers/channel-intake';
import { type ChannelAdapter, ChannelApiError, type Cursor } from '../../integrations/channels/port';
import { backends, resetDatabase, useTestDatabase } from '../support/databases';

const log = pino({ level: 'silent' });

function copy(orderId: string, updatedAt: string, over: Partial<ChannelOrder> = {}): ReceivedOrder {
  return {
    order: {
      channel: 'douyin',
      shop: 'S1',
      orderId,
      buyerKey: `buyer-${orderId}`,
      createdAt: '2026-03-01T02:00:00Z',
      paidAt: '2026-03-01T02:01:00Z',
      lines: [{ sku: 'brk-2026-01', quantity: 2, unitPriceFen: 15_000, discounts: [] }],
      discounts: [],
      totals: { freightFen: 0, paidFen: 30_000 },
      ...over,
    },
    status: 'paid',
    updatedAt,
    buyerPhoneHash: null,
  };
}

/** A platform reduced to its pages: orders in update order, `pageSize` per page, a cursor naming the next index. */
class ScriptedShop implements ChannelAdapter {
  readonly channel = 'douyin' as const;
  calls = 0;
  failOnCall: number | null = null;
  rateLimited = false;
  constructor(
    readonly shop: string,
    public orders: ReceivedOrder[],
    public settlements: SettlementLine[] = [],
    readonly pageSize = 2,
  ) {}
  async pollOrders(cursor: Cursor | null): Promise<{ orders: ReceivedOrder[]; cursor: Cursor; more: boolean }> {
    this.calls++;
    if (this.rateLimited) throw new ChannelApiError('douyin', '60000', 'isv.traffic-limited', 'rate-limited', 1000);
    if (this.failOnCall === this.calls) throw new Error('connection reset');
    const from = Number(cursor?.next ?? 0);
    const page = this.orders.slice(from, from + this.pageSize);
    const next = from + page.length;
    return { orders: page, cursor: { next }, more: next < this.orders.length };
  }
  async fetchOrder(orderId: string) {
    return this.orders.find((o) => o.order.orderId === orderId) ?? null;
  }
  async pollSettlements(cursor: Cursor | null) {
    const from = Number(cursor?.next ?? 0);
    return { lines: this.settlements.slice(from), cursor: { next: this.settlements.length }, more: false };
  }
}

function configWith(shops: string[], pollEvery = 300_000): BusinessConfig {
  const base = loadBusinessConfig();
  return {
    ...base,
    channels: {
      ...base.channels,
      skuAliases: { 'BRK01-ALIAS': 'BRK-2026-01' },
      shops: shops.map((shop) => ({
        channel: 'douyin',
        shop,
        name: shop,
        appKey: '7000000000000000001',
        secretEnv: 'DOUYIN_APP_SECRET',
        pollEvery,
        firstLookback: 86_400_000,
      })),
    },
  };
}

const RULE: ChannelRule = {
  code: 'DY-299-50',
  version: 1,
  label: '已应用抖音专属规则',
  channel: 'douyin',
  shop: null,
  skuScope: { include: [], exclude: [] },
  conditions: { minSubtotalFen: 29_900 },
  benefit: { type: 'fixed_off', amountFen: 5_000 },
  target: 'order',
  allocation: 'across',
  priority: 1,
  stackGroup: null,
  combinesWith: { item: true, order: true },
  exclusiveWith: [],
  stopFurther: false,
  window: { from: '2026-03-01 00:00:00', to: '2026-04-01 00:00:00', basis: 'pay' },
  fundedBy: 'shop',
  platformRef: null,
};

describe.each(backends)('channel intake on %s', (backend) => {
  const database = useTestDatabase(backend);
  let now = new Date('2026-03-02T00:00:00Z');
  const deps = (adapters: ChannelAdapter[], config = configWith(adapters.map((a) => a.shop))) => ({
    db: database().db,
    adapters,
    config,
    now: () => now,
    log,
  });
  beforeEach(async () => {
    now = new Date('2026-03-02T00:00:00Z');
    await resetDatabase(database().db);
    await database().db.insert(materials).values({ code: 'BRK-2026-01', name: '刹车片' });
  });

  it('stores every page with its cursor, maps outer SKUs, evaluates the active rules, and rests until pollEvery', async () => {
    const db = database().db;
    await db
      .insert(channelRules)
      .values({ code: RULE.code, version: 1, status: 'active', rule: RULE, source: 'test', createdAt: now });
    const shop = new ScriptedShop('S1', [
      copy('A', '2026-03-01T02:01:00Z'),
      copy('B', '2026-03-01T02:02:00Z', {
        lines: [{ sku: 'BRK01-ALIAS', quantity: 1, unitPriceFen: 100, discounts: [] }],
        totals: { freightFen: 0, paidFen: 100 },
      }),
      copy('C', '2026-03-01T02:03:00Z', { paidAt: null }),
    ]);
    const [result] = await runChannelIntake(deps([shop]));
    expect(result).toMatchObject({ orders: { added: 3, changed: 0 }, error: null });
    const rows = await db.select().from(channelOrders).orderBy(channelOrders.orderId);
    expect(rows.map((r) => [r.orderId, r.body.lines[0]!.sku, r.expectedInvoiceFen])).toEqual([
      ['A', 'BRK-2026-01', 25_000],
      ['B', 'BRK-2026-01', 100],
      ['C', 'BRK-2026-01', null],
    ]);
    expect(rows[0]!.evaluation?.applied.map((a) => a.code)).toEqual(['DY-299-50']);
    const [cursor] = await db.select().from(channelCursors).where(eq(channelCursors.kind, 'orders'));
    expect(cursor).toMatchObject({ cursor: { next: 3 }, lastError: null });
    expect(cursor!.caughtUpAt).not.toBeNull();

    shop.orders.push(copy('D', '2026-03-02T00:00:00Z'));
    const calls = shop.calls;
    now = new Date(now.getTime() + 60_000);
    await runChannelIntake(deps([shop]));
    expect(shop.calls).toBe(calls);
    now = new Date(now.getTime() + 300_000);
    await runChannelIntake(deps([shop]));
    expect(await db.select().from(channelOrders)).toHaveLength(4);
  });

  it('a failure mid-paging keeps the pages stored before it; the next pass resumes there and skips nothing', async () => {
    const db = database().db;
    const shop = new ScriptedShop(
      'S1',
      ['A', 'B', 'C', 'D', 'E'].map((id, i) => copy(id, `2026-03-01T02:0${i}:00Z`)),
    );
    shop.failOnCall = 2;
    const [first] = await runChannelIntake(deps([shop]));
    expect(first!.error).toBe('connection reset');
    expect((await db.select().from(channelOrders)).map((r) => r.orderId).sort()).toEqual(['A', 'B']);
    const [cursor] = await db.select().from(channelCursors).where(eq(channelCursors.kind, 'orders'));
    expect(cursor).toMatchObject({ cursor: { next: 2 }, lastError: 'connection reset', caughtUpAt: null });
    await runChannelIntake(deps([shop]));
    expect((await db.select().from(channelOrders)).map((r) => r.orderId).sort()).toEqual(['A', 'B', 'C', 'D', 'E']);
  });

  it('one shop rate-limited leaves the other running and its own cursor in place', async () => {
    const db = database().db;
    const limited = new ScriptedShop('S1', [copy('A', '2026-03-01T02:00:00Z')]);
    limited.rateLimited = true;
    const other = new ScriptedShop('S2', [copy('Z', '2026-03-01T02:00:00Z', { shop: 'S2' })]);
    const results = await runChannelIntake(deps([limited, other]));
    expect(results.map((r) => [r.shop, r.error === null])).toEqual([
      ['S1', false],
      ['S2', true],
    ]);
    expect((await db.select().from(channelOrders)).map((r) => r.orderId)).toEqual(['Z']);
    const errors = await db.select().from(channelCursors).where(eq(channelCursors.shop, 'S1'));
    expect(errors.find((c) => c.kind === 'orders')?.lastError).toMatch(/traffic-limited/);
  });

  it('an older copy never replaces a newer one; a newer copy (an amount change) does', async () => {
    const db = database().db;
    const shop = new ScriptedShop('S1', [
      copy('A', '2026-03-01T03:00:00Z', { totals: { freightFen: 0, paidFen: 29_000 } }),
    ]);
    await runChannelIntake(deps([shop]));
    shop.orders = [copy('A', '2026-03-01T02:00:00Z')];
    now = new Date(now.getTime() + 3_600_000);
    await db.delete(channelCursors);
    const [stale] = await runChannelIntake(deps([shop]));
    expect(stale!.orders).toEqual({ added: 0, changed: 0, unchanged: 1 });
    expect((await db.select().from(channelOrders))[0]!.paidFen).toBe(29_000);
    shop.orders = [copy('A', '2026-03-01T04:00:00Z', { totals: { freightFen: 0, paidFen: 28_000 } })];
    await db.delete(channelCursors);
    const [newer] = await runChannelIntake(deps([shop]));
    expect(newer!.orders).toEqual({ added: 0, changed: 1, unchanged: 0 });
    expect((await db.select().from(channelOrders))[0]!.paidFen).toBe(28_000);
  });

  it('pushed messages are worked off once: one re-read per order, retried, then marked failed', async () => {
    const db = database().db;
    const shop = new ScriptedShop('S1', [copy('A', '2026-03-01T02:00:00Z')]);
    const message = (id: string, orderId: string) => ({ messageId: id, orderId, topic: '101', payload: {} });
    await storeChannelMessages(
      db,
      'douyin',
      'S1',
      [message('m1', 'A'), message('m2', 'A'), message('m3', 'GONE')],
      now,
    );
    expect(await storeChannelMessages(db, 'douyin', 'S1', [message('m1', 'A')], now)).toBe(0);
    const [result] = await runChannelIntake(deps([shop]));
    expect(result!.messages).toBe(2);
    const byId = async () =>
      Object.fromEntries((await db.select().from(channelMessages)).map((m) => [m.messageId, [m.status, m.attempts]]));
    expect(await byId()).toEqual({ m1: ['processed', 1], m2: ['processed', 1], m3: ['received', 1] });
    for (let i = 0; i < 4; i++) await runChannelIntake(deps([shop]));
    expect(await byId()).toEqual({ m1: ['processed', 1], m2: ['processed', 1], m3: ['failed', 5] });
    expect(await db.select().from(channelOrders)).toHaveLength(1);
  });

  it('settlement lines are stored once however often they are read', async () => {
    const db = database().db;
    const line: SettlementLine = {
      lineKey: 'R1',
      orderId: 'A',
      kind: 'settle',
      amountFen: 25_000,
      settledAt: '2026-03-05T01:00:00Z',
    };
    const shop = new ScriptedShop('S1', [], [line, line]);
    const [result] = await runChannelIntake(deps([shop], configWith(['S1'], 1)));
    expect(result!.settlements).toBe(1);
    await db.delete(channelCursors);
    await runChannelIntake(deps([shop]));
    expect(await db.select().from(channelSettlements)).toHaveLength(1);
  });
});
