import { and, eq } from 'drizzle-orm';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type BusinessConfig, loadBusinessConfig } from '../../config/business-config';
import { storeChannelMessages } from '../../db/channel-messages';
import { channelCursors, channelMessages, channelOrders, channelSettlements } from '../../db/schema';
import { runChannelIntake } from '../../handlers/channel-intake';
import type { ChannelAdapter } from '../../integrations/channels/port';
import { channelAdapters } from '../../integrations/channels/shops';
import { chinaTime, FakeTaobao } from '../fakes/channels/taobao';
import { TestClock } from '../support/clock';
import { backends, resetDatabase, useTestDatabase } from '../support/databases';

const log = pino({ level: 'silent' });
const SHOP = 'tmall-brakes';

describe.each(backends)('Taobao/Tmall intake against the fake gateway on %s', (backend) => {
  const database = useTestDatabase(backend);
  const clock = new TestClock('2026-03-02T10:00:00+08:00');
  let fake: FakeTaobao;
  let config: BusinessConfig;
  const env = () => ({ TAOBAO_SECRET: fake.secret, TAOBAO_SESSION: fake.session });
  const adapters = () => channelAdapters(config, env(), { now: clock.now });
  const intake = (over: { adapters?: ChannelAdapter[]; maxPages?: number } = {}) =>
    runChannelIntake({ db: database().db, adapters: adapters(), config, now: clock.now, log, ...over });

  beforeEach(async () => {
    await resetDatabase(database().db);
    clock.set('2026-03-02T10:00:00+08:00');
    fake = new FakeTaobao({ clock: clock.now, seed: 7 });
    await fake.start();
    const base = loadBusinessConfig();
    config = {
      ...base,
      channels: {
        ...base.channels,
        shops: [
          {
            channel: 'taobao',
            shop: SHOP,
            name: '天猫旗舰店',
            appKey: fake.appKey,
            secretEnv: 'TAOBAO_SECRET',
            tokenEnv: 'TAOBAO_SESSION',
            baseUrl: fake.url,
            pollEvery: 5 * 60_000,
            firstLookback: 3 * 3600_000,
            signMethod: 'hmac',
          },
        ],
      },
    };
  });
  afterEach(async () => {
    await fake.stop();
  });

  const orders = () => database().db.select().from(channelOrders).where(eq(channelOrders.channel, 'taobao'));
  const messages = () => database().db.select().from(channelMessages);
  const cursor = async (kind: 'orders' | 'settlements') => {
    const [row] = await database()
      .db.select()
      .from(channelCursors)
      .where(and(eq(channelCursors.shop, SHOP), eq(channelCursors.kind, kind)));
    return row;
  };

  it('one pass stores polled orders, the orders TMC messages name, and the bill lines; an order change arrives later', async () => {
    const now = clock.now().getTime();
    const hourAgo = chinaTime(now - 3600_000);
    const paid = fake.addTrade({
      created: hourAgo,
      modified: hourAgo,
      buyer_open_uid: 'AAH-open-uid-1',
      lines: [{ outer_sku_id: 'BRK-2026-01', price: '299.00', num: 2 }],
      promotions: [{ on: 0, promotion_id: 'mjs-123024_211143', discount_fee: '50.00' }],
      tmall_coupon_fee: 1000,
    });
    const unpaid = fake.addTrade({ status: 'WAIT_BUYER_PAY', created: hourAgo, modified: hourAgo });
    const seeded = fake.seedTrades(40, { from: new Date(now - 170 * 60_000), to: new Date(now - 10 * 60_000) });
    // Paid a moment ago: too new for the poll (2 minutes behind), announced by TMC.
    const fresh = fake.addTrade({ created: chinaTime(now - 30_000) });
    fake.queueMessage({ topic: 'taobao_trade_TradeBuyerPay', tid: fresh.tid });
    fake.addBill({ trade_id: paid.tid, amountFen: 53_800, pay_time: hourAgo });
    fake.addBill({ trade_id: paid.tid, amountFen: -29_900, pay_time: chinaTime(now - 30 * 60_000) });

    const [result] = await intake();
    expect(result).toMatchObject({ channel: 'taobao', shop: SHOP, messages: 1, settlements: 2, error: null });
    expect(result!.orders.added).toBe(43);

    const rows = await orders();
    expect(new Set(rows.map((r) => r.orderId))).toEqual(
      new Set([paid.tid, unpaid.tid, fresh.tid, ...seeded.map((t) => t.tid)]),
    );
    const stored = rows.find((r) => r.orderId === paid.tid)!;
    expect(stored).toMatchObject({ status: 'paid', buyerKey: 'AAH-open-uid-1', goodsFen: 59_800, source: 'poll' });
    expect(stored.body.lines[0]!.discounts).toEqual([{ ref: 'mjs-123024_211143', amountFen: 5000, fundedBy: 'shop' }]);
    expect(stored.body.discounts).toEqual([{ ref: 'tmall_coupon_fee', amountFen: 1000, fundedBy: 'platform' }]);
    expect(stored.paidFen).toBe(59_800 - 5000 - 1000);
    expect(rows.find((r) => r.orderId === unpaid.tid)).toMatchObject({ status: 'unpaid', paidAt: null });
    expect(rows.find((r) => r.orderId === fresh.tid)).toMatchObject({ source: 'push' });

    expect(await messages()).toEqual([expect.objectContaining({ orderId: fresh.tid, status: 'processed' })]);
    expect(fake.pendingMessages()).toEqual([]);

    const lines = await database().db.select().from(channelSettlements);
    expect(lines.map((l) => [l.orderId, l.kind, l.amountFen]).sort()).toEqual([
      [paid.tid, 'refund', -29_900],
      [paid.tid, 'settle', 53_800],
    ]);
    expect((await cursor('orders'))?.cursor).toMatchObject({
      start: new Date(now - 2 * 60_000).toISOString(),
      page: null,
    });
    expect((await cursor('orders'))?.caughtUpAt).not.toBeNull();

    // Resting until pollEvery; then the shipped order arrives as a change.
    const calls = fake.callsOf('taobao.trades.sold.increment.get').length;
    await intake();
    expect(fake.callsOf('taobao.trades.sold.increment.get').length).toBe(calls);
    clock.advance(60_000);
    fake.modifyTrade(paid.tid, { status: 'WAIT_BUYER_CONFIRM_GOODS' });
    clock.advance(5 * 60_000);
    const [next] = await intake();
    expect(next!.orders).toMatchObject({ added: 0, changed: 1 });
    expect((await orders()).find((r) => r.orderId === paid.tid)?.status).toBe('shipped');
  });

  it('duplicate and redelivered TMC messages are stored once, and confirmed only once stored', async () => {
    const trade = fake.addTrade();
    const first = fake.queueMessage({ topic: 'taobao_trade_TradeCreate', tid: trade.tid }, 2);
    const second = fake.queueMessage({ topic: 'taobao_trade_TradeBuyerPay', tid: trade.tid });
    const [adapter] = adapters();
    // A process that stores and then dies before confirming.
    const pulled = await adapter!.pullMessages!(100);
    expect(pulled.messages.map((m) => m.messageId)).toEqual([first, second]);
    expect(await storeChannelMessages(database().db, 'taobao', SHOP, pulled.messages, clock.now())).toBe(2);
    clock.advance(61_000);
    // The platform sends them again; the intake stores them (no new rows) and confirms them after storing.
    const confirmedWhenStored: boolean[] = [];
    const watched: ChannelAdapter = {
      ...adapter!,
      async pullMessages(max) {
        const got = await adapter!.pullMessages!(max);
        return {
          messages: got.messages,
          async confirm(ids) {
            const stored = new Set((await messages()).map((m) => m.messageId));
            confirmedWhenStored.push(...ids.map((id) => stored.has(id)));
            await got.confirm(ids);
          },
        };
      },
    };
    const [result] = await intake({ adapters: [watched] });
    expect(result!.error).toBeNull();
    expect(confirmedWhenStored).toEqual([true, true]);
    expect(fake.confirmed.sort()).toEqual([first, second].sort());
    const rows = await messages();
    expect(rows.map((m) => [m.messageId, m.status]).sort()).toEqual(
      [
        [first, 'processed'],
        [second, 'processed'],
      ].sort(),
    );
    expect((await orders()).filter((r) => r.orderId === trade.tid)).toHaveLength(1);
    clock.advance(120_000);
    expect((await adapter!.pullMessages!(100)).messages).toEqual([]);
  });

  it('a restart in the middle of a window resumes from the stored cursor and loses no order', async () => {
    const from = new Date(clock.now().getTime() - 3 * 3600_000);
    const seeded = fake.seedTrades(210, { from, to: new Date(from.getTime() + 25 * 60_000) });
    const [partial] = await intake({ maxPages: 1 });
    expect(partial!.error).toBeNull();
    expect((await cursor('orders'))?.cursor).toMatchObject({ start: from.toISOString(), page: 2 });
    // While the process is down, orders change (and leave the window being read).
    for (const t of seeded.slice(100, 110)) fake.modifyTrade(t.tid, { status: 'TRADE_FINISHED' });
    const [resumed] = await intake();
    expect(resumed!.error).toBeNull();
    clock.advance(6 * 60_000);
    await intake();
    const rows = await orders();
    expect(new Set(rows.map((r) => r.orderId))).toEqual(new Set(seeded.map((t) => t.tid)));
    expect(rows.filter((r) => r.status === 'finished')).toHaveLength(10);
  });

  it('a rate limit is noted on the cursor with its message; the cursor stays and the next pass goes on', async () => {
    fake.ban(30);
    const [limited] = await intake();
    expect(limited!.error).toContain('This ban will last for 30 more seconds');
    expect(await cursor('orders')).toMatchObject({
      lastError: expect.stringContaining('App Call Limited'),
      cursor: {},
    });
    clock.advance(30_000);
    fake.addTrade({ created: chinaTime(clock.now().getTime() - 3600_000) });
    const [ok] = await intake();
    expect(ok).toMatchObject({ error: null, orders: { added: 1 } });
    expect((await cursor('orders'))?.lastError).toBeNull();
  });
});
