import { sql } from 'drizzle-orm';
import type { HandlerContext } from '../core/context';
import type { MessageEvent } from '../core/events';
import { seenGroups } from '../db/schema';

/** A group the config does not know: the adapters give it the platform's id behind a prefix. */
const UNKNOWN_GROUP = /^(wecom|dingtalk):(.+)$/;

/** Notes a message from a group the config does not know, so the admin console can offer to take it on. */
export async function noteUnknownGroup(event: MessageEvent, ctx: HandlerContext): Promise<void> {
  const match = UNKNOWN_GROUP.exec(event.conversationId);
  if (!match) return;
  await ctx.tx
    .insert(seenGroups)
    .values({
      conversationId: event.conversationId,
      platform: match[1]!,
      firstSeenAt: ctx.now,
      lastSeenAt: ctx.now,
      lastSender: event.senderName ?? event.senderId,
    })
    .onConflictDoUpdate({
      target: seenGroups.conversationId,
      set: {
        lastSeenAt: ctx.now,
        messages: sql`${seenGroups.messages} + 1`,
        lastSender: event.senderName ?? event.senderId,
      },
    });
}
