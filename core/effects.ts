import type { Card } from '../cards/model';

/** SMS effects go to this outbox platform: the SMS adapter, whatever chat platform the order came from. */
export const SMS_PLATFORM = 'sms';

/** ERP writes go to this outbox platform: the ERP writer, whatever chat platform the order came from. */
export const ERP_PLATFORM = 'erp';

/** Where a text or card goes: a conversation (group chat) or a person (their 1:1 chat with the bot). */
export type Destination = { conversationId: string } | { userId: string };

/**
 * What a non-essential effect refreshes, set where the effect is made:
 * - 'tracking-card': the order's tracking card in the sales chat updated in place (stage, ETD, clock);
 * - 'status': an order's status news posted to its chats (courier updates, delivered);
 * - 'digest': the weekly KPI digest to the ops conversation.
 */
export type Refresh = 'tracking-card' | 'status' | 'digest';

export type Effect =
  | { kind: 'post'; to: Destination; text: string; replyRef?: string; refresh?: Refresh }
  | { kind: 'send-card'; to: Destination; card: Card }
  | {
      kind: 'update-card';
      cardId: string;
      card: Card;
      callbackRef?: string;
      /** The chat the card was posted in: its update keeps its place among that chat's messages. */
      conversationId?: string;
      refresh?: Refresh;
    }
  | {
      kind: 'sms';
      phone: string;
      text: string;
      template?: string;
      params?: Record<string, string>;
      /** Where to tell the sales person if the provider refuses the SMS (bad number, frequency limit). */
      notify?: SmsNotify;
    }
  /** A confirmed order written to the plant's ERP as a sale order (read from the database when delivered). */
  | { kind: 'erp-sale-order'; orderId: number };

/** The order an SMS is about, and the chat whose sales person calls the customer when the SMS fails. */
export interface SmsNotify {
  platform: string;
  conversationId: string;
  orderId: number;
  orderNumber: string;
  language: 'zh' | 'en';
}

/**
 * Essential first: the one rule for what still goes out when a platform's monthly API quota is used up.
 * Essential (always attempted): approval and stage cards and their updates, replies and notices to a
 * person or a sales chat (a confirmation, a rejection, a delay alert, an answer to a status question),
 * escalations, ops notices: every effect not marked as a refresh. Non-essential (withheld once the quota
 * is used up, sent again next month): effects marked `refresh` where they are made (the tracking card's
 * updates, status posts, digests); what they show can be seen on the tracking card or asked for.
 */
export function isEssential(effect: Effect): boolean {
  return !((effect.kind === 'post' || effect.kind === 'update-card') && effect.refresh);
}
