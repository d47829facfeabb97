import { createHash, createHmac } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';

/**
 * Fake Taobao/Tmall TOP gateway (../shared/protocols/channels.md §1.2, §3.3): a Koa app on 127.0.0.1:0, seeded and
 * clock-injected. Form POST (or query) to /router/rest with the system parameters; it checks them with its own code
 * (not the client's) and answers as TOP does:
 *  - errors as {error_response:{code,msg,sub_code,sub_msg,request_id}}: 22 Invalid Method, 25 Invalid Signature,
 *    27 Invalid Session, 29 Invalid App Key, 31 Invalid Timestamp (±10 min, GMT+8), 40 Missing Required Arguments,
 *    41 Invalid Arguments (window > 1 day, page_size out of range, quantity 10–200, > 200 ids), 7 App Call Limited
 *    ("This ban will last for N more seconds") while `ban()` holds, 15 isv.trade-not-exist for an unknown tid [U].
 *  - 64-bit ids (tid, oid, promotion id, message id, bid, trade_id) as bare JSON numbers, too big for a double.
 *  - taobao.trades.sold.increment.get: modified in [start, end] (inclusive), DESCENDING modified, page_no/page_size
 *    1..100, use_has_next → has_next else total_results; only the asked top-level fields, never promotion_details
 *    [U]. `onCall` hooks run before an answer, so a test can modify trades while a client pages.
 *  - taobao.trade.fullinfo.get, taobao.tmc.messages.consume/confirm (unconfirmed messages come again after
 *    `redeliverAfterMs`), taobao.trade.invoice.amount.get (分), taobao.bill.bills.get (window ≤ 1 day, time_type
 *    1 biz_time / 2 pay_time, page_size 40–100, amount in the configured unit [U], negative for refunds).
 * [U] points are options: `hmacHash` (the hash of sign_method=hmac), `billAmountUnit`.
 */

export interface FakeTopOrder {
  oid: string;
  num_iid: string;
  outer_iid?: string;
  outer_sku_id?: string;
  title?: string;
  /** 元 string. */
  price: string;
  num: number;
  payment?: string;
  status?: string;
}

export interface FakeTopPromotion {
  /** tid (order level) or oid (that line). */
  id: string;
  promotion_id: string;
  promotion_name?: string;
  /** 元 string. */
  discount_fee: string;
}

export interface FakeTopTrade {
  tid: string;
  status: string;
  type: string;
  /** China time "yyyy-MM-dd HH:mm:ss". */
  created: string;
  modified: string;
  pay_time?: string;
  buyer_open_uid: string;
  buyer_nick?: string;
  payment: string;
  total_fee: string;
  post_fee: string;
  discount_fee?: string;
  adjust_fee?: string;
  /** 分, an integer (as the SDKs type it). */
  tmall_coupon_fee?: number;
  platform_subsidy_fee?: string;
  orders: FakeTopOrder[];
  promotion_details: FakeTopPromotion[];
}

export interface FakeTradeInput {
  tid?: string;
  status?: string;
  created?: string;
  modified?: string;
  pay_time?: string | null;
  buyer_open_uid?: string;
  payment?: string;
  post_fee?: string;
  tmall_coupon_fee?: number;
  platform_subsidy_fee?: string;
  lines?: { oid?: string; outer_sku_id?: string; outer_iid?: string; price: string; num: number }[];
  /** `on`: 'trade' or the index of a line. */
  promotions?: { on: 'trade' | number; promotion_id: string; discount_fee: string; promotion_name?: string }[];
}

export interface FakeBill {
  bid: string;
  account_id: string;
  trade_id: string;
  order_id: string;
  /** Signed 分: what the shop receives (negative: refunds, fees). */
  amountFen: number;
  biz_time: string;
  pay_time: string;
  book_time: string;
}

export interface FakeTmcMessage {
  id: string;
  topic: string;
  content: string;
  pub_time: string;
  visibleAt: number;
}

export interface FakeTaobaoOptions {
  clock: () => Date;
  seed?: number;
  appKey?: string;
  secret?: string;
  session?: string;
  /** The hash of sign_method=hmac [U]: 'md5' as the official SDKs (default). */
  hmacHash?: 'md5' | 'sha256';
  /** The unit of bill `amount` [U]: 'fen' (integers, default) or 'yuan' (numbers with two decimals). */
  billAmountUnit?: 'fen' | 'yuan';
  redeliverAfterMs?: number;
  timestampToleranceMs?: number;
}

export interface FakeTopCall {
  at: Date;
  method: string;
  params: Record<string, string>;
  /** The error code answered, or null for a success. */
  code: number | null;
}

type Hook = (params: Record<string, string>, nth: number) => void;

class TopError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly subCode?: string,
    readonly subMsg?: string,
  ) {
    super(message);
  }
}

const CHINA_MS = 8 * 3600_000;
const DAY_MS = 86_400_000;
const ID_KEYS = new Set(['tid', 'oid', 'id', 'bid', 'trade_id', 'order_id', 'account_id', 'num_iid', 'user_id']);
const ID_MARK = '@@id:';

/** China wall-clock string of an instant. */
export function chinaTime(at: Date | number): string {
  const iso = new Date(new Date(at).getTime() + CHINA_MS).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
}

function parseChinaTime(s: string | undefined): number | null {
  if (s === undefined || !/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(s)) return null;
  const t = Date.parse(`${s.replace(' ', 'T')}+08:00`);
  return Number.isNaN(t) ? null : t;
}

/** JSON with 64-bit ids as bare numbers, as TOP sends them. */
function topJson(value: unknown): string {
  return JSON.stringify(value, (key, v) =>
    ID_KEYS.has(key) && typeof v === 'string' && /^\d+$/.test(v) ? `${ID_MARK}${v}` : v,
  ).replace(/"@@id:(\d+)"/g, '$1');
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function yuanToFen(s: string): number {
  const [whole, frac = ''] = s.split('.');
  const sign = whole!.startsWith('-') ? -1 : 1;
  return sign * (Math.abs(Number(whole)) * 100 + Number(frac.padEnd(2, '0')));
}

function fenToYuan(fen: number): string {
  const abs = Math.abs(fen);
  return `${fen < 0 ? '-' : ''}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

export class FakeTaobao {
  readonly appKey: string;
  readonly secret: string;
  readonly session: string;
  readonly calls: FakeTopCall[] = [];
  readonly confirmed: string[] = [];
  readonly options: Required<Omit<FakeTaobaoOptions, 'clock'>>;
  private readonly clock: () => Date;
  private readonly rng: () => number;
  private readonly trades = new Map<string, FakeTopTrade>();
  private readonly invoiceOverrides = new Map<string, { consumer: number; platform: number }>();
  private readonly bills: FakeBill[] = [];
  private messages: FakeTmcMessage[] = [];
  private readonly hooks = new Map<string, Hook[]>();
  private readonly callCounts = new Map<string, number>();
  private bannedUntil = 0;
  private nextId = 3_924_871_234_567_890_000n;
  private server: Server | undefined;
  url = '';

  constructor(options: FakeTaobaoOptions) {
    this.clock = options.clock;
    this.options = {
      seed: options.seed ?? 20,
      appKey: options.appKey ?? '12345678',
      secret: options.secret ?? 'taobao-test-secret',
      session: options.session ?? '6100a1b2c3d4e5f6session',
      hmacHash: options.hmacHash ?? 'md5',
      billAmountUnit: options.billAmountUnit ?? 'fen',
      redeliverAfterMs: options.redeliverAfterMs ?? 60_000,
      timestampToleranceMs: options.timestampToleranceMs ?? 10 * 60_000,
    };
    this.appKey = this.options.appKey;
    this.secret = this.options.secret;
    this.session = this.options.session;
    this.rng = mulberry32(this.options.seed);
  }

  async start(): Promise<string> {
    const app = new Koa();
    app.use(async (ctx) => {
      if (ctx.path !== '/router/rest' || ctx.method !== 'POST') {
        ctx.status = 404;
        return;
      }
      const chunks: Buffer[] = [];
      for await (const chunk of ctx.req) chunks.push(chunk as Buffer);
      const params: Record<string, string> = { ...(ctx.query as Record<string, string>) };
      for (const [k, v] of new URLSearchParams(Buffer.concat(chunks).toString('utf8'))) params[k] = v;
      ctx.type = 'application/json;charset=UTF-8';
      ctx.body = this.answer(params);
    });
    this.server = app.listen(0, '127.0.0.1');
    await new Promise<void>((resolve) => this.server!.once('listening', () => resolve()));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }

  // ---- test API ----

  newId(): string {
    this.nextId += 1n + BigInt(Math.floor(this.rng() * 1000));
    return this.nextId.toString();
  }

  /** Adds a trade (money as 元 strings, times in China time); missing parts get plausible defaults. */
  addTrade(input: FakeTradeInput = {}): FakeTopTrade {
    const now = this.clock().getTime();
    const tid = input.tid ?? this.newId();
    const lines = (input.lines ?? [{ outer_sku_id: 'BRK-2026-01', price: '299.00', num: 1 }]).map((line) => ({
      oid: line.oid ?? this.newId(),
      num_iid: String(600_000_000_000 + Math.floor(this.rng() * 1e9)),
      outer_sku_id: line.outer_sku_id,
      outer_iid: line.outer_iid,
      price: line.price,
      num: line.num,
    }));
    const promotions = (input.promotions ?? []).map((p) => ({
      id: p.on === 'trade' ? tid : lines[p.on]!.oid,
      promotion_id: p.promotion_id,
      promotion_name: p.promotion_name ?? p.promotion_id,
      discount_fee: p.discount_fee,
    }));
    const goods = lines.reduce((sum, l) => sum + yuanToFen(l.price) * l.num, 0);
    const discounts = promotions.reduce((sum, p) => sum + yuanToFen(p.discount_fee), 0);
    const postFee = input.post_fee ?? '0.00';
    const created = input.created ?? chinaTime(now);
    const status = input.status ?? 'WAIT_SELLER_SEND_GOODS';
    const trade: FakeTopTrade = {
      tid,
      status,
      type: 'fixed',
      created,
      modified: input.modified ?? created,
      buyer_open_uid: input.buyer_open_uid ?? `AAH${tid.slice(-8)}buyer`,
      payment:
        input.payment ??
        fenToYuan(
          goods -
            discounts +
            yuanToFen(postFee) -
            (input.tmall_coupon_fee ?? 0) -
            yuanToFen(input.platform_subsidy_fee ?? '0'),
        ),
      total_fee: fenToYuan(goods),
      post_fee: postFee,
      orders: lines,
      promotion_details: promotions,
    };
    const payTime = input.pay_time === undefined ? (status === 'WAIT_BUYER_PAY' ? undefined : created) : input.pay_time;
    if (payTime) trade.pay_time = payTime;
    if (input.tmall_coupon_fee !== undefined) trade.tmall_coupon_fee = input.tmall_coupon_fee;
    if (input.platform_subsidy_fee !== undefined) trade.platform_subsidy_fee = input.platform_subsidy_fee;
    this.trades.set(tid, trade);
    return trade;
  }

  /** `count` seeded trades modified at random instants in [from, to). */
  seedTrades(count: number, range: { from: Date; to: Date }): FakeTopTrade[] {
    const out: FakeTopTrade[] = [];
    const span = range.to.getTime() - range.from.getTime();
    for (let i = 0; i < count; i++) {
      const at = range.from.getTime() + Math.floor((this.rng() * span) / 1000) * 1000;
      const lines = Array.from({ length: 1 + Math.floor(this.rng() * 3) }, (_, j) => ({
        outer_sku_id: `BRK-SEED-${j + 1}`,
        price: fenToYuan(1 + Math.floor(this.rng() * 50_000)),
        num: 1 + Math.floor(this.rng() * 4),
      }));
      const promotions =
        this.rng() < 0.4
          ? [{ on: 'trade' as const, promotion_id: `mjs-${100000 + i}_${200000 + i}`, discount_fee: '1.00' }]
          : [];
      out.push(this.addTrade({ created: chinaTime(at), modified: chinaTime(at), lines, promotions }));
    }
    return out;
  }

  trade(tid: string): FakeTopTrade | undefined {
    return this.trades.get(tid);
  }

  /** Changes a trade as the platform does: `modified` becomes now (unless the change sets it). */
  modifyTrade(tid: string, change: Partial<FakeTopTrade> = {}): FakeTopTrade {
    const trade = this.trades.get(tid);
    if (!trade) throw new Error(`fake taobao: no trade ${tid}`);
    Object.assign(trade, { modified: chinaTime(this.clock()) }, change);
    return trade;
  }

  setInvoiceAmounts(tid: string, consumer: number, platform: number): void {
    this.invoiceOverrides.set(tid, { consumer, platform });
  }

  /** Queues a TMC message about a trade; `copies` > 1 queues the same message id more than once. */
  queueMessage(
    input: { topic: string; tid: string; payment?: string; oid?: string; id?: string; content?: string },
    copies = 1,
  ): string {
    const id = input.id ?? this.newId();
    const trade = this.trades.get(input.tid);
    const content =
      input.content ??
      topJson({
        buyer_nick: 't**1',
        payment: input.payment ?? trade?.payment ?? '0.00',
        oid: input.oid ?? trade?.orders[0]?.oid ?? input.tid,
        tid: input.tid,
        type: 'guarantee_trade',
        seller_nick: 'brake-shop',
      });
    for (let i = 0; i < copies; i++) {
      this.messages.push({ id, topic: input.topic, content, pub_time: chinaTime(this.clock()), visibleAt: 0 });
    }
    return id;
  }

  /** Messages not confirmed yet (in flight or queued). */
  pendingMessages(): string[] {
    return [...new Set(this.messages.map((m) => m.id))];
  }

  addBill(input: Partial<FakeBill> & { trade_id: string; amountFen: number; pay_time: string }): FakeBill {
    const bill: FakeBill = {
      bid: input.bid ?? this.newId(),
      account_id: input.account_id ?? '101',
      order_id: input.order_id ?? input.trade_id,
      biz_time: input.biz_time ?? input.pay_time,
      book_time: input.book_time ?? input.pay_time,
      ...input,
    } as FakeBill;
    this.bills.push(bill);
    return bill;
  }

  /** Every call answers code 7 for the next `seconds`. */
  ban(seconds: number): void {
    this.bannedUntil = this.clock().getTime() + seconds * 1000;
  }

  /** Runs `hook` before answering each later call of `method` (nth counts that method's calls from 1). */
  onCall(method: string, hook: Hook): () => void {
    this.hooks.set(method, [...(this.hooks.get(method) ?? []), hook]);
    return () =>
      this.hooks.set(
        method,
        (this.hooks.get(method) ?? []).filter((h) => h !== hook),
      );
  }

  callsOf(method: string): FakeTopCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  /** The signature the fake expects (its own implementation, not the client's). */
  expectedSign(params: Record<string, string>): string {
    const s = Object.keys(params)
      .filter((k) => k !== 'sign' && params[k] !== '')
      .sort()
      .map((k) => k + params[k])
      .join('');
    const method = params.sign_method ?? 'md5';
    if (method === 'md5')
      return createHash('md5')
        .update(this.secret + s + this.secret, 'utf8')
        .digest('hex')
        .toUpperCase();
    const algo = method === 'hmac' ? this.options.hmacHash : 'sha256';
    return createHmac(algo, this.secret).update(s, 'utf8').digest('hex').toUpperCase();
  }

  // ---- the gateway ----

  private answer(params: Record<string, string>): string {
    const method = params.method ?? '';
    const call: FakeTopCall = { at: this.clock(), method, params, code: null };
    this.calls.push(call);
    try {
      const reply = this.dispatch(method, params);
      const key = `${method.replace(/^taobao\./, '').replace(/\./g, '_')}_response`;
      return topJson({ [key]: { ...reply, request_id: this.requestId() } });
    } catch (err) {
      if (!(err instanceof TopError)) throw err;
      call.code = err.code;
      const body: Record<string, unknown> = { code: err.code, msg: err.message };
      if (err.subCode) body.sub_code = err.subCode;
      if (err.subMsg) body.sub_msg = err.subMsg;
      body.request_id = this.requestId();
      return topJson({ error_response: body });
    }
  }

  private requestId(): string {
    return Math.floor(this.rng() * 36 ** 8).toString(36);
  }

  private dispatch(method: string, p: Record<string, string>): Record<string, unknown> {
    const now = this.clock().getTime();
    if (!p.app_key) throw new TopError(28, 'Missing App Key');
    if (p.app_key !== this.appKey) throw new TopError(29, 'Invalid App Key');
    if (!p.sign) throw new TopError(24, 'Missing Signature');
    if (!['md5', 'hmac', 'hmac-sha256'].includes(p.sign_method ?? 'md5')) throw new TopError(25, 'Invalid Signature');
    if (p.sign !== this.expectedSign(p)) throw new TopError(25, 'Invalid Signature');
    const ts = parseChinaTime(p.timestamp);
    if (ts === null || Math.abs(ts - now) > this.options.timestampToleranceMs)
      throw new TopError(31, 'Invalid Timestamp');
    if (p.format !== undefined && p.format !== 'json') throw new TopError(32, 'Invalid Format');
    if (p.v !== '2.0') throw new TopError(33, 'Invalid Version');
    if (!p.method) throw new TopError(21, 'Missing Method');
    const handler = this.handlers[method];
    if (!handler) throw new TopError(22, 'Invalid Method');
    if (!p.session) throw new TopError(26, 'Missing Session');
    if (p.session !== this.session) throw new TopError(27, 'Invalid Session', 'invalid-sessionkey', 'SessionKey非法');
    if (now < this.bannedUntil) {
      const seconds = Math.ceil((this.bannedUntil - now) / 1000);
      throw new TopError(
        7,
        'App Call Limited',
        'accesscontrol.limited-by-app-access-count',
        `This ban will last for ${seconds} more seconds`,
      );
    }
    const nth = (this.callCounts.get(method) ?? 0) + 1;
    this.callCounts.set(method, nth);
    for (const hook of this.hooks.get(method) ?? []) hook(p, nth);
    return handler.call(this, p, now);
  }

  private readonly handlers: Record<string, (p: Record<string, string>, now: number) => Record<string, unknown>> = {
    'taobao.trades.sold.increment.get': (p) => {
      const start = required(p, 'start_modified');
      const end = required(p, 'end_modified');
      const from = parseChinaTime(start);
      const to = parseChinaTime(end);
      if (from === null || to === null || to < from) throw invalid('start_modified/end_modified');
      if (to - from > DAY_MS) throw invalid('end_modified', 'end_modified - start_modified must be at most one day');
      const fields = required(p, 'fields').split(',');
      const { pageNo, pageSize } = paging(p, 1, 100, 40);
      const matching = [...this.trades.values()]
        .filter((t) => {
          const m = parseChinaTime(t.modified)!;
          return m >= from && m <= to;
        })
        .sort((a, b) => b.modified.localeCompare(a.modified) || (BigInt(b.tid) > BigInt(a.tid) ? 1 : -1));
      const page = matching.slice((pageNo - 1) * pageSize, pageNo * pageSize);
      const trades = page.map((t) =>
        project(
          t,
          fields.filter((f) => f !== 'promotion_details'),
        ),
      );
      const reply: Record<string, unknown> = { trades: { trade: trades } };
      if (p.use_has_next === 'true') reply.has_next = pageNo * pageSize < matching.length;
      else reply.total_results = matching.length;
      return reply;
    },
    'taobao.trade.fullinfo.get': (p) => {
      const tid = required(p, 'tid');
      const fields = required(p, 'fields').split(',');
      const trade = this.trades.get(tid);
      if (!trade) throw new TopError(15, 'Remote service error', 'isv.trade-not-exist', `trade ${tid} does not exist`);
      return { trade: project(trade, fields) };
    },
    'taobao.trade.invoice.amount.get': (p) => {
      const tid = required(p, 'tid');
      const trade = this.trades.get(tid);
      if (!trade) throw new TopError(15, 'Remote service error', 'isv.trade-not-exist', `trade ${tid} does not exist`);
      const override = this.invoiceOverrides.get(tid);
      const platform = (trade.tmall_coupon_fee ?? 0) + yuanToFen(trade.platform_subsidy_fee ?? '0');
      return {
        consumer_invoice_amount: override?.consumer ?? yuanToFen(trade.payment),
        platform_invoice_amount: override?.platform ?? platform,
      };
    },
    'taobao.tmc.messages.consume': (p, now) => {
      const quantity = Number(p.quantity ?? '100');
      if (!Number.isInteger(quantity) || quantity < 10 || quantity > 200)
        throw invalid('quantity', 'quantity must be between 10 and 200');
      const out: FakeTmcMessage[] = [];
      for (const m of this.messages) {
        if (out.length >= quantity) break;
        if (m.visibleAt > now) continue;
        m.visibleAt = now + this.options.redeliverAfterMs;
        out.push(m);
      }
      return {
        messages: {
          tmc_message: out.map((m) => ({
            id: m.id,
            topic: m.topic,
            content: m.content,
            pub_time: m.pub_time,
            pub_app_key: this.appKey,
            user_id: '2200700000001',
            user_nick: 'brake-shop',
          })),
        },
      };
    },
    'taobao.tmc.messages.confirm': (p) => {
      const ids = required(p, 's_message_ids').split(',').filter(Boolean);
      if (ids.length > 200) throw invalid('s_message_ids', 'at most 200 ids');
      this.confirmed.push(...ids);
      const done = new Set(ids);
      this.messages = this.messages.filter((m) => !done.has(m.id));
      return { is_success: true };
    },
    'taobao.bill.bills.get': (p) => {
      const from = parseChinaTime(required(p, 'start_time'));
      const to = parseChinaTime(required(p, 'end_time'));
      if (from === null || to === null || to < from) throw invalid('start_time/end_time');
      if (to - from > DAY_MS) throw invalid('end_time', 'end_time - start_time must be at most one day');
      const timeType = p.time_type ?? '2';
      if (timeType !== '1' && timeType !== '2') throw invalid('time_type');
      const { pageNo, pageSize } = paging(p, 40, 100, 40);
      const matching = this.bills
        .filter((b) => {
          const t = parseChinaTime(timeType === '1' ? b.biz_time : b.pay_time)!;
          return t >= from && t <= to;
        })
        .sort((a, b) => (BigInt(a.bid) < BigInt(b.bid) ? -1 : 1));
      const page = matching.slice((pageNo - 1) * pageSize, pageNo * pageSize);
      return {
        bills: {
          bill_dto: page.map(({ amountFen, ...bill }) => ({
            ...bill,
            amount: this.options.billAmountUnit === 'fen' ? amountFen : amountFen / 100,
            total_amount: this.options.billAmountUnit === 'fen' ? Math.abs(amountFen) : Math.abs(amountFen) / 100,
            status: 1,
          })),
        },
        total_results: matching.length,
        has_next: pageNo * pageSize < matching.length,
      };
    },
  };
}

function required(p: Record<string, string>, name: string): string {
  const v = p[name];
  if (v === undefined || v === '') throw new TopError(40, 'Missing Required Arguments', `missing-parameter:${name}`);
  return v;
}

function invalid(name: string, why = `invalid ${name}`): TopError {
  return new TopError(41, 'Invalid Arguments', `isv.invalid-parameter:${name}`, why);
}

function paging(p: Record<string, string>, min: number, max: number, fallback: number) {
  const pageNo = Number(p.page_no ?? '1');
  const pageSize = Number(p.page_size ?? String(fallback));
  if (!Number.isInteger(pageNo) || pageNo < 1) throw invalid('page_no');
  if (!Number.isInteger(pageSize) || pageSize < min || pageSize > max)
    throw invalid('page_size', `page_size must be between ${min} and ${max}`);
  return { pageNo, pageSize };
}

/** The asked top-level fields of a trade, lists wrapped as TOP wraps them ({"order":[…]}). */
function project(trade: FakeTopTrade, fields: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const raw of fields) {
    const field = raw.trim();
    if (!(field in trade)) continue;
    const value = trade[field as keyof FakeTopTrade];
    if (field === 'orders') out.orders = { order: structuredClone(value) };
    else if (field === 'promotion_details') out.promotion_details = { promotion_detail: structuredClone(value) };
    else out[field] = value;
  }
  return out;
}
