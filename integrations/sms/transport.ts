import { HttpRequestError, httpSender } from '../http/keep-alive';
import { SmsError, type SmsProvider } from './port';

export type FetchLike = typeof fetch;

export interface HttpAnswer {
  status: number;
  text: string;
  json: unknown;
}

/**
 * One POST with a hard timeout, on a keep-alive connection (or through `fetch` when one is injected).
 * Network failures and timeouts become retryable SmsErrors; the body is read fully (the timeout covers it)
 * and parsed as JSON when possible (json is undefined otherwise).
 */
export async function postOnce(args: {
  provider: SmsProvider['name'];
  fetch?: FetchLike | undefined;
  url: string;
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
}): Promise<HttpAnswer> {
  const send = httpSender(args.fetch);
  try {
    const res = await send({
      method: 'POST',
      url: args.url,
      headers: args.headers,
      ...(args.body === undefined ? {} : { body: args.body }),
      timeoutMs: args.timeoutMs,
    });
    let json: unknown;
    try {
      json = res.text ? JSON.parse(res.text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: res.status, text: res.text, json };
  } catch (err) {
    const timedOut = err instanceof HttpRequestError && err.timedOut;
    throw new SmsError({
      provider: args.provider,
      code: timedOut ? 'TIMEOUT' : 'NETWORK',
      message: timedOut
        ? `no answer within ${args.timeoutMs} ms (the SMS may still have been sent)`
        : `request failed: ${err instanceof Error ? err.message : String(err)}`,
      retryable: true,
      cause: err,
    });
  }
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}
