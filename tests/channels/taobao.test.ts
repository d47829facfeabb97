import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ChannelShopConfig } from '../../config/business-config';
import type { ReceivedOrder } from '../../domain/channels/received';
import { ChannelApiError, type Cursor } from '../../integrations/channels/port';
import { createTaobaoAdapter, ORDER_PAGE_SIZE, type TaobaoOptions } from '../../integrations/channels/taobao';
import { mapTrade, tradeStatus } from '../../integrations/channels/taobao-order';
import { formatTopTime, parseTopJson, topTimeToUtc } from '../../integrations/channels/taobao-sign';
import { chinaTime, FakeTaobao, type FakeTaobaoOptions } from '../fakes/channels/taobao';
import { TestClock } from '../support/clock';

const clock = new TestClock('2026-03-02T10:00:00+08:00');
let fake: FakeTaobao;

async function startFake(options: Partial<FakeTaobaoOptions> = {}) {
  await fake?.stop();
  fake = new FakeTaobao({ clock: clock.now, ...options });
  await fake.start();
  return fake;
}

function shop(over: Partial<ChannelShopConfig> = {}): ChannelShopConfig {
  return {
    channel: 'taobao',
    shop: 'tmall-brakes',
    name: '天猫旗舰店',
    appKey: fake.appKey,
    secretEnv: 'TAOBAO_SECRET',
    tokenEnv: 'TAOBAO_SESSION',
    baseUrl: fake.url,
    pollEvery: 300_000,
    firstLookback: 3 * 3600_000,
    ...over,
  };
}

function adapter(
  over: Partial<ChannelShopConfig> = {},
  seams: { secret?: string; token?: string | null; now?: () => Date; fetch?: typeof fetch } = {},
  options: TaobaoOptions = {},
) {
  return createTaobaoAdapter(
    {
      shop: shop(over),
      secret: seams.secret ?? fake.secret,
      token: seams.token === undefined ? fake.session : seams.token,
      now: seams.now ?? clock.now,
      fetch: seams.fetch,
    },
    options,
  );
}

/** A call signed by the fake's own code, for what the adapter never sends. */
async function rawCall(params: Record<string, string>) {
  const all: Record<string, string> = {
    app_key: fake.appKey,
    sign_method: 'md5',
    timestamp: chinaTime(clock.now()),
    format: 'json',
    v: '2.0',
    session: fake.session,
    ...params,
  };
  all.sign = fake.expectedSign(all);
  const response = await fetch(`${fake.url}/router/rest`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(all).toString(),
  });
  return parseTopJson(await response.text()) as Record<string, Record<string, unknown>>;
}

async function rejection(promise: Promise<unknown>): Promise<ChannelApiError> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ChannelApiError);
  return err as ChannelApiError;
}

/** Polls until caught up, returning every order id read and the cursors passed through. */
async function drain(
  poll: (cursor: Cursor | null) => Promise<{ orders: ReceivedOrder[]; cursor: Cursor; more: boolean }>,
  cursor: Cursor | null,
) {
  const ids: string[] = [];
  const cursors: Cursor[] = [];
  let at = cursor;
  for (let i = 0; i < 500; i++) {
    const page = await poll(at);
    ids.push(...page.orders.map((o) => o.order.orderId));
    cursors.push(page.cursor);
    at = page.cursor;
    if (!page.more) return { ids, cursors, cursor: at };
  }
  throw new Error('never caught up');
}

beforeEach(async () => {
  clock.set('2026-03-02T10:00:00+08:00');
  await startFake();
});
afterEach(async () => {
  await fake.stop();
});

describe('signing and the gateway checks', () => {
  for (const signMethod of ['md5', 'hmac', 'hmac-sha256'] as const) {
    it(`a ${signMethod} request with the right secret is answered; a wrong secret gets 25 (auth)`, async () => {
      const trade = fake.addTrade();
      const good = await adapter({ signMethod }).fetchOrder(trade.tid);
      expect(good?.order.orderId).toBe(trade.tid);
      expect(fake.calls.at(-1)).toMatchObject({ code: null, params: { sign_method: signMethod } });
      const err = await rejection(adapter({ signMethod }, { secret: 'not-the-secret' }).fetchOrder(trade.tid));
      expect(err).toMatchObject({ code: '25', kind: 'auth' });
      expect(fake.calls.at(-1)?.code).toBe(25);
    });
  }

  it('hmac is HMAC-MD5 by default; a fake set to the SHA-256 reading refuses it, and the adapter can follow', async () => {
    await startFake({ hmacHash: 'sha256' });
    const trade = fake.addTrade();
    expect((await rejection(adapter({ signMethod: 'hmac' }).fetchOrder(trade.tid))).code).toBe('25');
    const followed = await adapter({ signMethod: 'hmac' }, {}, { hmacHash: 'sha256' }).fetchOrder(trade.tid);
    expect(followed?.order.orderId).toBe(trade.tid);
  });

  it('a timestamp more than 10 minutes off gets 31 (auth, the clock); 9 minutes off passes', async () => {
    const trade = fake.addTrade();
    for (const signMethod of ['md5', 'hmac'] as const) {
      const stale = adapter({ signMethod }, { now: () => new Date(clock.now().getTime() - 11 * 60_000) });
      const err = await rejection(stale.fetchOrder(trade.tid));
      expect(err).toMatchObject({ code: '31', kind: 'auth' });
      expect(err.message).toContain('clock');
      const ahead = adapter({ signMethod }, { now: () => new Date(clock.now().getTime() + 9 * 60_000) });
      expect((await ahead.fetchOrder(trade.tid))?.order.orderId).toBe(trade.tid);
    }
  });

  it('a wrong session gets 27 (auth)', async () => {
    const err = await rejection(adapter({}, { token: 'expired-session' }).fetchOrder(fake.addTrade().tid));
    expect(err).toMatchObject({ code: '27', kind: 'auth' });
  });

  it('the signature covers every parameter: one changed on the way gets 25', async () => {
    const tamper: typeof fetch = (input, init) =>
      fetch(input, { ...init, body: String(init?.body).replace(/tid=\d+/, 'tid=1') });
    const err = await rejection(adapter({}, { fetch: tamper }).fetchOrder(fake.addTrade().tid));
    expect(err.code).toBe('25');
  });

  it('code 7 is rate-limited with retryAfterMs from the ban seconds', async () => {
    fake.ban(37);
    const err = await rejection(adapter().pollOrders(null, clock.now()));
    expect(err).toMatchObject({ code: '7', kind: 'rate-limited', retryAfterMs: 37_000 });
    expect(err.message).toContain('This ban will last for 37 more seconds');
    clock.advance(37_000);
    await expect(adapter().fetchOrder(fake.addTrade().tid)).resolves.not.toBeNull();
  });

  it('an HTTP failure or no answer is unavailable', async () => {
    const down: typeof fetch = async () => new Response('bad gateway', { status: 502 });
    expect(await rejection(adapter({}, { fetch: down }).fetchOrder('1'))).toMatchObject({ kind: 'unavailable' });
    const hang: typeof fetch = (_input, init) =>
      new Promise((_resolve, reject) => init?.signal?.addEventListener('abort', () => reject(new Error('aborted'))));
    const err = await rejection(adapter({}, { fetch: hang }, { timeoutMs: 50 }).fetchOrder('1'));
    expect(err).toMatchObject({ code: 'timeout', kind: 'unavailable' });
  });
});

describe('increment paging', () => {
  it('refuses a window longer than a day and page_size above 100 (41), and the adapter maps 41 to bad-request', async () => {
    const base = { method: 'taobao.trades.sold.increment.get', fields: 'tid,modified' };
    const long = await rawCall({ ...base, start_modified: '2026-03-01 00:00:00', end_modified: '2026-03-02 00:00:01' });
    expect(long.error_response).toMatchObject({ code: 41, msg: 'Invalid Arguments' });
    const day = await rawCall({ ...base, start_modified: '2026-03-01 00:00:00', end_modified: '2026-03-02 00:00:00' });
    expect(day.trades_sold_increment_get_response).toMatchObject({ total_results: 0 });
    const wide = await rawCall({
      ...base,
      start_modified: '2026-03-01 00:00:00',
      end_modified: '2026-03-01 01:00:00',
      page_size: '101',
    });
    expect(wide.error_response).toMatchObject({ code: 41, sub_code: 'isv.invalid-parameter:page_size' });
    // A client that asks for 101 a page (re-signed, so only the size is wrong).
    const widen: typeof fetch = (input, init) => {
      const params = Object.fromEntries(new URLSearchParams(String(init?.body)));
      params.page_size = '101';
      params.sign = fake.expectedSign(params);
      return fetch(input, { ...init, body: new URLSearchParams(params).toString() });
    };
    const err = await rejection(adapter({}, { fetch: widen }).pollOrders(null, clock.now()));
    expect(err).toMatchObject({ code: '41', kind: 'bad-request' });
  });

  it('use_has_next answers has_next instead of total_results', async () => {
    fake.seedTrades(3, { from: new Date('2026-03-02T01:00:00Z'), to: new Date('2026-03-02T01:10:00Z') });
    const reply = await rawCall({
      method: 'taobao.trades.sold.increment.get',
      fields: 'tid',
      start_modified: '2026-03-02 09:00:00',
      end_modified: '2026-03-02 09:30:00',
      page_size: '2',
      use_has_next: 'true',
    });
    expect(reply.trades_sold_increment_get_response).toMatchObject({ has_next: true });
    expect(reply.trades_sold_increment_get_response).not.toHaveProperty('total_results');
  });

  it('windows of at most 30 minutes, none ending later than 2 minutes before now', async () => {
    const poller = adapter();
    const { cursor } = await drain((c) => poller.pollOrders(c, clock.now()), null);
    const windows = fake.callsOf('taobao.trades.sold.increment.get').map((c) => {
      const from = Date.parse(`${c.params.start_modified!.replace(' ', 'T')}+08:00`) + 1000;
      const to = Date.parse(`${c.params.end_modified!.replace(' ', 'T')}+08:00`);
      return to - from;
    });
    expect(windows.length).toBe(6);
    expect(Math.max(...windows)).toBeLessThanOrEqual(30 * 60_000);
    expect(cursor.start).toBe(new Date(clock.now().getTime() - 2 * 60_000).toISOString());
    // Caught up: a poll before time has moved on asks nothing.
    const calls = fake.calls.length;
    expect(await poller.pollOrders(cursor, clock.now())).toMatchObject({ orders: [], more: false });
    expect(fake.calls.length).toBe(calls);
  });

  it('reads every order of a window from the last page back, even when orders change while it pages', async () => {
    const from = new Date(clock.now().getTime() - 3 * 3600_000);
    const seeded = fake.seedTrades(250, { from, to: new Date(from.getTime() + 30 * 60_000) });
    const ordered = [...seeded].sort(
      (a, b) => b.modified.localeCompare(a.modified) || (BigInt(b.tid) > BigInt(a.tid) ? 1 : -1),
    );
    // Before each page after the count, the newest order of the window changes (and so leaves it).
    const moved: string[] = [];
    fake.onCall('taobao.trades.sold.increment.get', (_p, nth) => {
      if (nth >= 2 && nth <= 4) {
        const victim = ordered[moved.length]!;
        clock.advance(1000);
        fake.modifyTrade(victim.tid, { status: 'WAIT_BUYER_CONFIRM_GOODS' });
        moved.push(victim.tid);
      }
    });
    const poller = adapter();
    const start: Cursor = { start: from.toISOString(), end: null, page: null };
    const first = await drain((c) => poller.pollOrders(c, clock.now()), start);
    expect(moved).toHaveLength(3);
    // Every order that did not change was read in its window.
    const unchanged = seeded.map((t) => t.tid).filter((tid) => !moved.includes(tid));
    expect(unchanged.filter((tid) => !first.ids.includes(tid))).toEqual([]);
    // The changed ones left the window; they are read once their new modified time is 2 minutes old.
    clock.advance(3 * 60_000);
    const later = await drain((c) => poller.pollOrders(c, clock.now()), first.cursor);
    expect([...new Set(later.ids)].sort()).toEqual([...moved].sort());
    const pages = fake
      .callsOf('taobao.trades.sold.increment.get')
      .slice(0, 4)
      .map((c) => Number(c.params.page_no));
    expect(pages).toEqual([1, 3, 2, 1]);
    expect(ORDER_PAGE_SIZE).toBe(100);
  });

  it('the fake really punishes forward paging: a change while paging forwards loses a row', async () => {
    const from = new Date(clock.now().getTime() - 3 * 3600_000);
    const seeded = fake.seedTrades(250, { from, to: new Date(from.getTime() + 30 * 60_000) });
    const ordered = [...seeded].sort(
      (a, b) => b.modified.localeCompare(a.modified) || (BigInt(b.tid) > BigInt(a.tid) ? 1 : -1),
    );
    const window = { start_modified: chinaTime(from), end_modified: chinaTime(from.getTime() + 30 * 60_000) };
    const read: string[] = [];
    for (const page of [1, 2, 3]) {
      const reply = await rawCall({
        method: 'taobao.trades.sold.increment.get',
        fields: 'tid,modified',
        page_no: String(page),
        page_size: '100',
        ...window,
      });
      const trades = (reply.trades_sold_increment_get_response!.trades as { trade: { tid: string }[] }).trade;
      read.push(...trades.map((t) => t.tid));
      if (page === 1) {
        clock.advance(1000);
        fake.modifyTrade(ordered[50]!.tid);
      }
    }
    const missing = seeded.map((t) => t.tid).filter((tid) => !read.includes(tid));
    expect(missing).toEqual([ordered[100]!.tid]);
  });

  it('a restart mid-window resumes from the saved cursor and loses nothing', async () => {
    const from = new Date(clock.now().getTime() - 3 * 3600_000);
    const seeded = fake.seedTrades(210, { from, to: new Date(from.getTime() + 25 * 60_000) });
    const first = adapter();
    const start: Cursor = { start: from.toISOString(), end: null, page: null };
    const one = await first.pollOrders(start, clock.now());
    const two = await first.pollOrders(one.cursor, clock.now());
    expect(two.cursor).toMatchObject({ start: from.toISOString(), page: 1 });
    // Orders change while "down"; the new process reads the JSON cursor as stored.
    for (const t of seeded.slice(0, 5)) fake.modifyTrade(t.tid);
    clock.advance(60_000);
    const restarted = adapter();
    const rest = await drain((c) => restarted.pollOrders(c, clock.now()), JSON.parse(JSON.stringify(two.cursor)));
    clock.advance(3 * 60_000);
    const later = await drain((c) => restarted.pollOrders(c, clock.now()), rest.cursor);
    const all = new Set([...one.orders, ...two.orders].map((o) => o.order.orderId).concat(rest.ids, later.ids));
    expect(all).toEqual(new Set(seeded.map((t) => t.tid)));
  });

  it('64-bit tids come through exactly (they are bare JSON numbers beyond 2^53)', async () => {
    const trade = fake.addTrade({ tid: '3924871234567890123' });
    expect(Number.isSafeInteger(Number(trade.tid))).toBe(false);
    expect((await adapter().fetchOrder('3924871234567890123'))?.order.orderId).toBe('3924871234567890123');
    expect(await adapter().fetchOrder('3924871234567890999')).toBeNull();
  });
});

describe('mapping a trade', () => {
  it('0.01 元, a mjs- line promotion, an order-level one, Tmall coupon and subsidy, a 23:59:59 China pay time', async () => {
    const trade = fake.addTrade({
      status: 'WAIT_SELLER_SEND_GOODS',
      created: '2026-01-31 23:58:10',
      pay_time: '2026-01-31 23:59:59',
      modified: '2026-02-01 00:00:05',
      buyer_open_uid: 'AAHk5d-buyer-open-uid',
      post_fee: '10.00',
      tmall_coupon_fee: 500,
      platform_subsidy_fee: '1.23',
      lines: [
        { outer_sku_id: 'BRK-2026-01', price: '0.01', num: 3 },
        { outer_iid: 'BRK-PAD-ITEM', price: '33.33', num: 3 },
      ],
      promotions: [
        { on: 1, promotion_id: 'mjs-123024_211143', discount_fee: '9.99', promotion_name: '满就送' },
        { on: 'trade', promotion_id: 'shopbonus-9920_1', discount_fee: '5.00' },
      ],
    });
    const got = await adapter().fetchOrder(trade.tid);
    expect(got).toEqual({
      status: 'paid',
      updatedAt: '2026-01-31T16:00:05Z',
      buyerPhoneHash: null,
      order: {
        channel: 'taobao',
        shop: 'tmall-brakes',
        orderId: trade.tid,
        buyerKey: 'AAHk5d-buyer-open-uid',
        createdAt: '2026-01-31T15:58:10Z',
        paidAt: '2026-01-31T15:59:59Z',
        lines: [
          { sku: 'BRK-2026-01', quantity: 3, unitPriceFen: 1, discounts: [] },
          {
            sku: 'BRK-PAD-ITEM',
            quantity: 3,
            unitPriceFen: 3333,
            discounts: [{ ref: 'mjs-123024_211143', amountFen: 999, fundedBy: 'shop' }],
          },
        ],
        discounts: [
          { ref: 'shopbonus-9920_1', amountFen: 500, fundedBy: 'shop' },
          { ref: 'tmall_coupon_fee', amountFen: 500, fundedBy: 'platform' },
          { ref: 'platform_subsidy_fee', amountFen: 123, fundedBy: 'platform' },
        ],
        // 0.03 + 99.99 − 9.99 − 5.00 + 10.00 − 5.00 − 1.23
        totals: { freightFen: 1000, paidFen: 8880 },
      },
    });
  });

  it('maps the trade states', () => {
    expect(
      [
        'WAIT_BUYER_PAY',
        'WAIT_SELLER_SEND_GOODS',
        'PAID_FORBID_CONSIGN',
        'SELLER_CONSIGNED_PART',
        'WAIT_BUYER_CONFIRM_GOODS',
        'TRADE_FINISHED',
        'TRADE_CLOSED',
        'TRADE_CLOSED_BY_TAOBAO',
      ].map(tradeStatus),
    ).toEqual(['unpaid', 'paid', 'paid', 'shipped', 'shipped', 'finished', 'cancelled', 'cancelled']);
    expect(() => tradeStatus('SOMETHING_NEW')).toThrow(/unknown trade status "SOMETHING_NEW"/);
  });

  it('an unpaid trade has no paid time; a bad amount is refused with the field named', async () => {
    const unpaid = fake.addTrade({ status: 'WAIT_BUYER_PAY' });
    expect(await adapter().fetchOrder(unpaid.tid)).toMatchObject({ status: 'unpaid', order: { paidAt: null } });
    const broken = fake.addTrade();
    broken.orders[0]!.price = '1,299.00';
    await expect(adapter().fetchOrder(broken.tid)).rejects.toThrow(/orders\[0\]\.price.*thousands separators/);
  });

  it('China wall-clock times convert exactly (property), and invalid ones are refused', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: Date.parse('2000-01-01T00:00:00Z') / 1000, max: Date.parse('2090-01-01T00:00:00Z') / 1000 }),
        (s) => {
          const at = new Date(s * 1000);
          expect(Date.parse(topTimeToUtc(formatTopTime(at)))).toBe(at.getTime());
        },
      ),
    );
    expect(topTimeToUtc('2026-01-31 23:59:59')).toBe('2026-01-31T15:59:59Z');
    expect(() => topTimeToUtc('2026-02-30 10:00:00')).toThrow(/not a real time/);
    expect(() => topTimeToUtc('2026-02-03T10:00:00')).toThrow(/yyyy-MM-dd HH:mm:ss/);
  });

  it('元 strings of any amount map to the same 分 (property over the trade mapping)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000_000_00 }), fc.integer({ min: 1, max: 999 }), (fen, num) => {
        const yuan = `${Math.floor(fen / 100)}.${String(fen % 100).padStart(2, '0')}`;
        const mapped = mapTrade('s', {
          tid: 1,
          status: 'TRADE_FINISHED',
          created: '2026-03-01 10:00:00',
          modified: '2026-03-01 10:00:00',
          buyer_open_uid: 'b',
          payment: yuan,
          post_fee: yuan,
          orders: { order: [{ oid: 2, price: yuan, num, outer_sku_id: 'X' }] },
        });
        expect(mapped.order.lines[0]!.unitPriceFen).toBe(fen);
        expect(mapped.order.totals).toEqual({ freightFen: fen, paidFen: fen });
      }),
    );
  });
});

describe('settlements and invoices', () => {
  for (const unit of ['fen', 'yuan'] as const) {
    it(`bill lines in ${unit}: sales, a refund (negative), a commission account as a fee; paged by 100`, async () => {
      await startFake({ billAmountUnit: unit });
      const trade = fake.addTrade({ lines: [{ outer_sku_id: 'BRK-2026-01', price: '299.00', num: 1 }] });
      const at = chinaTime(clock.now().getTime() - 60 * 60_000);
      const sale = fake.addBill({ trade_id: trade.tid, amountFen: 29_901, pay_time: at, account_id: '101' });
      const refund = fake.addBill({ trade_id: trade.tid, amountFen: -5_001, pay_time: at, account_id: '101' });
      const fee = fake.addBill({ trade_id: trade.tid, amountFen: -299, pay_time: at, account_id: '301' });
      for (let i = 0; i < 120; i++) fake.addBill({ trade_id: '100', amountFen: 100 + i, pay_time: at });
      const poller = adapter({}, {}, { billAmountUnit: unit, feeAccountIds: ['301'] });
      const lines = [];
      let cursor: Cursor | null = null;
      for (let i = 0; i < 20; i++) {
        const page = await poller.pollSettlements(cursor, clock.now());
        lines.push(...page.lines);
        cursor = page.cursor;
        if (!page.more) break;
      }
      expect(lines).toHaveLength(123);
      const settledAt = topTimeToUtc(at);
      expect(lines.filter((l) => l.orderId === trade.tid)).toEqual([
        { lineKey: sale.bid, orderId: trade.tid, kind: 'settle', amountFen: 29_901, settledAt },
        { lineKey: refund.bid, orderId: trade.tid, kind: 'refund', amountFen: -5_001, settledAt },
        { lineKey: fee.bid, orderId: trade.tid, kind: 'fee', amountFen: -299, settledAt },
      ]);
      const bills = fake.callsOf('taobao.bill.bills.get');
      expect(bills.every((c) => c.code === null && c.params.page_size === '100')).toBe(true);
      expect(bills.some((c) => c.params.page_no === '2')).toBe(true);
    });
  }

  it('refuses a bill window over a day and page_size under 40', async () => {
    const base = { method: 'taobao.bill.bills.get', fields: 'bid' };
    const long = await rawCall({ ...base, start_time: '2026-03-01 00:00:00', end_time: '2026-03-02 00:00:01' });
    expect(long.error_response).toMatchObject({ code: 41 });
    const small = await rawCall({
      ...base,
      start_time: '2026-03-01 00:00:00',
      end_time: '2026-03-01 10:00:00',
      page_size: '39',
    });
    expect(small.error_response).toMatchObject({ code: 41, sub_code: 'isv.invalid-parameter:page_size' });
  });

  it('invoice amounts come in 分', async () => {
    const trade = fake.addTrade({ tmall_coupon_fee: 500, platform_subsidy_fee: '0.01' });
    const amounts = await adapter().invoiceAmounts(trade.tid);
    expect(amounts).toEqual({ consumerFen: Number(trade.payment.replace('.', '')), platformFen: 501 });
  });
});

describe('TMC over HTTP', () => {
  it('consume hands over trade messages with the tid; unconfirmed ones come again; confirm ends them', async () => {
    const trade = fake.addTrade();
    const id = fake.queueMessage({ topic: 'taobao_trade_TradeBuyerPay', tid: trade.tid, payment: '120.00' });
    fake.queueMessage({ topic: 'taobao_item_ItemUpdate', tid: '', content: '{"num_iid":1}' });
    const poller = adapter();
    const first = await poller.pullMessages!(5);
    expect(first.messages).toEqual([
      {
        messageId: id,
        orderId: trade.tid,
        topic: 'taobao_trade_TradeBuyerPay',
        payload: expect.objectContaining({ tid: trade.tid, payment: '120.00', type: 'guarantee_trade' }),
      },
    ]);
    // The message about no trade was confirmed at once; the trade message waits for its confirm.
    expect(fake.pendingMessages()).toEqual([id]);
    expect((await poller.pullMessages!(5)).messages).toEqual([]);
    clock.advance(61_000);
    const again = await poller.pullMessages!(5);
    expect(again.messages.map((m) => m.messageId)).toEqual([id]);
    await again.confirm([id]);
    expect(fake.pendingMessages()).toEqual([]);
    clock.advance(61_000);
    expect((await poller.pullMessages!(5)).messages).toEqual([]);
    expect(fake.callsOf('taobao.tmc.messages.consume').every((c) => c.params.quantity === '10')).toBe(true);
  });

  it('quantity outside 10–200 and more than 200 ids are refused (41)', async () => {
    const q = await rawCall({ method: 'taobao.tmc.messages.consume', quantity: '201' });
    expect(q.error_response).toMatchObject({ code: 41 });
    const ids = Array.from({ length: 201 }, (_, i) => String(i + 1)).join(',');
    const c = await rawCall({ method: 'taobao.tmc.messages.confirm', s_message_ids: ids });
    expect(c.error_response).toMatchObject({ code: 41 });
  });
});
