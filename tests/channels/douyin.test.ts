import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ChannelApiError,
  type ChannelAdapter,
  type Cursor,
  type ReceivedOrder,
  type SettlementLine,
} from '../../integrations/channels/port';
import { channelAdapter } from '../../integrations/channels/shops';
import { LAG_S, PAGE_SIZE } from '../../integrations/channels/douyin';
import { TestClock } from '../support/clock';
import { FAKE_ENV, type FakeDouyin, fakeShopConfig, startFakeDouyin } from '../fakes/channels/douyin';

const clock = new TestClock('2026-02-24T10:00:00+08:00');
let fake: FakeDouyin;

const oid = (n: number) => `69200000000${String(n).padStart(8, '0')}`;
const nowS = () => Math.floor(clock.now().getTime() / 1000);

function adapter(overrides: Parameters<typeof fakeShopConfig>[1] = {}, now = clock.now): ChannelAdapter {
  return channelAdapter(fakeShopConfig(fake, overrides), FAKE_ENV, { now });
}

async function rejection(promise: Promise<unknown>): Promise<ChannelApiError> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ChannelApiError);
  return err as ChannelApiError;
}

/** Polls until caught up (moving the clock past the lag when asked), saving the cursor as JSON like the intake. */
async function pollAll(make: () => ChannelAdapter, start: Cursor | null, maxPages = 200) {
  let cursor = start;
  const read: ReceivedOrder[] = [];
  let pages = 0;
  for (; pages < maxPages; pages++) {
    const page = await make().pollOrders(cursor, clock.now());
    read.push(...page.orders);
    cursor = JSON.parse(JSON.stringify(page.cursor)) as Cursor;
    if (!page.more) break;
  }
  return { read, cursor, pages };
}

beforeEach(async () => {
  clock.set('2026-02-24T10:00:00+08:00');
  fake = await startFakeDouyin({ clock: clock.now });
});
afterEach(async () => {
  await fake.stop();
});

describe('Douyin adapter against the fake gateway', () => {
  it('maps a coupon 23 + platform full discount 110 + campaign order, and 0.01 元 amounts, to the canonical order', async () => {
    const t = nowS() - 3600;
    fake.addOrder({
      orderId: oid(1),
      status: 105,
      createTime: t - 120,
      payTime: t - 60,
      updateTime: t,
      buyer: 'open-buyer-1',
      postFen: 1,
      lines: [
        {
          outSkuId: 'BRK-2026-01',
          unitFen: 12_000,
          quantity: 2,
          coupons: [{ funder: 'shop', couponId: '9123456789012345678', couponType: 23, amountFen: 1_000 }],
          fullDiscounts: [{ funder: 'platform', campaignId: '7234567890123456789', campaignType: 110, amountFen: 500 }],
          campaigns: [{ campaignId: '7000000000000000001', campaignType: 7, subType: 0, amountFen: 2_000 }],
        },
        { outSkuId: 'PAD-1', unitFen: 1, quantity: 1 },
      ],
    });
    const copy = await adapter().fetchOrder(oid(1));
    expect(copy).toEqual({
      status: 'paid',
      updatedAt: new Date(t * 1000).toISOString().replace('.000Z', 'Z'),
      buyerPhoneHash: null,
      order: {
        channel: 'douyin',
        shop: '88880001',
        orderId: oid(1),
        buyerKey: 'open-buyer-1',
        createdAt: new Date((t - 120) * 1000).toISOString().replace('.000Z', 'Z'),
        paidAt: new Date((t - 60) * 1000).toISOString().replace('.000Z', 'Z'),
        lines: [
          {
            sku: 'BRK-2026-01',
            quantity: 2,
            unitPriceFen: 12_000,
            discounts: [
              // ids beyond 2^53 keep every digit
              { ref: 'campaign:7000000000000000001', amountFen: 0, fundedBy: 'shop' },
              { ref: 'coupon-23:9123456789012345678', amountFen: 1_000, fundedBy: 'shop' },
              { ref: 'campaign-110:7234567890123456789', amountFen: 500, fundedBy: 'platform' },
            ],
          },
          { sku: 'PAD-1', quantity: 1, unitPriceFen: 1, discounts: [] },
        ],
        discounts: [],
        totals: { freightFen: 1, paidFen: 24_000 + 1 + 1 - 1_500 },
      },
    });
  });

  it('keeps a line total exact when sum_amount does not divide by the quantity, and maps every status', async () => {
    fake.addOrder({ orderId: oid(2), lines: [{ outSkuId: 'X', unitFen: 33, quantity: 3, sumFen: 100 }] });
    const copy = await adapter().fetchOrder(oid(2));
    expect(copy!.order.lines.map((l) => [l.sku, l.quantity, l.unitPriceFen])).toEqual([
      ['X', 2, 33],
      ['X', 1, 34],
    ]);
    expect(copy!.order.lines.reduce((s, l) => s + l.quantity * l.unitPriceFen, 0)).toBe(100);
    const statuses: [number, string][] = [
      [1, 'unpaid'],
      [105, 'paid'],
      [2, 'paid'],
      [101, 'shipped'],
      [3, 'shipped'],
      [5, 'finished'],
      [4, 'cancelled'],
    ];
    for (const [code, status] of statuses) {
      fake.changeOrder(oid(2), { order_status: code, pay_time: code === 1 ? 0 : nowS() });
      const c = await adapter().fetchOrder(oid(2));
      expect(c!.status).toBe(status);
      expect(c!.order.paidAt === null).toBe(code === 1);
    }
    fake.changeOrder(oid(2), { order_status: 77 });
    const err = await rejection(adapter().fetchOrder(oid(2)));
    expect([err.kind, err.code]).toEqual(['bad-request', 'mapping']);
    expect(await adapter().fetchOrder(oid(999_999))).toBeNull();
  });

  it('signs with HMAC-SHA256 (and MD5 when configured); a wrong secret, a stale timestamp, a bad app_key or an expired token are refused', async () => {
    fake.addOrder({ orderId: oid(3), lines: [{ outSkuId: 'A', unitFen: 100, quantity: 1 }] });
    expect((await adapter().fetchOrder(oid(3)))?.order.orderId).toBe(oid(3));
    expect((await adapter({ signMethod: 'md5' }).fetchOrder(oid(3)))?.order.orderId).toBe(oid(3));
    expect(fake.requests.at(-1)).toMatchObject({ code: 10000, method: 'order.orderDetail' });

    const wrongSecret = channelAdapter(
      fakeShopConfig(fake),
      { ...FAKE_ENV, DOUYIN_TEST_SECRET: 'nope' },
      { now: clock.now },
    );
    const bad = await rejection(wrongSecret.fetchOrder(oid(3)));
    expect([bad.kind, bad.code]).toEqual(['auth', '40003/isv.signature-invalid']);

    const stale = await rejection(adapter({}, () => new Date(clock.now().getTime() - 11 * 60_000)).fetchOrder(oid(3)));
    expect([stale.kind, stale.code]).toEqual(['bad-request', '40003/isv.timestamp-invalid']);
    // inside the window: accepted
    expect(await adapter({}, () => new Date(clock.now().getTime() - 9 * 60_000)).fetchOrder(oid(3))).not.toBeNull();

    const short = await rejection(adapter({ appKey: '12345' }).fetchOrder(oid(3)));
    expect(short.code).toBe('40003/isv.app-key-invalid');

    fake.expireToken();
    const expired = await rejection(adapter().fetchOrder(oid(3)));
    expect([expired.kind, expired.code]).toEqual(['auth', '40003/isv.access-token-expired']);
  });

  it('the gateway checks the wire: size > 100, typed values, a method that is not the path, page below 0', async () => {
    const ok = await fake.signedCall('/order/searchList', { page: '0', size: '100' });
    expect(ok.code).toBe(10000);
    const big = await fake.signedCall('/order/searchList', { page: '0', size: '101' });
    expect([big.code, big.sub_code]).toEqual([40003, 'isv.parameter-invalid']);
    const negative = await fake.signedCall('/order/searchList', { page: '-1', size: '10' });
    expect(negative.sub_code).toBe('isv.parameter-invalid');
    const typed = await fake.signedCall('/order/searchList', { page: 0, size: 10 });
    expect([typed.code, typed.sub_code]).toEqual([40003, 'isv.parameter-format-invalid']);
    const wrongMethod = await fake.signedCall('/order/searchList', { page: '0' }, { method: 'order.orderDetail' });
    expect(wrongMethod.sub_code).toBe('isv.method-invalid');
    const md5 = await fake.signedCall('/order/searchList', { page: '0' }, { signMethod: 'md5' });
    expect(md5.code).toBe(10000);
    const badSign = await fake.signedCall('/order/searchList', { page: '0' }, { secret: 'other' });
    expect(badSign.sub_code).toBe('isv.signature-invalid');
    expect(ok).toMatchObject({ msg: 'success', sub_code: '', sub_msg: '' });
    expect(typeof ok.log_id).toBe('string');
  });

  it('surfaces 60000 isv.traffic-limited as a rate-limited ChannelApiError, and reads again once the bucket refills', async () => {
    fake.addOrder({ orderId: oid(4), lines: [{ outSkuId: 'A', unitFen: 100, quantity: 1 }] });
    fake.drainBucket(2, 1);
    const err = await rejection(adapter().fetchOrder(oid(4)));
    expect([err.kind, err.code]).toEqual(['rate-limited', '60000/isv.traffic-limited']);
    expect(err.retryAfterMs).toBeGreaterThan(0);
    const polled = await rejection(adapter().pollOrders(null, clock.now()));
    expect(polled.kind).toBe('rate-limited');
    clock.advance(3000);
    expect((await adapter().fetchOrder(oid(4)))?.order.orderId).toBe(oid(4));
  });
});

describe('Douyin order polling', () => {
  let base = 0;
  beforeEach(() => {
    clock.set('2026-03-01T12:00:00+08:00');
    base = nowS() - 2 * 86_400;
  });

  const seed = (count: number, spacing = 37) => {
    for (let i = 0; i < count; i++) {
      fake.addOrder({
        orderId: oid(1000 + i),
        createTime: base + i * spacing,
        updateTime: base + i * spacing,
        lines: [{ outSkuId: `SKU-${i % 7}`, unitFen: 100 + i, quantity: 1 + (i % 3) }],
      });
    }
  };

  it('reads every order of the lookback window, ascending by update_time, in pages of at most 100 from page 0', async () => {
    seed(250);
    const { read, pages } = await pollAll(() => adapter(), null);
    expect(new Set(read.map((r) => r.order.orderId)).size).toBe(250);
    expect(pages).toBeLessThan(40);
    const lists = fake.requests.filter((r) => r.path === '/order/searchList');
    expect(lists.every((r) => Number(r.params!.size) <= PAGE_SIZE && Number(r.params!.page) >= 0)).toBe(true);
    expect(lists[0]!.params).toMatchObject({ order_by: 'update_time', order_asc: 'true', page: '0' });
    const updated = read.map((r) => Date.parse(r.updatedAt));
    expect(updated).toEqual([...updated].sort((a, b) => a - b));
  });

  it('a restart after any page resumes from the saved cursor: none skipped', async () => {
    base = nowS() - 3 * 86_400 + 100; // inside the first window of a new shop
    seed(250, 11);
    const first = await adapter().pollOrders(null, clock.now());
    expect(first.orders.length).toBe(PAGE_SIZE);
    expect(first.more).toBe(true);
    // the process dies here; a new adapter is built from the cursor as stored (JSON)
    const saved = JSON.parse(JSON.stringify(first.cursor)) as Cursor;
    const second = await adapter().pollOrders(saved, clock.now());
    const rest = await pollAll(() => adapter(), JSON.parse(JSON.stringify(second.cursor)) as Cursor);
    const ids = new Set([...first.orders, ...second.orders, ...rest.read].map((r) => r.order.orderId));
    expect(ids.size).toBe(250);
  });

  it('an order that changes while the client pages is still read, and no order listed after it is skipped', async () => {
    base = nowS() - 3 * 86_400 + 100; // inside the first window of a new shop
    seed(250, 5);
    let pagesListed = 0;
    const changed: string[] = [];
    fake.onCall((path) => {
      if (path !== '/order/searchList') return;
      pagesListed++;
      if (pagesListed === 1) {
        // one order already listed and one not yet listed change: both leave the window being paged
        fake.changeOrder(oid(1000 + 10), { order_status: 3 });
        fake.changeOrder(oid(1000 + 150), { order_status: 3 });
        changed.push(oid(1010), oid(1150));
      }
    });
    const first = await pollAll(() => adapter(), null);
    const ids = new Set(first.read.map((r) => r.order.orderId));
    // every order that did not change was read in this pass, including those listed after the change
    const missing = Array.from({ length: 250 }, (_, i) => oid(1000 + i)).filter((id) => !ids.has(id));
    expect(missing).toEqual([oid(1150)]);
    // the changed ones are read (again) once the clock passes their new update_time plus the lag
    clock.advance((LAG_S + 5) * 1000);
    const later = await pollAll(() => adapter(), first.cursor);
    const latest = new Map([...first.read, ...later.read].map((r) => [r.order.orderId, r]));
    expect(latest.size).toBe(250);
    expect(changed.map((id) => latest.get(id)!.status)).toEqual(['shipped', 'shipped']);
  });

  it('more than a page of orders updated in the same second are all read (page + 1 within that second)', async () => {
    for (let i = 0; i < 130; i++) {
      fake.addOrder({
        orderId: oid(5000 + i),
        updateTime: base + 100,
        createTime: base,
        lines: [{ outSkuId: 'S', unitFen: 1, quantity: 1 }],
      });
    }
    const { read } = await pollAll(() => adapter(), null);
    expect(new Set(read.map((r) => r.order.orderId)).size).toBe(130);
  });

  it('is caught up (more: false) when the window reaches now − lag, and reads nothing new then', async () => {
    seed(3);
    const { read, cursor } = await pollAll(() => adapter(), null);
    expect(new Set(read.map((r) => r.order.orderId)).size).toBe(3);
    const again = await adapter().pollOrders(cursor, clock.now());
    expect(again).toMatchObject({ orders: [], more: false });
  });
});

describe('Douyin settlements', () => {
  it('reads the settle bill by settle-time windows with the start_index cursor; Σ lines per order = 商家实收, refunds after settlement negative', async () => {
    clock.set('2026-03-10T12:00:00+08:00');
    const f = fake;
    {
      // 230 settled rows over a few days, several in the same second, then refunds after settlement
      for (let i = 0; i < 230; i++) {
        const day = 3 + Math.floor(i / 80);
        const second = String(Math.floor(i / 3) % 60).padStart(2, '0');
        f.plantSettlement({
          settle_time: `2026-03-0${day} 23:59:${second}`,
          request_no: `RQ${String(i).padStart(6, '0')}`,
          shop_order_id: oid(i),
          order_id: oid(i),
          trade_type: 0,
          total_income: 10_000 + i,
          commission: 300,
          platform_service_fee: 50,
          settle_amount: 10_000 + i - 350,
        });
      }
      f.plantSettlement({
        settle_time: '2026-03-08 10:00:00',
        request_no: 'RF000001',
        shop_order_id: oid(7),
        order_id: oid(7),
        trade_type: 1,
        settle_amount: -5_000,
      });
      f.plantSettlement({
        settle_time: '2026-03-08 10:00:01',
        request_no: 'RF000002',
        shop_order_id: oid(8),
        order_id: oid(8),
        trade_type: 3,
        settle_amount: 1,
      });
      const a = adapter({ firstLookback: 9 * 86_400_000 });
      let cursor: Cursor | null = null;
      const lines: SettlementLine[] = [];
      for (let i = 0; i < 50; i++) {
        const page = await a.pollSettlements(cursor, clock.now());
        lines.push(...page.lines);
        cursor = JSON.parse(JSON.stringify(page.cursor)) as Cursor;
        if (!page.more) break;
      }
      const keys = lines.map((l) => l.lineKey);
      expect(new Set(keys).size).toBe(keys.length);
      expect(lines.filter((l) => l.kind === 'settle').length).toBe(230);
      expect(lines.filter((l) => l.kind === 'fee').length).toBe(460);
      const sumOf = (orderId: string) =>
        lines.filter((l) => l.orderId === orderId).reduce((s, l) => s + l.amountFen, 0);
      expect(sumOf(oid(0))).toBe(10_000 - 350);
      expect(sumOf(oid(7))).toBe(10_007 - 350 - 5_000);
      expect(sumOf(oid(8))).toBe(10_008 - 350 - 1);
      expect(lines.find((l) => l.lineKey === `RF000001:${oid(7)}`)).toEqual({
        lineKey: `RF000001:${oid(7)}`,
        orderId: oid(7),
        kind: 'refund',
        amountFen: -5_000,
        settledAt: '2026-03-08T02:00:00Z',
      });
      // 23:59:59 China time = 15:59:59Z
      expect(lines.find((l) => l.lineKey === `RQ000177:${oid(177)}`)?.settledAt).toBe('2026-03-05T15:59:59Z');
      const bills = f.requests.filter((r) => r.path === '/order/getSettleBillDetailV3');
      expect(bills.every((r) => Number(r.params!.size) <= 100)).toBe(true);
      expect(bills.some((r) => r.params!.start_index !== undefined)).toBe(true);
    }
  });
});
