import { createHash, createHmac, randomUUID } from 'node:crypto';
import { header, SmsHttpServer, type RawRequest, type RawReply } from './http';

/**
 * Fake Aliyun dysmsapi (SendSms 2017-05-25, ACS3-HMAC-SHA256). Verifies signatures by recomputing them
 * with its own code (not the adapter's), and answers with the real shapes:
 *  - 200 {Code:"OK",Message:"OK",BizId,RequestId}
 *  - 200 {Code:"isv.*",Message,RequestId} business errors, scripted per phone number
 *  - 400 SignatureDoesNotMatch / 404 InvalidAccessKeyId.NotFound / 400 MissingParameter / 400 Throttling.User
 *  - scripted 5xx and slow answers
 */

export type AliyunBehavior =
  | { kind: 'business'; code: string; message?: string }
  | { kind: 'http'; status: number; code: string; message?: string }
  | { kind: 'slow'; delayMs: number };

export interface AliyunRecord {
  at: Date;
  phone: string | undefined;
  signName: string | undefined;
  template: string | undefined;
  /** Parsed TemplateParam (undefined when absent or not JSON). */
  params: unknown;
  rawTemplateParam: string | undefined;
  outId: string | undefined;
  query: Record<string, string>;
  headers: Record<string, string | string[] | undefined>;
  status: number;
  code: string;
}

export const ALIYUN_SENTINELS = {
  /** isv.MOBILE_NUMBER_ILLEGAL */
  illegal: '13800000404',
  /** isv.BUSINESS_LIMIT_CONTROL (day window) */
  limited: '13800000429',
} as const;

export interface FakeAliyunOptions {
  accessKeys?: Record<string, string>;
  signNames?: string[];
  templates?: string[];
  /** Max clock skew accepted on x-acs-date, seconds (default 900). */
  maxSkewSeconds?: number;
  clock?: () => Date;
}

const enc = (s: string): string =>
  encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
const hex256 = (s: string): string => createHash('sha256').update(s, 'utf8').digest('hex');

export class FakeAliyunSms {
  readonly requests: AliyunRecord[] = [];
  readonly accessKeys: Record<string, string>;
  private readonly byPhone = new Map<string, AliyunBehavior>();
  private readonly queue: AliyunBehavior[] = [];
  private readonly http = new SmsHttpServer((req) => this.handle(req));
  private seq = 0;

  constructor(private readonly opts: FakeAliyunOptions = {}) {
    this.accessKeys = opts.accessKeys ?? { 'test-ak': 'test-secret' };
    this.byPhone.set(ALIYUN_SENTINELS.illegal, {
      kind: 'business',
      code: 'isv.MOBILE_NUMBER_ILLEGAL',
      message: '非法手机号',
    });
    this.byPhone.set(ALIYUN_SENTINELS.limited, {
      kind: 'business',
      code: 'isv.BUSINESS_LIMIT_CONTROL',
      message: '触发天级流控Permits:10',
    });
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

  /** Every request to this phone gets this behaviour. */
  onPhone(phone: string, behavior: AliyunBehavior): this {
    this.byPhone.set(phone, behavior);
    return this;
  }
  /** The next request (after signature checks) gets this behaviour, once. */
  failNext(behavior: AliyunBehavior): this {
    this.queue.push(behavior);
    return this;
  }
  /** Successful SendSms calls. */
  get delivered(): AliyunRecord[] {
    return this.requests.filter((r) => r.code === 'OK');
  }

  private handle(req: RawRequest): RawReply {
    const query: Record<string, string> = {};
    for (const [k, v] of req.url.searchParams) query[k] = v;
    if (req.body && /x-www-form-urlencoded/.test(header(req.headers, 'content-type') ?? '')) {
      for (const [k, v] of new URLSearchParams(req.body)) query[k] ??= v;
    }
    const requestId = randomUUID().toUpperCase();
    const reply = this.decide(req, query, requestId);
    const json = reply.json as { Code?: string };
    let params: unknown;
    try {
      params = query.TemplateParam === undefined ? undefined : JSON.parse(query.TemplateParam);
    } catch {
      params = undefined;
    }
    this.requests.push({
      at: this.now(),
      phone: query.PhoneNumbers,
      signName: query.SignName,
      template: query.TemplateCode,
      params,
      rawTemplateParam: query.TemplateParam,
      outId: query.OutId,
      query,
      headers: { ...req.headers },
      status: reply.status,
      code: json.Code ?? '',
    });
    return reply;
  }

  private now(): Date {
    return (this.opts.clock ?? (() => new Date()))();
  }

  private err(status: number, code: string, message: string, requestId: string): RawReply {
    return {
      status,
      json: {
        RequestId: requestId,
        Message: message,
        Recommend: 'https://api.aliyun.com/troubleshoot',
        HostId: 'dysmsapi.aliyuncs.com',
        Code: code,
      },
    };
  }

  private decide(req: RawRequest, query: Record<string, string>, requestId: string): RawReply {
    if (req.method !== 'POST' || req.url.pathname !== '/')
      return this.err(404, 'InvalidAction.NotFound', 'Specified api is not found', requestId);
    const auth = this.verify(req, query, requestId);
    if (auth) return auth;

    const scripted = this.queue.shift() ?? (query.PhoneNumbers ? this.byPhone.get(query.PhoneNumbers) : undefined);
    if (scripted?.kind === 'http')
      return this.err(scripted.status, scripted.code, scripted.message ?? scripted.code, requestId);
    const delayMs = scripted?.kind === 'slow' ? scripted.delayMs : 0;
    const biz = (code: string, message: string): RawReply => ({
      status: 200,
      delayMs,
      json: { Code: code, Message: message, RequestId: requestId },
    });
    if (scripted?.kind === 'business') return biz(scripted.code, scripted.message ?? scripted.code);

    for (const p of ['PhoneNumbers', 'SignName', 'TemplateCode'] as const) {
      if (!query[p])
        return this.err(
          400,
          `MissingParameter`,
          `The input parameter "${p}" that is mandatory for processing this request is not supplied.`,
          requestId,
        );
    }
    const phones = (query.PhoneNumbers ?? '').split(',');
    if (phones.length > 1000) return biz('isv.MOBILE_COUNT_OVER_LIMIT', '手机号码数量超过限制');
    if (!phones.every((p) => /^(?:\+?86|0086)?1\d{10}$/.test(p))) return biz('isv.MOBILE_NUMBER_ILLEGAL', '非法手机号');
    if (this.opts.signNames && !this.opts.signNames.includes(query.SignName ?? ''))
      return biz('isv.SMS_SIGNATURE_ILLEGAL', '签名不合法(不存在或被拉黑)');
    if (this.opts.templates && !this.opts.templates.includes(query.TemplateCode ?? ''))
      return biz('isv.SMS_TEMPLATE_ILLEGAL', '模板不合法(不存在或被拉黑)');
    if (query.TemplateParam !== undefined) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(query.TemplateParam);
      } catch {
        return biz('isv.INVALID_JSON_PARAM', 'JSON参数不合法，只接受字符串值');
      }
      const okShape =
        typeof parsed === 'object' &&
        parsed !== null &&
        !Array.isArray(parsed) &&
        Object.values(parsed).every((v) => typeof v === 'string');
      if (!okShape) return biz('isv.INVALID_JSON_PARAM', 'JSON参数不合法，只接受字符串值');
    }
    this.seq += 1;
    return {
      status: 200,
      delayMs,
      json: { Code: 'OK', Message: 'OK', BizId: `${900619746936498000 + this.seq}^0`, RequestId: requestId },
    };
  }

  /** Independent ACS3-HMAC-SHA256 verification. Returns an error reply, or undefined when valid. */
  private verify(req: RawRequest, query: Record<string, string>, requestId: string): RawReply | undefined {
    const authz = header(req.headers, 'authorization');
    if (!authz) return this.err(400, 'MissingAuthorization', 'Authorization is mandatory for this action.', requestId);
    const m = /^ACS3-HMAC-SHA256 Credential=([^,]+),SignedHeaders=([^,]+),Signature=([0-9a-f]+)$/.exec(authz);
    if (!m) return this.err(400, 'InvalidAuthorization', 'The specified Authorization is not valid.', requestId);
    const [, ak = '', signedHeaderList = '', signature = ''] = m;
    const secret = this.accessKeys[ak];
    if (secret === undefined)
      return this.err(404, 'InvalidAccessKeyId.NotFound', 'Specified access key is not found.', requestId);
    if (header(req.headers, 'x-acs-action') !== 'SendSms')
      return this.err(400, 'InvalidAction.NotFound', 'x-acs-action must be SendSms', requestId);
    if (header(req.headers, 'x-acs-version') !== '2017-05-25')
      return this.err(400, 'InvalidVersion', 'x-acs-version must be 2017-05-25', requestId);
    if (!header(req.headers, 'x-acs-signature-nonce'))
      return this.err(400, 'MissingParameter', 'x-acs-signature-nonce is mandatory', requestId);
    const date = header(req.headers, 'x-acs-date');
    if (!date || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/.test(date))
      return this.err(
        400,
        'InvalidTimeStamp.Format',
        'x-acs-date must be ISO 8601 UTC (yyyy-MM-ddTHH:mm:ssZ)',
        requestId,
      );
    if (Math.abs(Date.parse(date) - this.now().getTime()) > (this.opts.maxSkewSeconds ?? 900) * 1000) {
      return this.err(400, 'InvalidTimeStamp.Expired', 'Specified time stamp or date value is expired.', requestId);
    }
    const payloadHash = hex256(req.body);
    if (header(req.headers, 'x-acs-content-sha256') !== payloadHash)
      return this.err(400, 'ContentSHA256NotMatched', 'x-acs-content-sha256 does not match the body', requestId);
    const signedNames = signedHeaderList.split(';');
    for (const required of [
      'host',
      'x-acs-action',
      'x-acs-content-sha256',
      'x-acs-date',
      'x-acs-signature-nonce',
      'x-acs-version',
    ]) {
      if (!signedNames.includes(required))
        return this.err(400, 'SignatureDoesNotMatch', `header ${required} must be signed`, requestId);
    }
    const canonicalQuery = Object.keys(query)
      .sort()
      .map((k) => `${enc(k)}=${enc(query[k] ?? '')}`)
      .join('&');
    const canonicalHeaders = signedNames.map((n) => `${n}:${(header(req.headers, n) ?? '').trim()}\n`).join('');
    const canonicalRequest = `POST\n/\n${canonicalQuery}\n${canonicalHeaders}\n${signedHeaderList}\n${payloadHash}`;
    const expected = createHmac('sha256', secret)
      .update(`ACS3-HMAC-SHA256\n${hex256(canonicalRequest)}`)
      .digest('hex');
    if (expected !== signature) {
      return this.err(400, 'SignatureDoesNotMatch', 'Specified signature does not match our calculation.', requestId);
    }
    return undefined;
  }
}
