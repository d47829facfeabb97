/** Polling positions of the channel shops (orders, settlements), saved with the data of each page. */
import { and, eq } from 'drizzle-orm';
import type { Channel } from '../domain/channels/order';
import type { Cursor } from '../domain/channels/received';
import type { Queryable } from './client';
import { channelCursors } from './schema';

export type CursorKind = 'orders' | 'settlements';

export async function readCursor(db: Queryable, channel: Channel, shop: string, kind: CursorKind) {
  const [row] = await db
    .select()
    .from(channelCursors)
    .where(and(eq(channelCursors.channel, channel), eq(channelCursors.shop, shop), eq(channelCursors.kind, kind)));
  return row ?? null;
}

/** Saves where a poll got to; `caughtUp` when nothing more was there to read. Clears the last error. */
export async function saveCursor(
  db: Queryable,
  key: { channel: Channel; shop: string; kind: CursorKind },
  cursor: Cursor,
  caughtUp: boolean,
  now: Date,
): Promise<void> {
  const values = { cursor, caughtUpAt: caughtUp ? now : null, updatedAt: now, lastError: null };
  await db
    .insert(channelCursors)
    .values({ ...key, ...values })
    .onConflictDoUpdate({ target: [channelCursors.channel, channelCursors.shop, channelCursors.kind], set: values });
}

/** Records why the last poll failed (rate limit, credentials), keeping the cursor where it was. */
export async function noteCursorError(
  db: Queryable,
  key: { channel: Channel; shop: string; kind: CursorKind },
  error: string,
  now: Date,
): Promise<void> {
  await db
    .insert(channelCursors)
    .values({ ...key, cursor: {}, caughtUpAt: null, updatedAt: now, lastError: error })
    .onConflictDoUpdate({
      target: [channelCursors.channel, channelCursors.shop, channelCursors.kind],
      set: { lastError: error, updatedAt: now },
    });
}
