import type { Logger } from 'pino';
import type { Database } from '../../db/client';
import { cachedToken, invalidateToken, type FreshToken, tokenMemo, type TokenMemo } from '../../db/platform-tokens';
import { requestJson, WecomError, type WecomReply } from './http-json';
import type { WecomSettings } from './settings';

const TOKEN_REFUSED = new Set([40014, 42001]);

/**
 * WeCom server API. One access token for all processes lives in the database; when WeCom calls it
 * invalid or expired, it is dropped, fetched again once, and the call repeated once.
 */
export class WecomApi {
  private readonly tokenKey: string;
  private readonly tokens: TokenMemo = tokenMemo();

  constructor(
    private readonly settings: WecomSettings,
    private readonly db: Database,
    private readonly clock: () => Date,
    private readonly log: Logger,
  ) {
    this.tokenKey = `wecom:${settings.corpId}:${settings.agentId}`;
  }

  /** POST /cgi-bin/<api>?access_token=…; resolves with the reply when errcode is 0, throws otherwise. */
  async call(api: string, body: unknown): Promise<WecomReply> {
    return this.withToken(api, (token) => this.requestWithToken(api, token, {}, body));
  }

  /** GET /cgi-bin/<api>?access_token=…&<query>, with the same token handling as `call`. */
  async get(api: string, query: Record<string, string> = {}): Promise<WecomReply> {
    return this.withToken(api, (token) => this.requestWithToken(api, token, query, undefined));
  }

  private async withToken(api: string, request: (token: string) => Promise<WecomReply>): Promise<WecomReply> {
    let token = await this.token();
    let reply = await request(token);
    if (TOKEN_REFUSED.has(reply.errcode)) {
      this.log.info({ api, errcode: reply.errcode }, 'access token refused; refreshing once');
      await invalidateToken(this.db, this.tokenKey, token, this.tokens);
      token = await this.token();
      reply = await request(token);
    }
    if (reply.errcode !== 0) throw new WecomError(reply.errcode, reply.errmsg, api);
    return reply;
  }

  /** POST to a URL WeCom handed out (AI-bot response_url) or keyed by a secret (webhook robot). */
  async postTo(api: string, url: string, body: unknown): Promise<WecomReply> {
    const reply = await requestJson(api, url, body, this.settings.requestTimeoutMs);
    if (reply.errcode !== 0) throw new WecomError(reply.errcode, reply.errmsg, api);
    return reply;
  }

  url(path: string): string {
    return `${this.settings.apiBase}/cgi-bin/${path}`;
  }

  /** A body makes it a POST; without one it is a GET. */
  private requestWithToken(
    api: string,
    token: string,
    query: Record<string, string>,
    body: unknown,
  ): Promise<WecomReply> {
    const params = new URLSearchParams({ access_token: token, ...query });
    return requestJson(api, `${this.url(api)}?${params}`, body, this.settings.requestTimeoutMs);
  }

  private token(): Promise<string> {
    return cachedToken(this.db, this.tokenKey, this.clock(), () => this.fetchToken(), { memo: this.tokens });
  }

  private async fetchToken(): Promise<FreshToken> {
    const { corpId, secret } = this.settings;
    const url = `${this.url('gettoken')}?corpid=${encodeURIComponent(corpId)}&corpsecret=${encodeURIComponent(secret)}`;
    const reply = await requestJson('gettoken', url, undefined, this.settings.requestTimeoutMs);
    if (reply.errcode !== 0 || typeof reply.access_token !== 'string')
      throw new WecomError(reply.errcode, reply.errmsg, 'gettoken');
    this.log.info('fetched a new WeCom access token');
    return { token: reply.access_token, expiresInSeconds: Number(reply.expires_in) || 7200 };
  }
}
