import { unknownGroupName } from '../../core/events';
import { personByPlatformId, type BusinessConfig } from '../../config/business-config';

/** Config ids for people and conversations ↔ WeCom userids and chatids. */

const UNKNOWN = 'wecom:';

/** The person behind a WeCom userid; an unknown one keeps `wecom:<userid>` as id and the userid as name. */
export function personOfUser(config: BusinessConfig, userid: string): { id: string; name: string } {
  const person = personByPlatformId(config, 'wecom', userid);
  return person ? { id: person.id, name: person.name } : { id: `${UNKNOWN}${userid}`, name: userid };
}

/** The WeCom userid of a config person id (or of an unknown sender's `wecom:<userid>`). */
export function userOfPerson(config: BusinessConfig, personId: string): string {
  if (personId.startsWith(UNKNOWN)) return personId.slice(UNKNOWN.length);
  const person = config.people.find((p) => p.id === personId);
  return person?.wecom ?? personId;
}

export function directConversation(personId: string): string {
  return `dm:${personId}`;
}

/** The config conversation an AI-bot group chatid belongs to, or `wecom:<chatid>`. */
export function conversationOfChat(config: BusinessConfig, chatId: string): string {
  return config.conversations.find((c) => c.wecom?.chatId === chatId)?.id ?? unknownGroupName('wecom', chatId);
}

export type ConversationTarget =
  | { kind: 'direct'; personId: string; userid: string }
  | { kind: 'group'; conversationId: string; webhookKey?: string };

export function targetOfConversation(config: BusinessConfig, conversationId: string): ConversationTarget {
  if (conversationId.startsWith('dm:')) {
    const personId = conversationId.slice(3);
    return { kind: 'direct', personId, userid: userOfPerson(config, personId) };
  }
  const webhookKey = config.conversations.find((c) => c.id === conversationId)?.wecom?.webhookKey;
  return { kind: 'group', conversationId, ...(webhookKey ? { webhookKey } : {}) };
}
