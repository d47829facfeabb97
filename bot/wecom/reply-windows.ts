import { and, eq, gt, sql, type AnyColumn } from 'drizzle-orm';
import { queryRows, type Database } from '../../db/client';
import { replyWindows } from '../../db/schema';
import { type ReplyWindowToKeep, replyWindowOpen } from '../../db/reply-windows';

const PLATFORM = 'wecom';
/** An AI-bot response_url may be used once within an hour; a minute is kept in hand. */
const RESPONSE_URL_LIFETIME_MS = 60 * 60_000 - 60_000;

/** An AI-bot message's response_url, kept with the message (Bot.ingest): one use, within the hour. */
export function responseUrlWindow(conversationId: string, url: string, now: Date): ReplyWindowToKeep {
  return {
    platform: PLATFORM,
    conversationId,
    url,
    usesLeft: 1,
    expiresAt: new Date(now.getTime() + RESPONSE_URL_LIFETIME_MS),
  };
}

/**
 * Takes one use of an open reply window of the conversation for outbox row `key`, the given one first,
 * else the one that expires soonest. The use is spent whether or not the send then works: WeCom allows
 * only one. Which row took it is written in the same statement, before anything is sent, so a retry of
 * that row (after a timeout, or a crash before the row was marked sent) goes back to the same URL.
 */
export async function claimResponseUrl(
  db: Database,
  conversationId: string,
  now: Date,
  key: string,
  preferred?: string,
): Promise<string | undefined> {
  // One statement: pick the window (locked, skipping one another sender holds), spend a use, record the claim.
  const rows = await queryRows<{ url: string }>(
    db,
    sql`with picked as (
      select id, url, expires_at from reply_windows w
      where platform = ${PLATFORM} and conversation_id = ${conversationId} and ${replyWindowOpen(sql`${now.toISOString()}`)}
      order by (url = ${preferred ?? null}::text) is true desc, expires_at, id
      limit 1
      for update skip locked
    ), spent as (
      update reply_windows w set uses_left = w.uses_left - 1 from picked where w.id = picked.id
      returning picked.url, picked.expires_at
    ), claimed as (
      insert into reply_windows (platform, conversation_id, url, uses_left, expires_at, created_at)
      select ${CLAIMED}, ${key}, url, 0, expires_at, ${now.toISOString()}::timestamptz from spent
      on conflict (platform, url) do nothing
    )
    select url from spent`,
  );
  return rows[0]?.url;
}

/** Rows of this platform tag name the outbox row (in conversation_id) that took a response_url. */
const CLAIMED = 'wecom:claimed';

/**
 * The response_url an earlier attempt of outbox row `key` took, while it is open. Its retry goes there:
 * WeCom takes a response_url once, so the repeat is either taken now or refused because the first one
 * got through, and the group never sees it twice.
 */
export async function claimedBy(db: Database, key: string, now: Date): Promise<string | undefined> {
  const [row] = await db
    .select({ url: replyWindows.url })
    .from(replyWindows)
    .where(
      and(eq(replyWindows.platform, CLAIMED), eq(replyWindows.conversationId, key), gt(replyWindows.expiresAt, now)),
    );
  return row?.url;
}

/** SQL: the outbox row has taken no response_url (else its retry must go there, nowhere else). */
export function withoutClaimedResponseUrl(idempotencyKey: AnyColumn) {
  return sql`not exists (select 1 from reply_windows u where u.platform = ${CLAIMED} and u.conversation_id = ${idempotencyKey})`;
}

/** The row's response_url was refused for good (expired, revoked): the row may take another window. */
export async function releaseClaim(db: Database, key: string): Promise<void> {
  await db.delete(replyWindows).where(and(eq(replyWindows.platform, CLAIMED), eq(replyWindows.conversationId, key)));
}
