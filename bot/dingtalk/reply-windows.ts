import { and, desc, eq, gt, lt } from 'drizzle-orm';
import type { Database, Tx } from '../../db/client';
import { replyWindows } from '../../db/schema';

const PLATFORM = 'dingtalk';
/** A session webhook this close to its expiry is not used: the message could arrive after it closed. */
const SAFETY_MS = 60_000;

/** Keeps the sessionWebhook that came with a robot message, in the inbound message's transaction. */
export async function rememberSessionWebhook(
  tx: Tx,
  window: { conversationId: string; url: string; expiresAt: Date; now: Date },
): Promise<void> {
  const stale = new Date(window.now.getTime() - 24 * 3600_000);
  await tx
    .delete(replyWindows)
    .where(
      and(
        eq(replyWindows.platform, PLATFORM),
        eq(replyWindows.conversationId, window.conversationId),
        lt(replyWindows.expiresAt, stale),
      ),
    );
  await tx
    .insert(replyWindows)
    .values({
      platform: PLATFORM,
      conversationId: window.conversationId,
      url: window.url,
      usesLeft: null,
      expiresAt: window.expiresAt,
      createdAt: window.now,
    })
    .onConflictDoNothing({ target: [replyWindows.platform, replyWindows.url] });
}

/** The newest session webhook of a conversation that is still valid for a while, if any. */
export async function openSessionWebhook(db: Database, conversationId: string, now: Date): Promise<string | undefined> {
  const [row] = await db
    .select({ url: replyWindows.url })
    .from(replyWindows)
    .where(
      and(
        eq(replyWindows.platform, PLATFORM),
        eq(replyWindows.conversationId, conversationId),
        gt(replyWindows.expiresAt, new Date(now.getTime() + SAFETY_MS)),
      ),
    )
    .orderBy(desc(replyWindows.expiresAt))
    .limit(1);
  return row?.url;
}

/** Stops using a session webhook that DingTalk refused. */
export async function closeSessionWebhook(db: Database, url: string, now: Date): Promise<void> {
  await db
    .update(replyWindows)
    .set({ expiresAt: now })
    .where(and(eq(replyWindows.platform, PLATFORM), eq(replyWindows.url, url)));
}
