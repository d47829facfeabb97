import { eq } from 'drizzle-orm';
import type { HandlerContext } from '../core/context';
import type { Refresh } from '../core/effects';
import { type Order, orderFollowers } from '../db/schema';

/**
 * An order's news, to its sales chat and to the chats of the sales people who follow it (the same
 * need, asked again by someone else). `key` makes each post happen once; `refresh` marks news that may
 * be withheld when the platform's API quota runs out (see isEssential).
 */
export async function postToOrderChats(
  ctx: HandlerContext,
  order: Pick<Order, 'id' | 'platform' | 'conversationId'>,
  text: string,
  key: string,
  refresh?: Refresh,
): Promise<void> {
  const about = { orderId: order.id, platform: order.platform };
  const also = refresh ? { refresh } : {};
  await ctx.emit({ kind: 'post', to: { conversationId: order.conversationId }, text, ...also }, key, about);
  const followers = await ctx.tx.select().from(orderFollowers).where(eq(orderFollowers.orderId, order.id));
  for (const follower of followers) {
    if (follower.platform === order.platform && follower.conversationId === order.conversationId) continue;
    await ctx.emit(
      { kind: 'post', to: { conversationId: follower.conversationId }, text, ...also },
      `${key}:follower:${follower.personId}`,
      { orderId: order.id, platform: follower.platform },
    );
  }
}
