import { unknownGroupName } from '../../core/events';
import { personByPlatformId, type ConfigSource } from '../../config/business-config';

/** Prefix for DingTalk users and groups that the business config does not know. */
const UNKNOWN = 'dingtalk:';
const DM = 'dm:';

/**
 * Translates between the business config's ids (people "wanggong", conversations "sales-east") and
 * DingTalk's (staff ids, openConversationIds). Handlers only ever see the config's ids.
 */
export class DingtalkDirectory {
  constructor(private readonly source: ConfigSource) {}

  /** The config's latest version: a person or group added in the console is known at once. */
  private get config() {
    return this.source.current;
  }

  /** The person behind a DingTalk staff id; unknown staff become `dingtalk:<staffId>`. */
  personOf(staffId: string): { id: string; name?: string } {
    const person = personByPlatformId(this.config, 'dingtalk', staffId);
    return person ? { id: person.id, name: person.name } : { id: `${UNKNOWN}${staffId}` };
  }

  /** The staff id to send to for a person id, or undefined when the person has none. */
  staffIdOf(personId: string): string | undefined {
    if (personId.startsWith(UNKNOWN)) return personId.slice(UNKNOWN.length) || undefined;
    return this.config.people.find((p) => p.id === personId)?.dingtalk;
  }

  /** The config conversation of a group's openConversationId; unknown groups become `dingtalk:<cid>`. */
  conversationOf(openConversationId: string): string {
    const known = this.config.conversations.find((c) => c.dingtalk?.openConversationId === openConversationId);
    return known ? known.id : unknownGroupName('dingtalk', openConversationId);
  }

  /** The bot's 1:1 chat with a person, as handlers name it. */
  directChatOf(personId: string): string {
    return `${DM}${personId}`;
  }

  /** Where a destination lands on DingTalk: a person's 1:1 chat with the robot, or a group. */
  resolve(to: { conversationId: string } | { userId: string }): DingtalkTarget {
    if ('userId' in to) return this.personTarget(to.userId);
    const id = to.conversationId;
    if (id.startsWith(DM)) return this.personTarget(id.slice(DM.length));
    const openConversationId = id.startsWith(UNKNOWN)
      ? id.slice(UNKNOWN.length)
      : this.config.conversations.find((c) => c.id === id)?.dingtalk?.openConversationId;
    if (!openConversationId)
      return { kind: 'unknown', reason: `conversation "${id}" has no DingTalk openConversationId in the config` };
    return { kind: 'group', conversationId: id, openConversationId };
  }

  private personTarget(personId: string): DingtalkTarget {
    const staffId = this.staffIdOf(personId);
    if (!staffId) return { kind: 'unknown', reason: `person "${personId}" has no DingTalk staff id in the config` };
    return { kind: 'user', conversationId: this.directChatOf(personId), staffId };
  }
}

export type DingtalkTarget =
  | { kind: 'user'; conversationId: string; staffId: string }
  | { kind: 'group'; conversationId: string; openConversationId: string }
  | { kind: 'unknown'; reason: string };
