import { type SQL, sql } from 'drizzle-orm';
import { builtQuery, type Tx } from '../db/client';
import { insertRows } from '../db/insert-rows';
import { outboxRowHasReplyWindow, outboxRowReplyUrl } from '../db/reply-windows';
import { outbox } from '../db/schema';
import type { Effect } from './effects';

type EffectToWrite = { effect: Effect; key: string; orderId?: number; platform?: string; notBefore?: Date };

/**
 * An outbox row leased to the process delivering it, with its conversation's reply-window hints: claimed by the
 * sender, or inserted already leased by the process that wrote it, which delivers it once the transaction has
 * committed (no claim statement reads it back). Another process takes it only once the lease has run out.
 */
export type LeasedRow = typeof outbox.$inferSelect & { replyWindow: boolean; replyUrl: string | null };

/**
 * Records an effect to be delivered after the transaction commits. The key makes the effect happen once:
 * a handler run twice (a retry after a crash) enqueues nothing new.
 */
export async function enqueueEffects(
  tx: Tx,
  effects: EffectToWrite[],
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
 *
 * With `leasedUntil`, that statement's effects due now are inserted leased until then, and `last` answers them, to
 * be delivered by the caller once committed (an effect written before, by a run of the same event, is not).
 */
export async function startEffects(
  tx: Tx,
  effects: EffectToWrite[],
  defaults: { platform: string; now: Date },
  alongside?: SQL,
  leasedUntil?: Date,
): Promise<{ last: Promise<LeasedRow[]> }> {
  // A thousand rows a statement keeps one statement's parameter (and the server's memory for it) bounded.
  let i = 0;
  for (; i + 1000 < effects.length; i += 1000) await insertEffects(tx, effects.slice(i, i + 1000), defaults);
  const last = insertEffects(tx, effects.slice(i), defaults, alongside, leasedUntil);
  // Looked at by the caller once the transaction has ended; not an unhandled rejection meanwhile.
  last.catch(() => {});
  return { last };
}

/** The reply-window hints of the rows an insert answers, as the claim gives them (written once). */
let insertedRowHints: { replyWindow: string; replyUrl: string } | undefined;

/**
 * One statement for any number of effects (db/insert-rows.ts), inserted in the order given: their ids order the
 * deliveries of a chat or a card.
 */
async function insertEffects(
  tx: Tx,
  effects: EffectToWrite[],
  defaults: { platform: string; now: Date },
  alongside?: SQL,
  leasedUntil?: Date,
): Promise<LeasedRow[]> {
  const rows = effects.map(({ effect, key, orderId, platform, notBefore }) => {
    const leased = leasedUntil !== undefined && (!notBefore || notBefore <= defaults.now);
    return {
      idempotencyKey: key,
      platform: platform ?? defaults.platform,
      kind: effect.kind,
      payload: effect,
      orderId: orderId ?? null,
      nextAttemptAt: notBefore ?? defaults.now,
      createdAt: defaults.now,
      // Every row gives the same columns: one statement (insertRows).
      ...(leasedUntil ? { lockedUntil: leased ? leasedUntil : null, attempts: leased ? 1 : 0 } : {}),
    };
  });
  if (!leasedUntil) {
    // One statement, made at once: startEffects relies on it.
    await insertRows(tx, outbox, rows, { onConflictDoNothing: ['idempotencyKey'], alongside, oneStatement: true });
    return [];
  }
  const createdAt = sql.raw('outbox.created_at');
  insertedRowHints ??= {
    replyWindow: builtQuery(tx, outboxRowHasReplyWindow(createdAt)).sql,
    replyUrl: builtQuery(tx, outboxRowReplyUrl(createdAt)).sql,
  };
  const inserted = await insertRows(tx, outbox, rows, {
    onConflictDoNothing: ['idempotencyKey'],
    alongside,
    oneStatement: true,
    returning: ['id', 'idempotencyKey'],
    returningAlso: insertedRowHints,
  });
  // A key given twice in one statement is inserted once, from its first row.
  const byKey = new Map<string, (typeof rows)[number]>();
  for (const row of rows) if (!byKey.has(row.idempotencyKey)) byKey.set(row.idempotencyKey, row);
  const leased: LeasedRow[] = [];
  for (const { id, idempotencyKey, replyWindow, replyUrl } of inserted as Array<
    (typeof inserted)[number] & { replyWindow: boolean; replyUrl: string | null }
  >) {
    const row = byKey.get(idempotencyKey)!;
    const { lockedUntil } = row;
    if (lockedUntil)
      leased.push({
        ...row,
        id,
        status: 'pending',
        attempts: 1,
        lockedUntil,
        lastError: null,
        sentAt: null,
        replyWindow,
        replyUrl,
      });
  }
  return leased;
}
