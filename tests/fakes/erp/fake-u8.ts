import { randomBytes } from 'node:crypto';
import { FakeHttpServer, type FakeReply, type FakeRequest } from './http-server';
import type { Failure } from './failures';

type Row = Record<string, unknown>;
export type U8Endpoint =
  | 'token'
  | 'tradeid'
  | 'inventory'
  | 'currentstock'
  | 'saleorder/add'
  | 'saleorder/get'
  | 'result';

export const U8_SECRETS = {
  appKey: 'opa8f3c2e1d0b9a877',
  appSecret: 'fake-u8-secret-4Kq9',
  fromAccount: 'orderbot_dev',
  toAccount: 'plant_zj_001',
};

/** Where the protocol notes leave the real value open, these are the fake's settings. */
export interface U8Unconfirmed {
  /** errcode/errmsg for an expired, revoked or unknown token. */
  tokenErrcode: string;
  tokenErrmsg: string;
  /** errcode for a wrong app_secret / app_key / from_account on /system/token. */
  authErrcode: string;
  /** Larger rows_per_page values are cut to this. */
  maxRowsPerPage: number;
  /** Whether a new /system/token revokes the tokens handed out before it. */
  newTokenRevokesOld: boolean;
  /** How many result-URL polls answer "processing" before the final result. */
  pendingPolls: number;
  /** The "still processing" answer of the result URL. */
  pendingReply: Row;
  /** Whether the code (订单号) we send is kept (单据编号 allows manual numbers), or U8 numbers the order itself. */
  manualCode: boolean;
  /** saleorder/get's answer for a code U8 has no order for. */
  notFoundReply: Row;
  /** The final result for a sale order naming a customer code U8 does not know (%s: the code). */
  unknownCustomerErrmsg: string;
  /** The final result for a second order with a code already taken (%s: the code). */
  duplicateCodeErrmsg: string;
}

export interface FakeU8Options extends Partial<U8Unconfirmed> {
  clock?: () => Date;
  credentials?: Partial<typeof U8_SECRETS>;
  tokenTtlSeconds?: number;
  /** Rows as U8 sends them (field names of the tenant's U8 version). */
  inventory?: Row[];
  currentstock?: Row[];
  /** Customer codes (客户编码) U8 knows; unset: any code is accepted. */
  customers?: string[];
}

interface Token {
  appKey: string;
  expiresAt: number;
  revoked: boolean;
}
interface PendingWrite {
  tradeId: string;
  polls: number;
  final: Row;
}

const ok = (extra: Row = {}): Row => ({ errcode: '0', errmsg: '', ...extra });
const fail = (errcode: string, errmsg: string): Row => ({ errcode, errmsg });

/**
 * A fake Yonyou U8 OpenAPI gateway: /system/token, /system/tradeid, inventory and currentstock
 * batch_get (page_index from 1), saleorder/add with its asynchronous result URL.
 */
export class FakeU8 {
  readonly http: FakeHttpServer<U8Endpoint>;
  readonly credentials: typeof U8_SECRETS;
  readonly tokens = new Map<string, Token>();
  inventory: Row[];
  currentstock: Row[];
  /** Sale orders U8 has created, by id (their code), with the query parameters of the add (biz_id…). */
  readonly saleorders = new Map<string, Row>();
  customers: string[] | undefined;
  private readonly settings: U8Unconfirmed;
  private readonly clock: () => Date;
  private readonly tokenTtlSeconds: number;
  private readonly trades = new Map<string, 'issued' | 'used'>();
  private readonly writes = new Map<string, PendingWrite>();
  private seq = 1000;

  constructor(options: FakeU8Options = {}) {
    this.clock = options.clock ?? (() => new Date());
    this.credentials = { ...U8_SECRETS, ...options.credentials };
    this.tokenTtlSeconds = options.tokenTtlSeconds ?? 7200;
    this.inventory = options.inventory ?? [];
    this.currentstock = options.currentstock ?? [];
    this.customers = options.customers;
    this.settings = {
      tokenErrcode: options.tokenErrcode ?? '20002',
      tokenErrmsg: options.tokenErrmsg ?? 'token已过期或无效',
      authErrcode: options.authErrcode ?? '20001',
      maxRowsPerPage: options.maxRowsPerPage ?? 500,
      newTokenRevokesOld: options.newTokenRevokesOld ?? false,
      pendingPolls: options.pendingPolls ?? 1,
      pendingReply: options.pendingReply ?? { errcode: '0', errmsg: '处理中' },
      manualCode: options.manualCode ?? true,
      notFoundReply: options.notFoundReply ?? fail('20008', '销售订单不存在'),
      unknownCustomerErrmsg: options.unknownCustomerErrmsg ?? '客户编码%s不存在',
      duplicateCodeErrmsg: options.duplicateCodeErrmsg ?? '销售订单号%s已存在',
    };
    this.http = new FakeHttpServer((req) => this.route(req), this.clock);
  }

  get url(): string {
    return this.http.url;
  }
  get requests() {
    return this.http.requests;
  }
  callsTo(endpoint: U8Endpoint): number {
    return this.http.requests.filter((r) => r.endpoint === endpoint).length;
  }

  async start(): Promise<this> {
    await this.http.start();
    return this;
  }
  stop(): Promise<void> {
    return this.http.stop();
  }
  fail(endpoint: U8Endpoint, failure: Failure, options?: { times?: number; skip?: number }): void {
    this.http.failures.add(endpoint, failure, options);
  }
  revokeTokens(): void {
    for (const t of this.tokens.values()) t.revoked = true;
  }

  private route(req: FakeRequest): { endpoint: U8Endpoint; handle: () => FakeReply } | undefined {
    const get = req.method === 'GET';
    const q = req.query;
    if (get && req.path === '/system/token') return { endpoint: 'token', handle: () => ({ json: this.token(q) }) };
    if (get && req.path === '/system/tradeid')
      return { endpoint: 'tradeid', handle: () => ({ json: this.tradeid(q) }) };
    if (get && req.path === '/api/inventory/batch_get')
      return { endpoint: 'inventory', handle: () => ({ json: this.batchGet(q, 'inventory', this.inventory) }) };
    if (get && req.path === '/api/currentstock/batch_get') {
      return {
        endpoint: 'currentstock',
        handle: () => ({ json: this.batchGet(q, 'currentstock', this.currentstock) }),
      };
    }
    if (get && req.path === '/api/saleorder/get')
      return { endpoint: 'saleorder/get', handle: () => ({ json: this.getSaleOrder(q) }) };
    if (req.method === 'POST' && req.path === '/api/saleorder/add')
      return { endpoint: 'saleorder/add', handle: () => ({ json: this.addSaleOrder(q, req.body) }) };
    const result = /^\/api\/asyncresult\/([\w-]+)$/.exec(req.path);
    if (get && result?.[1]) {
      const id = result[1];
      return { endpoint: 'result', handle: () => ({ json: this.result(id) }) };
    }
    return undefined;
  }

  private token(q: Record<string, string>): Row {
    const c = this.credentials;
    if (q.app_key !== c.appKey || q.app_secret !== c.appSecret || q.from_account !== c.fromAccount) {
      return fail(this.settings.authErrcode, 'app_key、app_secret或from_account不正确');
    }
    if (this.settings.newTokenRevokesOld) this.revokeTokens();
    const id = randomBytes(16).toString('hex');
    this.tokens.set(id, {
      appKey: c.appKey,
      expiresAt: this.clock().getTime() + this.tokenTtlSeconds * 1000,
      revoked: false,
    });
    return ok({ token: { id, appKey: c.appKey, expiresIn: this.tokenTtlSeconds } });
  }

  /** The common parameters of every call after the token: an error reply, or undefined when they pass. */
  private checkCommon(q: Record<string, string>, needsToAccount = true): Row | undefined {
    const c = this.credentials;
    if (q.app_key !== c.appKey || q.from_account !== c.fromAccount) return fail('20004', 'app_key或from_account不正确');
    const token = q.token ? this.tokens.get(q.token) : undefined;
    if (!token || token.revoked || token.expiresAt <= this.clock().getTime())
      return fail(this.settings.tokenErrcode, this.settings.tokenErrmsg);
    if (needsToAccount && q.to_account !== c.toAccount)
      return fail('20010', `企业账号${q.to_account ?? ''}未授权该应用`);
    return undefined;
  }

  private tradeid(q: Record<string, string>): Row {
    const refused = this.checkCommon(q, false);
    if (refused) return refused;
    const id = `T${++this.seq}`;
    this.trades.set(id, 'issued');
    return ok({ trade: { id } });
  }

  private batchGet(q: Record<string, string>, entity: string, rows: Row[]): Row {
    const refused = this.checkCommon(q);
    if (refused) return refused;
    const pageIndex = Math.max(1, Number(q.page_index ?? '1') || 1);
    const perPage = Math.min(this.settings.maxRowsPerPage, Math.max(1, Number(q.rows_per_page ?? '20') || 20));
    const pageCount = Math.ceil(rows.length / perPage);
    const page = rows.slice((pageIndex - 1) * perPage, pageIndex * perPage);
    return ok({
      page_index: pageIndex,
      rows_per_page: perPage,
      row_count: rows.length,
      page_count: pageCount,
      [entity]: page,
    });
  }

  private addSaleOrder(q: Record<string, string>, body: unknown): Row {
    const refused = this.checkCommon(q);
    if (refused) return refused;
    const tradeId = q.tradeid;
    if (!tradeId || !this.trades.has(tradeId)) return fail('30001', 'tradeid无效');
    if (this.trades.get(tradeId) === 'used') return fail('30002', 'tradeid已使用');
    this.trades.set(tradeId, 'used');
    const order = (body as { saleorder?: Row } | undefined)?.saleorder;
    const entries = Array.isArray(order?.entry) ? (order.entry as Row[]) : [];
    const known = new Set(this.inventory.map((r) => r.code));
    const unknown = entries.find((e) => !known.has(e.inventorycode));
    const given = typeof order?.code === 'string' && order.code !== '' ? order.code : undefined;
    const code = given && this.settings.manualCode ? given : String(++this.seq).padStart(10, '0');
    let final: Row;
    if (!order?.custcode || entries.length === 0) final = fail('30010', '销售订单数据不完整');
    else if (this.customers && !this.customers.includes(String(order.custcode)))
      final = fail('30013', this.settings.unknownCustomerErrmsg.replace('%s', String(order.custcode)));
    else if (unknown) final = fail('30011', `存货编码${String(unknown.inventorycode)}不存在`);
    else if (this.saleorders.has(code)) final = fail('30012', this.settings.duplicateCodeErrmsg.replace('%s', code));
    else {
      this.saleorders.set(code, { ...order, code, biz_id: q.biz_id });
      final = ok({ id: code, tradeid: tradeId });
    }
    const resultId = randomBytes(6).toString('hex');
    this.writes.set(resultId, { tradeId, polls: 0, final });
    return ok({ url: `${this.url}/api/asyncresult/${resultId}` });
  }

  private getSaleOrder(q: Record<string, string>): Row {
    const refused = this.checkCommon(q);
    if (refused) return refused;
    const order = this.saleorders.get(q.id ?? '');
    return order ? ok({ saleorder: { ...order, id: order.code } }) : this.settings.notFoundReply;
  }

  private result(resultId: string): Row {
    const write = this.writes.get(resultId);
    if (!write) return fail('30020', '结果不存在');
    write.polls += 1;
    return write.polls <= this.settings.pendingPolls ? this.settings.pendingReply : write.final;
  }
}
