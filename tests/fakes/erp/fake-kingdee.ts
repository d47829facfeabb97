import { randomBytes } from 'node:crypto';
import { FakeHttpServer, type FakeReply, type FakeRequest } from './http-server';
import type { Failure } from './failures';

export type KingdeeEndpoint = 'login' | 'query' | 'save';
const LOGIN_PATH = '/K3Cloud/Kingdee.BOS.WebApi.ServicesStub.AuthService.ValidateUser.common.kdsvc';
const QUERY_PATH = '/K3Cloud/Kingdee.BOS.WebApi.ServicesStub.DynamicFormService.ExecuteBillQuery.common.kdsvc';
const SAVE_PATH = '/K3Cloud/Kingdee.BOS.WebApi.ServicesStub.DynamicFormService.Save.common.kdsvc';
export const SESSION_LOST_MESSAGE = '会话信息已丢失，请重新登录';

export const KINGDEE_SECRETS = {
  acctId: '65a0c1e2f3d4b5',
  username: 'orderbot',
  password: 'fake-kd-Pass#88',
};

/** Where the protocol notes leave the real value open, these are the fake's settings. */
export interface KingdeeUnconfirmed {
  /** Idle time after which a session is lost (sliding). */
  sessionTtlMs: number;
  /** Larger Limit values are cut to this. */
  maxLimit: number;
  /** LoginResultType and Message for a wrong user name or password. */
  badLoginType: number;
  badLoginMessage: string;
  /** Whether a FBillNo given to Save is kept (编码规则 allows it) or replaced by the next XSDD number. */
  manualBillNo: boolean;
  /** Save's refusal of a customer number Kingdee does not know (%s: the number). */
  unknownCustomerMessage: string;
  /** Save's refusal of a bill number already taken (%s: the number). */
  duplicateBillNoMessage: string;
  /** Whether IsSuccess comes as the string "true"/"false" (as in some of Kingdee's own examples) or a boolean. */
  successAsString: boolean;
}

export interface FakeKingdeeOptions extends Partial<KingdeeUnconfirmed> {
  clock?: () => Date;
  credentials?: Partial<typeof KINGDEE_SECRETS>;
  /** Rows per FormId, each keyed by field key (dot paths included), in the order the ERP lists them. */
  forms?: Record<string, Record<string, unknown>[]>;
  /** Customer numbers (BD_Customer FNumber) Save accepts; unset: any. */
  customers?: string[];
}

interface Session {
  aspNetId: string;
  lastSeen: number;
}

/**
 * A fake Kingdee K/3 Cloud WebAPI under /K3Cloud/: ValidateUser sets the two session cookies,
 * ExecuteBillQuery requires them, projects rows into FieldKeys order and pages by StartRow/Limit.
 */
export class FakeKingdee {
  readonly http: FakeHttpServer<KingdeeEndpoint>;
  readonly credentials: typeof KINGDEE_SECRETS;
  /** Live sessions by kdservice-sessionid. */
  readonly sessions = new Map<string, Session>();
  forms: Record<string, Record<string, unknown>[]>;
  customers: string[] | undefined;
  /** What Save received, per saved bill (its FBillNo): the Model and the save options. */
  readonly saved = new Map<string, { model: Record<string, unknown>; options: Record<string, unknown> }>();
  private readonly settings: KingdeeUnconfirmed;
  private nextId = 100_000;
  private readonly clock: () => Date;

  constructor(options: FakeKingdeeOptions = {}) {
    this.clock = options.clock ?? (() => new Date());
    this.credentials = { ...KINGDEE_SECRETS, ...options.credentials };
    this.forms = options.forms ?? {};
    this.customers = options.customers;
    this.settings = {
      sessionTtlMs: options.sessionTtlMs ?? 20 * 60_000,
      maxLimit: options.maxLimit ?? 2000,
      badLoginType: options.badLoginType ?? 0,
      badLoginMessage: options.badLoginMessage ?? '用户名或密码错误！',
      manualBillNo: options.manualBillNo ?? true,
      unknownCustomerMessage: options.unknownCustomerMessage ?? '字段“客户”的值“%s”在系统中不存在或未审核',
      duplicateBillNoMessage: options.duplicateBillNoMessage ?? '单据编号“%s”已存在，保存失败',
      successAsString: options.successAsString ?? false,
    };
    this.http = new FakeHttpServer((req) => this.route(req), this.clock);
  }

  /** The base URL clients take, including /K3Cloud. */
  get url(): string {
    return `${this.http.url}/K3Cloud`;
  }
  get requests() {
    return this.http.requests;
  }
  callsTo(endpoint: KingdeeEndpoint): number {
    return this.http.requests.filter((r) => r.endpoint === endpoint).length;
  }

  async start(): Promise<this> {
    await this.http.start();
    return this;
  }
  stop(): Promise<void> {
    return this.http.stop();
  }
  fail(endpoint: KingdeeEndpoint, failure: Failure, options?: { times?: number; skip?: number }): void {
    this.http.failures.add(endpoint, failure, options);
  }
  /** Every session is gone, as after an application-pool recycle. */
  dropSessions(): void {
    this.sessions.clear();
  }

  private route(req: FakeRequest): { endpoint: KingdeeEndpoint; handle: () => FakeReply } | undefined {
    if (req.method !== 'POST') return undefined;
    if (req.path === LOGIN_PATH) return { endpoint: 'login', handle: () => this.login(req.body) };
    if (req.path === QUERY_PATH) return { endpoint: 'query', handle: () => ({ json: this.query(req) }) };
    if (req.path === SAVE_PATH) return { endpoint: 'save', handle: () => ({ json: this.save(req) }) };
    return undefined;
  }

  private login(body: unknown): FakeReply {
    const [acctId, username, password] = loginParameters(body);
    const c = this.credentials;
    if (acctId !== c.acctId)
      return {
        json: { LoginResultType: this.settings.badLoginType, Message: '数据中心不存在', IsSuccessByAPI: false },
      };
    if (username !== c.username || password !== c.password) {
      return {
        json: {
          LoginResultType: this.settings.badLoginType,
          Message: this.settings.badLoginMessage,
          IsSuccessByAPI: false,
        },
      };
    }
    const sessionId = randomBytes(12).toString('hex');
    const aspNetId = randomBytes(12).toString('base64url');
    this.sessions.set(sessionId, { aspNetId, lastSeen: this.clock().getTime() });
    return {
      headers: {
        'set-cookie': [`kdservice-sessionid=${sessionId}; path=/`, `ASP.NET_SessionId=${aspNetId}; path=/; HttpOnly`],
      },
      json: {
        LoginResultType: 1,
        Message: null,
        KDSVCSessionId: sessionId,
        Context: { UserName: username, UserId: 100008, DBid: acctId, LogId: '', UserLocale: 'zh-CN' },
        IsSuccessByAPI: true,
      },
    };
  }

  /** Whether the request carries a live session (and keeps it alive). */
  private inSession(req: FakeRequest): boolean {
    const cookies = parseCookies(req.headers.cookie);
    const session = this.sessions.get(cookies['kdservice-sessionid'] ?? '');
    const now = this.clock().getTime();
    if (
      !session ||
      session.aspNetId !== cookies['ASP.NET_SessionId'] ||
      now - session.lastSeen > this.settings.sessionTtlMs
    ) {
      return false;
    }
    session.lastSeen = now;
    return true;
  }

  private query(req: FakeRequest): unknown {
    if (!this.inSession(req)) return failure(SESSION_LOST_MESSAGE);
    const data = (req.body as { data?: Record<string, unknown> } | undefined)?.data;
    if (!data) return failure('参数data不能为空');
    const filter = String(data.FilterString ?? '').trim();
    let matches: (row: Record<string, unknown>) => boolean;
    try {
      matches = filterOf(filter);
    } catch {
      return failure(`过滤条件${filter}有误`);
    }
    // Sale orders are a form every account has, saved ones or none.
    const formId = String(data.FormId);
    const rows = (this.forms[formId] ?? (formId === 'SAL_SaleOrder' ? [] : undefined))?.filter(matches);
    if (!rows) return failure(`业务对象${String(data.FormId)}不存在`);
    const keys = String(data.FieldKeys ?? '')
      .split(',')
      .map((k) => k.trim())
      .filter((k) => k !== '');
    if (keys.length === 0) return failure('FieldKeys不能为空');
    const missing = keys.find((k) => rows.length > 0 && !rows.some((r) => k in r));
    if (missing) return failure(`字段${missing}不存在`);
    const start = Number(data.StartRow ?? 0) || 0;
    const askedLimit = Number(data.Limit ?? 0) || 0;
    const limit = askedLimit > 0 ? Math.min(askedLimit, this.settings.maxLimit) : rows.length;
    return rows.slice(start, start + limit).map((r) => keys.map((k) => r[k] ?? null));
  }

  /** Save of SAL_SaleOrder: checks customer, materials and bill number, then keeps it as a SAL_SaleOrder row. */
  private save(req: FakeRequest): unknown {
    const body = (req.body ?? {}) as { formid?: string; data?: Record<string, unknown> };
    const answer = (status: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
      Result: { ResponseStatus: status, ...extra },
    });
    const success = (ok: boolean) => (this.settings.successAsString ? String(ok) : ok);
    const refuse = (message: string, fieldName: string | null = null, msgCode = 11) =>
      answer(
        {
          ErrorCode: 500,
          IsSuccess: success(false),
          Errors: [{ FieldName: fieldName, Message: message, DIndex: 0 }],
          SuccessEntitys: [],
          SuccessMessages: [],
          MsgCode: msgCode,
        },
        { Id: '', NeedReturnData: [{}] },
      );
    if (!this.inSession(req)) return refuse(SESSION_LOST_MESSAGE, null, 1);
    if (body.formid !== 'SAL_SaleOrder') return refuse(`业务对象${String(body.formid)}不存在`, null, 8);
    const data = body.data ?? {};
    const model = data.Model as Record<string, unknown> | undefined;
    if (!model) return refuse('参数Model不能为空', null, 8);
    const { Model: _, ...options } = data;
    const customer = numberOf(model.FCustId);
    if (!customer) return refuse('字段“客户”是必填项', 'FCustId');
    if (this.customers && !this.customers.includes(customer))
      return refuse(this.settings.unknownCustomerMessage.replace('%s', customer), 'FCustId');
    const entries = Array.isArray(model.FSaleOrderEntry) ? (model.FSaleOrderEntry as Record<string, unknown>[]) : [];
    if (entries.length === 0) return refuse('单据体“订单明细”至少需要一行', 'FSaleOrderEntry');
    const materials = new Set((this.forms.BD_MATERIAL ?? []).map((r) => r.FNumber));
    for (const [i, entry] of entries.entries()) {
      const material = numberOf(entry.FMaterialId);
      if (!material || !materials.has(material))
        return refuse(`第${i + 1}行，字段“物料编码”的值“${material ?? ''}”在系统中不存在或未审核`, 'FMaterialId');
    }
    this.forms.SAL_SaleOrder ??= [];
    const rows = this.forms.SAL_SaleOrder;
    const id = ++this.nextId;
    const given = typeof model.FBillNo === 'string' && model.FBillNo !== '' ? model.FBillNo : undefined;
    const billNo = given && this.settings.manualBillNo ? given : `XSDD${String(id).padStart(6, '0')}`;
    if (rows.some((r) => r.FBillNo === billNo))
      return refuse(this.settings.duplicateBillNoMessage.replace('%s', billNo), 'FBillNo');
    const header = Object.fromEntries(
      Object.entries(model).filter(([, v]) => typeof v === 'string' || typeof v === 'number'),
    );
    rows.push({ ...header, FID: id, FBillNo: billNo, 'FCustId.FNumber': customer });
    this.saved.set(billNo, { model, options });
    return answer(
      {
        IsSuccess: success(true),
        Errors: [],
        SuccessEntitys: [{ Id: id, Number: billNo, DIndex: 0 }],
        SuccessMessages: [],
        MsgCode: 0,
      },
      { Id: id, Number: billNo, NeedReturnData: [{ FBillNo: billNo }] },
    );
  }
}

const numberOf = (v: unknown): string | undefined => {
  const n = (v as { FNumber?: unknown; FNUMBER?: unknown } | undefined)?.FNumber;
  return typeof n === 'string' && n !== '' ? n : undefined;
};

/**
 * The FilterString forms the fake understands: empty, or clauses `Key = 'v'` / `Key like 'v%'` joined by
 * `and` / `or`, optionally in parentheses. Anything else throws (Kingdee would refuse it too).
 */
function filterOf(filter: string): (row: Record<string, unknown>) => boolean {
  if (filter === '') return () => true;
  const inner = filter.replace(/^\((.*)\)$/s, '$1').trim();
  const ors = inner.split(/\s+or\s+/i).map((part) =>
    part.split(/\s+and\s+/i).map((clause) => {
      const m = /^\(?\s*([\w.]+)\s*(=|like)\s*'((?:[^']|'')*)'\s*\)?$/i.exec(clause.trim());
      if (!m) throw new Error(`unsupported filter ${clause}`);
      const [, key, op, raw] = m as unknown as [string, string, string, string];
      const value = raw.replaceAll("''", "'");
      if (op === '=') return (row: Record<string, unknown>) => String(row[key] ?? '') === value;
      const pattern = new RegExp(
        `^${value
          .split('%')
          .map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
          .join('.*')}$`,
        's',
      );
      return (row: Record<string, unknown>) => pattern.test(String(row[key] ?? ''));
    }),
  );
  return (row) => ors.some((ands) => ands.every((test) => test(row)));
}

function failure(message: string): unknown {
  return [
    [
      {
        Result: {
          ResponseStatus: {
            IsSuccess: false,
            ErrorCode: 500,
            Errors: [{ FieldName: null, Message: message, DIndex: 0 }],
            SuccessEntitys: [],
            SuccessMessages: [],
            MsgCode: 0,
          },
        },
      },
    ],
  ];
}

/** Legacy `{"parameters":[acctId, user, password, lcid]}` (possibly as a JSON string) or `{acctID, username, password, lcid}`. */
function loginParameters(body: unknown): unknown[] {
  if (typeof body !== 'object' || body === null) return [];
  const b = body as Record<string, unknown>;
  let params = b.parameters;
  if (typeof params === 'string') {
    try {
      params = JSON.parse(params);
    } catch {
      return [];
    }
  }
  if (Array.isArray(params)) return params;
  return [b.acctID ?? b.acctId, b.username, b.password, b.lcid];
}

function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (header ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0) out[part.slice(0, i).trim()] = part.slice(i + 1).trim();
  }
  return out;
}
