import { createHash, createHmac } from 'node:crypto';
import { SmsError, e164, maskPhonesInText, type SmsMessage, type SmsProvider, type SmsResult } from './port';
import { isRecord, postOnce, str, type FetchLike } from './transport';

/** Tencent Cloud SMS SendSms (2021-01-11), hand-signed with TC3-HMAC-SHA256, no SDK. */

export const TENCENT_DEFAULT_ENDPOINT = 'https://sms.tencentcloudapi.com';
const ACTION = 'SendSms';
const VERSION = '2021-01-11';
const ALGORITHM = 'TC3-HMAC-SHA256';
const CONTENT_TYPE = 'application/json';

export interface TencentSmsOptions {
  secretId: string;
  secretKey: string;
  sdkAppId: string;
  signName: string;
  region: string;
  /** Our template name -> Tencent TemplateId. */
  templates: Record<string, string>;
  /** Our template name -> ordered param names; TemplateParamSet is positional ({1}, {2}, ...). */
  templateParams: Record<string, readonly string[]>;
  /** Base URL, e.g. http://127.0.0.1:1234 in tests. Default https://sms.tencentcloudapi.com. */
  endpoint?: string;
  /** Signing service name; always "sms" for the real API. */
  service?: string;
  timeoutMs?: number;
  fetch?: FetchLike;
  now?: () => Date;
}

const sha256Hex = (data: string): string => createHash('sha256').update(data, 'utf8').digest('hex');
const hmac = (key: string | Buffer, data: string): Buffer => createHmac('sha256', key).update(data, 'utf8').digest();

/** TC3-HMAC-SHA256 over POST / with signed headers content-type;host. */
export function tc3Authorization(args: {
  secretId: string;
  secretKey: string;
  service: string;
  host: string;
  contentType: string;
  payload: string;
  timestamp: number;
}): string {
  const date = new Date(args.timestamp * 1000).toISOString().slice(0, 10);
  const canonicalHeaders = `content-type:${args.contentType}\nhost:${args.host}\n`;
  const signedHeaders = 'content-type;host';
  const canonicalRequest = ['POST', '/', '', canonicalHeaders, signedHeaders, sha256Hex(args.payload)].join('\n');
  const scope = `${date}/${args.service}/tc3_request`;
  const stringToSign = [ALGORITHM, String(args.timestamp), scope, sha256Hex(canonicalRequest)].join('\n');
  const kDate = hmac(`TC3${args.secretKey}`, date);
  const kService = hmac(kDate, args.service);
  const kSigning = hmac(kService, 'tc3_request');
  const signature = createHmac('sha256', kSigning).update(stringToSign, 'utf8').digest('hex');
  return `${ALGORITHM} Credential=${args.secretId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
}

export class TencentSmsProvider implements SmsProvider {
  readonly name = 'tencent' as const;
  private readonly endpoint: URL;

  constructor(private readonly opts: TencentSmsOptions) {
    this.endpoint = new URL(opts.endpoint ?? TENCENT_DEFAULT_ENDPOINT);
  }

  async send(message: SmsMessage): Promise<SmsResult> {
    const templateId = this.opts.templates[message.template];
    const order = this.opts.templateParams[message.template];
    if (!templateId || !order) {
      throw new SmsError({
        provider: this.name,
        code: 'UNKNOWN_TEMPLATE',
        message: `no Tencent TemplateId / param order configured for template "${message.template}"`,
        retryable: false,
      });
    }
    const missing = order.filter((name) => message.params[name] === undefined);
    if (missing.length > 0) {
      throw new SmsError({
        provider: this.name,
        code: 'TEMPLATE_PARAM_MISSING',
        message: `template "${message.template}" needs params: ${missing.join(', ')}`,
        retryable: false,
      });
    }
    const payload = JSON.stringify({
      PhoneNumberSet: [e164(message.phone)],
      SmsSdkAppId: this.opts.sdkAppId,
      SignName: this.opts.signName,
      TemplateId: templateId,
      TemplateParamSet: order.map((name) => message.params[name] ?? ''),
      SessionContext: message.outId,
    });
    const timestamp = Math.floor((this.opts.now ?? (() => new Date()))().getTime() / 1000);
    const authorization = tc3Authorization({
      secretId: this.opts.secretId,
      secretKey: this.opts.secretKey,
      service: this.opts.service ?? 'sms',
      host: this.endpoint.host,
      contentType: CONTENT_TYPE,
      payload,
      timestamp,
    });
    const answer = await postOnce({
      provider: this.name,
      fetch: this.opts.fetch,
      url: `${this.endpoint.href.replace(/\/+$/, '')}/`,
      headers: {
        'content-type': CONTENT_TYPE,
        authorization,
        'x-tc-action': ACTION,
        'x-tc-version': VERSION,
        'x-tc-region': this.opts.region,
        'x-tc-timestamp': String(timestamp),
      },
      body: payload,
      timeoutMs: this.opts.timeoutMs ?? 5000,
    });

    if (answer.status >= 500 || answer.status === 429) {
      throw new SmsError({
        provider: this.name,
        code: `HTTP_${answer.status}`,
        message: maskPhonesInText(answer.text.slice(0, 200)),
        retryable: true,
        status: answer.status,
      });
    }
    if (answer.status !== 200) {
      throw new SmsError({
        provider: this.name,
        code: `HTTP_${answer.status}`,
        message: maskPhonesInText(answer.text.slice(0, 200)),
        retryable: false,
        status: answer.status,
      });
    }
    const response = isRecord(answer.json) && isRecord(answer.json.Response) ? answer.json.Response : undefined;
    if (!response) {
      throw new SmsError({
        provider: this.name,
        code: 'BAD_RESPONSE',
        message: `unparseable HTTP 200 body: ${maskPhonesInText(answer.text.slice(0, 200))}`,
        retryable: true,
        status: 200,
      });
    }
    const requestId = str(response.RequestId);
    const suffix = requestId ? ` (RequestId ${requestId})` : '';

    if (isRecord(response.Error)) {
      const code = str(response.Error.Code) ?? 'UnknownError';
      const msg = maskPhonesInText(str(response.Error.Message) ?? '');
      if (code.startsWith('AuthFailure') || code.startsWith('UnauthorizedOperation')) {
        throw new SmsError({ provider: this.name, code, message: msg + suffix, retryable: false, status: 200 });
      }
      if (
        code.startsWith('RequestLimitExceeded') ||
        code.startsWith('InternalError') ||
        code.startsWith('ServiceUnavailable')
      ) {
        throw new SmsError({ provider: this.name, code, message: msg + suffix, retryable: true, status: 200 });
      }
      // Whole-request business/config errors (bad template, sign, SdkAppId, balance...): permanent.
      return { ok: false, permanent: true, code, message: msg };
    }

    const status = Array.isArray(response.SendStatusSet) ? response.SendStatusSet[0] : undefined;
    if (!isRecord(status)) {
      throw new SmsError({
        provider: this.name,
        code: 'BAD_RESPONSE',
        message: `no SendStatusSet entry${suffix}`,
        retryable: false,
        status: 200,
      });
    }
    const code = str(status.Code) ?? '';
    if (code === 'Ok') {
      const serial = str(status.SerialNo);
      if (!serial) {
        throw new SmsError({
          provider: this.name,
          code: 'BAD_RESPONSE',
          message: `Code Ok without SerialNo${suffix}`,
          retryable: false,
          status: 200,
        });
      }
      return { ok: true, providerId: serial };
    }
    return {
      ok: false,
      permanent: true,
      code: code || 'UnknownError',
      message: maskPhonesInText(str(status.Message) ?? ''),
    };
  }
}
