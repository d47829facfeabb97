import { loadBusinessConfig, type BusinessConfig } from '../../../config/business-config';
import { FakeWecom } from '../../fakes/wecom/fake-wecom';

export const config: BusinessConfig = loadBusinessConfig();
/** The demo config's people as WeCom knows them (通讯录). */
export const DEMO_USERS = config.people.flatMap((p) => (p.wecom ? [p.wecom] : []));
const WEBHOOKS = Object.fromEntries(
  config.conversations.flatMap((c) => (c.wecom?.webhookKey ? [[c.wecom.webhookKey, c.wecom.chatId]] : [])),
);

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

/** The WeCom userid of a config person. */
export function useridOf(personId: string): string {
  return config.people.find((p) => p.id === personId)?.wecom ?? personId;
}

/** The group chatid of a config conversation, if it is a WeCom group. */
export function chatIdOf(conversationId: string): string | undefined {
  return config.conversations.find((c) => c.id === conversationId)?.wecom?.chatId;
}
