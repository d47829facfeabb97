import { ErpError } from './errors';
import { codeOf, exchangeJson, isRecord, quantityOf, textOf } from './http';
import { type HttpSend, httpSender } from '../http/keep-alive';
import type { ErpMaterial, ErpPort, ErpSaleOrder, ErpSaleOrderResult, ErpStock } from './port';
import { memoryTokenCache, type FreshToken, type InvalidateToken, type TokenCache } from './token-cache';

const LOGIN = 'Kingdee.BOS.WebApi.ServicesStub.AuthService.ValidateUser.common.kdsvc';
const QUERY = 'Kingdee.BOS.WebApi.ServicesStub.DynamicFormService.ExecuteBillQuery.common.kdsvc';
const SAVE = 'Kingdee.BOS.WebApi.ServicesStub.DynamicFormService.Save.common.kdsvc';
/** ExecuteBillQuery serves at most this many rows per call. */
export const KINGDEE_MAX_LIMIT = 2000;
const SESSION_LOST = /会话信息已丢失/;

/** One ExecuteBillQuery projection: which form, which field key feeds which of our fields. */
export interface KingdeeQuery<F extends string> {
  formId: string;
  fieldKeys: Record<F, string | undefined>;
  filter?: string;
  orderBy?: string;
}
export type KingdeeMaterialQuery = KingdeeQuery<'code' | 'name' | 'spec' | 'unit' | 'leadTimeDays'>;
export type KingdeeStockQuery = KingdeeQuery<'materialCode' | 'warehouse' | 'onHand'>;

export const KINGDEE_DEFAULT_QUERIES: { materials: KingdeeMaterialQuery; stock: KingdeeStockQuery } = {
  materials: {
    formId: 'BD_MATERIAL',
    fieldKeys: {
      code: 'FNumber',
      name: 'FName',
      spec: 'FSpecification',
      unit: 'FBaseUnitId.FName',
      leadTimeDays: undefined,
    },
    orderBy: 'FNumber ASC',
  },
  stock: {
    formId: 'STK_Inventory',
    fieldKeys: { materialCode: 'FMaterialId.FNumber', warehouse: 'FStockId.FNumber', onHand: 'FBaseQty' },
    orderBy: 'FMaterialId.FNumber ASC,FStockId.FNumber ASC',
  },
};

/**
 * How a sale order is saved (SAL_SaleOrder). Save has no idempotency key: our order number is written
 * into `referenceField` and looked up with ExecuteBillQuery before any Save.
 */
export interface KingdeeSaleOrderSettings {
  formId: string;
  /** 单据类型 (FBillTypeID) number; XSDD01_SYS is the standard sale order. */
  billType: string;
  /** 销售组织 (FSaleOrgId) number; Kingdee requires one when the user belongs to several. */
  saleOrg?: string;
  /** 结算币别 (FSaleOrderFinance.FSettleCurrId) number, e.g. PRE001 for CNY. */
  currency?: string;
  /**
   * Where our order number goes: 'FNote' (first in the header remark, the default: works whatever the
   * bill-number rule), 'FBillNo' (the bill number itself: only where the 编码规则 lets a number be given),
   * or the key of a header text field of the plant's own (e.g. F_PAEZ_Text).
   */
  referenceField: string;
  noteField: string;
  entryNoteField: string;
  entryDeliveryDateField: string;
  /** Save options sent with the Model (ValidateFlag, IsVerifyBaseDataField, IsAutoSubmitAndAudit, …). */
  saveOptions: Record<string, unknown>;
}

export const KINGDEE_DEFAULT_SALE_ORDER: KingdeeSaleOrderSettings = {
  formId: 'SAL_SaleOrder',
  billType: 'XSDD01_SYS',
  referenceField: 'FNote',
  noteField: 'FNote',
  entryNoteField: 'FEntryNote',
  entryDeliveryDateField: 'FDeliveryDate',
  saveOptions: {
    NeedReturnFields: ['FBillNo'],
    IsDeleteEntry: 'true',
    // An unknown or forbidden customer or material is refused by name instead of saved empty.
    IsVerifyBaseDataField: 'true',
    ValidateFlag: 'true',
    NumberSearch: 'true',
    IsAutoSubmitAndAudit: 'false',
  },
};

export interface KingdeeClientOptions {
  /** Up to and including the K3Cloud path, e.g. http://erp.plant.local/K3Cloud */
  baseUrl: string;
  /** 数据中心 id. */
  acctId: string;
  username: string;
  password: string;
  /** 2052 = simplified Chinese. */
  lcid?: number;
  fetch?: typeof fetch;
  /** Caches the session cookies, so several processes can share one login. */
  tokenCache?: TokenCache;
  invalidateToken?: InvalidateToken;
  now?: () => Date;
  timeoutMs?: number;
  /** Rows per ExecuteBillQuery call, at most 2000. */
  pageSize?: number;
  /** How long we trust a session before logging in again (the server's idle timeout is unconfirmed). */
  sessionTtlSeconds?: number;
  materials?: Partial<KingdeeMaterialQuery>;
  stock?: Partial<KingdeeStockQuery>;
  saleOrder?: Partial<KingdeeSaleOrderSettings>;
}

/** Kingdee K/3 Cloud WebAPI: ValidateUser sets session cookies; ExecuteBillQuery pages by StartRow/Limit. */
export class KingdeeClient implements ErpPort {
  readonly kind = 'kingdee' as const;
  private readonly send: HttpSend;
  private readonly tokenCache: TokenCache;
  private readonly invalidate: InvalidateToken;
  private readonly baseUrl: string;
  private readonly timeoutMs: number;
  private readonly pageSize: number;
  private readonly sessionKey: string;
  private readonly materials: KingdeeMaterialQuery;
  private readonly stock: KingdeeStockQuery;
  private readonly saleOrder: KingdeeSaleOrderSettings;

  constructor(private readonly options: KingdeeClientOptions) {
    this.send = httpSender(options.fetch);
    const memory = memoryTokenCache(options.now ? { now: options.now } : {});
    this.tokenCache = options.tokenCache ?? memory.tokenCache;
    this.invalidate = options.invalidateToken ?? memory.invalidateToken;
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.pageSize = options.pageSize ?? KINGDEE_MAX_LIMIT;
    // A larger Limit would be cut to 2000 by the server and look like a short last page.
    if (!Number.isInteger(this.pageSize) || this.pageSize < 1 || this.pageSize > KINGDEE_MAX_LIMIT) {
      throw new RangeError(`Kingdee pageSize must be 1..${KINGDEE_MAX_LIMIT}, got ${this.pageSize}`);
    }
    this.sessionKey = `erp:kingdee:${this.baseUrl}:${options.acctId}:${options.username}`;
    this.materials = mergeQuery(KINGDEE_DEFAULT_QUERIES.materials, options.materials);
    this.stock = mergeQuery(KINGDEE_DEFAULT_QUERIES.stock, options.stock);
    this.saleOrder = { ...KINGDEE_DEFAULT_SALE_ORDER, ...options.saleOrder };
  }

  async fetchMaterials(): Promise<ErpMaterial[]> {
    const { keys, rows } = await this.queryAll(this.materials);
    return rows.map((row, i) => {
      const code = codeOf(at(row, keys.code));
      const name = textOf(at(row, keys.name));
      if (code === undefined || name === undefined) throw badRow(this.materials.formId, i, 'code/name');
      const material: ErpMaterial = { code, name };
      const spec = textOf(at(row, keys.spec));
      const unit = textOf(at(row, keys.unit));
      const lead = quantityOf(at(row, keys.leadTimeDays));
      if (spec !== undefined) material.spec = spec;
      if (unit !== undefined) material.unit = unit;
      if (lead !== undefined) material.leadTimeDays = lead;
      return material;
    });
  }

  async fetchStock(): Promise<ErpStock[]> {
    const { keys, rows } = await this.queryAll(this.stock);
    return rows.map((row, i) => {
      const materialCode = codeOf(at(row, keys.materialCode));
      const onHand = quantityOf(at(row, keys.onHand));
      if (materialCode === undefined || onHand === undefined)
        throw badRow(this.stock.formId, i, 'material code/quantity');
      const stock: ErpStock = { materialCode, onHand };
      const warehouse = codeOf(at(row, keys.warehouse));
      if (warehouse !== undefined) stock.warehouse = warehouse;
      return stock;
    });
  }

  /** Saves a SAL_SaleOrder (not submitted or audited); never sent twice here. */
  async writeBackSaleOrder(order: ErpSaleOrder): Promise<ErpSaleOrderResult> {
    const s = this.saleOrder;
    const byNote = s.referenceField === s.noteField;
    const note = byNote ? referenceNote(order.reference, order.note) : order.note;
    const model: Record<string, unknown> = {
      FID: 0,
      FBillTypeID: { FNumber: order.typeCode ?? s.billType },
      ...(order.date ? { FDate: order.date } : {}),
      ...(s.saleOrg ? { FSaleOrgId: { FNumber: s.saleOrg } } : {}),
      FCustId: { FNumber: order.customerCode },
      ...(order.departmentCode ? { FSaleDeptId: { FNumber: order.departmentCode } } : {}),
      ...(note ? { [s.noteField]: note } : {}),
      ...(byNote ? {} : { [s.referenceField]: order.reference }),
      ...(s.currency ? { FSaleOrderFinance: { FSettleCurrId: { FNumber: s.currency } } } : {}),
      FSaleOrderEntry: order.lines.map((l) => ({
        FMaterialId: { FNumber: l.materialCode },
        FQty: l.quantity,
        ...(l.deliveryDate ? { [s.entryDeliveryDateField]: l.deliveryDate } : {}),
        ...(l.note ? { [s.entryNoteField]: l.note } : {}),
      })),
    };
    const data = { ...s.saveOptions, Model: model };
    return this.withSession(`Save ${s.formId}`, (cookie) => this.save(data, cookie, order.reference));
  }

  /** The sale order carrying our order number in the reference field, by ExecuteBillQuery; null when none. */
  async findSaleOrder(reference: string): Promise<ErpSaleOrderResult | null> {
    const s = this.saleOrder;
    const quoted = `'${reference.replaceAll("'", "''")}'`;
    const filter =
      s.referenceField === s.noteField
        ? `(${s.noteField} = ${quoted} or ${s.noteField} like '${reference.replaceAll("'", "''")} %')`
        : `${s.referenceField} = ${quoted}`;
    const data = {
      FormId: s.formId,
      FieldKeys: 'FID,FBillNo',
      FilterString: filter,
      OrderString: 'FID ASC',
      TopRowCount: 0,
      StartRow: 0,
      Limit: 1,
    };
    const [row] = await this.withSession(`${s.formId} by ${reference}`, (cookie) =>
      this.executeBillQuery(data, cookie),
    );
    if (!row) return null;
    const id = codeOf(row[0]);
    const number = codeOf(row[1]);
    if (!id || !number)
      throw new ErpError('kingdee', `${s.formId} by ${reference}: a row without FID/FBillNo`, {
        code: 'protocol',
        retryable: false,
      });
    return { id, number };
  }

  private async save(data: Record<string, unknown>, cookie: string, reference: string): Promise<ErpSaleOrderResult> {
    const formId = this.saleOrder.formId;
    const what = `Save ${formId} ${reference}`;
    let body: unknown;
    try {
      ({ body } = await exchangeJson(
        'kingdee',
        this.send,
        `${this.baseUrl}/${SAVE}`,
        {
          method: 'POST',
          headers: { 'content-type': 'application/json; charset=utf-8', cookie },
          body: JSON.stringify({ formid: formId, data }),
        },
        this.timeoutMs,
        what,
      ));
    } catch (e) {
      if (e instanceof ErpError && e.retryable)
        throw new ErpError('kingdee', `${what}: no clear answer, the order may have been saved (${e.message})`, {
          code: e.code,
          retryable: true,
          outcomeUnknown: true,
          cause: e,
        });
      throw e;
    }
    const status = anyResponseStatus(body);
    if (!status)
      throw new ErpError('kingdee', `${what}: no ResponseStatus in the answer`, {
        code: 'protocol',
        retryable: false,
        outcomeUnknown: true,
      });
    if (!isTrue(status.IsSuccess)) {
      const messages = errorMessages(status);
      const text = messages.join('; ') || 'refused';
      const erpCode = status.ErrorCode === undefined ? undefined : String(status.ErrorCode);
      throw new ErpError('kingdee', `${what}: ${text}`, {
        code: messages.some((m) => SESSION_LOST.test(m)) ? 'session' : 'api',
        retryable: false,
        erpMessage: text,
        ...(erpCode ? { erpCode } : {}),
      });
    }
    const entity = (Array.isArray(status.SuccessEntitys) ? status.SuccessEntitys : []).find(isRecord);
    const result = isRecord(body) && isRecord(body.Result) ? body.Result : {};
    const id = codeOf(entity?.Id) ?? codeOf(result.Id);
    const number = codeOf(entity?.Number) ?? codeOf(result.Number);
    if (!id || !number)
      throw new ErpError('kingdee', `${what}: saved, but the answer names no Id/Number`, {
        code: 'protocol',
        retryable: true,
        outcomeUnknown: true,
      });
    return { id, number };
  }

  /** All rows of a query, page by page; any failed page fails the whole query. */
  private async queryAll<F extends string>(
    query: KingdeeQuery<F>,
  ): Promise<{ keys: Record<F, number | undefined>; rows: unknown[][] }> {
    const fieldKeys: string[] = [];
    const keys = {} as Record<F, number | undefined>;
    for (const [field, key] of Object.entries(query.fieldKeys) as [F, string | undefined][]) {
      if (key === undefined) {
        keys[field] = undefined;
        continue;
      }
      keys[field] = fieldKeys.length;
      fieldKeys.push(key);
    }
    const rows: unknown[][] = [];
    for (let startRow = 0; ; startRow += this.pageSize) {
      const data = {
        FormId: query.formId,
        FieldKeys: fieldKeys.join(','),
        FilterString: query.filter ?? '',
        OrderString: query.orderBy ?? '',
        TopRowCount: 0,
        StartRow: startRow,
        Limit: this.pageSize,
      };
      const page = await this.withSession(`${query.formId} rows from ${startRow}`, (cookie) =>
        this.executeBillQuery(data, cookie),
      );
      for (const row of page) {
        if (row.length !== fieldKeys.length) {
          throw new ErpError(
            'kingdee',
            `${query.formId}: a row has ${row.length} values for ${fieldKeys.length} field keys`,
            { code: 'protocol', retryable: false },
          );
        }
        rows.push(row);
      }
      if (page.length < this.pageSize) return { keys, rows };
    }
  }

  /** Runs `run` with the cached session; when Kingdee says the session is lost, logs in again once. */
  private async withSession<T>(what: string, run: (cookie: string) => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt += 1) {
      const cookie = await this.tokenCache(this.sessionKey, () => this.login());
      try {
        return await run(cookie);
      } catch (e) {
        if (!(e instanceof ErpError) || e.code !== 'session') throw e;
        await this.invalidate(this.sessionKey, cookie);
        if (attempt >= 1)
          throw new ErpError('kingdee', `${what}: the session was lost again right after a new login`, {
            code: 'session',
            retryable: true,
          });
      }
    }
  }

  private async login(): Promise<FreshToken> {
    const { acctId, username, password } = this.options;
    const { headers, body } = await exchangeJson(
      'kingdee',
      this.send,
      `${this.baseUrl}/${LOGIN}`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8' },
        body: JSON.stringify({ parameters: [acctId, username, password, this.options.lcid ?? 2052] }),
      },
      this.timeoutMs,
      'ValidateUser',
    );
    if (!isRecord(body))
      throw new ErpError('kingdee', 'ValidateUser: not a JSON object', { code: 'protocol', retryable: false });
    if (body.LoginResultType !== 1) {
      const type = String(body.LoginResultType);
      throw new ErpError(
        'kingdee',
        `login refused (LoginResultType ${type}: ${textOf(body.Message) ?? 'no message'}); check ERP_ACCT_ID, ERP_USERNAME and ERP_PASSWORD`,
        { code: 'auth', retryable: false, erpCode: type },
      );
    }
    const cookie = (headers['set-cookie'] ?? [])
      .map((c) => c.split(';')[0]?.trim() ?? '')
      .filter((c) => c.includes('='))
      .join('; ');
    if (!cookie)
      throw new ErpError('kingdee', 'ValidateUser: logged in but no session cookie was set', {
        code: 'protocol',
        retryable: false,
      });
    return { token: cookie, expiresInSeconds: this.options.sessionTtlSeconds ?? 1200 };
  }

  private async executeBillQuery(data: Record<string, unknown>, cookie: string): Promise<unknown[][]> {
    const what = `ExecuteBillQuery ${String(data.FormId)} from row ${String(data.StartRow)}`;
    const { body } = await exchangeJson(
      'kingdee',
      this.send,
      `${this.baseUrl}/${QUERY}`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8', cookie },
        body: JSON.stringify({ data }),
      },
      this.timeoutMs,
      what,
    );
    const status = responseStatus(body);
    if (status) {
      const messages = errorMessages(status);
      const text = messages.join('; ') || 'refused';
      const erpCode = status.ErrorCode === undefined ? undefined : String(status.ErrorCode);
      const lost = messages.some((m) => SESSION_LOST.test(m));
      throw new ErpError('kingdee', `${what}: ${text}`, {
        code: lost ? 'session' : 'api',
        retryable: false,
        ...(erpCode ? { erpCode } : {}),
      });
    }
    if (!Array.isArray(body) || !body.every((row): row is unknown[] => Array.isArray(row))) {
      throw new ErpError('kingdee', `${what}: expected an array of rows`, { code: 'protocol', retryable: false });
    }
    return body;
  }
}

/** The ResponseStatus of a failed call: `[[{"Result":{"ResponseStatus":{…}}}]]`, or the same object bare. */
function responseStatus(body: unknown): Record<string, unknown> | undefined {
  const status = anyResponseStatus(body);
  return status && isTrue(status.IsSuccess) ? undefined : status;
}

function anyResponseStatus(body: unknown): Record<string, unknown> | undefined {
  let node: unknown = body;
  while (Array.isArray(node) && node.length === 1) node = node[0];
  if (!isRecord(node) || !isRecord(node.Result) || !isRecord(node.Result.ResponseStatus)) return undefined;
  return node.Result.ResponseStatus;
}

/** Kingdee's own examples write IsSuccess as a boolean and as the string "true"/"false". */
const isTrue = (v: unknown) => v === true || (typeof v === 'string' && v.toLowerCase() === 'true');

function errorMessages(status: Record<string, unknown>): string[] {
  return (Array.isArray(status.Errors) ? status.Errors : [])
    .map((e) => (isRecord(e) ? textOf(e.Message) : undefined))
    .filter((m): m is string => m !== undefined);
}

/** The header remark when it carries our order number: the number first, so a prefix query finds it. */
export function referenceNote(reference: string, note: string | undefined): string {
  return note ? `${reference} ${note}` : reference;
}

function mergeQuery<F extends string>(
  base: KingdeeQuery<F>,
  override: Partial<KingdeeQuery<F>> | undefined,
): KingdeeQuery<F> {
  return { ...base, ...override, fieldKeys: { ...base.fieldKeys, ...override?.fieldKeys } };
}

const at = (row: unknown[], index: number | undefined): unknown => (index === undefined ? undefined : row[index]);

function badRow(formId: string, index: number, fields: string): ErpError {
  return new ErpError('kingdee', `${formId} row ${index}: missing ${fields}`, { code: 'protocol', retryable: false });
}
