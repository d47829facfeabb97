import { sql } from 'drizzle-orm';
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
  // A thousand rows a statement keeps one statement's text (and the server's memory for it) bounded.
  for (let i = 0; i < effects.length; i += 1000) await insertEffects(tx, effects.slice(i, i + 1000), defaults);
}

/**
 * One statement of fixed text for any number of effects: the rows travel as one jsonb parameter, so the driver
 * keeps one prepared statement and nothing is rebuilt per row. Rows are inserted in the order given (their ids
 * order the deliveries of a chat or a card).
 */
async function insertEffects(
  tx: Tx,
  effects: Parameters<typeof enqueueEffects>[1],
  defaults: { platform: string; now: Date },
) {
  const rows = effects.map(({ effect, key, orderId, platform, notBefore }) => ({
    key,
    platform: platform ?? defaults.platform,
    kind: effect.kind,
    payload: effect,
    orderId: orderId ?? null,
    nextAttemptAt: (notBefore ?? defaults.now).toISOString(),
  }));
  await tx.execute(sql`insert into outbox (idempotency_key, platform, kind, payload, order_id, next_attempt_at, created_at)
    select key, platform, kind, payload, order_id, next_attempt_at, ${defaults.now.toISOString()}::timestamptz
    from rows from (jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
      as ("key" text, platform text, kind text, payload jsonb, "orderId" bigint, "nextAttemptAt" timestamptz))
      with ordinality as x(key, platform, kind, payload, order_id, next_attempt_at, n)
    order by n
    on conflict (idempotency_key) do nothing`);
}
