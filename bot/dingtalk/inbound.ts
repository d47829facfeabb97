import { z } from 'zod';
import { RequestRefused } from '../../core/errors';
import { DINGTALK_ACTION_PARAM, DINGTALK_NOTE_PARAM, DINGTALK_REASON_PARAM } from '../../cards/dingtalk';
import type { CardActionEvent, MessageEvent } from '../../core/events';
import type { DingtalkDirectory } from './directory';

export const PLATFORM = 'dingtalk';

/** The robot message in a CALLBACK frame on /v1.0/im/bot/messages/get (`data`, parsed). */
const robotMessageSchema = z.object({
  msgId: z.string().min(1),
  conversationId: z.string().min(1),
  conversationType: z.enum(['1', '2']),
  senderStaffId: z.string().optional(),
  senderId: z.string().optional(),
  senderNick: z.string().default(''),
  robotCode: z.string().optional(),
  msgtype: z.string().default('text'),
  text: z.object({ content: z.string() }).optional(),
  content: z.unknown().optional(),
  sessionWebhook: z.string().url().optional(),
  sessionWebhookExpiredTime: z.coerce.number().optional(),
  createAt: z.coerce.number().optional(),
});

/** A card callback on /v1.0/card/instances/callback: `content` (or `value`) is itself a JSON string. */
const cardCallbackSchema = z.object({
  outTrackId: z.string().min(1),
  userId: z.string().min(1),
  type: z.string().optional(),
  content: z.string().optional(),
  value: z.string().optional(),
});

const privateDataSchema = z.object({
  cardPrivateData: z
    .object({
      actionIds: z.array(z.string()).default([]),
      params: z.record(z.string(), z.unknown()).default({}),
    })
    .default({ actionIds: [], params: {} }),
});

export interface DecodedMessage {
  event: MessageEvent;
  externalId: string;
  robotCode?: string;
  sessionWebhook?: { conversationId: string; url: string; expiresAt: Date };
}

export interface DecodedCardAction {
  event: CardActionEvent;
  externalId: string;
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw RequestRefused.malformed(`${what} is not JSON`);
  }
}

function parse<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const result = schema.safeParse(value);
  if (!result.success)
    throw RequestRefused.malformed(
      `${what}: ${result.error.issues[0]?.path.join('.')} ${result.error.issues[0]?.message}`,
    );
  return result.data;
}

/** Text of a text or richText message; the @-mention is already cut out (a leading space may remain). */
function messageText(message: z.infer<typeof robotMessageSchema>): string {
  if (message.text) return message.text.content.trim();
  const rich = (message.content as { richText?: Array<{ text?: unknown } | null> } | undefined)?.richText;
  if (Array.isArray(rich))
    return rich
      .map((part) => (typeof part?.text === 'string' ? part.text : ''))
      .join('')
      .trim();
  return '';
}

/** A session webhook lives 90 minutes from the message's createAt (DingTalk: createAt + 5,400,000 ms). */
export const SESSION_WEBHOOK_TTL_MS = 5_400_000;

/**
 * When a message's session webhook stops working: createAt + 90 min, or sessionWebhookExpiredTime if that
 * comes first; either alone when the other is missing. None when neither is a usable time (an expiry past
 * the last date a Date can hold would make the frame unstorable).
 */
function sessionWebhookExpiry(message: { sessionWebhookExpiredTime?: number; createAt?: number }): Date | undefined {
  const ends = [
    message.sessionWebhookExpiredTime,
    message.createAt ? message.createAt + SESSION_WEBHOOK_TTL_MS : undefined,
  ].filter((t): t is number => typeof t === 'number' && t > 0 && !Number.isNaN(new Date(t).getTime()));
  return ends.length > 0 ? new Date(Math.min(...ends)) : undefined;
}

/** A robot message frame's data as the neutral message event. In a group the robot only hears @-mentions. */
export function decodeRobotMessage(data: string, directory: DingtalkDirectory, now: Date): DecodedMessage {
  const message = parse(robotMessageSchema, parseJson(data, 'robot message'), 'robot message');
  const staffId = message.senderStaffId || message.senderId || 'unknown';
  const person = directory.personOf(staffId);
  const direct = message.conversationType === '1';
  const conversationId = direct ? directory.directChatOf(person.id) : directory.conversationOf(message.conversationId);
  const event: MessageEvent = {
    kind: 'message',
    platform: PLATFORM,
    conversationId,
    senderId: person.id,
    senderName: person.name ?? (message.senderNick || person.id),
    text: messageText(message),
    messageId: message.msgId,
    receivedAt: now.toISOString(),
    addressedToBot: true,
  };
  const expiresAt = sessionWebhookExpiry(message);
  const webhook =
    message.sessionWebhook && expiresAt ? { conversationId, url: message.sessionWebhook, expiresAt } : undefined;
  return {
    event,
    externalId: `msg:${message.msgId}`,
    ...(message.robotCode ? { robotCode: message.robotCode } : {}),
    ...(webhook ? { sessionWebhook: webhook } : {}),
  };
}

/**
 * A card callback frame's data as the neutral card-action event. The action key is the button's callback
 * param `action` or else the tapped button's id; a rejection reason comes from the `note` input.
 * `frameId` (the frame's messageId) tells two taps apart while a redelivered frame keeps its identity.
 */
export function decodeCardCallback(
  data: string,
  frameId: string,
  directory: DingtalkDirectory,
  now: Date,
): DecodedCardAction {
  const callback = parse(cardCallbackSchema, parseJson(data, 'card callback'), 'card callback');
  const raw = callback.content ?? callback.value;
  if (!raw) throw RequestRefused.malformed('card callback has no content');
  const { cardPrivateData } = parse(
    privateDataSchema,
    parseJson(raw, 'card callback content'),
    'card callback content',
  );
  const param = cardPrivateData.params[DINGTALK_ACTION_PARAM];
  const actionKey = typeof param === 'string' && param ? param : cardPrivateData.actionIds[0];
  if (!actionKey) throw RequestRefused.malformed('card callback names no action');
  const noteParam = cardPrivateData.params[DINGTALK_NOTE_PARAM];
  const note = typeof noteParam === 'string' && noteParam.trim() ? noteParam.trim() : undefined;
  const reasonParam = cardPrivateData.params[DINGTALK_REASON_PARAM];
  const reasonId = typeof reasonParam === 'string' && reasonParam ? reasonParam : undefined;
  const actor = directory.personOf(callback.userId);
  const event: CardActionEvent = {
    kind: 'card-action',
    platform: PLATFORM,
    cardId: callback.outTrackId,
    actionKey,
    actorId: actor.id,
    ...(note ? { note } : {}),
    ...(reasonId ? { reasonId } : {}),
    receivedAt: now.toISOString(),
    callbackRef: frameId,
  };
  return { event, externalId: `card:${callback.outTrackId}:${callback.userId}:${actionKey}:${frameId}` };
}
