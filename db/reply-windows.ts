import { type Placeholder, type SQL, sql } from 'drizzle-orm';

/** A reply window that came with an inbound event (a DingTalk session webhook, a WeCom AI-bot response_url). */
export interface ReplyWindowToKeep {
  platform: string;
  conversationId: string;
  url: string;
  /** Null: any number of messages (DingTalk); WeCom allows one. */
  usesLeft: number | null;
  expiresAt: Date;
}

/** A conversation's windows closed this long are dropped when it brings a new one. */
const CLOSED_WINDOWS_KEPT_MS = 24 * 3600_000;

/**
 * Keeps the windows (a window seen before is kept once) and drops their conversations' windows closed for a day:
 * two data-modifying statements, made by the statement that stores the events they came with (insertRows'
 * `alongside`), so a handler finds its event's window.
 */
export function keepReplyWindows(windows: readonly ReplyWindowToKeep[], now: Date): SQL[] {
  const records = JSON.stringify(
    windows.map((w) => ({
      platform: w.platform,
      conversation_id: w.conversationId,
      url: w.url,
      uses_left: w.usesLeft,
      expires_at: w.expiresAt.toISOString(),
    })),
  );
  const stale = new Date(now.getTime() - CLOSED_WINDOWS_KEPT_MS).toISOString();
  return [
    sql`delete from reply_windows w
      using (select distinct x.platform, x.conversation_id
             from jsonb_to_recordset(${records}::jsonb) as x(platform text, conversation_id text)) c
      where w.platform = c.platform and w.conversation_id = c.conversation_id and w.expires_at < ${stale}::timestamptz`,
    sql`insert into reply_windows (platform, conversation_id, url, uses_left, expires_at, created_at)
      select x.platform, x.conversation_id, x.url, x.uses_left, x.expires_at, ${now.toISOString()}::timestamptz
      from jsonb_to_recordset(${records}::jsonb)
        as x(platform text, conversation_id text, url text, uses_left integer, expires_at timestamptz)
      on conflict (platform, url) do nothing`,
  ];
}

/**
 * A reply window (a WeCom AI-bot response_url, a DingTalk session webhook) named `w` is open at `now`: not expired,
 * and a use left.
 */
export function replyWindowOpen(now: Placeholder | SQL): SQL {
  return sql`w.expires_at > ${now}::timestamptz and (w.uses_left is null or w.uses_left > 0)`;
}

/** The window `w` is on the platform and in the conversation of the outbox row named `outbox`. */
const outboxRowConversation = sql.raw(`w.platform = outbox.platform
  and w.conversation_id = coalesce(outbox.payload -> 'to' ->> 'conversationId', outbox.payload ->> 'conversationId')`);

/**
 * Whether an outbox row's conversation has an open reply window on its platform, for the row named `outbox` (a
 * claim's or an insert's RETURNING): the adapter need not look for one when there is none.
 */
export function outboxRowHasReplyWindow(now: Placeholder | SQL): SQL<boolean> {
  return sql<boolean>`exists (select 1 from reply_windows w where ${outboxRowConversation} and ${replyWindowOpen(now)})`;
}

/**
 * The newest window named `w` that any number of messages may use (a DingTalk session webhook) and that stays open
 * a minute past `now`: the message could otherwise arrive after it closed. Rows matching `where`.
 */
export function newestUnlimitedWindow(where: SQL, now: Placeholder | SQL): SQL<string | null> {
  return sql<string | null>`(select w.url from reply_windows w
    where ${where} and w.uses_left is null and w.expires_at > ${now}::timestamptz + interval '1 minute'
    order by w.expires_at desc limit 1)`;
}

/**
 * The newest usable window of an outbox row's conversation without a use limit (newestUnlimitedWindow), for the row
 * named `outbox` as outboxRowHasReplyWindow: the adapter posts through it without looking for one. Null when none.
 */
export function outboxRowReplyUrl(now: Placeholder | SQL): SQL<string | null> {
  return newestUnlimitedWindow(outboxRowConversation, now);
}
