import type { Card } from '../cards/model';

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
  note?: string;
  receivedAt: string;
  /** Opaque platform reference for answering the tap (WeCom response_code etc.). */
  callbackRef?: string;
}

export type InboundEvent = MessageEvent | CardActionEvent;

/** Where a text or card goes: a conversation (group chat) or a person (their 1:1 chat with the bot). */
export type Destination = { conversationId: string } | { userId: string };

export type Effect =
  | { kind: 'post'; to: Destination; text: string; replyRef?: string }
  | { kind: 'send-card'; to: Destination; card: Card }
  | {
      kind: 'update-card';
      cardId: string;
      card: Card;
      callbackRef?: string;
      /** The chat the card was posted in: its update keeps its place among that chat's messages. */
      conversationId?: string;
    }
  | {
      kind: 'sms';
      phone: string;
      text: string;
      template?: string;
      params?: Record<string, string>;
      /** Where to tell the sales person if the provider refuses the SMS (bad number, frequency limit). */
      notify?: {
        platform: string;
        conversationId: string;
        orderId: number;
        orderNumber: string;
        language: 'zh' | 'en';
      };
    };
