import { createHash } from 'node:crypto';
import { FailurePlan } from '../failure-plan';
import { header, SmsHttpServer, type RawRequest, type RawReply } from '../sms/http';

/**
 * Fake 快递100 real-time query (POST /poll/query.do, form-urlencoded customer/param/sign). Verifies the sign with
 * its own MD5 code (not the client's) and answers with the real shapes:
 *  - {message:"ok", state, status:"200", ischeck, condition, com, nu, data:[{time, ftime, context}]} newest first
 *  - {result:false, returnCode, message}: 400 bad params / unknown company / phone missing for 顺丰·中通,
 *    408 phone does not match the fixture, 500 no trace (unknown number or other carrier), 503 sign mismatch
 *  - scripted failures through `failures` (HTTP status, returnCode such as 502, slow answer)
 */

export type Kuaidi100Failure =
  | { kind: 'http'; status: number }
  | { kind: 'returnCode'; returnCode: string; message?: string }
  | { kind: 'slow'; delayMs: number };

export type Kuaidi100Endpoint = 'query';

export interface FakeTraceEvent {
  /** China local time "YYYY-MM-DD HH:mm:ss". */
  time: string;
  context: string;
}

export interface FakeTrace {
  /** 快递100 state code, e.g. "0" in transit, "3" signed. */
  state: string;
  /** Events in any order; answered newest first (or oldest first when param.order is "asc"). */
  data: FakeTraceEvent[];
  /** When set, only this carrier code finds the trace (others get returnCode 500, as in reality). */
  com?: string;
  /** When set, a sent phone must end with the same last 4 digits (else returnCode 408). */
  phone?: string;
}

export interface Kuaidi100Record {
  at: Date;
  com: string | undefined;
  num: string | undefined;
  /** As sent; tests assert on it, never log it. */
  phone: string | undefined;
  signOk: boolean;
  status: number;
  /** "200" on success, else the returnCode answered ("" for scripted HTTP failures). */
  returnCode: string;
}

export interface FakeKuaidi100Options {
  /** customer -> key (default { 'test-customer': 'test-key' }). */
  accounts?: Record<string, string>;
  clock?: () => Date;
}

/** Company codes this fake knows; others get returnCode 400 找不到对应公司. */
const KNOWN_COMPANIES = new Set([
  'shunfeng',
  'zhongtong',
  'yuantong',
  'shentong',
  'yunda',
  'jd',
  'debangwuliu',
  'ems',
  'youzhengguonei',
  'jtexpress',
  'kuayue',
]);
const PHONE_REQUIRED = new Set(['shunfeng', 'zhongtong']);

const str = (v: unknown): string | undefined =>
  typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;
const md5Upper = (s: string): string => createHash('md5').update(Buffer.from(s, 'utf8')).digest('hex').toUpperCase();

export class FakeKuaidi100 {
  readonly requests: Kuaidi100Record[] = [];
  readonly failures = new FailurePlan<Kuaidi100Endpoint, Kuaidi100Failure>();
  readonly accounts: Record<string, string>;
  private readonly traces = new Map<string, FakeTrace>();
  private readonly http = new SmsHttpServer((req) => this.handle(req));

  constructor(private readonly opts: FakeKuaidi100Options = {}) {
    this.accounts = opts.accounts ?? { 'test-customer': 'test-key' };
  }

  get url(): string {
    return this.http.url;
  }
  start(): Promise<string> {
    return this.http.start();
  }
  stop(): Promise<void> {
    return this.http.stop();
  }

  setTrace(num: string, trace: FakeTrace): this {
    this.traces.set(num, trace);
    return this;
  }
  clearTraces(): void {
    this.traces.clear();
  }
  /** Plays `failure` for the next query (after the sign check), `times` times. */
  fail(failure: Kuaidi100Failure, options: { times?: number; skip?: number } = {}): this {
    this.failures.add('query', failure, options);
    return this;
  }
  /** Requests that reached the query logic for this waybill (sign valid), i.e. billed polls. */
  pollsOf(num: string): Kuaidi100Record[] {
    return this.requests.filter((r) => r.num === num && r.signOk);
  }

  private now(): Date {
    return (this.opts.clock ?? (() => new Date()))();
  }

  private handle(req: RawRequest): RawReply {
    const form = new URLSearchParams(
      /x-www-form-urlencoded/i.test(header(req.headers, 'content-type') ?? '') ? req.body : '',
    );
    let param: Record<string, unknown> | undefined;
    try {
      const parsed: unknown = JSON.parse(form.get('param') ?? '');
      param =
        typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
          ? (parsed as Record<string, unknown>)
          : undefined;
    } catch {
      param = undefined;
    }
    const record: Kuaidi100Record = {
      at: this.now(),
      com: str(param?.com),
      num: str(param?.num),
      phone: str(param?.phone),
      signOk: false,
      status: 200,
      returnCode: '',
    };
    const reply = this.decide(req, form, param, record);
    record.status = reply.status;
    const json = reply.json as { returnCode?: string; status?: string };
    record.returnCode = reply.status === 200 ? (json.returnCode ?? json.status ?? '') : '';
    this.requests.push(record);
    return reply;
  }

  private decide(
    req: RawRequest,
    form: URLSearchParams,
    param: Record<string, unknown> | undefined,
    record: Kuaidi100Record,
  ): RawReply {
    const failure = (returnCode: string, message: string, delayMs = 0): RawReply => ({
      status: 200,
      delayMs,
      json: { result: false, returnCode, message },
    });
    if (req.method !== 'POST' || req.url.pathname !== '/poll/query.do')
      return { status: 404, json: { status: 404, error: 'Not Found' } };

    const customer = form.get('customer');
    const rawParam = form.get('param');
    const sign = form.get('sign');
    if (!customer || !rawParam || !sign) return failure('400', '提交的数据不完整，或者贵公司没授权');
    const key = this.accounts[customer];
    if (key === undefined || md5Upper(rawParam + key + customer) !== sign) return failure('503', '验证签名失败');
    record.signOk = true;

    const scripted = this.failures.take('query');
    if (scripted?.kind === 'http')
      return { status: scripted.status, json: { status: scripted.status, error: 'Internal Server Error' } };
    if (scripted?.kind === 'returnCode')
      return failure(scripted.returnCode, scripted.message ?? defaultMessage(scripted.returnCode));
    const delayMs = scripted?.kind === 'slow' ? scripted.delayMs : 0;

    const com = record.com;
    const num = record.num;
    if (!param || !com || !num) return failure('400', '提交的数据不完整，或者贵公司没授权', delayMs);
    if (!KNOWN_COMPANIES.has(com)) return failure('400', '找不到对应公司', delayMs);
    if (num.length > 32) return failure('400', '快递单号长度超过限制', delayMs);
    const phone = record.phone?.trim();
    if (PHONE_REQUIRED.has(com) && !phone) return failure('400', '顺丰和中通的单号需要填写收/寄件人电话号码', delayMs);

    const trace = this.traces.get(num);
    if (!trace || (trace.com !== undefined && trace.com !== com))
      return failure('500', '查询无结果，请隔段时间再查', delayMs);
    if (trace.phone && phone && trace.phone.replace(/\D/g, '').slice(-4) !== phone.replace(/\D/g, '').slice(-4)) {
      return failure('408', '快递公司参数异常：验证码错误', delayMs);
    }

    const data = [...trace.data]
      .sort((a, b) => (a.time < b.time ? 1 : a.time > b.time ? -1 : 0))
      .map((e) => ({ time: e.time, context: e.context, ftime: e.time }));
    if (str(param.order) === 'asc') data.reverse();
    return {
      status: 200,
      delayMs,
      json: {
        message: 'ok',
        nu: num,
        ischeck: trace.state === '3' ? '1' : '0',
        condition: trace.state === '3' ? '3' : '00',
        com,
        status: '200',
        state: trace.state,
        data,
      },
    };
  }
}

function defaultMessage(returnCode: string): string {
  switch (returnCode) {
    case '501':
      return '服务器错误';
    case '502':
      return '服务器繁忙';
    case '601':
      return 'key已过期';
    default:
      return '查询失败';
  }
}
