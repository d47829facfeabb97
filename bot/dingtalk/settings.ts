import type { Env } from '../../config/env';

/** What the DingTalk adapter needs from the environment. */
export interface DingtalkSettings {
  clientId: string;
  clientSecret: string;
  /** The robot's code; for an internal app's robot it is the app's client id unless set. */
  robotCode: string;
  /** Interactive card template id; without one approval cards fall back to ActionCard messages. */
  cardTemplateId?: string;
  apiBase: string;
  /** The old-style server API (oapi.dingtalk.com: gettoken, topapi/…), where the company directory is read. */
  oapiBase: string;
  gatewayUrl: string;
  /** How long an OpenAPI or session-webhook call may take before its outcome counts as unknown. */
  requestTimeoutMs: number;
  /** The lease on the app's one Stream connection across processes (DINGTALK_STREAM_LEASE_MS). */
  streamLeaseMs: number;
  /**
   * OpenAPI calls the organisation may make a month (the access-token call excluded); 0 = unlimited. Past it
   * only essential effects are sent (see isEssential in core/effects.ts).
   */
  monthlyQuota: number;
}

export function dingtalkSettings(env: Env): DingtalkSettings {
  if (!env.DINGTALK_CLIENT_ID || !env.DINGTALK_CLIENT_SECRET) {
    throw new Error('DINGTALK_CLIENT_ID and DINGTALK_CLIENT_SECRET are required for the DingTalk adapter');
  }
  return {
    clientId: env.DINGTALK_CLIENT_ID,
    clientSecret: env.DINGTALK_CLIENT_SECRET,
    robotCode: env.DINGTALK_ROBOT_CODE ?? env.DINGTALK_CLIENT_ID,
    ...(env.DINGTALK_CARD_TEMPLATE_ID ? { cardTemplateId: env.DINGTALK_CARD_TEMPLATE_ID } : {}),
    apiBase: env.DINGTALK_API_BASE.replace(/\/+$/, ''),
    oapiBase: env.DINGTALK_OAPI_BASE.replace(/\/+$/, ''),
    gatewayUrl: env.DINGTALK_GATEWAY_URL,
    requestTimeoutMs: env.DINGTALK_REQUEST_TIMEOUT_MS ?? 10_000,
    streamLeaseMs: env.DINGTALK_STREAM_LEASE_MS ?? 4000,
    monthlyQuota: env.DINGTALK_MONTHLY_QUOTA,
  };
}
