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
