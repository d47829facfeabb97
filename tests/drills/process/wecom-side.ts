import { loadBusinessConfig, type BusinessConfig } from '../../../config/business-config';
import { FakeWecom } from '../../fakes/wecom/fake-wecom';

export const config: BusinessConfig = loadBusinessConfig();
/** The demo config's people as WeCom knows them (通讯录). */
export const DEMO_USERS = config.people.flatMap((p) => (p.wecom ? [p.wecom] : []));
const WEBHOOKS = Object.fromEntries(config.conversations.flatMap((c) => (c.wecom?.webhookKey ? [[c.wecom.webhookKey, c.wecom.chatId]] : [])));

/**
 * WeCom as the drill sees it: the fake's server API on 127.0.0.1, and its callback driver with
 * WeCom's 5 s timeout and 3 retries, `retryDelayMs` apart (about 5 s in production).
 */
export async function startFakeWecom(retryDelayMs: number): Promise<FakeWecom> {
  return new FakeWecom({
    users: DEMO_USERS,
    webhooks: WEBHOOKS,
    callbacks: { timeoutMs: 5000, retries: 3, retryDelayMs },
  }).start();
}

/** The environment the product needs to talk to this fake (as in tests/wecom/harness.ts `wecomEnv`). */
export function wecomEnvOf(fake: FakeWecom): Record<string, string> {
  const s = fake.secrets;
  return {
    WECOM_CORP_ID: s.corpId,
    WECOM_AGENT_ID: String(s.agentId),
    WECOM_SECRET: s.secret,
    WECOM_TOKEN: s.app.token,
    WECOM_ENCODING_AES_KEY: s.app.encodingAesKey,
    WECOM_AIBOT_TOKEN: s.aibot.token,
    WECOM_AIBOT_ENCODING_AES_KEY: s.aibot.encodingAesKey,
    WECOM_API_BASE: fake.url,
  };
}

/** The WeCom userid of a config person. */
export function useridOf(personId: string): string {
  return config.people.find((p) => p.id === personId)?.wecom ?? personId;
}

/** The group chatid of a config conversation, if it is a WeCom group. */
export function chatIdOf(conversationId: string): string | undefined {
  return config.conversations.find((c) => c.id === conversationId)?.wecom?.chatId;
}
