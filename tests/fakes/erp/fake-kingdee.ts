import { randomBytes } from 'node:crypto';
import { FakeHttpServer, type FakeReply, type FakeRequest } from './http-server';
import type { Failure } from './failures';

export type KingdeeEndpoint = 'login' | 'query';
const LOGIN_PATH = '/K3Cloud/Kingdee.BOS.WebApi.ServicesStub.AuthService.ValidateUser.common.kdsvc';
const QUERY_PATH = '/K3Cloud/Kingdee.BOS.WebApi.ServicesStub.DynamicFormService.ExecuteBillQuery.common.kdsvc';
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
}

export interface FakeKingdeeOptions extends Partial<KingdeeUnconfirmed> {
  clock?: () => Date;
  credentials?: Partial<typeof KINGDEE_SECRETS>;
  /** Rows per FormId, each keyed by field key (dot paths included), in the order the ERP lists them. */
  forms?: Record<string, Record<string, unknown>[]>;
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
  private readonly settings: KingdeeUnconfirmed;
  private readonly clock: () => Date;

  constructor(options: FakeKingdeeOptions = {}) {
    this.clock = options.clock ?? (() => new Date());
    this.credentials = { ...KINGDEE_SECRETS, ...options.credentials };
    this.forms = options.forms ?? {};
    this.settings = {
      sessionTtlMs: options.sessionTtlMs ?? 20 * 60_000,
      maxLimit: options.maxLimit ?? 2000,
      badLoginType: options.badLoginType ?? 0,
      badLoginMessage: options.badLoginMessage ?? '用户名或密码错误！',
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

  private query(req: FakeRequest): unknown {
    const cookies = parseCookies(req.headers.cookie);
    const session = this.sessions.get(cookies['kdservice-sessionid'] ?? '');
    const now = this.clock().getTime();
    if (
      !session ||
      session.aspNetId !== cookies['ASP.NET_SessionId'] ||
      now - session.lastSeen > this.settings.sessionTtlMs
    ) {
      return failure(SESSION_LOST_MESSAGE);
    }
    session.lastSeen = now;
    const data = (req.body as { data?: Record<string, unknown> } | undefined)?.data;
    if (!data) return failure('参数data不能为空');
    const rows = this.forms[String(data.FormId)];
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
