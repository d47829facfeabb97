import type { SQL } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { BusinessConfig } from '../config/business-config';
import type { Tx } from '../db/client';
import type { MessageEvent } from './events';
import type { Effect } from './effects';
import { enqueueEffects, type LeasedRow, startEffects } from './outbox';

/** What every handler gets: one transaction, the clock's reading, the business config, and an effect sink. */
export interface HandlerContext {
  tx: Tx;
  now: Date;
  config: BusinessConfig;
  log: Logger;
  /** Stable per inbound event: effect keys built from it make a re-run handler enqueue nothing twice. */
  eventKey: string;
  /** The platform effects go out on unless an emit names another: the event's, or the scheduled job's. */
  platform: string;
  emit(effect: Effect, key: string, options?: { orderId?: number; platform?: string; notBefore?: Date }): Promise<void>;
  emitAll(
    effects: Array<{ effect: Effect; key: string; orderId?: number; platform?: string; notBefore?: Date }>,
  ): Promise<void>;
  /**
   * Writes the effects emitted so far to the outbox, in the order they were emitted, in one statement, which
   * also makes the `alongside` write when given (the inbound row's mark). Whoever opens the transaction calls it
   * before the commit (Bot.process, Bot.runScheduled).
   */
  flush(alongside?: SQL): Promise<void>;
  /**
   * flush, its (last) statement only sent (core/outbox.ts startEffects): the transaction's last statement, to go
   * out with COMMIT. Its outcome is in `last`, to be looked at once the transaction has ended: with `leasedUntil`,
   * the effects written leased to this process, for it to deliver.
   */
  flushLast(alongside?: SQL, leasedUntil?: Date): Promise<{ last: Promise<LeasedRow[]> }>;
}

/** Effects buffered before they are written anyway, in the middle of a handler. */
const WRITE_AT = 200;

export function createHandlerContext(args: {
  tx: Tx;
  now: Date;
  config: BusinessConfig;
  log: Logger;
  eventKey: string;
  platform: string;
}): HandlerContext {
  const { tx, now, platform } = args;
  const emitted: Parameters<HandlerContext['emitAll']>[0] = [];
  const write = (alongside?: SQL) => enqueueEffects(tx, emitted.splice(0), { now, platform }, alongside);
  // A job touching thousands of orders writes as it goes, so the buffer (and one statement) stays small.
  const writeIfMany = async () => void (emitted.length >= WRITE_AT ? await write() : undefined);
  return {
    ...args,
    emit: async (effect, key, options) => {
      emitted.push({ effect, key, ...options });
      await writeIfMany();
    },
    emitAll: async (effects) => {
      emitted.push(...effects);
      await writeIfMany();
    },
    flush: write,
    flushLast: (alongside, leasedUntil) =>
      startEffects(tx, emitted.splice(0), { now, platform }, alongside, leasedUntil),
  };
}

/** Answers a chat message in its chat (through the platform's reply channel when it has one), once per event. */
export function replyToMessage(
  ctx: HandlerContext,
  event: MessageEvent,
  text: string,
  orderId?: number,
): Promise<void> {
  return ctx.emit(
    {
      kind: 'post',
      to: { conversationId: event.conversationId },
      text,
      ...(event.replyRef ? { replyRef: event.replyRef } : {}),
    },
    `${ctx.eventKey}:reply`,
    orderId === undefined ? undefined : { orderId },
  );
}
