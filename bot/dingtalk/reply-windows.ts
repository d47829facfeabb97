import { and, desc, eq, gt } from 'drizzle-orm';
import type { Database } from '../../db/client';
import { UNLIMITED_WINDOW_MARGIN_MS } from '../../db/reply-windows';
import { replyWindows } from '../../db/schema';

const PLATFORM = 'dingtalk';
/** A session webhook this close to its expiry is not used: the message could arrive after it closed. */
const SAFETY_MS = UNLIMITED_WINDOW_MARGIN_MS;

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
