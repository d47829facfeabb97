import type { Stage, WorkStage } from '../domain/lifecycle';
import type { SmsNotify } from './effects';

/** A chat message, as every adapter hands it on. */
export interface MessageEvent {
  kind: 'message';
  platform: string;
  conversationId: string;
  senderId: string;
  senderName: string;
  text: string;
  /** The platform's own message id: the dedupe key. */
  messageId: string;
  receivedAt: string;
  /** True when the bot was @-mentioned or the chat is 1:1 with the bot. */
  addressedToBot: boolean;
  /** Platform reference a reply can use (e.g. a reply window); opaque to handlers. */
  replyRef?: string;
}

/** A tap on a card button. */
export interface CardActionEvent {
  kind: 'card-action';
  platform: string;
  cardId: string;
  actionKey: string;
  actorId: string;
  /** What the tapper wrote as the reason (a DingTalk text input, the playground). */
  note?: string;
  /** The reason the tapper picked from the card's list (a WeCom dropdown, a DingTalk select). */
  reasonId?: string;
  receivedAt: string;
  /** Opaque platform reference for answering the tap (WeCom response_code etc.). */
  callbackRef?: string;
}

/**
 * What became of a customer's SMS that did not surely arrive: the provider refused it, or an attempt was
 * cut off (it may have gone out). The SMS adapter hands it on; a handler tells the sales chat to call.
 */
export interface SmsOutcomeEvent {
  kind: 'sms-outcome';
  platform: string;
  status: 'rejected' | 'unknown';
  /** The provider's words (or ours, for an attempt cut off), for the order's history and the chat. */
  reason: string;
  phoneMasked: string;
  notify: SmsNotify;
  receivedAt: string;
}

/**
 * A stage the plant's MES reports over its HTTP interface (integrations/mes). Stored under `key` (its
 * Idempotency-Key, or the order and stage), which the handler uses to keep its outcome with the event.
 */
export interface MesStageReportEvent {
  kind: 'mes-stage-report';
  platform: 'mes';
  key: string;
  orderNumber: string;
  stage: WorkStage;
  /** When it happened on the floor (ISO 8601 with offset), as sent; null when not sent. */
  at: string | null;
  note: string | null;
  /** For `shipped`: the 快递100 carrier code and the waybill, when sent. */
  carrier: string | null;
  waybill: string | null;
  receivedAt: string;
}

/** What became of a MES stage report: kept with the event, the MES's answer (and a retry's) is read from it. */
export type MesStageOutcome =
  /** The stages completed (with a jump forward, those in between too). */
  | { status: 'done'; completed: WorkStage[] }
  /** The order was marked shipped without a waybill: the report's waybill is added and tracked. */
  | { status: 'waybill-added'; waybill: string }
  /** Done before (by `by`, a person's name, or by a system when null, at `at`): nothing changed. */
  | { status: 'already'; current: Stage; by: string | null; at: string | null }
  | {
      status: 'refused';
      reason: 'unknown-order' | 'not-allowed' | 'not-confirmed' | 'skipped' | 'before-confirmation';
      /** For `before-confirmation`: when the order was confirmed. */
      confirmedAt?: string;
    };

export type InboundEvent = MessageEvent | CardActionEvent | SmsOutcomeEvent | MesStageReportEvent;

/**
 * How an adapter names a group the business config does not know: `<platform>:<the platform's group id>`
 * (bot/wecom/identities.ts, bot/dingtalk/directory.ts). These two read and write that name.
 */
export function unknownGroupOf(conversationId: string): { platform: 'wecom' | 'dingtalk'; groupId: string } | null {
  const match = /^(wecom|dingtalk):(.+)$/.exec(conversationId);
  return match ? { platform: match[1] as 'wecom' | 'dingtalk', groupId: match[2]! } : null;
}

export function unknownGroupName(platform: 'wecom' | 'dingtalk', groupId: string): string {
  return `${platform}:${groupId}`;
}
