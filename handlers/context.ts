import type { Logger } from 'pino';
import type { BusinessConfig } from '../config/business-config';
import type { Tx } from '../db/client';
import type { Effect, MessageEvent } from './events';
import { enqueueEffects } from './outbox';

/** What every handler gets: one transaction, the clock's reading, the business config, and an effect sink. */
export interface HandlerContext {
  tx: Tx;
  now: Date;
  config: BusinessConfig;
  log: Logger;
  /** Stable per inbound event: effect keys built from it make a re-run handler enqueue nothing twice. */
  eventKey: string;
  emit(effect: Effect, key: string, options?: { orderId?: number; platform?: string; notBefore?: Date }): Promise<void>;
  /** Several effects in one statement. */
  emitAll(effects: Array<{ effect: Effect; key: string; orderId?: number; platform?: string; notBefore?: Date }>): Promise<void>;
}

export function createHandlerContext(args: {
  tx: Tx;
  now: Date;
  config: BusinessConfig;
  log: Logger;
  eventKey: string;
  platform: string;
}): HandlerContext {
  const { tx, now, platform } = args;
  return {
    ...args,
    emit: (effect, key, options) => enqueueEffects(tx, [{ effect, key, ...options }], { now, platform }),
    emitAll: (effects) => enqueueEffects(tx, effects, { now, platform }),
  };
}

/** Answers a chat message in its chat (through the platform's reply channel when it has one), once per event. */
export function replyToMessage(ctx: HandlerContext, event: MessageEvent, text: string, orderId?: number): Promise<void> {
  return ctx.emit(
    { kind: 'post', to: { conversationId: event.conversationId }, text, ...(event.replyRef ? { replyRef: event.replyRef } : {}) },
    `${ctx.eventKey}:reply`,
    orderId === undefined ? undefined : { orderId },
  );
}
