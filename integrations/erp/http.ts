import type { IncomingHttpHeaders } from 'node:http';
import { HttpRequestError, type HttpSend, type KeepAliveResponse } from '../http/keep-alive';
import { ErpError, type ErpKind } from './errors';

export interface HttpReply {
  status: number;
  headers: IncomingHttpHeaders;
  body: unknown;
}

export interface ErpRequest {
  method: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
}

/**
 * One HTTP exchange with the ERP, body included, under one deadline. Anything but a 2xx JSON answer
 * becomes an ErpError: 5xx, 429, no answer and timeouts are retryable; other statuses are not.
 */
export async function exchangeJson(
  erp: ErpKind,
  send: HttpSend,
  url: string,
  init: ErpRequest,
  timeoutMs: number,
  what: string,
): Promise<HttpReply> {
  let response: KeepAliveResponse;
  try {
    response = await send({ url, ...init, timeoutMs });
  } catch (cause) {
    if (cause instanceof HttpRequestError && cause.timedOut)
      throw new ErpError(erp, `${what}: no answer within ${timeoutMs} ms`, { code: 'timeout', retryable: true, cause });
    throw new ErpError(erp, `${what}: ${describe(cause)}`, { code: 'network', retryable: true, cause });
  }
  const text = response.text;
  if (response.status < 200 || response.status >= 300) {
    const retryable = response.status >= 500 || response.status === 429 || response.status === 408;
    throw new ErpError(erp, `${what}: HTTP ${response.status}`, {
      code: 'http',
      retryable: retryable,
      status: response.status,
    });
  }
  try {
    return { status: response.status, headers: response.headers, body: JSON.parse(text) as unknown };
  } catch (cause) {
    throw new ErpError(erp, `${what}: the answer is not JSON (${text.slice(0, 80)})`, {
      code: 'protocol',
      retryable: false,
      status: response.status,
      cause,
    });
  }
}

function describe(cause: unknown): string {
  if (!(cause instanceof Error)) return String(cause);
  const inner = cause.cause instanceof Error ? `: ${cause.cause.message}` : '';
  return `${cause.message}${inner}`;
}

export const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** An ERP code as a string, never through a number, so "007" stays "007". */
export function codeOf(v: unknown): string | undefined {
  if (typeof v === 'string') return v.trim() === '' ? undefined : v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return undefined;
}

export function textOf(v: unknown): string | undefined {
  if (typeof v === 'string') return v === '' ? undefined : v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return undefined;
}

/** ERPs send quantities as numbers or as decimal strings ("120.000000"). */
export function quantityOf(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'string' && v.trim() !== '') {
    const n = Number(v.trim());
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}
