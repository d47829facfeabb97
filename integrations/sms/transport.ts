import { SmsError, type SmsProvider } from './port';

export type FetchLike = typeof fetch;

export interface HttpAnswer {
  status: number;
  text: string;
  json: unknown;
}

/**
 * One POST with a hard timeout. Network failures and timeouts become retryable SmsErrors; the body is
 * read fully (the timeout covers it) and parsed as JSON when possible (json is undefined otherwise).
 */
export async function postOnce(args: {
  provider: SmsProvider['name'];
  fetch: FetchLike;
  url: string;
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
}): Promise<HttpAnswer> {
  const signal = AbortSignal.timeout(args.timeoutMs);
  try {
    const res = await args.fetch(args.url, {
      method: 'POST',
      headers: args.headers,
      ...(args.body === undefined ? {} : { body: args.body }),
      signal,
    });
    const text = await res.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: res.status, text, json };
  } catch (err) {
    const timedOut = signal.aborted || (err instanceof Error && err.name === 'TimeoutError');
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
