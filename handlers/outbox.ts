import { outbox } from '../db/schema';
import type { Tx } from '../db/client';
import type { Effect } from './events';

/**
 * Records an effect to be delivered after the transaction commits. The key makes the effect happen once:
 * a handler run twice (a retry after a crash) enqueues nothing new.
 */
export async function enqueueEffect(
  tx: Tx,
  effect: Effect,
  options: { key: string; platform: string; now: Date; orderId?: number },
): Promise<void> {
  await tx
    .insert(outbox)
    .values({
      idempotencyKey: options.key,
      platform: options.platform,
      kind: effect.kind,
      payload: effect,
      orderId: options.orderId ?? null,
      nextAttemptAt: options.now,
      createdAt: options.now,
    })
    .onConflictDoNothing({ target: outbox.idempotencyKey });
}
