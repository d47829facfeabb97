/** Settlement statement lines of the channels, stored once per line (re-reads and re-uploads change nothing). */
import type { Channel } from '../domain/channels/order';
import type { SettlementLine } from '../domain/channels/received';
import type { Queryable } from './client';
import { channelSettlements } from './schema';

/** Stores the lines of one shop; returns how many were new. */
export async function storeSettlements(
  db: Queryable,
  channel: Channel,
  shop: string,
  lines: SettlementLine[],
  source: string,
  now: Date,
): Promise<number> {
  if (lines.length === 0) return 0;
  const stored = await db
    .insert(channelSettlements)
    .values(
      lines.map((line) => ({
        channel,
        shop,
        lineKey: line.lineKey,
        orderId: line.orderId,
        kind: line.kind,
        amountFen: line.amountFen,
        settledAt: new Date(line.settledAt),
        source,
        receivedAt: now,
      })),
    )
    .onConflictDoNothing()
    .returning({ id: channelSettlements.id });
  return stored.length;
}
