import { outbox } from '../db/schema';
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
): Promise<void> {
  // PostgreSQL takes at most 65,535 parameters in a statement: seven a row, so a thousand rows at a time.
  for (let i = 0; i < effects.length; i += 1000) await insertEffects(tx, effects.slice(i, i + 1000), defaults);
}

async function insertEffects(
  tx: Tx,
  effects: Parameters<typeof enqueueEffects>[1],
  defaults: { platform: string; now: Date },
) {
  await tx
    .insert(outbox)
    .values(
      effects.map(({ effect, key, orderId, platform, notBefore }) => ({
        idempotencyKey: key,
        platform: platform ?? defaults.platform,
        kind: effect.kind,
        payload: effect,
        orderId: orderId ?? null,
        nextAttemptAt: notBefore ?? defaults.now,
        createdAt: defaults.now,
      })),
    )
    .onConflictDoNothing({ target: outbox.idempotencyKey });
}
