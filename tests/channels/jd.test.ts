import fc from 'fast-check';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ChannelShopConfig } from '../../config/business-config';
import {
  chinaTimeToUtc,
  createJdAdapter,
  LAG_MS,
  msToChinaMidnight,
  PAGE_SIZE,
  signJos,
} from '../../integrations/channels/jd';
import {
  type ChannelAdapter,
  ChannelApiError,
  type Cursor,
  type ReceivedOrder,
} from '../../integrations/channels/port';
import { chinaText, FakeJd, JOS_CODES } from '../fakes/channels/jd';

const SECRET = 'jd-secret-1';
const TOKEN = 'jd-token-1';
const APP_KEY = 'JDAPPKEY01';
const VENDER = '10086';

let now = new Date('2026-03-10T04:00:00Z');
const clock = () => now;

function shopConfig(url: string, overrides: Partial<ChannelShopConfig> = {}): ChannelShopConfig {
  return {
    channel: 'jd',
    shop: VENDER,
    name: 'JD flagship',
    appKey: APP_KEY,
    secretEnv: 'JD_SECRET',
    tokenEnv: 'JD_TOKEN',
    baseUrl: url,
    pollEvery: 300_000,
    firstLookback: 3 * 86_400_000,
    ...overrides,
  };
}

function adapter(fake: FakeJd, settings: { secret?: string; token?: string | null } = {}): ChannelAdapter {
  return createJdAdapter({
    shop: shopConfig(fake.url),
    secret: settings.secret ?? SECRET,
    token: settings.token === undefined ? TOKEN : settings.token,
    now: clock,
  });
}

async function newFake(options: Partial<ConstructorParameters<typeof FakeJd>[0]> = {}) {
  return new FakeJd({
    appKey: APP_KEY,
    secret: SECRET,
    token: TOKEN,
    venderId: VENDER,
    now: clock,
    ...options,
  }).start();
}

interface JosAnswer {
  error_response?: { code: string; zh_desc: string; en_desc: string };
  jingdong_pop_order_search_responce?: {
    searchorderinfo_result: { orderInfoList: unknown[]; apiResult: Record<string, unknown> };
  };
}

/** A raw JOS call, signed (or not) by the test itself. */
async function raw(
  fake: FakeJd,
  business: Record<string, unknown>,
  tweak: (p: Record<string, string>) => void = () => {},
) {
  const params: Record<string, string> = {
    method: 'jingdong.pop.order.search',
    app_key: APP_KEY,
    access_token: TOKEN,
    timestamp: chinaText(now),
    v: '2.0',
    '360buy_param_json': JSON.stringify(business),
  };
  params.sign = signJos(params, SECRET);
  tweak(params);
  const res = await fetch(`${fake.url}/routerjson`, { method: 'POST', body: new URLSearchParams(params) });
  return { status: res.status, body: (await res.json()) as JosAnswer };
}

const SEARCH = {
  start_date: '2026-03-09 00:00:00',
  end_date: '2026-03-10 00:00:00',
  order_state: 'WAIT_SELLER_STOCK_OUT',
  optional_fields: 'orderId,modified',
  page: '1',
  page_size: '100',
  dateType: '0',
};

async function failureOf(p: Promise<unknown>): Promise<ChannelApiError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ChannelApiError);
  return err as ChannelApiError;
}

/** Polls until caught up (or `limit` pages), saving the cursor after each page as the intake does. */
async function pollAll(a: ChannelAdapter, cursor: Cursor | null, limit = 200) {
  const pages: ReceivedOrder[][] = [];
  let at = cursor;
  for (let i = 0; i < limit; i++) {
    const page = await a.pollOrders(at, now);
    pages.push(page.orders);
    at = page.cursor;
    if (!page.more) return { pages, cursor: at };
  }
  throw new Error('did not catch up');
}

describe('JD JOS fake: the gateway checks', () => {
  let fake: FakeJd;
  beforeAll(async () => {
    fake = await newFake();
  });
  afterAll(() => fake.stop());

  it('answers a correctly signed call and refuses a bad signature, a stale timestamp and a wrong token', async () => {
    const good = await raw(fake, SEARCH);
    expect(good.status).toBe(200);
    expect(good.body.jingdong_pop_order_search_responce!.searchorderinfo_result.apiResult.success).toBe(true);

    const badSign = await raw(fake, SEARCH, (p) => {
      p.sign = signJos(p, 'other-secret');
    });
    expect(badSign.body.error_response).toMatchObject({ code: JOS_CODES.badSign });
    expect(badSign.body.error_response!.zh_desc).toBeTruthy();

    // Signed correctly, but 11 minutes old.
    const stale = await raw(fake, SEARCH, (p) => {
      p.timestamp = chinaText(new Date(now.getTime() - 11 * 60_000));
      p.sign = signJos(p, SECRET);
    });
    expect(stale.body.error_response).toMatchObject({ code: JOS_CODES.badTimestamp });

    // A parameter changed after signing.
    const tampered = await raw(fake, SEARCH, (p) => {
      p['360buy_param_json'] = JSON.stringify({ ...SEARCH, page: '2' });
    });
    expect(tampered.body.error_response).toMatchObject({ code: JOS_CODES.badSign });

    const token = await raw(fake, SEARCH, (p) => {
      p.access_token = 'expired';
      p.sign = signJos(p, SECRET);
    });
    expect(token.body.error_response).toMatchObject({ code: JOS_CODES.badToken });
  });

  it('refuses page_size over 100, a window over a month and a search older than three months', async () => {
    expect((await raw(fake, { ...SEARCH, page_size: '101' })).body.error_response).toMatchObject({
      code: JOS_CODES.badArgs,
      en_desc: 'page_size must be 1 to 100',
    });
    expect((await raw(fake, { ...SEARCH, page_size: '100' })).body.error_response).toBeUndefined();
    const wide = await raw(fake, { ...SEARCH, start_date: '2026-02-01 00:00:00', end_date: '2026-03-05 00:00:00' });
    expect(wide.body.error_response).toMatchObject({ code: JOS_CODES.badArgs });
    const old = await raw(fake, { ...SEARCH, start_date: '2025-11-01 00:00:00', end_date: '2025-11-02 00:00:00' });
    expect(old.body.error_response).toMatchObject({ code: JOS_CODES.badArgs });
  });
});

describe('JD adapter: errors', () => {
  beforeEach(() => {
    now = new Date('2026-03-10T04:00:00Z');
  });

  it('turns a wrong secret or token into auth, bad arguments into bad-request, apiResult false into bad-request', async () => {
    const fake = await newFake({ maxWindowMs: 3600_000 });
    try {
      expect((await failureOf(adapter(fake, { secret: 'wrong' }).pollOrders(null, now))).kind).toBe('auth');
      const token = await failureOf(adapter(fake, { token: 'expired' }).pollOrders(null, now));
      expect({ kind: token.kind, code: token.code }).toEqual({ kind: 'auth', code: JOS_CODES.badToken });
      // The adapter's day-wide window is wider than this fake allows.
      const args = await failureOf(adapter(fake).pollOrders(null, now));
      expect({ kind: args.kind, code: args.code }).toEqual({ kind: 'bad-request', code: JOS_CODES.badArgs });
    } finally {
      await fake.stop();
    }
  });

  it('reads apiResult.success false in an HTTP 200 answer as a failure', async () => {
    const fake = await newFake();
    try {
      // The fake answers apiResult false for an order state JOS does not know; the adapter asks for known ones
      // only, so drive it through fetchOrder's sibling: a search the test makes with the adapter's signing.
      const answer = await raw(fake, { ...SEARCH, order_state: 'NOT_A_STATE' });
      expect(answer.status).toBe(200);
      expect(answer.body.jingdong_pop_order_search_responce!.searchorderinfo_result.apiResult.success).toBe(false);
      // And the adapter refuses such an answer rather than reading it as "no orders".
      const fetchFake: typeof fetch = async (input, init) => {
        const res = await fetch(input, init);
        const body = (await res.json()) as JosAnswer;
        const result = body.jingdong_pop_order_search_responce?.searchorderinfo_result;
        if (result) result.apiResult = { success: false, englishErrCode: 'system busy', numberCode: 10100011 };
        return new Response(JSON.stringify(body), { status: 200 });
      };
      const a = createJdAdapter({
        shop: shopConfig(fake.url),
        secret: SECRET,
        token: TOKEN,
        now: clock,
        fetch: fetchFake,
      });
      const err = await failureOf(a.pollOrders(null, now));
      expect({ kind: err.kind, code: err.code }).toEqual({ kind: 'bad-request', code: '10100011' });
    } finally {
      await fake.stop();
    }
  });

  it('surfaces the exhausted daily quota as rate-limited until the next China midnight', async () => {
    now = new Date('2026-03-10T15:00:00Z'); // 23:00 in China
    const fake = await newFake({ dailyQuota: 2 });
    try {
      const a = adapter(fake);
      let cursor: Cursor | null = null;
      for (let i = 0; i < 2; i++) cursor = (await a.pollOrders(cursor, now)).cursor;
      const err = await failureOf(a.pollOrders(cursor, now));
      expect({ kind: err.kind, code: err.code, retryAfterMs: err.retryAfterMs }).toEqual({
        kind: 'rate-limited',
        code: JOS_CODES.quota,
        retryAfterMs: 3600_000,
      });
      expect(msToChinaMidnight(new Date('2026-03-10T16:00:00Z'))).toBe(86_400_000);
      // After China midnight the quota is back.
      now = new Date('2026-03-10T16:00:05Z');
      await expect(a.pollOrders(cursor, now)).resolves.toBeTruthy();
    } finally {
      await fake.stop();
    }
  });
});

describe('JD adapter: paging', () => {
  beforeEach(() => {
    now = new Date('2026-03-10T04:00:00Z');
  });

  it('reads every order of several windows and pages, then is caught up, without asking JD for more than 100', async () => {
    const fake = await newFake();
    try {
      // 250 orders, one a second, a day ago; and 40 in the last hour.
      fake.seed(250, new Date('2026-03-09T02:00:00Z'));
      fake.seed(40, new Date('2026-03-10T03:00:00Z'));
      const { pages, cursor } = await pollAll(adapter(fake), null);
      const ids = new Set(pages.flat().map((o) => o.order.orderId));
      expect(ids.size).toBe(290);
      expect(fake.calls.every((c) => Number((c.business as { page_size?: string })?.page_size ?? 0) <= PAGE_SIZE)).toBe(
        true,
      );
      // Caught up: the next poll (a minute later) reads nothing new but asks JD once.
      const calls = fake.calls.length;
      now = new Date(now.getTime() + 60_000);
      const again = await adapter(fake).pollOrders(cursor, now);
      expect(again.orders).toEqual([]);
      expect(fake.calls.length).toBe(calls + 1);
      // Nothing ready yet: no call at all.
      const idle = await adapter(fake).pollOrders(again.cursor, now);
      expect({ orders: idle.orders, more: idle.more, calls: fake.calls.length }).toEqual({
        orders: [],
        more: false,
        calls: calls + 1,
      });
    } finally {
      await fake.stop();
    }
  });

  it('reads an order changed while a window is being paged, and more than a page of orders in one second', async () => {
    const fake = await newFake();
    try {
      const seeded = fake.seed(250, new Date('2026-03-08T10:00:00Z'));
      // 130 more in one single second.
      for (let i = 0; i < 130; i++) {
        fake.put({
          orderId: `5000${String(i).padStart(4, '0')}`,
          modified: '2026-03-08 20:00:00',
          orderPayment: '1.00',
        });
      }
      const a = adapter(fake);
      // The first window (three days back) is empty; the second starts with a full page.
      const empty = await a.pollOrders(null, now);
      expect({ orders: empty.orders, more: empty.more }).toEqual({ orders: [], more: true });
      const first = await a.pollOrders(empty.cursor, now);
      expect(first.orders).toHaveLength(PAGE_SIZE);
      // While the client pages: one order not yet read changes (paid amount), one already read is cancelled.
      now = new Date(now.getTime() + 5_000);
      fake.modify(seeded[180]!.orderId, { orderPayment: '8.00' });
      fake.modify(seeded[3]!.orderId, { orderState: 'TRADE_CANCELED' });
      now = new Date(now.getTime() + LAG_MS + 5_000);
      // And the process restarts: a new adapter goes on from the saved cursor.
      const rest = await pollAll(adapter(fake), first.cursor);
      const all = [...first.orders, ...rest.pages.flat()];
      const latest = new Map<string, ReceivedOrder>();
      for (const o of all) {
        const held = latest.get(o.order.orderId);
        if (!held || held.updatedAt <= o.updatedAt) latest.set(o.order.orderId, o);
      }
      expect(latest.size).toBe(380);
      expect(latest.get(seeded[180]!.orderId)!.order.totals.paidFen).toBe(800);
      expect(latest.get(seeded[3]!.orderId)!.status).toBe('cancelled');
    } finally {
      await fake.stop();
    }
  });

  it('loses nothing across restarts, repeated pages and changes while paging, in either sort order (property)', async () => {
    const fake = await newFake({ dailyQuota: 1_000_000 });
    const start = new Date('2026-03-07T00:00:00Z');
    try {
      await fc.assert(
        fc.asyncProperty(
          // How many orders, and a seed for their times (fast-check keeps generated arrays short by default).
          fc.integer({ min: 1, max: 320 }),
          fc.integer({ min: 1, max: 2 ** 31 - 2 }),
          fc.array(fc.record({ step: fc.integer({ min: 0, max: 8 }), pick: fc.nat() }), { maxLength: 6 }),
          fc.array(fc.integer({ min: 0, max: 8 }), { maxLength: 3 }),
          fc.boolean(),
          async (count, seed, changes, restarts, ascending) => {
            now = new Date('2026-03-10T00:00:00Z');
            fake.clear();
            fake.options.honourAscending = ascending;
            const ids: string[] = [];
            // Two days of orders on 10-minute marks, several on one second: windows of more than one page.
            let random = seed;
            for (let i = 0; i < count; i++) {
              random = (random * 48_271) % 2_147_483_647;
              const at = chinaText(new Date(start.getTime() + (random % 288) * 600_000));
              ids.push(fake.put({ orderId: `7${String(i).padStart(7, '0')}`, modified: at }).orderId);
            }
            const seen = new Map<string, string>();
            let cursor: Cursor | null = null;
            let a = adapter(fake);
            for (let step = 0; step < 500; step++) {
              const page = await a.pollOrders(cursor, now);
              // A crash before the cursor was saved: the page is read again from the saved cursor.
              if (restarts.includes(step)) {
                a = adapter(fake);
                continue;
              }
              for (const o of page.orders) {
                if ((seen.get(o.order.orderId) ?? '') <= o.updatedAt) seen.set(o.order.orderId, o.updatedAt);
              }
              cursor = page.cursor;
              for (const change of changes.filter((c) => c.step === step)) {
                now = new Date(now.getTime() + 1000);
                fake.modify(ids[change.pick % ids.length]!, { orderPayment: '2.00' });
              }
              if (!page.more) {
                // Caught up: a later poll still reads the changes of the last moments.
                now = new Date(now.getTime() + 2 * LAG_MS);
                const tail = await pollAll(adapter(fake), cursor);
                for (const o of tail.pages.flat()) {
                  if ((seen.get(o.order.orderId) ?? '') <= o.updatedAt) seen.set(o.order.orderId, o.updatedAt);
                }
                break;
              }
            }
            // Every order was read in its latest version.
            const missed = ids.filter((id) => seen.get(id) !== chinaTimeToUtc(fake.order(id)!.modified));
            expect(missed).toEqual([]);
          },
        ),
        { numRuns: 30 },
      );
    } finally {
      await fake.stop();
    }
  }, 30_000);
});

describe('JD adapter: the canonical order', () => {
  let fake: FakeJd;
  beforeAll(async () => {
    fake = await newFake();
  });
  afterAll(() => fake.stop());

  it('maps money, coupons per sku, order-level and platform coupons, China time and the buyer', async () => {
    fake.put({
      orderId: '2918830001',
      orderStartTime: '2026-01-31 23:59:59',
      paymentConfirmTime: '2026-02-01 00:00:01',
      modified: '2026-02-01 08:00:00',
      orderTotalPrice: '598.01',
      orderSellerPrice: '548.01',
      orderPayment: '0.01',
      freightPrice: '12.50',
      sellerDiscount: '45.00',
      orderState: 'WAIT_GOODS_RECEIVE_CONFIRM',
      pin: 'jd_pin_1',
      open_id_buyer: '',
      xid_buyer: 'xid-9',
      itemInfoList: [
        {
          skuId: '100001',
          outerSkuId: 'BRK-2026-01',
          skuName: 'pad',
          jdPrice: '299.00',
          itemTotal: '2',
          wareId: '9001',
        },
        { skuId: '100002', outerSkuId: '', skuName: 'disc', jdPrice: '0.01', itemTotal: '1', wareId: '9002' },
      ],
      couponDetailList: [
        { orderId: '2918830001', skuId: '100001', couponType: '30-单品促销优惠', couponPrice: '20.00' },
        { orderId: '2918830001', skuId: '', couponType: '100-店铺优惠', couponPrice: '15.00' },
        { orderId: '2918830001', skuId: '', couponType: '39', couponPrice: '5.00' },
        { orderId: '2918830001', skuId: '', couponType: '41-京东券优惠', couponPrice: '0.00' },
      ],
    });
    const got = await adapter(fake).fetchOrder('2918830001');
    expect(got).toEqual({
      order: {
        channel: 'jd',
        shop: VENDER,
        orderId: '2918830001',
        buyerKey: 'xid-9',
        createdAt: '2026-01-31T15:59:59Z',
        paidAt: '2026-01-31T16:00:01Z',
        lines: [
          {
            sku: 'BRK-2026-01',
            quantity: 2,
            unitPriceFen: 29_900,
            discounts: [{ ref: 'coupon-30:100001', amountFen: 2000, fundedBy: 'shop' }],
          },
          { sku: 'jd-sku:100002', quantity: 1, unitPriceFen: 1, discounts: [] },
        ],
        discounts: [
          { ref: 'coupon-100:order', amountFen: 1500, fundedBy: 'shop' },
          { ref: 'coupon-39:order', amountFen: 500, fundedBy: 'platform' },
          // sellerDiscount 45.00 less the shop's coupons 35.00.
          { ref: 'seller-discount', amountFen: 1000, fundedBy: 'shop' },
        ],
        totals: { freightFen: 1250, paidFen: 1 },
      },
      status: 'shipped',
      updatedAt: '2026-02-01T00:00:00Z',
      buyerPhoneHash: null,
    });
    expect(await adapter(fake).fetchOrder('404404')).toBeNull();
  });

  it('maps each order state; LOCKED and PAUSE are paid orders held by JD', async () => {
    const states = {
      WAIT_SELLER_STOCK_OUT: 'paid',
      WAIT_GOODS_RECEIVE_CONFIRM: 'shipped',
      FINISHED_L: 'finished',
      TRADE_CANCELED: 'cancelled',
      LOCKED: 'paid',
      PAUSE: 'paid',
    };
    for (const [state, status] of Object.entries(states)) {
      fake.put({ orderId: `S-${state}`, orderState: state, open_id_buyer: 'open-x' });
      expect({ state, status: (await adapter(fake).fetchOrder(`S-${state}`))!.status }).toEqual({ state, status });
    }
  });

  it('refuses an order whose money is not a yuan amount, naming the order and the field', async () => {
    fake.put({ orderId: 'BAD-1', orderPayment: '12.345' });
    const err = await failureOf(adapter(fake).fetchOrder('BAD-1'));
    expect(err.kind).toBe('bad-request');
    expect(err.message).toContain('BAD-1');
    expect(err.message).toContain('orderPayment');
  });

  it('reads no settlements from JOS (they come from uploaded bill exports)', async () => {
    const page = await adapter(fake).pollSettlements(null, now);
    expect({ lines: page.lines, more: page.more }).toEqual({ lines: [], more: false });
  });
});
