import { type Placeholder, type SQL, sql } from 'drizzle-orm';

/**
 * A reply window (a WeCom AI-bot response_url, a DingTalk session webhook) named `w` is open at `now`: not expired,
 * and a use left.
 */
export function replyWindowOpen(now: Placeholder | SQL): SQL {
  return sql`w.expires_at > ${now}::timestamptz and (w.uses_left is null or w.uses_left > 0)`;
}

/**
 * Whether an outbox row's conversation has an open reply window on its platform, for the row named `outbox` (a
 * claim's or an insert's RETURNING): the adapter need not look for one when there is none.
 */
export function outboxRowHasReplyWindow(now: Placeholder | SQL): SQL<boolean> {
  return sql<boolean>`exists (select 1 from reply_windows w
    where w.platform = outbox.platform
      and w.conversation_id = coalesce(outbox.payload -> 'to' ->> 'conversationId', outbox.payload ->> 'conversationId')
      and ${replyWindowOpen(now)})`;
}

/** A window without a use limit (a DingTalk session webhook) this close to its expiry is not used. */
export const UNLIMITED_WINDOW_MARGIN_MS = 60_000;

/**
 * The newest open reply window of an outbox row's conversation that any number of messages may use (a DingTalk
 * session webhook), for the row named `outbox` as outboxRowHasReplyWindow: the adapter posts through it without
 * looking for one. Null when there is none.
 */
export function outboxRowReplyUrl(now: Placeholder | SQL): SQL<string | null> {
  return sql<string | null>`(select w.url from reply_windows w
    where w.platform = outbox.platform
      and w.conversation_id = coalesce(outbox.payload -> 'to' ->> 'conversationId', outbox.payload ->> 'conversationId')
      and w.uses_left is null
      and w.expires_at > ${now}::timestamptz + ${sql.raw(`interval '${UNLIMITED_WINDOW_MARGIN_MS} milliseconds'`)}
    order by w.expires_at desc limit 1)`;
}
