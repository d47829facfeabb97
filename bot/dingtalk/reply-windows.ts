import { and, eq, sql } from 'drizzle-orm';
import { type Database, queryRows } from '../../db/client';
import { newestUnlimitedWindow } from '../../db/reply-windows';
import { replyWindows } from '../../db/schema';

const PLATFORM = 'dingtalk';

/** The newest session webhook of a conversation that is still valid for a while, if any. */
export async function openSessionWebhook(db: Database, conversationId: string, now: Date): Promise<string | undefined> {
  const conversation = sql`w.platform = ${PLATFORM} and w.conversation_id = ${conversationId}`;
  const [row] = await queryRows<{ url: string | null }>(
    db,
    sql`select ${newestUnlimitedWindow(conversation, sql`${now.toISOString()}`)} as url`,
  );
  return row?.url ?? undefined;
}

/** Stops using a session webhook that DingTalk refused. */
export async function closeSessionWebhook(db: Database, url: string, now: Date): Promise<void> {
  await db
    .update(replyWindows)
    .set({ expiresAt: now })
    .where(and(eq(replyWindows.platform, PLATFORM), eq(replyWindows.url, url)));
}
