import { ErpError } from './errors';
import { codeOf, type ErpRequest, exchangeJson, isRecord, quantityOf, textOf } from './http';
import { type HttpSend, httpSender } from '../http/keep-alive';
import type { ErpMaterial, ErpPort, ErpSaleOrder, ErpSaleOrderResult, ErpStock } from './port';
import { memoryTokenCache, type FreshToken, type InvalidateToken, type TokenCache } from './token-cache';

type Row = Record<string, unknown>;

/** Column names inside U8 entity rows; they differ between U8 versions, so take them from the tenant's API docs. */
export interface U8InventoryFields {
  code: string;
  name: string;
  spec: string;
  unit: string;
  leadTimeDays: string;
}
export interface U8StockFields {
  materialCode: string;
  warehouse: string;
  onHand: string;
}

export const U8_DEFAULT_FIELDS: { inventory: U8InventoryFields; currentstock: U8StockFields } = {
  inventory: { code: 'code', name: 'name', spec: 'specs', unit: 'main_measure', leadTimeDays: 'fixedleadtime' },
  currentstock: { materialCode: 'invcode', warehouse: 'whcode', onHand: 'iquantity' },
};

export interface U8ClientOptions {
  /** The OpenAPI gateway, e.g. https://api.yonyouup.com */
  baseUrl: string;
  appKey: string;
  appSecret: string;
  /** The developer account that owns the app. */
  fromAccount: string;
  /** The enterprise account that approved the app. */
  toAccount: string;
  /** Picks the data source (账套) when the enterprise has several. */
  dsSequence?: string;
  fetch?: typeof fetch;
  tokenCache?: TokenCache;
  invalidateToken?: InvalidateToken;
  /** The clock of the default in-memory token cache. */
  now?: () => Date;
  timeoutMs?: number;
  rowsPerPage?: number;
  /**
   * errcodes that mean "token expired or invalid" (the real values are unconfirmed); an errmsg that
   * mentions the token counts too.
   */
  tokenErrcodes?: string[];
  fields?: { inventory?: Partial<U8InventoryFields>; currentstock?: Partial<U8StockFields> };
  /** Polling the result URL of an asynchronous write. */
  resultPolling?: { intervalMs?: number; attempts?: number };
  saleOrder?: Partial<U8SaleOrderFields>;
}

/** Where a written sale order's values go (the entry date fields are unconfirmed: check the tenant's API docs). */
export interface U8SaleOrderFields {
  /** Header 预发货日期: the earliest line's date. */
  headerDeliveryDate: string;
  /** Entry 预发货日期 (SO_SODetails.dPreDate). */
  entryDeliveryDate: string;
  /** errcodes of saleorder/get that mean "no such order"; an errmsg saying 不存在 / 未找到 counts too. */
  notFoundErrcodes: string[];
}

export const U8_DEFAULT_SALE_ORDER_FIELDS: U8SaleOrderFields = {
  headerDeliveryDate: 'dpredatebt',
  entryDeliveryDate: 'dpredate',
  notFoundErrcodes: [],
};
const NOT_FOUND = /不存在|未找到|没有找到|not (be )?found/i;

export const U8_DEFAULT_TOKEN_ERRCODES = ['20002', '20003'];

/** Yonyou U8 OpenAPI: token, then GET reads with the common parameters; batch reads page by page_index. */
export class U8Client implements ErpPort {
  readonly kind = 'u8' as const;
  private readonly send: HttpSend;
  private readonly tokenCache: TokenCache;
  private readonly invalidate: InvalidateToken;
  private readonly baseUrl: string;
  private readonly timeoutMs: number;
  private readonly rowsPerPage: number;
  private readonly tokenErrcodes: Set<string>;
  private readonly fields: { inventory: U8InventoryFields; currentstock: U8StockFields };
  private readonly tokenKey: string;
  private readonly saleOrderFields: U8SaleOrderFields;

  constructor(private readonly options: U8ClientOptions) {
    this.send = httpSender(options.fetch);
    const memory = memoryTokenCache(options.now ? { now: options.now } : {});
    this.tokenCache = options.tokenCache ?? memory.tokenCache;
    this.invalidate = options.invalidateToken ?? memory.invalidateToken;
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? 15_000;
    this.rowsPerPage = options.rowsPerPage ?? 200;
    this.tokenErrcodes = new Set(options.tokenErrcodes ?? U8_DEFAULT_TOKEN_ERRCODES);
    this.fields = {
      inventory: { ...U8_DEFAULT_FIELDS.inventory, ...options.fields?.inventory },
      currentstock: { ...U8_DEFAULT_FIELDS.currentstock, ...options.fields?.currentstock },
    };
    this.tokenKey = `erp:u8:${options.fromAccount}:${options.appKey}`;
    this.saleOrderFields = { ...U8_DEFAULT_SALE_ORDER_FIELDS, ...options.saleOrder };
  }

  async fetchMaterials(): Promise<ErpMaterial[]> {
    const f = this.fields.inventory;
    const rows = await this.batchGet('/api/inventory/batch_get', 'inventory');
    return rows.map((row, i) => {
      const code = codeOf(row[f.code]);
      const name = textOf(row[f.name]);
      if (code === undefined || name === undefined) throw this.badRow('inventory', i, `${f.code}/${f.name}`);
      const material: ErpMaterial = { code, name };
      const spec = textOf(row[f.spec]);
      const unit = textOf(row[f.unit]);
      const lead = quantityOf(row[f.leadTimeDays]);
      if (spec !== undefined) material.spec = spec;
      if (unit !== undefined) material.unit = unit;
      if (lead !== undefined) material.leadTimeDays = lead;
      return material;
    });
  }

  async fetchStock(): Promise<ErpStock[]> {
    const f = this.fields.currentstock;
    const rows = await this.batchGet('/api/currentstock/batch_get', 'currentstock');
    return rows.map((row, i) => {
      const materialCode = codeOf(row[f.materialCode]);
      const onHand = quantityOf(row[f.onHand]);
      if (materialCode === undefined || onHand === undefined)
        throw this.badRow('currentstock', i, `${f.materialCode}/${f.onHand}`);
      const stock: ErpStock = { materialCode, onHand };
      const warehouse = codeOf(row[f.warehouse]);
      if (warehouse !== undefined) stock.warehouse = warehouse;
      return stock;
    });
  }

  /**
   * tradeid, then POST saleorder/add, then poll the result URL it returns. Our order number goes into the
   * order's code (订单号) and biz_id, so `findSaleOrder` can tell whether an earlier write got through. The
   * POST is never repeated here: when its outcome is unknown the error says so (`outcomeUnknown`).
   */
  async writeBackSaleOrder(order: ErpSaleOrder): Promise<ErpSaleOrderResult> {
    const trade = await this.withToken('tradeid', (token) =>
      this.call(
        'GET',
        '/system/tradeid',
        { from_account: this.options.fromAccount, app_key: this.options.appKey, token },
        'tradeid',
      ),
    );
    const tradeId = isRecord(trade.trade) ? codeOf(trade.trade.id) : undefined;
    if (!tradeId)
      throw new ErpError('u8', 'tradeid: no trade.id in the answer', { code: 'protocol', retryable: false });

    const f = this.saleOrderFields;
    const dates = order.lines.map((l) => l.deliveryDate).filter((d): d is string => d !== undefined);
    const saleorder = {
      code: order.reference,
      custcode: order.customerCode,
      ...(order.departmentCode ? { deptcode: order.departmentCode } : {}),
      ...(order.typeCode ? { typecode: order.typeCode } : {}),
      ...(order.date ? { date: order.date } : {}),
      ...(dates.length > 0 ? { [f.headerDeliveryDate]: dates.sort()[0] } : {}),
      memo: order.note ?? order.reference,
      entry: order.lines.map((l) => ({
        inventorycode: l.materialCode,
        quantity: l.quantity,
        ...(l.deliveryDate ? { [f.entryDeliveryDate]: l.deliveryDate } : {}),
      })),
    };
    let accepted: Row;
    try {
      // A token error is a refusal before any work, so withToken may safely send it again.
      accepted = await this.withToken('saleorder/add', (token) =>
        this.call(
          'POST',
          '/api/saleorder/add',
          { ...this.common(token), tradeid: tradeId, biz_id: order.reference },
          'saleorder/add',
          { saleorder },
        ),
      );
    } catch (e) {
      if (
        e instanceof ErpError &&
        (e.code === 'network' || e.code === 'timeout' || (e.code === 'http' && e.retryable))
      ) {
        throw new ErpError(
          'u8',
          `saleorder/add (tradeid ${tradeId}): no clear answer, the order may have been created`,
          { code: e.code, retryable: false, outcomeUnknown: true, cause: e },
        );
      }
      throw e;
    }
    const url = textOf(accepted.url);
    if (!url)
      throw new ErpError('u8', 'saleorder/add: no result url in the answer', {
        code: 'protocol',
        retryable: false,
        outcomeUnknown: true,
      });
    return this.pollResult(url, tradeId);
  }

  /** GET saleorder/get by our order number (the code we wrote); null when U8 says there is none. */
  async findSaleOrder(reference: string): Promise<ErpSaleOrderResult | null> {
    let body: Row;
    try {
      body = await this.withToken('saleorder/get', (token) =>
        this.call('GET', '/api/saleorder/get', { ...this.common(token), id: reference }, 'saleorder/get'),
      );
    } catch (e) {
      if (
        e instanceof ErpError &&
        e.code === 'api' &&
        (this.saleOrderFields.notFoundErrcodes.includes(e.erpCode ?? '') || NOT_FOUND.test(e.erpMessage ?? ''))
      )
        return null;
      throw e;
    }
    const found = isRecord(body.saleorder) ? body.saleorder : undefined;
    const code = found ? codeOf(found.code) : undefined;
    if (!found || code !== reference) return null;
    return { id: codeOf(found.id) ?? code, number: code };
  }

  private async pollResult(url: string, tradeId: string): Promise<ErpSaleOrderResult> {
    const intervalMs = this.options.resultPolling?.intervalMs ?? 3000;
    const attempts = this.options.resultPolling?.attempts ?? 10;
    for (let attempt = 0; attempt < attempts; attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
      let body: unknown;
      try {
        ({ body } = await exchangeJson('u8', this.send, url, { method: 'GET' }, this.timeoutMs, 'saleorder result'));
      } catch (e) {
        // The order was accepted: without its result it may or may not exist.
        if (!(e instanceof ErpError)) throw e;
        throw new ErpError('u8', `saleorder result (tradeid ${tradeId}): ${e.message}`, {
          code: e.code,
          retryable: false,
          outcomeUnknown: true,
          cause: e,
        });
      }
      if (!isRecord(body))
        throw new ErpError('u8', 'saleorder result: not a JSON object', {
          code: 'protocol',
          retryable: false,
          outcomeUnknown: true,
        });
      const errcode = String(body.errcode ?? '');
      if (errcode !== '0') {
        const errmsg = textOf(body.errmsg) ?? 'refused';
        throw new ErpError('u8', `saleorder result (tradeid ${tradeId}): ${errmsg} (errcode ${errcode})`, {
          code: 'api',
          retryable: false,
          erpCode: errcode,
          erpMessage: errmsg,
        });
      }
      const id = codeOf(body.id);
      if (id) return { id, number: id, tradeId: codeOf(body.tradeid) ?? tradeId };
    }
    throw new ErpError('u8', `saleorder result (tradeid ${tradeId}): still processing after ${attempts} polls`, {
      code: 'timeout',
      retryable: false,
      outcomeUnknown: true,
    });
  }

  /** Every page of a batch_get, or an error: a failed page fails the whole read. */
  private async batchGet(path: string, entity: string): Promise<Row[]> {
    const rows: Row[] = [];
    let pageCount = 1;
    let rowCount: number | undefined;
    for (let page = 1; page <= pageCount; page += 1) {
      const what = `${entity} page ${page}`;
      const body = await this.withToken(what, (token) =>
        this.call(
          'GET',
          path,
          { ...this.common(token), page_index: String(page), rows_per_page: String(this.rowsPerPage) },
          what,
        ),
      );
      if (page === 1) {
        const count = quantityOf(body.page_count);
        if (count === undefined || !Number.isInteger(count) || count < 0) {
          throw new ErpError('u8', `${what}: no usable page_count, cannot tell whether the list is complete`, {
            code: 'protocol',
            retryable: false,
          });
        }
        pageCount = count;
        rowCount = quantityOf(body.row_count);
      }
      const list = body[entity] ?? (pageCount === 0 ? [] : undefined);
      if (!Array.isArray(list) || !list.every(isRecord))
        throw new ErpError('u8', `${what}: no ${entity} array`, { code: 'protocol', retryable: false });
      rows.push(...list);
    }
    if (rowCount !== undefined && rowCount !== rows.length) {
      throw new ErpError(
        'u8',
        `${entity}: row_count ${rowCount} but ${rows.length} rows arrived (changed while paging?)`,
        { code: 'protocol', retryable: true },
      );
    }
    return rows;
  }

  /** Runs `run` with the cached token; on a token error, forgets that token and tries once more with a fresh one. */
  private async withToken(what: string, run: (token: string) => Promise<Row>): Promise<Row> {
    for (let attempt = 0; ; attempt += 1) {
      const token = await this.tokenCache(this.tokenKey, () => this.fetchToken());
      try {
        return await run(token);
      } catch (e) {
        if (!(e instanceof ErpError) || e.code !== 'token') throw e;
        await this.invalidate(this.tokenKey, token);
        if (attempt >= 1)
          throw new ErpError('u8', `${what}: a fresh token was refused too (${e.message})`, {
            code: 'token',
            retryable: true,
            ...(e.erpCode ? { erpCode: e.erpCode } : {}),
          });
      }
    }
  }

  private async fetchToken(): Promise<FreshToken> {
    const { appKey, appSecret, fromAccount } = this.options;
    const { body } = await exchangeJson(
      'u8',
      this.send,
      this.url('/system/token', { from_account: fromAccount, app_key: appKey, app_secret: appSecret }),
      { method: 'GET' },
      this.timeoutMs,
      'token',
    );
    if (!isRecord(body)) throw new ErpError('u8', 'token: not a JSON object', { code: 'protocol', retryable: false });
    const errcode = String(body.errcode ?? '');
    if (errcode !== '0') {
      throw new ErpError(
        'u8',
        `token refused (errcode ${errcode}: ${textOf(body.errmsg) ?? 'no message'}); check ERP_APP_KEY, ERP_APP_SECRET and ERP_FROM_ACCOUNT`,
        { code: 'auth', retryable: false, erpCode: errcode },
      );
    }
    const token = isRecord(body.token) ? body.token : {};
    const id = textOf(token.id);
    const expiresIn = quantityOf(token.expiresIn);
    if (!id || expiresIn === undefined)
      throw new ErpError('u8', 'token: no token.id / token.expiresIn in the answer', {
        code: 'protocol',
        retryable: false,
      });
    return { token: id, expiresInSeconds: expiresIn };
  }

  private common(token: string): Record<string, string> {
    const { fromAccount, toAccount, appKey, dsSequence } = this.options;
    return {
      from_account: fromAccount,
      to_account: toAccount,
      app_key: appKey,
      token,
      ...(dsSequence ? { ds_sequence: dsSequence } : {}),
    };
  }

  private async call(
    method: 'GET' | 'POST',
    path: string,
    params: Record<string, string>,
    what: string,
    json?: unknown,
  ): Promise<Row> {
    const init: ErpRequest =
      json === undefined
        ? { method }
        : { method, headers: { 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify(json) };
    const { body } = await exchangeJson('u8', this.send, this.url(path, params), init, this.timeoutMs, what);
    if (!isRecord(body)) throw new ErpError('u8', `${what}: not a JSON object`, { code: 'protocol', retryable: false });
    const errcode = String(body.errcode ?? '');
    if (errcode === '0') return body;
    const errmsg = textOf(body.errmsg) ?? '';
    const tokenError = this.tokenErrcodes.has(errcode) || /token/i.test(errmsg);
    throw new ErpError('u8', `${what}: ${errmsg || 'refused'} (errcode ${errcode})`, {
      code: tokenError ? 'token' : 'api',
      retryable: false,
      erpCode: errcode,
      ...(errmsg ? { erpMessage: errmsg } : {}),
    });
  }

  private url(path: string, params: Record<string, string>): string {
    return `${this.baseUrl}${path}?${new URLSearchParams(params).toString()}`;
  }

  private badRow(entity: string, index: number, fields: string): ErpError {
    return new ErpError(
      'u8',
      `${entity} row ${index}: missing ${fields} (check the field mapping for this U8 version)`,
      { code: 'protocol', retryable: false },
    );
  }
}
