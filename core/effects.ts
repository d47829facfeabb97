import type { Card } from '../cards/model';

/** SMS effects go to this outbox platform: the SMS adapter, whatever chat platform the order came from. */
export const SMS_PLATFORM = 'sms';

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
      notify?: SmsNotify;
    };

/** The order an SMS is about, and the chat whose sales person calls the customer when the SMS fails. */
export interface SmsNotify {
  platform: string;
  conversationId: string;
  orderId: number;
  orderNumber: string;
  language: 'zh' | 'en';
}
