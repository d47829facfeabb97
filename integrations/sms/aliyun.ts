import { createHash, createHmac, randomUUID } from 'node:crypto';
import { SmsError, maskPhonesInText, nationalNumber, type SmsMessage, type SmsProvider, type SmsResult } from './port';
import { isRecord, postOnce, str, type FetchLike } from './transport';

/** Aliyun dysmsapi SendSms (2017-05-25), hand-signed with ACS3-HMAC-SHA256, no SDK. */

export const ALIYUN_DEFAULT_ENDPOINT = 'https://dysmsapi.aliyuncs.com';
const ACTION = 'SendSms';
const VERSION = '2017-05-25';
const ALGORITHM = 'ACS3-HMAC-SHA256';

export interface AliyunSmsOptions {
  accessKeyId: string;
  accessKeySecret: string;
  signName: string;
  /** Our template name -> Aliyun TemplateCode (SMS_xxxxxxx). */
  templates: Record<string, string>;
  /** Base URL, e.g. http://127.0.0.1:1234 in tests. Default https://dysmsapi.aliyuncs.com. */
  endpoint?: string;
  timeoutMs?: number;
  fetch?: FetchLike;
  now?: () => Date;
  nonce?: () => string;
}

/** RFC 3986 percent-encoding as Aliyun requires (space -> %20, also encodes !'()*). */
export function acsPercentEncode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export function acsCanonicalQuery(query: Record<string, string>): string {
  return Object.keys(query)
    .sort()
    .map((k) => `${acsPercentEncode(k)}=${acsPercentEncode(query[k] ?? '')}`)
    .join('&');
}

const sha256Hex = (data: string): string => createHash('sha256').update(data, 'utf8').digest('hex');

/**
 * ACS3-HMAC-SHA256 Authorization header. Signs `host`, every `x-acs-*` header and `content-type` (if present).
 * canonicalRequest = METHOD \n path \n sortedQuery \n (name:value\n)* \n signedHeaders \n payloadHash
 */
export function acs3Authorization(args: {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  payloadHash: string;
  accessKeyId: string;
  accessKeySecret: string;
}): { authorization: string; canonicalRequest: string } {
  const lower = new Map<string, string>();
  for (const [k, v] of Object.entries(args.headers)) lower.set(k.toLowerCase(), v.trim());
  const names = [...lower.keys()].filter((n) => n === 'host' || n === 'content-type' || n.startsWith('x-acs-')).sort();
  const canonicalHeaders = names.map((n) => `${n}:${lower.get(n) ?? ''}\n`).join('');
  const signedHeaders = names.join(';');
  const canonicalRequest = [
    args.method.toUpperCase(),
    args.path,
    acsCanonicalQuery(args.query),
    canonicalHeaders,
    signedHeaders,
    args.payloadHash,
  ].join('\n');
  const stringToSign = `${ALGORITHM}\n${sha256Hex(canonicalRequest)}`;
  const signature = createHmac('sha256', args.accessKeySecret).update(stringToSign, 'utf8').digest('hex');
  return {
    authorization: `${ALGORITHM} Credential=${args.accessKeyId},SignedHeaders=${signedHeaders},Signature=${signature}`,
    canonicalRequest,
  };
}

export class AliyunSmsProvider implements SmsProvider {
  readonly name = 'aliyun' as const;
  private readonly endpoint: URL;

  constructor(private readonly opts: AliyunSmsOptions) {
    this.endpoint = new URL(opts.endpoint ?? ALIYUN_DEFAULT_ENDPOINT);
  }

  async send(message: SmsMessage): Promise<SmsResult> {
    const templateCode = this.opts.templates[message.template];
    if (!templateCode) {
      throw new SmsError({
        provider: this.name,
        code: 'UNKNOWN_TEMPLATE',
        message: `no Aliyun TemplateCode configured for template "${message.template}"`,
        retryable: false,
      });
    }
    const query: Record<string, string> = {
      PhoneNumbers: nationalNumber(message.phone),
      SignName: this.opts.signName,
      TemplateCode: templateCode,
      TemplateParam: JSON.stringify(message.params),
      OutId: message.outId,
    };
    const now = (this.opts.now ?? (() => new Date()))();
    const headers: Record<string, string> = {
      host: this.endpoint.host,
      'x-acs-action': ACTION,
      'x-acs-version': VERSION,
      'x-acs-date': now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
      'x-acs-signature-nonce': (this.opts.nonce ?? randomUUID)(),
      'x-acs-content-sha256': sha256Hex(''),
    };
    const { authorization } = acs3Authorization({
      method: 'POST',
      path: '/',
      query,
      headers,
      payloadHash: headers['x-acs-content-sha256'] ?? '',
      accessKeyId: this.opts.accessKeyId,
      accessKeySecret: this.opts.accessKeySecret,
    });
    // Host is set from the URL (identical to what was signed); fetch refuses an explicit one.
    const { host: _host, ...sendHeaders } = headers;
    void _host;
    const base = this.endpoint.href.replace(/\/+$/, '');
    const answer = await postOnce({
      provider: this.name,
      fetch: this.opts.fetch,
      url: `${base}/?${acsCanonicalQuery(query)}`,
      headers: { ...sendHeaders, Authorization: authorization, accept: 'application/json' },
      timeoutMs: this.opts.timeoutMs ?? 5000,
    });

    const body = isRecord(answer.json) ? answer.json : undefined;
    const code = str(body?.Code) ?? '';
    const msg = maskPhonesInText(str(body?.Message) ?? answer.text.slice(0, 200));
    const requestId = str(body?.RequestId);
    const suffix = requestId ? ` (RequestId ${requestId})` : '';

    if (/throttling/i.test(code) || answer.status === 429) {
      throw new SmsError({
        provider: this.name,
        code: code || 'Throttling',
        message: msg + suffix,
        retryable: true,
        status: answer.status,
      });
    }
    if (answer.status >= 500) {
      throw new SmsError({
        provider: this.name,
        code: code || `HTTP_${answer.status}`,
        message: msg + suffix,
        retryable: true,
        status: answer.status,
      });
    }
    if (answer.status !== 200) {
      // Auth / signature / malformed request (SignatureDoesNotMatch, InvalidAccessKeyId.NotFound, ...).
      throw new SmsError({
        provider: this.name,
        code: code || `HTTP_${answer.status}`,
        message: msg + suffix,
        retryable: false,
        status: answer.status,
      });
    }
    if (!body || !code) {
      throw new SmsError({
        provider: this.name,
        code: 'BAD_RESPONSE',
        message: `unparseable HTTP 200 body: ${msg}`,
        retryable: true,
        status: 200,
      });
    }
    if (code === 'OK') {
      const bizId = str(body.BizId);
      if (!bizId) {
        throw new SmsError({
          provider: this.name,
          code: 'BAD_RESPONSE',
          message: `Code OK without BizId${suffix}`,
          retryable: false,
          status: 200,
        });
      }
      return { ok: true, providerId: bizId };
    }
    return { ok: false, permanent: true, code, message: msg };
  }
}
