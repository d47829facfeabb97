import { outbox } from '../db/schema';
import type { Tx } from '../db/client';
import type { Effect } from './events';

/**
 * Records an effect to be delivered after the transaction commits. The key makes the effect happen once:
 * a handler run twice (a retry after a crash) enqueues nothing new.
 */
export async function enqueueEffects(
  tx: Tx,
  effects: Array<{ effect: Effect; key: string; orderId?: number; platform?: string; notBefore?: Date }>,
  defaults: { platform: string; now: Date },
): Promise<void> {
  if (effects.length === 0) return;
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
