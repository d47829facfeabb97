import type { Env } from '../../config/env';
import { aesKeyBytes } from './callback-crypto';

export interface CallbackSecrets {
  token: string;
  aesKey: Buffer;
  /** What the decrypted payload must name as its receiver: the corp id for the app, "" for the AI bot. */
  receiveId: string;
}

export interface WecomSettings {
  corpId: string;
  agentId: number;
  secret: string;
  app: CallbackSecrets;
  aibot?: CallbackSecrets;
  /** e.g. https://qyapi.weixin.qq.com, without a trailing slash. */
  apiBase: string;
  /**
   * How far a callback's timestamp may be from our clock. WeCom documents no window; its retries of one
   * event span about 20 s, so the window must be wider than that plus clock skew.
   */
  timestampWindowMs: number;
  requestTimeoutMs: number;
  /** Group webhook robots accept 20 messages a minute each. */
  webhookPerMinute: number;
  /**
   * How long the answer to an AI-bot card tap waits for the card's update (the passive reply). WeCom's
   * timeout for it is unconfirmed; 5 s like the app callback is assumed, so this stays well under it.
   */
  aibotReplyWaitMs: number;
}

/** The WeCom part of the environment, checked once at start-up; an error names the variable. */
export function wecomSettings(env: Env): WecomSettings {
  const required = (name: keyof Env): string => {
    const value = env[name];
    if (typeof value !== 'string' || value === '') throw new Error(`WeCom: ${name} is not set`);
    return value;
  };
  const corpId = required('WECOM_CORP_ID');
  const agentId = Number(required('WECOM_AGENT_ID'));
  if (!Number.isSafeInteger(agentId) || agentId <= 0)
    throw new Error("WeCom: WECOM_AGENT_ID must be the app's numeric AgentId");
  const aibotToken = env.WECOM_AIBOT_TOKEN;
  const aibotKey = env.WECOM_AIBOT_ENCODING_AES_KEY;
  if (Boolean(aibotToken) !== Boolean(aibotKey)) {
    throw new Error('WeCom: set both WECOM_AIBOT_TOKEN and WECOM_AIBOT_ENCODING_AES_KEY, or neither');
  }
  return {
    corpId,
    agentId,
    secret: required('WECOM_SECRET'),
    app: {
      token: required('WECOM_TOKEN'),
      aesKey: aesKeyBytes(required('WECOM_ENCODING_AES_KEY'), 'WECOM_ENCODING_AES_KEY'),
      receiveId: corpId,
    },
    ...(aibotToken && aibotKey
      ? { aibot: { token: aibotToken, aesKey: aesKeyBytes(aibotKey, 'WECOM_AIBOT_ENCODING_AES_KEY'), receiveId: '' } }
      : {}),
    apiBase: env.WECOM_API_BASE.replace(/\/+$/, ''),
    timestampWindowMs: 5 * 60_000,
    requestTimeoutMs: env.WECOM_REQUEST_TIMEOUT_MS ?? 10_000,
    webhookPerMinute: 20,
    aibotReplyWaitMs: 3000,
  };
}
