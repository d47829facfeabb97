/**
 * A wire-level fake of the JD JOS gateway (`/routerjson`), for the JD adapter's tests: a Koa app on
 * 127.0.0.1:0, seeded with orders, on an injected clock. It checks what JOS checks (the MD5 signature, the
 * access token, the timestamp's age, the arguments, a daily call quota) and answers in JOS's own shapes,
 * "responce" spelling included (../shared/protocols/channels.md §1.3, §3.3).
 *
 * Points JD does not document publicly are settings [U]: the error codes (`JOS_CODES`), the daily quota
 * (500 calls for an app in test status), the widest window (one month) and the modified-time lookback
 * (three months), whether `sortType` other than 1 really sorts ascending (`honourAscending`), and how far a
 * timestamp may be off (ten minutes).
 */
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { bodyParser } from '@koa/bodyparser';
import Koa from 'koa';

export const JOS_CODES = {
  badToken: '19',
  badSign: '20',
  badAppKey: '21',
  badTimestamp: '22',
  badArgs: '30',
  quota: '74',
} as const;

export interface JdFakeItem {
  skuId: string;
  outerSkuId: string;
  skuName: string;
  jdPrice: string;
  itemTotal: string;
  wareId: string;
}

export interface JdFakeCoupon {
  orderId: string;
  skuId: string;
  couponType: string;
  couponPrice: string;
}

/** An order as JOS sends it: money as 元 strings, times as China wall-clock strings. */
export interface JdFakeOrder {
  orderId: string;
  venderId: string;
  orderType: string;
  orderTotalPrice: string;
  orderSellerPrice: string;
  orderPayment: string;
  freightPrice: string;
  sellerDiscount: string;
  orderState: string;
  orderStartTime: string;
  modified: string;
  paymentConfirmTime: string;
  pin: string;
  open_id_buyer: string;
  xid_buyer: string;
  itemInfoList: JdFakeItem[];
  couponDetailList: JdFakeCoupon[];
}

export interface JdFakeOptions {
  appKey: string;
  secret: string;
  token: string;
  venderId: string;
  now: () => Date;
  /** Calls a day (reset at China midnight); 500 for an app in test status [U]. */
  dailyQuota?: number;
  /** The widest start_date..end_date; one month [U]. */
  maxWindowMs?: number;
  /** How far back a modified-time search may start; three months [U]. */
  lookbackMs?: number;
  /** How far the request timestamp may be off the fake's clock; ten minutes [U]. */
  timestampSkewMs?: number;
  /** false: every search answers newest first, whatever sortType says. */
  honourAscending?: boolean;
}

export interface JdFakeCall {
  method: string;
  params: Record<string, string>;
  business: Record<string, unknown> | null;
  error: string | null;
}

const CHINA = 8 * 3600_000;
export const chinaText = (d: Date) => new Date(d.getTime() + CHINA).toISOString().slice(0, 19).replace('T', ' ');
const TIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;
const parseChina = (s: string) => Date.parse(`${s.replace(' ', 'T')}+08:00`);

export function josSign(params: Record<string, string>, secret: string): string {
  const s = Object.keys(params)
    .filter((k) => k !== 'sign' && params[k] !== '')
    .sort()
    .map((k) => `${k}${params[k]}`)
    .join('');
  return createHash('md5').update(`${secret}${s}${secret}`, 'utf8').digest('hex').toUpperCase();
}

const KNOWN_STATES = new Set([
  'WAIT_SELLER_STOCK_OUT',
  'WAIT_SELLER_DELIVERY',
  'WAIT_GOODS_RECEIVE_CONFIRM',
  'FINISHED_L',
  'TRADE_CANCELED',
  'LOCKED',
  'PAUSE',
  'POP_ORDER_PAUSE',
]);

class Refusal extends Error {
  constructor(
    readonly code: string,
    readonly en: string,
    readonly zh: string,
  ) {
    super(en);
  }
}

export class FakeJd {
  readonly calls: JdFakeCall[] = [];
  private readonly orders = new Map<string, JdFakeOrder>();
  private readonly server: Server;
  private base = '';
  private quotaDay = '';
  private quotaUsed = 0;
  private seq = 0;
  readonly options: Required<JdFakeOptions>;

  constructor(options: JdFakeOptions) {
    this.options = {
      dailyQuota: 500,
      maxWindowMs: 31 * 86_400_000,
      lookbackMs: 92 * 86_400_000,
      timestampSkewMs: 10 * 60_000,
      honourAscending: true,
      ...options,
    };
    const app = new Koa();
    app.use(bodyParser({ enableTypes: ['form', 'json'], encoding: 'utf-8' }));
    app.use(async (ctx) => {
      if (ctx.path !== '/routerjson') {
        ctx.status = 404;
        return;
      }
      const fromBody = (ctx.request.body ?? {}) as Record<string, unknown>;
      const params: Record<string, string> = {};
      for (const [k, v] of Object.entries({ ...ctx.query, ...fromBody }))
        params[k] = Array.isArray(v) ? String(v[0]) : String(v);
      ctx.type = 'application/json';
      ctx.body = this.answer(params);
    });
    this.server = createServer(app.callback());
  }

  get url(): string {
    return this.base;
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Adds an order, or replaces it; `modified` defaults to the fake's now. */
  put(order: Partial<JdFakeOrder> & { orderId: string }): JdFakeOrder {
    const now = chinaText(this.options.now());
    const full: JdFakeOrder = {
      venderId: this.options.venderId,
      orderType: '22',
      orderTotalPrice: '0.00',
      orderSellerPrice: '0.00',
      orderPayment: '0.00',
      freightPrice: '0.00',
      sellerDiscount: '0.00',
      orderState: 'WAIT_SELLER_STOCK_OUT',
      orderStartTime: now,
      modified: now,
      paymentConfirmTime: now,
      pin: '',
      open_id_buyer: `open-${order.orderId}`,
      xid_buyer: '',
      itemInfoList: [],
      couponDetailList: [],
      ...order,
    };
    this.orders.set(full.orderId, full);
    return full;
  }

  /** The order as the fake holds it now. */
  order(orderId: string): JdFakeOrder | undefined {
    return this.orders.get(orderId);
  }

  /** Forgets every order (the call log and the quota stay). */
  clear(): void {
    this.orders.clear();
  }

  /** Changes an order as JD would: the fields given, and `modified` set to the fake's now. */
  modify(orderId: string, change: Partial<JdFakeOrder>): JdFakeOrder {
    const held = this.orders.get(orderId);
    if (!held) throw new Error(`fake jd: no order ${orderId}`);
    const next = { ...held, ...change, modified: change.modified ?? chinaText(this.options.now()) };
    this.orders.set(orderId, next);
    return next;
  }

  /** `n` simple orders, one a second from `start` (China time text), ids from `prefix`. */
  seed(n: number, start: Date, prefix = '3000'): JdFakeOrder[] {
    return Array.from({ length: n }, (_, i) => {
      const at = chinaText(new Date(start.getTime() + i * 1000));
      return this.put({
        orderId: `${prefix}${String(++this.seq).padStart(6, '0')}`,
        orderStartTime: at,
        paymentConfirmTime: at,
        modified: at,
        orderPayment: '10.00',
        orderTotalPrice: '10.00',
        orderSellerPrice: '10.00',
        itemInfoList: [
          { skuId: '100001', outerSkuId: 'BRK-01', skuName: 'pad', jdPrice: '10.00', itemTotal: '1', wareId: '9001' },
        ],
      });
    });
  }

  quotaLeft(): number {
    this.rollQuota();
    return this.options.dailyQuota - this.quotaUsed;
  }

  private rollQuota(): void {
    const day = chinaText(this.options.now()).slice(0, 10);
    if (day !== this.quotaDay) {
      this.quotaDay = day;
      this.quotaUsed = 0;
    }
  }

  private answer(params: Record<string, string>): unknown {
    const call: JdFakeCall = { method: params.method ?? '', params, business: null, error: null };
    this.calls.push(call);
    try {
      return this.handle(params, call);
    } catch (err) {
      if (!(err instanceof Refusal)) throw err;
      call.error = err.code;
      return { error_response: { code: err.code, zh_desc: err.zh, en_desc: err.en } };
    }
  }

  private handle(params: Record<string, string>, call: JdFakeCall): unknown {
    const o = this.options;
    const args = (en: string) => new Refusal(JOS_CODES.badArgs, en, '参数错误');
    for (const name of ['method', 'app_key', 'timestamp', 'v', 'sign', '360buy_param_json']) {
      if (!params[name]) throw args(`missing parameter ${name}`);
    }
    if (params.app_key !== o.appKey) throw new Refusal(JOS_CODES.badAppKey, 'invalid app_key', 'app_key无效');
    if (params.sign !== josSign(params, o.secret))
      throw new Refusal(JOS_CODES.badSign, 'invalid signature', '签名无效');
    if (
      !TIME.test(params.timestamp!) ||
      Math.abs(parseChina(params.timestamp!) - o.now().getTime()) > o.timestampSkewMs
    ) {
      throw new Refusal(JOS_CODES.badTimestamp, 'timestamp out of range', '时间戳错误');
    }
    if (params.access_token !== o.token)
      throw new Refusal(JOS_CODES.badToken, 'invalid access_token', 'token无效或已过期');
    if (params.v !== '2.0') throw args('v must be 2.0');
    this.rollQuota();
    if (this.quotaUsed >= o.dailyQuota) {
      throw new Refusal(JOS_CODES.quota, 'app call limit exceeded for today', '应用当日调用次数已超限');
    }
    this.quotaUsed++;
    let business: Record<string, unknown>;
    try {
      business = JSON.parse(params['360buy_param_json']!) as Record<string, unknown>;
    } catch {
      throw args('360buy_param_json is not JSON');
    }
    call.business = business;
    switch (params.method) {
      case 'jingdong.pop.order.search':
        return this.search(business, args);
      case 'jingdong.pop.order.get':
        return this.get(business, args);
      default:
        throw args(`unknown method ${params.method}`);
    }
  }

  private fields(business: Record<string, unknown>, args: (en: string) => Refusal): string[] {
    const fields = String(business.optional_fields ?? '')
      .split(',')
      .map((f) => f.trim())
      .filter(Boolean);
    if (fields.length === 0) throw args('optional_fields is required');
    return fields;
  }

  private pick(order: JdFakeOrder, fields: string[]): Record<string, unknown> {
    return Object.fromEntries(fields.filter((f) => f in order).map((f) => [f, order[f as keyof JdFakeOrder]]));
  }

  private search(b: Record<string, unknown>, args: (en: string) => Refusal): unknown {
    const o = this.options;
    const start = String(b.start_date ?? '');
    const end = String(b.end_date ?? '');
    if (!TIME.test(start) || !TIME.test(end)) throw args('start_date and end_date must be yyyy-MM-dd HH:mm:ss');
    if (parseChina(end) < parseChina(start)) throw args('end_date is before start_date');
    if (parseChina(end) - parseChina(start) > o.maxWindowMs) throw args('start_date to end_date is over one month');
    const dateType = String(b.dateType ?? '0');
    if (dateType === '0' && parseChina(start) < o.now().getTime() - o.lookbackMs) {
      throw args('modified-time searches reach three months back');
    }
    const page = Number(b.page ?? 1);
    const size = Number(b.page_size ?? 20);
    if (!Number.isInteger(page) || page < 1) throw args('page must be 1 or more');
    if (!Number.isInteger(size) || size < 1 || size > 100) throw args('page_size must be 1 to 100');
    const fields = this.fields(b, args);
    const states = new Set(
      String(b.order_state ?? '')
        .split(',')
        .filter(Boolean),
    );
    const unknown = [...states].find((s) => !KNOWN_STATES.has(s));
    if (unknown) {
      // JOS answers a bad business value with HTTP 200 and apiResult.success false, not error_response.
      return {
        jingdong_pop_order_search_responce: {
          code: '0',
          searchorderinfo_result: {
            orderInfoList: [],
            orderTotal: 0,
            apiResult: {
              success: false,
              englishErrCode: `invalid order_state ${unknown}`,
              chineseErrCode: '订单状态错误',
              numberCode: 10100021,
            },
          },
        },
      };
    }
    const key = dateType === '1' ? 'orderStartTime' : 'modified';
    const descending = String(b.sortType ?? '') === '1' || !o.honourAscending;
    const hits = [...this.orders.values()]
      .filter(
        (order) => order[key] >= start && order[key] <= end && (states.size === 0 || states.has(order.orderState)),
      )
      .sort((x, y) => (x[key] === y[key] ? x.orderId.localeCompare(y.orderId) : x[key] < y[key] ? -1 : 1));
    if (descending) hits.reverse();
    const slice = hits.slice((page - 1) * size, page * size);
    return {
      jingdong_pop_order_search_responce: {
        code: '0',
        searchorderinfo_result: {
          orderInfoList: slice.map((order) => this.pick(order, fields)),
          orderTotal: hits.length,
          apiResult: { success: true, englishErrCode: '', chineseErrCode: '', numberCode: 0 },
        },
      },
    };
  }

  private get(b: Record<string, unknown>, args: (en: string) => Refusal): unknown {
    const id = String(b.order_id ?? '');
    if (id === '') throw args('order_id is required');
    const fields = this.fields(b, args);
    const order = this.orders.get(id);
    return {
      jingdong_pop_order_get_responce: {
        code: '0',
        orderDetailInfo: {
          orderInfo: order ? this.pick(order, fields) : null,
          apiResult: { success: true, englishErrCode: '', chineseErrCode: '', numberCode: 0 },
        },
      },
    };
  }
}
