/**
 * Fake Douyin 抖店 open platform (../shared/protocols/channels.md §1.1, §3.3), started in-process on
 * 127.0.0.1:0 with an injectable clock. Checks requests with its own signing code (not the client's):
 *
 * - POST /order/searchList, /order/orderDetail, /order/getSettleBillDetailV3 with the query string app_key,
 *   method, v=2, timestamp (unix s), access_token, sign, sign_method (hmac-sha256 or md5) and the raw body =
 *   param_json with keys sorted recursively; the HMAC is recomputed over the raw body and query.
 * - Envelope {code, msg, sub_code, sub_msg, log_id, data}; 10000 success. Refusals: 40001 missing parameter;
 *   40003 isv.app-key-invalid (not 19 digits / unknown), isv.method-invalid (method ≠ path), isv.version-invalid,
 *   isv.timestamp-invalid (outside ±skewSeconds), isv.signature-invalid, isv.access-token-no-existed,
 *   isv.access-token-expired, isv.parameter-format-invalid (a non-string value in param_json, unless
 *   stringParamsOnly is false: the official Go SDK sends typed numbers [U]), isv.parameter-invalid (size > 100,
 *   page < 0, bad times); 60000 isv.traffic-limited from a token bucket; 50002 for an unknown order.
 * - searchList filters by create/update time (inclusive), sorts by order_by/order_asc (ties by order id), pages
 *   from 0; list entries lack campaign_info / promotion_detail like the real list. orderDetail answers
 *   {shop_order_detail}. The settle bill pages with next_start_index / next_start_time / is_end and an inner
 *   code "100000"; start_index counts the rows of next_start_time already answered.
 * - A test API: add / change orders (a change sets update_time to the clock), plant settle rows, expire
 *   tokens, drain the bucket, script failures; and a push simulator that signs array bodies with app-id /
 *   event-sign and retries until {"code":0}.
 */
import { createHash, createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import type { ChannelShopConfig } from '../../../config/business-config';

export const FAKE_APP_KEY = '7012345678901234567';
export const FAKE_APP_SECRET = 'fake-douyin-secret-0123456789';
export const FAKE_TOKEN = 'fake-douyin-access-token';
export const FAKE_SHOP_ID = '88880001';

/** An int64 sent as a bare JSON number even beyond 2^53 (order/coupon ids on the wire). */
export class Int64 {
  constructor(readonly digits: string) {}
}

const RAW = '\u0000int64:';
/** JSON with Int64 values written as bare numbers. */
export function wireJson(value: unknown): string {
  return JSON.stringify(value, (_key, v) => (v instanceof Int64 ? `${RAW}${v.digits}` : v)).replace(
    /"\\u0000int64:(-?\d+)"/g,
    '$1',
  );
}

export interface FakeSkuLine {
  outSkuId: string;
  /** Unit current price in 分 (origin_amount). */
  unitFen: number;
  quantity: number;
  /** Defaults to unitFen × quantity; set to make them disagree. */
  sumFen?: number;
  coupons?: { funder: 'shop' | 'platform' | 'talent'; couponId: string; couponType: number; amountFen: number }[];
  fullDiscounts?: {
    funder: 'shop' | 'platform' | 'talent';
    campaignId: string;
    campaignType: number;
    amountFen: number;
  }[];
  campaigns?: { campaignId: string; campaignType: number; subType: 0 | 1; amountFen: number }[];
}

export interface FakeOrderInput {
  orderId: string;
  status?: number;
  /** unix s; default the clock */
  createTime?: number;
  payTime?: number | null;
  updateTime?: number;
  buyer?: string;
  postFen?: number;
  /** Default Σ line totals + post − Σ coupons and full discounts. */
  payFen?: number;
  lines: FakeSkuLine[];
  shopId?: string;
}

/** The detail as the platform answers it (a plain JSON-able object with Int64 ids). */
export type FakeDetail = Record<string, unknown> & { order_id: string; update_time: number; create_time: number };

export interface FakeSettleRow {
  settle_time: string;
  request_no: string;
  shop_order_id: string;
  order_id: string;
  settle_amount: number;
  trade_type: number;
  [field: string]: unknown;
}

export interface FakeDouyinOptions {
  appKey?: string;
  appSecret?: string;
  clock?: () => Date;
  /** Allowed |timestamp − clock| in seconds [U: the real window is unknown]; default 600. */
  skewSeconds?: number;
  /** Refuse typed (non-string) values in param_json; default true. */
  stringParamsOnly?: boolean;
  /** Token bucket: capacity and refill per second of the clock; default effectively unlimited. */
  bucket?: { capacity: number; refillPerSecond: number };
}

export interface FakeRequestRecord {
  path: string;
  method: string | undefined;
  params: Record<string, unknown> | null;
  code: number;
  subCode: string;
}

const ENDPOINTS: Record<string, string> = {
  '/order/searchList': 'order.searchList',
  '/order/orderDetail': 'order.orderDetail',
  '/order/getSettleBillDetailV3': 'order.getSettleBillDetailV3',
};

const SUBS: Record<string, string> = {
  'isv.missing-parameter': '缺少必选参数',
  'isv.app-key-invalid': 'app_key不合法',
  'isv.method-invalid': 'method与路径不符',
  'isv.version-invalid': '版本号错误',
  'isv.timestamp-invalid': 'timestamp已过期',
  'isv.signature-invalid': '签名校验失败',
  'isv.access-token-no-existed': 'access_token不存在，请使用最新的access_token访问',
  'isv.access-token-expired': 'access_token已过期',
  'isv.parameter-format-invalid': '业务参数json解析失败，所有参数需为string类型',
  'isv.parameter-invalid': '参数错误',
  'isv.traffic-limited': '流量超限',
  'isv.business-failed': '订单不存在',
};

const md5 = (s: string) => createHash('md5').update(s, 'utf8').digest('hex');
const chinaTime = (seconds: number) =>
  new Date((seconds + 8 * 3600) * 1000).toISOString().slice(0, 19).replace('T', ' ');
const chinaSeconds = (text: string) => {
  if (!/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(text)) return Number.NaN;
  return Date.parse(`${text.replace(' ', 'T')}+08:00`) / 1000;
};

function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, sortedKeys((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

function allStrings(value: unknown): boolean {
  if (Array.isArray(value)) return value.every(allStrings);
  if (value && typeof value === 'object') return Object.values(value).every(allStrings);
  return typeof value === 'string';
}

class ApiRefusal extends Error {
  constructor(
    readonly code: number,
    readonly subCode: string,
  ) {
    super(subCode);
  }
}

export class FakeDouyin {
  readonly appKey: string;
  readonly appSecret: string;
  readonly requests: FakeRequestRecord[] = [];
  skewSeconds: number;
  stringParamsOnly: boolean;
  url = '';
  private readonly clock: () => Date;
  private readonly orders = new Map<string, FakeDetail>();
  private readonly settleRows: FakeSettleRow[] = [];
  private readonly tokens = new Map<string, number | null>();
  private bucket: { capacity: number; refillPerSecond: number; level: number; at: number };
  private readonly scripted: { path: string; code: number; subCode: string }[] = [];
  private readonly afterCall: ((path: string) => void)[] = [];
  private server: Server | null = null;
  private logSeq = 0;

  constructor(options: FakeDouyinOptions = {}) {
    this.appKey = options.appKey ?? FAKE_APP_KEY;
    this.appSecret = options.appSecret ?? FAKE_APP_SECRET;
    this.clock = options.clock ?? (() => new Date());
    this.skewSeconds = options.skewSeconds ?? 600;
    this.stringParamsOnly = options.stringParamsOnly ?? true;
    const b = options.bucket ?? { capacity: 1_000_000, refillPerSecond: 1_000_000 };
    this.bucket = { ...b, level: b.capacity, at: this.clock().getTime() };
    this.tokens.set(FAKE_TOKEN, null);
  }

  private nowS(): number {
    return Math.floor(this.clock().getTime() / 1000);
  }

  async start(): Promise<string> {
    const app = new Koa();
    app.use(async (ctx) => {
      const chunks: Buffer[] = [];
      for await (const chunk of ctx.req) chunks.push(chunk as Buffer);
      ctx.body = this.handle(ctx.path, ctx.method, ctx.query as Record<string, string>, Buffer.concat(chunks));
      ctx.type = 'application/json';
    });
    this.server = createServer(app.callback());
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  // ---- test API --------------------------------------------------------------------------------------------

  /** Adds (or replaces) an order; returns its detail. */
  addOrder(input: FakeOrderInput): FakeDetail {
    const now = this.nowS();
    const status = input.status ?? 2;
    const createTime = input.createTime ?? now;
    const payTime = input.payTime === undefined ? (status === 1 ? 0 : createTime) : (input.payTime ?? 0);
    const post = input.postFen ?? 0;
    let goods = 0;
    let off = 0;
    const skuOrders = input.lines.map((line, i) => {
      const sum = line.sumFen ?? line.unitFen * line.quantity;
      goods += sum;
      const detail = (funder: 'shop' | 'platform' | 'talent') => {
        const coupons = (line.coupons ?? []).filter((c) => c.funder === funder);
        const fulls = (line.fullDiscounts ?? []).filter((f) => f.funder === funder);
        const couponAmount = coupons.reduce((s, c) => s + c.amountFen, 0);
        const fullAmount = fulls.reduce((s, f) => s + f.amountFen, 0);
        off += couponAmount + fullAmount;
        return {
          total_amount: couponAmount + fullAmount,
          coupon_amount: couponAmount,
          full_discount_amount: fullAmount,
          redpack_amount: 0,
          coupon_info: coupons.map((c) => ({
            coupon_id: new Int64(c.couponId),
            coupon_type: c.couponType,
            coupon_meta_id: `meta-${c.couponId}`,
            coupon_amount: c.amountFen,
            coupon_name: '满减券',
            share_discount_cost: { platform_cost: 0, shop_cost: c.amountFen, author_cost: 0 },
          })),
          full_discount_info: fulls.map((f) => ({
            campaign_id: new Int64(f.campaignId),
            campaign_type: f.campaignType,
            campaign_amount: f.amountFen,
            campaign_name: '平台满减',
          })),
        };
      };
      return {
        order_id: `${input.orderId.slice(0, -2)}${String(i + 1).padStart(2, '0')}`,
        parent_order_id: input.orderId,
        product_id: new Int64(`35${input.orderId.slice(-10)}${i}`),
        sku_id: new Int64(`17${input.orderId.slice(-10)}${i}`),
        out_sku_id: line.outSkuId,
        code: line.outSkuId,
        item_num: line.quantity,
        origin_amount: line.unitFen,
        sum_amount: sum,
        campaign_info: (line.campaigns ?? []).map((c) => ({
          campaign_id: new Int64(c.campaignId),
          campaign_type: c.campaignType,
          campaign_amount: c.amountFen,
          campaign_sub_type: c.subType,
          share_discount_cost: { platform_cost: 0, shop_cost: c.amountFen, author_cost: 0 },
        })),
        promotion_detail: {
          shop_discount_detail: detail('shop'),
          platform_discount_detail: detail('platform'),
          kol_discount_detail: detail('talent'),
        },
        product_name: '刹车片',
      };
    });
    const order: FakeDetail = {
      shop_id: new Int64(input.shopId ?? FAKE_SHOP_ID),
      order_id: input.orderId,
      order_status: status,
      main_status: status,
      create_time: createTime,
      pay_time: payTime,
      update_time: input.updateTime ?? now,
      finish_time: 0,
      order_amount: goods + post,
      pay_amount: input.payFen ?? Math.max(0, goods + post - off),
      post_amount: post,
      modify_amount: 0,
      doudian_open_id: input.buyer ?? `open-${input.orderId}`,
      encrypt_post_tel: '#enc#',
      encrypt_post_receiver: '#enc#',
      sku_order_list: skuOrders,
    };
    this.orders.set(input.orderId, order);
    return order;
  }

  /** Changes an order as the platform would: fields set, update_time = the clock (or `updateTime`). */
  changeOrder(orderId: string, fields: Record<string, unknown>, updateTime?: number): FakeDetail {
    const order = this.orders.get(orderId);
    if (!order) throw new Error(`fake douyin: no order ${orderId}`);
    Object.assign(order, fields, { update_time: updateTime ?? this.nowS() });
    return order;
  }

  order(orderId: string): FakeDetail | undefined {
    return this.orders.get(orderId);
  }

  plantSettlement(
    row: Partial<FakeSettleRow> &
      Pick<FakeSettleRow, 'settle_time' | 'request_no' | 'shop_order_id' | 'settle_amount' | 'trade_type'>,
  ): void {
    this.settleRows.push({ order_id: row.shop_order_id, ...row } as FakeSettleRow);
  }

  expireToken(token = FAKE_TOKEN): void {
    this.tokens.set(token, this.nowS() - 1);
  }

  /** Empties the token bucket: the next call is refused with 60000 until it refills. */
  drainBucket(capacity = 1, refillPerSecond = 0): void {
    this.bucket = { capacity, refillPerSecond, level: 0, at: this.clock().getTime() };
  }

  /** The next call to `path` is answered with this error envelope instead. */
  failNext(path: string, code: number, subCode: string): void {
    this.scripted.push({ path, code, subCode });
  }

  /** Runs after each successful call (e.g. to change orders while a client pages). */
  onCall(fn: (path: string) => void): void {
    this.afterCall.push(fn);
  }

  /** A correctly signed call with the given param_json (any types), as another client would send it. */
  async signedCall(
    path: string,
    params: Record<string, unknown>,
    options: { timestamp?: number; secret?: string; method?: string; signMethod?: 'hmac-sha256' | 'md5' } = {},
  ): Promise<Record<string, unknown>> {
    const paramJson = JSON.stringify(sortedKeys(params));
    const method = options.method ?? ENDPOINTS[path] ?? path.slice(1).replace(/\//g, '.');
    const timestamp = String(options.timestamp ?? this.nowS());
    const signMethod = options.signMethod ?? 'hmac-sha256';
    const sign = this.sign(method, paramJson, timestamp, signMethod, options.secret ?? this.appSecret);
    const query = new URLSearchParams({
      app_key: this.appKey,
      method,
      v: '2',
      timestamp,
      access_token: FAKE_TOKEN,
      sign,
      sign_method: signMethod,
    });
    const response = await fetch(`${this.url}${path}?${query}`, { method: 'POST', body: paramJson });
    return (await response.json()) as Record<string, unknown>;
  }

  // ---- the gateway -----------------------------------------------------------------------------------------

  private sign(method: string, paramJson: string, timestamp: string, signMethod: string, secret: string): string {
    const pattern = `${secret}app_key${this.appKey}method${method}param_json${paramJson}timestamp${timestamp}v2${secret}`;
    return signMethod === 'md5' ? md5(pattern) : createHmac('sha256', secret).update(pattern, 'utf8').digest('hex');
  }

  private envelope(code: number, subCode: string, data?: unknown): string {
    this.logSeq++;
    const body: Record<string, unknown> = {
      code,
      msg: code === 10000 ? 'success' : code === 60000 ? '流量超限' : '非法的参数',
      sub_code: subCode,
      sub_msg: subCode ? (SUBS[subCode] ?? '') : '',
      log_id: `2026fake${String(this.logSeq).padStart(8, '0')}`,
    };
    if (data !== undefined) body.data = data;
    return wireJson(body);
  }

  private handle(path: string, httpMethod: string, query: Record<string, string>, body: Buffer): string {
    const record: FakeRequestRecord = { path, method: query.method, params: null, code: 10000, subCode: '' };
    this.requests.push(record);
    try {
      const data = this.check(path, httpMethod, query, body, record);
      for (const fn of this.afterCall) fn(path);
      return this.envelope(10000, '', data);
    } catch (err) {
      if (!(err instanceof ApiRefusal)) throw err;
      record.code = err.code;
      record.subCode = err.subCode;
      return this.envelope(err.code, err.subCode);
    }
  }

  private check(
    path: string,
    httpMethod: string,
    query: Record<string, string>,
    body: Buffer,
    record: FakeRequestRecord,
  ): unknown {
    const expected = ENDPOINTS[path];
    if (!expected || httpMethod !== 'POST') throw new ApiRefusal(70000, 'isv.api-offline');
    for (const key of ['app_key', 'method', 'v', 'timestamp', 'sign', 'sign_method']) {
      if (typeof query[key] !== 'string' || query[key] === '') throw new ApiRefusal(40001, 'isv.missing-parameter');
    }
    if (!/^\d{19}$/.test(query.app_key!) || query.app_key !== this.appKey) {
      throw new ApiRefusal(40003, 'isv.app-key-invalid');
    }
    if (query.method !== expected) throw new ApiRefusal(40003, 'isv.method-invalid');
    if (query.v !== '2') throw new ApiRefusal(40003, 'isv.version-invalid');
    const ts = Number(query.timestamp);
    if (!/^\d+$/.test(query.timestamp!) || Math.abs(ts - this.nowS()) > this.skewSeconds) {
      throw new ApiRefusal(40003, 'isv.timestamp-invalid');
    }
    const raw = body.toString('utf8');
    const sign = this.sign(query.method!, raw, query.timestamp!, query.sign_method!, this.appSecret);
    if (!['hmac-sha256', 'md5'].includes(query.sign_method!) || sign !== query.sign) {
      throw new ApiRefusal(40003, 'isv.signature-invalid');
    }
    const token = query.access_token;
    if (!token || !this.tokens.has(token)) throw new ApiRefusal(40003, 'isv.access-token-no-existed');
    const expiry = this.tokens.get(token);
    if (expiry != null && expiry < this.nowS()) throw new ApiRefusal(40003, 'isv.access-token-expired');
    this.take();
    const scripted = this.scripted.findIndex((s) => s.path === path);
    if (scripted >= 0) {
      const [s] = this.scripted.splice(scripted, 1);
      throw new ApiRefusal(s!.code, s!.subCode);
    }
    let params: Record<string, unknown>;
    try {
      params = JSON.parse(raw || '{}') as Record<string, unknown>;
    } catch {
      throw new ApiRefusal(40003, 'isv.parameter-format-invalid');
    }
    if (params === null || typeof params !== 'object' || Array.isArray(params)) {
      throw new ApiRefusal(40003, 'isv.parameter-format-invalid');
    }
    record.params = params;
    if (this.stringParamsOnly && !allStrings(params)) throw new ApiRefusal(40003, 'isv.parameter-format-invalid');
    if (path === '/order/searchList') return this.searchList(params);
    if (path === '/order/orderDetail') return this.orderDetail(params);
    return this.settleBill(params);
  }

  private take(): void {
    const now = this.clock().getTime();
    const b = this.bucket;
    b.level = Math.min(b.capacity, b.level + ((now - b.at) / 1000) * b.refillPerSecond);
    b.at = now;
    if (b.level < 1) throw new ApiRefusal(60000, 'isv.traffic-limited');
    b.level -= 1;
  }

  private int(params: Record<string, unknown>, key: string, fallback?: number): number {
    const v = params[key];
    if (v === undefined || v === '') {
      if (fallback === undefined) throw new ApiRefusal(40001, 'isv.missing-parameter');
      return fallback;
    }
    const n = Number(v);
    if (!Number.isSafeInteger(n)) throw new ApiRefusal(40003, 'isv.parameter-invalid');
    return n;
  }

  private searchList(params: Record<string, unknown>) {
    const size = this.int(params, 'size', 10);
    const page = this.int(params, 'page', 0);
    if (size < 1 || size > 100 || page < 0) throw new ApiRefusal(40003, 'isv.parameter-invalid');
    const bounds = ['create_time_start', 'create_time_end', 'update_time_start', 'update_time_end'].map((k) =>
      params[k] === undefined ? null : this.int(params, k),
    );
    const [cs = null, ce = null, us = null, ue = null] = bounds;
    const orderBy = String(params.order_by ?? 'create_time');
    if (orderBy !== 'create_time' && orderBy !== 'update_time') throw new ApiRefusal(40003, 'isv.parameter-invalid');
    const asc = String(params.order_asc ?? 'false') === 'true';
    const matching = [...this.orders.values()].filter(
      (o) =>
        (cs === null || o.create_time >= cs) &&
        (ce === null || o.create_time <= ce) &&
        (us === null || o.update_time >= us) &&
        (ue === null || o.update_time <= ue),
    );
    matching.sort((a, b) => {
      const d = (a[orderBy] as number) - (b[orderBy] as number) || a.order_id.localeCompare(b.order_id);
      return asc ? d : -d;
    });
    const list = matching.slice(page * size, page * size + size).map((o) => ({
      ...o,
      sku_order_list: (o.sku_order_list as Record<string, unknown>[]).map(
        ({ campaign_info: _c, promotion_detail: _p, ...rest }) => rest,
      ),
    }));
    return { page, size, total: matching.length, shop_order_list: list };
  }

  private orderDetail(params: Record<string, unknown>) {
    const id = params.shop_order_id;
    if (typeof id !== 'string' && typeof id !== 'number') throw new ApiRefusal(40001, 'isv.missing-parameter');
    const order = this.orders.get(String(id));
    if (!order) throw new ApiRefusal(50002, 'isv.business-failed');
    return { shop_order_detail: order };
  }

  private settleBill(params: Record<string, unknown>) {
    const size = this.int(params, 'size', 10);
    if (size < 1 || size > 100) throw new ApiRefusal(40003, 'isv.parameter-invalid');
    const start = chinaSeconds(String(params.start_time ?? ''));
    const end = chinaSeconds(String(params.end_time ?? ''));
    if (Number.isNaN(start) || Number.isNaN(end) || end < start) throw new ApiRefusal(40003, 'isv.parameter-invalid');
    const skip = this.int(params, 'start_index', 0);
    const rows = this.settleRows
      .filter((r) => {
        const at = chinaSeconds(r.settle_time);
        return at >= start && at <= end;
      })
      .sort(
        (a, b) => chinaSeconds(a.settle_time) - chinaSeconds(b.settle_time) || a.request_no.localeCompare(b.request_no),
      );
    const firstSecond = rows.filter((r) => chinaSeconds(r.settle_time) === start);
    const remaining = rows.slice(Math.min(skip, firstSecond.length));
    const pageRows = remaining.slice(0, size);
    const isEnd = remaining.length <= size ? 1 : 0;
    let nextTime = chinaTime(start);
    let nextIndex = '0';
    if (!isEnd) {
      const next = remaining[size]!;
      nextTime = next.settle_time;
      const answeredAtNext = pageRows.filter((r) => r.settle_time === next.settle_time).length;
      nextIndex = String(
        answeredAtNext + (next.settle_time === chinaTime(start) ? Math.min(skip, firstSecond.length) : 0),
      );
    }
    return {
      code: '100000',
      code_msg: 'success',
      data: pageRows,
      size,
      next_start_index: nextIndex,
      next_start_time: nextTime,
      is_end: isEnd,
      data_size: pageRows.length,
    };
  }

  // ---- the push simulator ----------------------------------------------------------------------------------

  /** The data of an order message as the platform sends it (ids as bare int64 numbers). */
  messageData(tag: string, orderId: string, extra: Record<string, unknown> = {}): string {
    const order = this.orders.get(orderId);
    const data: Record<string, unknown> = {
      p_id: new Int64(orderId),
      s_ids: ((order?.sku_order_list as { order_id: string }[] | undefined) ?? []).map((s) => new Int64(s.order_id)),
      shop_id: new Int64(String((order?.shop_id as Int64 | undefined)?.digits ?? FAKE_SHOP_ID)),
      order_status: order?.order_status ?? 1,
      order_type: 0,
      biz: 2,
      create_time: order?.create_time ?? this.nowS(),
      ...extra,
    };
    if (tag === '101')
      Object.assign(data, { pay_amount: order?.pay_amount ?? 0, pay_time: order?.pay_time ?? 0, pay_type: 1 });
    if (tag === '109') {
      Object.assign(data, {
        total_amount: order?.pay_amount ?? 0,
        post_amount: order?.post_amount ?? 0,
        modify_time: this.nowS(),
      });
    }
    return wireJson(data);
  }

  /**
   * POSTs one array body of messages to `url` with app-id / event-sign, retrying (up to `attempts`) until the
   * answer is {"code":0}. `sign: 'bad'` signs with a wrong secret; `appId` overrides the header.
   */
  async push(
    url: string,
    messages: { tag: string; msgId: string; data: string }[],
    options: { attempts?: number; sign?: 'good' | 'bad' | 'none'; appId?: string; body?: string } = {},
  ): Promise<{ attempts: number; status: number; reply: unknown }> {
    const body = options.body ?? JSON.stringify(messages.map((m) => ({ tag: m.tag, msg_id: m.msgId, data: m.data })));
    const secret = options.sign === 'bad' ? `${this.appSecret}x` : this.appSecret;
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'app-id': options.appId ?? this.appKey,
    };
    if (options.sign !== 'none') headers['event-sign'] = md5(`${this.appKey}${body}${secret}`);
    const attempts = options.attempts ?? 3;
    let last = { attempts: 0, status: 0, reply: null as unknown };
    for (let i = 1; i <= attempts; i++) {
      let status = 0;
      let reply: unknown = null;
      try {
        const response = await fetch(url, { method: 'POST', headers, body });
        status = response.status;
        const text = await response.text();
        try {
          reply = JSON.parse(text);
        } catch {
          reply = text;
        }
      } catch (err) {
        reply = (err as Error).message;
      }
      last = { attempts: i, status, reply };
      if ((reply as { code?: unknown } | null)?.code === 0) return last;
    }
    return last;
  }
}

/** Starts a fake; stop it with `await fake.stop()`. */
export async function startFakeDouyin(options: FakeDouyinOptions = {}): Promise<FakeDouyin> {
  const fake = new FakeDouyin(options);
  await fake.start();
  return fake;
}

/** The config of a shop on this fake (secrets in DOUYIN_TEST_SECRET / DOUYIN_TEST_TOKEN). */
export function fakeShopConfig(fake: FakeDouyin, overrides: Partial<ChannelShopConfig> = {}): ChannelShopConfig {
  return {
    channel: 'douyin',
    shop: FAKE_SHOP_ID,
    name: '抖店旗舰店',
    appKey: fake.appKey,
    secretEnv: 'DOUYIN_TEST_SECRET',
    tokenEnv: 'DOUYIN_TEST_TOKEN',
    baseUrl: fake.url,
    pollEvery: 5 * 60_000,
    firstLookback: 3 * 86_400_000,
    ...overrides,
  };
}

export const FAKE_ENV = { DOUYIN_TEST_SECRET: FAKE_APP_SECRET, DOUYIN_TEST_TOKEN: FAKE_TOKEN };
