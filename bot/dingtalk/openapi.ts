import type { Logger } from 'pino';
import type { Database } from '../../db/client';
import { cachedToken, invalidateToken, tokenMemo, type TokenMemo } from '../../db/platform-tokens';
import { DeliveryError } from '../../core/errors';
import { HttpRequestError, type KeepAliveResponse, keepAliveRequest } from '../../integrations/http/keep-alive';
import { classifyFailure, deliveryErrorFor, describeFailure, type ApiFailure } from './api-errors';
import type { DingtalkSettings } from './settings';

export type ApiResult<T> = { ok: true; body: T } | { ok: false; failure: ApiFailure };

/** Counts each OpenAPI call against the monthly quota before it is made (`api` is "METHOD /path"). */
export interface CallCounter {
  count(api: string): Promise<void>;
}

/**
 * DingTalk's OpenAPI (api.dingtalk.com or DINGTALK_API_BASE). The access token is cached in the database
 * for every process, refreshed before it expires and once more when DingTalk calls it invalid.
 */
export class DingtalkOpenApi {
  private readonly tokens: TokenMemo = tokenMemo();

  constructor(
    private readonly settings: DingtalkSettings,
    private readonly db: Database,
    private readonly clock: () => Date,
    private readonly log: Logger,
    /** Every call but the access-token call (which the quota excludes) is counted here. */
    private readonly counter?: CallCounter,
  ) {}

  private get tokenKey(): string {
    return `dingtalk:${this.settings.clientId}`;
  }

  /** Calls an endpoint with the token; an invalid-token answer drops the cached token and tries once more. */
  async call<T>(method: 'POST' | 'PUT', path: string, body: unknown): Promise<ApiResult<T>> {
    const first = await this.token();
    const result = await this.counted<T>(method, path, body, first);
    if (result.ok || classifyFailure(result.failure).kind !== 'invalid-token') return result;
    this.log.info({ path }, 'DingTalk called the access token invalid; refreshing it');
    await invalidateToken(this.db, this.tokenKey, first, this.tokens);
    return this.counted<T>(method, path, body, await this.token());
  }

  private async counted<T>(method: 'POST' | 'PUT', path: string, body: unknown, token: string): Promise<ApiResult<T>> {
    await this.counter?.count(`${method} ${path}`);
    return this.send<T>(method, path, body, token);
  }

  /** Like `call`, but any failure becomes the DeliveryError the outbox sender expects. */
  async require<T>(what: string, method: 'POST' | 'PUT', path: string, body: unknown): Promise<T> {
    const result = await this.call<T>(method, path, body);
    if (!result.ok) throw deliveryErrorFor(what, result.failure);
    return result.body;
  }

  private async token(): Promise<string> {
    return cachedToken(
      this.db,
      this.tokenKey,
      this.clock(),
      async () => {
        const result = await this.send<{ accessToken?: string; expireIn?: number }>(
          'POST',
          '/v1.0/oauth2/accessToken',
          {
            appKey: this.settings.clientId,
            appSecret: this.settings.clientSecret,
          },
        );
        // Wrong credentials are a configuration problem: retried slowly so the effects survive the fix.
        if (!result.ok)
          throw DeliveryError.retry(describeFailure('access token request', result.failure), {
            afterMs: result.failure.status >= 500 ? undefined : 60_000,
          });
        if (!result.body.accessToken)
          throw DeliveryError.retry('DingTalk access token answer has no accessToken', { afterMs: 5000 });
        return { token: result.body.accessToken, expiresInSeconds: result.body.expireIn ?? 7200 };
      },
      { memo: this.tokens },
    );
  }

  private async send<T>(method: string, path: string, body: unknown, token?: string): Promise<ApiResult<T>> {
    const headers: Record<string, string> = token ? { 'x-acs-dingtalk-access-token': token } : {};
    const response = await httpJson(
      `${this.settings.apiBase}${path}`,
      method,
      body,
      headers,
      this.settings.requestTimeoutMs,
    );
    if (response.status >= 200 && response.status < 300) return { ok: true, body: (response.json ?? {}) as T };
    const json = (response.json ?? {}) as { code?: unknown; message?: unknown };
    return {
      ok: false,
      failure: {
        status: response.status,
        ...(typeof json.code === 'string' ? { code: json.code } : {}),
        ...(typeof json.message === 'string' ? { message: json.message } : {}),
      },
    };
  }
}

/**
 * One JSON request. A network error or timeout means the outcome is unknown: it becomes a retryable
 * DeliveryError, and idempotency (outTrackId) is what keeps a retried card from appearing twice.
 */
export async function httpJson(
  url: string,
  method: string,
  body: unknown,
  headers: Record<string, string>,
  timeoutMs: number,
) {
  let response: KeepAliveResponse;
  try {
    response = await keepAliveRequest({
      method,
      url,
      headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
      body: JSON.stringify(body),
      timeoutMs,
    });
  } catch (err) {
    // The answer's status had arrived and only its body was cut off: the status stands, as the body's absence.
    if (err instanceof HttpRequestError && err.status !== undefined) return { status: err.status, json: undefined };
    const cause = err instanceof HttpRequestError && err.timedOut ? 'no answer in time' : (err as Error).message;
    throw DeliveryError.retry(`DingTalk request ${method} ${new URL(url).pathname} did not complete: ${cause}`);
  }
  let json: unknown;
  try {
    json = response.text ? JSON.parse(response.text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: response.status, json };
}
