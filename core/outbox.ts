import { insertRows } from '../db/insert-rows';
import { outbox } from '../db/schema';
import type { SQL } from 'drizzle-orm';
import type { Tx } from '../db/client';
import type { Effect } from './effects';

/**
 * Records an effect to be delivered after the transaction commits. The key makes the effect happen once:
 * a handler run twice (a retry after a crash) enqueues nothing new.
 */
export async function enqueueEffects(
  tx: Tx,
  effects: Array<{ effect: Effect; key: string; orderId?: number; platform?: string; notBefore?: Date }>,
  defaults: { platform: string; now: Date },
  /** A write of another table to make by the last statement (or alone, without effects): see insertRows. */
  alongside?: SQL,
): Promise<void> {
  await (await startEffects(tx, effects, defaults, alongside)).last;
}

/**
 * enqueueEffects, but its last statement is only sent: answers once that statement is made (it reaches the driver
 * before anything made later), with its outcome in `last`. A transaction that returns then sends its COMMIT right
 * behind the statement instead of after its answer, a wait for the database less; the transaction fails if the
 * statement does (the postgres.js patch; PGlite by itself), and the caller looks at `last` after it for the
 * statement's own error. Nothing may be sent in the transaction after it.
 */
export async function startEffects(
  tx: Tx,
  effects: Parameters<typeof enqueueEffects>[1],
  defaults: { platform: string; now: Date },
  alongside?: SQL,
): Promise<{ last: Promise<void> }> {
  // A thousand rows a statement keeps one statement's parameter (and the server's memory for it) bounded.
  let i = 0;
  for (; i + 1000 < effects.length; i += 1000) await insertEffects(tx, effects.slice(i, i + 1000), defaults);
  const last = insertEffects(tx, effects.slice(i), defaults, alongside).then(() => undefined);
  // Looked at by the caller once the transaction has ended; not an unhandled rejection meanwhile.
  last.catch(() => {});
  return { last };
}

/**
 * One statement for any number of effects (db/insert-rows.ts), inserted in the order given: their ids order the
 * deliveries of a chat or a card.
 */
function insertEffects(
  tx: Tx,
  effects: Parameters<typeof enqueueEffects>[1],
  defaults: { platform: string; now: Date },
  alongside?: SQL,
) {
  return insertRows(
    tx,
    outbox,
    effects.map(({ effect, key, orderId, platform, notBefore }) => ({
      idempotencyKey: key,
      platform: platform ?? defaults.platform,
      kind: effect.kind,
      payload: effect,
      orderId: orderId ?? null,
      nextAttemptAt: notBefore ?? defaults.now,
      createdAt: defaults.now,
    })),
    // One statement, made at once: startEffects relies on it.
    { onConflictDoNothing: ['idempotencyKey'], alongside, oneStatement: true },
  );
}
