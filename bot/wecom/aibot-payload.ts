import { RequestRefused } from '../../core/errors';

/** What the AI bot's decrypted JSON says, reduced to what orderbot uses. */
export type AibotPayload =
  | {
      kind: 'text';
      msgId: string;
      chatType: 'group' | 'single';
      chatId?: string;
      fromUser: string;
      content: string;
      responseUrl?: string;
    }
  | {
      /** A tap on a button of a template card the AI bot posted (event template_card_event). */
      kind: 'card-tap';
      /** The event's msgid when it has one, else its sender, time, task and button: the dedupe key. */
      eventId: string;
      chatType: 'group' | 'single';
      chatId?: string;
      fromUser: string;
      taskId: string;
      eventKey: string;
      responseUrl?: string;
    }
  | { kind: 'ignored'; what: string };

type Node = Record<string, unknown>;
const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/** The envelope `{"encrypt": "..."}` of an AI bot callback. */
export function encryptedField(body: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw RequestRefused.malformed('body is not JSON');
  }
  const encrypt = str((parsed as Node | null)?.encrypt);
  if (!encrypt) throw RequestRefused.malformed('no encrypt field');
  return encrypt;
}

/** Text of a text, voice (transcribed) or mixed message; undefined for anything else. */
function contentOf(message: Node): string | undefined {
  const type = str(message.msgtype);
  if (type === 'text') return str((message.text as Node | undefined)?.content);
  if (type === 'voice') return str((message.voice as Node | undefined)?.content);
  if (type === 'mixed') {
    const items = ((message.mixed as Node | undefined)?.msg_item as Node[] | undefined) ?? [];
    const parts = items
      .filter((i) => i.msgtype === 'text')
      .map((i) => str((i.text as Node | undefined)?.content) ?? '');
    return parts.length > 0 ? parts.join('\n') : undefined;
  }
  return undefined;
}

/** A numeric msgid would lose digits in JSON.parse; take it from the text instead. */
function rawMsgId(json: string, parsed: Node): string | undefined {
  const asString = str(parsed.msgid);
  if (asString) return asString;
  return /"msgid"\s*:\s*(\d+)/.exec(json)?.[1];
}

export function readAibotPayload(json: string): AibotPayload {
  let message: Node;
  try {
    message = JSON.parse(json) as Node;
  } catch {
    throw RequestRefused.malformed('payload is not JSON');
  }
  if (!message || typeof message !== 'object') throw RequestRefused.malformed('payload is not an object');
  const type = str(message.msgtype) ?? '';
  if (type === 'event') return readEvent(json, message);
  const content = contentOf(message);
  if (content === undefined) return { kind: 'ignored', what: type };
  const msgId = rawMsgId(json, message);
  const fromUser = str((message.from as Node | undefined)?.userid);
  if (!msgId || !fromUser) throw RequestRefused.malformed('message without msgid or from.userid');
  const chatId = str(message.chatid);
  const responseUrl = str(message.response_url);
  return {
    kind: 'text',
    msgId,
    chatType: message.chattype === 'group' ? 'group' : 'single',
    ...(chatId ? { chatId } : {}),
    fromUser,
    content,
    ...(responseUrl ? { responseUrl } : {}),
  };
}

/**
 * A card tap: `event.template_card_event{event_key, task_id}` as the docs nest it, or flat on `event` as
 * the official Node SDK declares it (protocol notes §2.6); both are read. Other events are ignored.
 */
function readEvent(json: string, message: Node): AibotPayload {
  const event = (message.event as Node | undefined) ?? {};
  const eventType = str(event.eventtype) ?? '?';
  if (eventType !== 'template_card_event') return { kind: 'ignored', what: `event/${eventType}` };
  const nested = (event.template_card_event as Node | undefined) ?? {};
  const taskId = str(nested.task_id) ?? str(event.task_id);
  const eventKey = str(nested.event_key) ?? str(event.event_key);
  const fromUser = str((message.from as Node | undefined)?.userid);
  if (!taskId || !eventKey || !fromUser)
    throw RequestRefused.malformed('card event without task_id, event_key or from');
  const createTime = /"create_time"\s*:\s*"?(\d+)/.exec(json)?.[1] ?? '';
  const eventId = rawMsgId(json, message) ?? `${fromUser}:${createTime}:${taskId}:${eventKey}`;
  const chatId = str(message.chatid);
  const responseUrl = str(message.response_url);
  return {
    kind: 'card-tap',
    eventId,
    chatType: message.chattype === 'group' ? 'group' : 'single',
    ...(chatId ? { chatId } : {}),
    fromUser,
    taskId,
    eventKey,
    ...(responseUrl ? { responseUrl } : {}),
  };
}
