import { and, asc, eq, gt, isNull, or, sql } from 'drizzle-orm';
import type { Database, Tx } from '../../db/client';
import { replyWindows } from '../../db/schema';

const PLATFORM = 'wecom';
/** An AI-bot response_url may be used once within an hour; a minute is kept in hand. */
const RESPONSE_URL_LIFETIME_MS = 60 * 60_000 - 60_000;

export async function saveResponseUrl(tx: Tx, conversationId: string, url: string, now: Date): Promise<void> {
  await tx
    .insert(replyWindows)
    .values({ platform: PLATFORM, conversationId, url, usesLeft: 1, expiresAt: new Date(now.getTime() + RESPONSE_URL_LIFETIME_MS), createdAt: now })
    .onConflictDoNothing({ target: [replyWindows.platform, replyWindows.url] });
}

/**
 * Takes one use of an open reply window of the conversation, the given one first, else the one that
 * expires soonest. The use is spent whether or not the send then works: WeCom allows only one.
 */
export async function claimResponseUrl(db: Database, conversationId: string, now: Date, preferred?: string): Promise<string | undefined> {
  return db.transaction(async (tx) => {
    const open = and(
      eq(replyWindows.platform, PLATFORM),
      eq(replyWindows.conversationId, conversationId),
      gt(replyWindows.expiresAt, now),
      or(isNull(replyWindows.usesLeft), gt(replyWindows.usesLeft, 0)),
    );
    const pick = (extra?: ReturnType<typeof eq>) =>
      tx
        .select({ id: replyWindows.id, url: replyWindows.url })
        .from(replyWindows)
        .where(extra ? and(open, extra) : open)
        .orderBy(asc(replyWindows.expiresAt), asc(replyWindows.id))
        .limit(1)
        .for('update', { skipLocked: true });
    let [window] = preferred ? await pick(eq(replyWindows.url, preferred)) : [];
    if (!window) [window] = await pick();
    if (!window) return undefined;
    await tx
      .update(replyWindows)
      .set({ usesLeft: sql`${replyWindows.usesLeft} - 1` })
      .where(eq(replyWindows.id, window.id));
    return window.url;
  });
}
