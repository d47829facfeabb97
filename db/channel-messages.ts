/**
 * Platform messages about channel orders (Douyin pushes, Taobao TMC messages): stored once per platform
 * message id before the platform is answered, then worked off by the channel intake (handlers/channel-intake.ts),
 * which re-reads each named order in full. A message stored twice (a platform retry) is one row.
 */
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type { Channel } from '../domain/channels/order';
import type { Queryable } from './client';
import { channelMessages } from './schema';

export interface IncomingChannelMessage {
  messageId: string;
  orderId: string;
  topic: string;
  payload: unknown;
}

/** After this many failed re-reads a message is marked failed (and shown on the board). */
export const MESSAGE_ATTEMPTS = 5;

/** Stores the messages (duplicates ignored); returns how many were new. */
export async function storeChannelMessages(
  db: Queryable,
  channel: Channel,
  shop: string,
  messages: IncomingChannelMessage[],
  now: Date,
): Promise<number> {
  if (messages.length === 0) return 0;
  const stored = await db
    .insert(channelMessages)
    .values(
      messages.map((m) => ({
        channel,
        shop,
        messageId: m.messageId,
        orderId: m.orderId,
        topic: m.topic,
        payload: m.payload as object,
        receivedAt: now,
      })),
    )
    .onConflictDoNothing()
    .returning({ id: channelMessages.id });
  return stored.length;
}

/** The oldest unhandled messages of a shop, locked for this transaction (another process skips them). */
export async function claimChannelMessages(db: Queryable, channel: Channel, shop: string, limit: number) {
  return db
    .select()
    .from(channelMessages)
    .where(
      and(eq(channelMessages.channel, channel), eq(channelMessages.shop, shop), eq(channelMessages.status, 'received')),
    )
    .orderBy(asc(channelMessages.id))
    .limit(limit)
    .for('update', { skipLocked: true });
}

export async function markMessagesProcessed(db: Queryable, ids: number[], now: Date): Promise<void> {
  if (ids.length === 0) return;
  await db
    .update(channelMessages)
    .set({ status: 'processed', processedAt: now, error: null, attempts: sql`${channelMessages.attempts} + 1` })
    .where(inArray(channelMessages.id, ids));
}

/** One more failed attempt; the last allowed one marks the messages failed. */
export async function markMessagesRetry(db: Queryable, ids: number[], error: string, now: Date): Promise<void> {
  if (ids.length === 0) return;
  await db
    .update(channelMessages)
    .set({
      attempts: sql`${channelMessages.attempts} + 1`,
      error,
      status: sql`case when ${channelMessages.attempts} + 1 >= ${MESSAGE_ATTEMPTS} then 'failed' else 'received' end`,
      processedAt: sql`case when ${channelMessages.attempts} + 1 >= ${MESSAGE_ATTEMPTS} then ${now.toISOString()}::timestamptz else null end`,
    })
    .where(inArray(channelMessages.id, ids));
}
