import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { bodyParser } from '@koa/bodyparser';
import { asc, eq } from 'drizzle-orm';
import Koa from 'koa';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type BusinessConfig, type ConfigSource, loadBusinessConfig } from '../../config/business-config';
import { channelCursors, channelMessages, channelOrders, channelSettlements } from '../../db/schema';
import { runChannelIntake } from '../../handlers/channel-intake';
import { DOUYIN_PUSH_PATH, douyinPushRoutes } from '../../integrations/channels/douyin-push';
import { channelAdapters } from '../../integrations/channels/shops';
import { FAKE_ENV, FakeDouyin, fakeShopConfig } from '../fakes/channels/douyin';
import { TestClock } from '../support/clock';
import { backends, useTestDatabase } from '../support/databases';

const log = pino({ level: 'silent' });
const oid = (n: number) => `69200000000${String(n).padStart(8, '0')}`;

describe.each(backends)('Douyin pushes through the intake to channel_orders on %s', (backend) => {
  const database = useTestDatabase(backend);
  const clock = new TestClock('2026-03-02T10:00:00+08:00');
  let fake: FakeDouyin;
  let config: BusinessConfig;
  let server: Server;
  let pushUrl: string;
  const source: ConfigSource = {
    get current() {
      return config;
    },
  };
  const intake = () =>
    runChannelIntake({
      db: database().db,
      adapters: channelAdapters(config, FAKE_ENV, { now: clock.now }),
      config,
      now: clock.now,
      log,
    });

  beforeEach(async () => {
    // only the channel tables are written here; emptying them is much faster than resetting every table
    const db = database().db;
    for (const table of [channelMessages, channelOrders, channelCursors, channelSettlements]) await db.delete(table);
    clock.set('2026-03-02T10:00:00+08:00');
    fake = new FakeDouyin({ clock: clock.now });
    await fake.start();
    const base = loadBusinessConfig();
    config = {
      ...base,
      channels: { ...base.channels, shops: [fakeShopConfig(fake, { firstLookback: 3 * 3600_000 })] },
    };
    const router = douyinPushRoutes({ db: database().db, config: source, env: FAKE_ENV, clock: clock.now });
    const app = new Koa();
    app.use(bodyParser({ enableTypes: ['json', 'form'], jsonLimit: '256kb', formLimit: '256kb', encoding: 'utf-8' }));
    app.use(router.routes()).use(router.allowedMethods());
    server = app.listen(0, '127.0.0.1');
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    pushUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}${DOUYIN_PUSH_PATH}`;
  });
  afterEach(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await fake.stop();
  });

  const orders = () => database().db.select().from(channelOrders).orderBy(asc(channelOrders.orderId));
  const push = async (tag: string, msgId: string, orderId: string) => {
    const sent = await fake.push(pushUrl, [{ tag, msgId, data: fake.messageData(tag, orderId) }]);
    expect(sent.reply).toEqual({ code: 0, msg: 'success' });
  };

  it('pushes (duplicated, 101 before 100, a 109 amount change) and polls end as one row per order with the latest amounts', async () => {
    const now = Math.floor(clock.now().getTime() / 1000);
    fake.addOrder({
      orderId: oid(1),
      status: 1,
      createTime: now - 30,
      updateTime: now - 30,
      buyer: 'open-a',
      lines: [
        {
          outSkuId: 'BRK-2026-01',
          unitFen: 29_900,
          quantity: 2,
          coupons: [{ funder: 'shop', couponId: '9123456789012345678', couponType: 23, amountFen: 2_000 }],
          fullDiscounts: [
            { funder: 'platform', campaignId: '7234567890123456789', campaignType: 110, amountFen: 1_000 },
          ],
        },
      ],
    });
    fake.addOrder({
      orderId: oid(2),
      status: 2,
      createTime: now - 20,
      payTime: now - 10,
      updateTime: now - 10,
      buyer: 'open-b',
      postFen: 1,
      lines: [{ outSkuId: 'PAD-1', unitFen: 1, quantity: 3 }],
    });
    // order 1 is paid before its creation message arrives: 101 first, then 100, then 101 again
    fake.changeOrder(oid(1), { order_status: 2, pay_time: now });
    await push('101', 'a-101', oid(1));
    await push('100', 'a-100', oid(1));
    await push('101', 'a-101', oid(1));
    await push('100', 'b-100', oid(2));
    // the seller changes order 2's amount: 109
    clock.advance(1000);
    fake.changeOrder(oid(2), { pay_amount: 2, modify_amount: -2 });
    await push('109', 'b-109', oid(2));
    await push('109', 'b-109', oid(2));
    expect((await database().db.select().from(channelMessages)).length).toBe(4);

    clock.advance(120_000); // past the polling lag, so the poll reads both orders too
    const [result] = await intake();
    expect(result).toMatchObject({ channel: 'douyin', shop: '88880001', messages: 4, error: null });
    let rows = await orders();
    expect(rows.map((r) => [r.orderId, r.status, r.paidFen, r.goodsFen, r.source])).toEqual([
      [oid(1), 'paid', 59_800 - 3_000, 59_800, 'push'],
      [oid(2), 'paid', 2, 3, 'push'],
    ]);
    expect(rows[0]!.body.lines[0]!.discounts.map((d) => d.ref)).toEqual([
      'coupon-23:9123456789012345678',
      'campaign-110:7234567890123456789',
    ]);
    const handled = await database().db.select().from(channelMessages);
    expect(handled.map((m) => m.status)).toEqual(['processed', 'processed', 'processed', 'processed']);
    const [cursor] = await database().db.select().from(channelCursors).where(eq(channelCursors.kind, 'orders'));
    expect(cursor!.caughtUpAt).not.toBeNull();

    // later: another amount change arrives; old messages pushed again change nothing
    clock.advance(10 * 60_000);
    fake.changeOrder(oid(2), { pay_amount: 1, modify_amount: -3 });
    await push('109', 'b-109-2', oid(2));
    await push('100', 'a-100', oid(1));
    await push('101', 'a-101', oid(1));
    await intake();
    rows = await orders();
    expect(rows.map((r) => [r.orderId, r.paidFen])).toEqual([
      [oid(1), 59_800 - 3_000],
      [oid(2), 1],
    ]);
    expect((await database().db.select().from(channelMessages)).length).toBe(5);
  });

  it('reads the settle bill in the same pass: a refund after settlement is a negative line of its order', async () => {
    fake.plantSettlement({
      settle_time: '2026-03-02 08:00:00',
      request_no: 'RQ1',
      shop_order_id: oid(1),
      trade_type: 0,
      total_income: 10_000,
      commission: 500,
      settle_amount: 9_500,
    });
    fake.plantSettlement({
      settle_time: '2026-03-02 08:30:00',
      request_no: 'RF1',
      shop_order_id: oid(1),
      trade_type: 1,
      settle_amount: -3_000,
    });
    const [result] = await intake();
    expect(result!.error).toBeNull();
    const lines = await database().db.select().from(channelSettlements).orderBy(asc(channelSettlements.lineKey));
    expect(lines.map((l) => [l.lineKey, l.kind, l.amountFen])).toEqual([
      [`RF1:${oid(1)}`, 'refund', -3_000],
      [`RQ1:${oid(1)}`, 'settle', 10_000],
      [`RQ1:${oid(1)}:commission`, 'fee', -500],
    ]);
    expect(lines.reduce((s, l) => s + l.amountFen, 0)).toBe(9_500 - 3_000);
    // read again: nothing new
    clock.advance(10 * 60_000);
    const [again] = await intake();
    expect(again!.settlements).toBe(0);
  });
});
