import { OrderbotError } from '../../core/errors';
import { HttpRequestError, type KeepAliveResponse, keepAliveRequest } from '../../integrations/http/keep-alive';

/** The network or WeCom's front end failed (timeout, hang-up, 5xx, not JSON): whether it arrived is unknown. */
export class TransportError extends OrderbotError {
  constructor(message: string) {
    super(message, { code: 'transport', retryable: true });
  }
}

/** WeCom answered with an errcode other than 0. */
export class WecomError extends OrderbotError {
  constructor(
    readonly errcode: number,
    readonly errmsg: string,
    readonly api: string,
  ) {
    super(`${api}: errcode ${errcode} ${errmsg.split(',')[0] ?? ''}`.trim(), { code: String(errcode) });
  }
}

export interface WecomReply {
  errcode: number;
  errmsg: string;
  [field: string]: unknown;
}

/** One HTTP call to WeCom; `api` names it in errors so that URLs (which carry tokens and keys) are never logged. */
export async function requestJson(api: string, url: string, body: unknown, timeoutMs: number): Promise<WecomReply> {
  let response: KeepAliveResponse;
  try {
    response = await keepAliveRequest(
      body === undefined
        ? { method: 'GET', url, timeoutMs }
        : {
            method: 'POST',
            url,
            headers: { 'content-type': 'application/json; charset=utf-8' },
            body: JSON.stringify(body),
            timeoutMs,
          },
    );
  } catch (err) {
    // The answer's head had arrived: the body was cut off (or the deadline passed while reading it).
    if (err instanceof HttpRequestError && err.status !== undefined)
      throw new TransportError(`${api}: response cut off`);
    const cause = err instanceof HttpRequestError ? (err.timedOut ? 'TimeoutError' : err.code) : (err as Error).name;
    throw new TransportError(`${api}: request failed (${cause})`);
  }
  if (response.status < 200 || response.status >= 300) throw new TransportError(`${api}: HTTP ${response.status}`);
  let reply: Record<string, unknown>;
  try {
    reply = JSON.parse(response.text) as Record<string, unknown>;
  } catch {
    throw new TransportError(`${api}: response is not JSON`);
  }
  const errcode = reply.errcode === undefined ? 0 : Number(reply.errcode);
  return { ...reply, errcode, errmsg: String(reply.errmsg ?? '') };
}
