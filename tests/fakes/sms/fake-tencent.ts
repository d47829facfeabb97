import { createHash, createHmac, randomUUID } from 'node:crypto';
import { header, SmsHttpServer, type RawRequest, type RawReply } from './http';

/**
 * Fake Tencent Cloud SMS (SendSms 2021-01-11, TC3-HMAC-SHA256). Verifies the signature by recomputing it
 * with its own code and answers with the real shapes:
 *  - 200 {Response:{SendStatusSet:[{SerialNo,PhoneNumber,Fee,SessionContext,Code:"Ok",Message,IsoCode}],RequestId}}
 *  - per-number failures inside SendStatusSet (scripted per phone; malformed numbers -> IncorrectPhoneNumber)
 *  - 200 {Response:{Error:{Code,Message},RequestId}} for AuthFailure.*, RequestLimitExceeded, bad SdkAppId...
 *  - scripted non-200 statuses and slow answers
 */

export type TencentBehavior =
  | { kind: 'number'; code: string; message?: string }
  | { kind: 'error'; code: string; message?: string }
  | { kind: 'http'; status: number; body?: unknown }
  | { kind: 'slow'; delayMs: number };

export interface TencentRecord {
  at: Date;
  phones: string[];
  /** First number (requests from the adapter carry exactly one). */
  phone: string | undefined;
  template: string | undefined;
  params: unknown;
  sessionContext: string | undefined;
  signName: string | undefined;
  sdkAppId: string | undefined;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
  status: number;
  /** "Ok", the per-number code, or Response.Error.Code. */
  code: string;
}

export const TENCENT_SENTINELS = {
  /** InvalidParameterValue.IncorrectPhoneNumber */
  incorrect: '+8613800000123',
  /** LimitExceeded.PhoneNumberDailyLimit */
  dailyLimit: '+8613800000429',
} as const;

export interface FakeTencentOptions {
  secrets?: Record<string, string>;
  sdkAppId?: string;
  signNames?: string[];
  templates?: string[];
  /** Accepted skew of X-TC-Timestamp, seconds (real API: 300). */
  maxSkewSeconds?: number;
  clock?: () => Date;
}

const hex256 = (s: string): string => createHash('sha256').update(s, 'utf8').digest('hex');
const mac = (k: string | Buffer, s: string): Buffer => createHmac('sha256', k).update(s, 'utf8').digest();

export class FakeTencentSms {
  readonly requests: TencentRecord[] = [];
  readonly secrets: Record<string, string>;
  readonly sdkAppId: string;
  private readonly byPhone = new Map<string, TencentBehavior>();
  private readonly queue: TencentBehavior[] = [];
  private readonly http = new SmsHttpServer((req) => this.handle(req));
  private seq = 0;

  constructor(private readonly opts: FakeTencentOptions = {}) {
    this.secrets = opts.secrets ?? { AKIDtest: 'test-secret-key' };
    this.sdkAppId = opts.sdkAppId ?? '1400006666';
    this.byPhone.set(TENCENT_SENTINELS.incorrect, {
      kind: 'number',
      code: 'InvalidParameterValue.IncorrectPhoneNumber',
      message: 'incorrect phone number',
    });
    this.byPhone.set(TENCENT_SENTINELS.dailyLimit, {
      kind: 'number',
      code: 'LimitExceeded.PhoneNumberDailyLimit',
      message: 'the number of SMS messages sent from a single mobile number every day exceeds the upper limit',
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
  onPhone(phone: string, behavior: TencentBehavior): this {
    this.byPhone.set(phone, behavior);
    return this;
  }
  failNext(behavior: TencentBehavior): this {
    this.queue.push(behavior);
    return this;
  }
  get delivered(): TencentRecord[] {
    return this.requests.filter((r) => r.code === 'Ok');
  }

  private now(): Date {
    return (this.opts.clock ?? (() => new Date()))();
  }

  private handle(req: RawRequest): RawReply {
    let body: unknown;
    try {
      body = JSON.parse(req.body);
    } catch {
      body = undefined;
    }
    const b = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
    const phones = Array.isArray(b.PhoneNumberSet) ? b.PhoneNumberSet.map(String) : [];
    const reply = this.decide(req, b, body !== undefined, phones);
    const resp = (reply.json as { Response?: { Error?: { Code?: string }; SendStatusSet?: { Code?: string }[] } })
      .Response;
    this.requests.push({
      at: this.now(),
      phones,
      phone: phones[0],
      template: typeof b.TemplateId === 'string' ? b.TemplateId : undefined,
      params: b.TemplateParamSet,
      sessionContext: typeof b.SessionContext === 'string' ? b.SessionContext : undefined,
      signName: typeof b.SignName === 'string' ? b.SignName : undefined,
      sdkAppId: typeof b.SmsSdkAppId === 'string' ? b.SmsSdkAppId : undefined,
      headers: { ...req.headers },
      body,
      status: reply.status,
      code: resp?.Error?.Code ?? resp?.SendStatusSet?.[0]?.Code ?? `HTTP_${reply.status}`,
    });
    return reply;
  }

  private error(code: string, message: string, delayMs = 0): RawReply {
    return {
      status: 200,
      delayMs,
      json: { Response: { Error: { Code: code, Message: message }, RequestId: randomUUID() } },
    };
  }

  private decide(req: RawRequest, b: Record<string, unknown>, isJson: boolean, phones: string[]): RawReply {
    if (req.method !== 'POST') return this.error('UnsupportedOperation', 'only POST is supported here');
    const auth = this.verify(req);
    if (auth) return auth;
    if (header(req.headers, 'x-tc-action') !== 'SendSms')
      return this.error('InvalidAction', 'X-TC-Action must be SendSms');
    if (header(req.headers, 'x-tc-version') !== '2021-01-11')
      return this.error('NoSuchVersion', 'X-TC-Version must be 2021-01-11');
    if (!header(req.headers, 'x-tc-region')) return this.error('MissingParameter', 'X-TC-Region is required');
    if (!isJson) return this.error('InvalidParameter', 'body is not JSON');

    const scripted = this.queue.shift() ?? this.byPhone.get(phones[0] ?? '');
    if (scripted?.kind === 'http')
      return { status: scripted.status, json: scripted.body ?? { message: 'upstream failure' } };
    if (scripted?.kind === 'error') return this.error(scripted.code, scripted.message ?? scripted.code);
    const delayMs = scripted?.kind === 'slow' ? scripted.delayMs : 0;

    for (const p of ['PhoneNumberSet', 'SmsSdkAppId', 'TemplateId'] as const) {
      if (b[p] === undefined)
        return this.error('MissingParameter', `The request is missing a required parameter \`${p}\`.`, delayMs);
    }
    if (phones.length === 0 || phones.length > 200)
      return this.error('InvalidParameterValue', 'PhoneNumberSet must hold 1..200 numbers', delayMs);
    if (b.SmsSdkAppId !== this.sdkAppId)
      return this.error('InvalidParameterValue.SdkAppIdNotExist', 'SdkAppId not exist', delayMs);
    if (this.opts.signNames && !this.opts.signNames.includes(String(b.SignName)))
      return this.error('FailedOperation.SignatureIncorrectOrUnapproved', 'signature incorrect or unapproved', delayMs);
    if (this.opts.templates && !this.opts.templates.includes(String(b.TemplateId)))
      return this.error('FailedOperation.TemplateIncorrectOrUnapproved', 'template incorrect or unapproved', delayMs);
    const ps = b.TemplateParamSet;
    if (ps !== undefined && !(Array.isArray(ps) && ps.every((x) => typeof x === 'string'))) {
      return this.error(
        'InvalidParameterValue.TemplateParameterFormatError',
        'TemplateParamSet must be an array of strings',
        delayMs,
      );
    }
    if (typeof b.SessionContext === 'string' && Buffer.byteLength(b.SessionContext) > 512) {
      return this.error('InvalidParameterValue.ParameterLengthLimit', 'SessionContext exceeds 512 bytes', delayMs);
    }
    const session = typeof b.SessionContext === 'string' ? b.SessionContext : '';
    const set = phones.map((phone) => {
      const s = this.byPhone.get(phone);
      let code = 'Ok';
      let message = 'send success';
      if (s?.kind === 'number') {
        code = s.code;
        message = s.message ?? s.code;
      } else if (!/^\+861\d{10}$/.test(phone)) {
        code = 'InvalidParameterValue.IncorrectPhoneNumber';
        message = 'incorrect phone number';
      }
      this.seq += code === 'Ok' ? 1 : 0;
      return {
        SerialNo: code === 'Ok' ? `2645:${String(this.seq).padStart(20, '0')}` : '',
        PhoneNumber: phone,
        Fee: code === 'Ok' ? 1 : 0,
        SessionContext: session,
        Code: code,
        Message: message,
        IsoCode: 'CN',
      };
    });
    return { status: 200, delayMs, json: { Response: { SendStatusSet: set, RequestId: randomUUID() } } };
  }

  /** Independent TC3-HMAC-SHA256 verification. */
  private verify(req: RawRequest): RawReply | undefined {
    const authz = header(req.headers, 'authorization');
    if (!authz)
      return this.error(
        'AuthFailure.SignatureFailure',
        'The provided credentials could not be validated. Authorization header missing.',
      );
    const m =
      /^TC3-HMAC-SHA256 Credential=([^/]+)\/(\d{4}-\d{2}-\d{2})\/([^/]+)\/tc3_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$/.exec(
        authz,
      );
    if (!m) return this.error('AuthFailure.InvalidAuthorization', 'Authorization header is malformed.');
    const [, secretId = '', date = '', service = '', signedHeaders = '', signature = ''] = m;
    const secretKey = this.secrets[secretId];
    if (secretKey === undefined) return this.error('AuthFailure.SecretIdNotFound', 'The SecretId is not found.');
    const ts = Number(header(req.headers, 'x-tc-timestamp'));
    if (!Number.isInteger(ts)) return this.error('MissingParameter', 'X-TC-Timestamp is required');
    if (Math.abs(ts * 1000 - this.now().getTime()) > (this.opts.maxSkewSeconds ?? 300) * 1000) {
      return this.error(
        'AuthFailure.SignatureExpire',
        'Signature expired. Timestamp differs from server time by more than 5 minutes.',
      );
    }
    if (new Date(ts * 1000).toISOString().slice(0, 10) !== date)
      return this.error('AuthFailure.SignatureFailure', 'credential date does not match X-TC-Timestamp');
    // Real service is "sms"; the official SDK signs with the endpoint's first label (e.g. "127") for IPs.
    const host = header(req.headers, 'host') ?? '';
    if (service !== 'sms' && service !== host.split('.')[0])
      return this.error('AuthFailure.SignatureFailure', `unexpected service ${service}`);
    const names = signedHeaders.split(';');
    if (!names.includes('content-type') || !names.includes('host'))
      return this.error('AuthFailure.SignatureFailure', 'content-type and host must be signed');
    const canonicalHeaders = names.map((n) => `${n}:${(header(req.headers, n) ?? '').trim().toLowerCase()}\n`).join('');
    const canonicalRequest = [
      'POST',
      req.url.pathname,
      req.url.search.replace(/^\?/, ''),
      canonicalHeaders,
      signedHeaders,
      hex256(req.body),
    ].join('\n');
    const stringToSign = [
      'TC3-HMAC-SHA256',
      String(ts),
      `${date}/${service}/tc3_request`,
      hex256(canonicalRequest),
    ].join('\n');
    const kSigning = mac(mac(mac(`TC3${secretKey}`, date), service), 'tc3_request');
    const expected = createHmac('sha256', kSigning).update(stringToSign, 'utf8').digest('hex');
    if (expected !== signature) {
      return this.error(
        'AuthFailure.SignatureFailure',
        'The provided credentials could not be validated. Please check your signature is correct.',
      );
    }
    return undefined;
  }
}
