import { sql } from 'drizzle-orm';
import type { HandlerContext } from '../core/context';
import { type MessageEvent, unknownGroupOf } from '../core/events';
import { seenGroups } from '../db/schema';

/** Notes a message from a group the config does not know, so the admin console can offer to take it on. */
export async function noteUnknownGroup(event: MessageEvent, ctx: HandlerContext): Promise<void> {
  const group = unknownGroupOf(event.conversationId);
  if (!group) return;
  await ctx.tx
    .insert(seenGroups)
    .values({
      conversationId: event.conversationId,
      platform: group.platform,
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
