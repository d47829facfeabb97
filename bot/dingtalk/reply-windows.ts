import { and, desc, eq, gt, sql } from 'drizzle-orm';
import type { Database, Queryable } from '../../db/client';
import { UNLIMITED_WINDOW_MARGIN_MS } from '../../db/reply-windows';
import { replyWindows } from '../../db/schema';

const PLATFORM = 'dingtalk';
/** A session webhook this close to its expiry is not used: the message could arrive after it closed. */
const SAFETY_MS = UNLIMITED_WINDOW_MARGIN_MS;

/**
 * Keeps the sessionWebhook that came with a robot message, and drops the conversation's windows closed for a day,
 * in one statement. Stored before the message (whose handler may answer through it), and harmless when the message
 * turns out to be a repeat: a window is kept once.
 */
export async function rememberSessionWebhook(
  q: Queryable,
  window: { conversationId: string; url: string; expiresAt: Date; now: Date },
): Promise<void> {
  const stale = new Date(window.now.getTime() - 24 * 3600_000).toISOString();
  await q.execute(sql`with stale as (
      delete from reply_windows where platform = ${PLATFORM} and conversation_id = ${window.conversationId}
        and expires_at < ${stale}::timestamptz
    )
    insert into reply_windows (platform, conversation_id, url, uses_left, expires_at, created_at)
    values (${PLATFORM}, ${window.conversationId}, ${window.url}, null, ${window.expiresAt.toISOString()}::timestamptz,
      ${window.now.toISOString()}::timestamptz)
    on conflict (platform, url) do nothing`);
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
