import { eq } from 'drizzle-orm';
import type { Card } from '../cards/model';
import type { HandlerContext } from '../core/context';
import type { CardActionEvent } from '../core/events';
import { type CardRow, cards } from '../db/schema';

/**
 * A card's content replaced in the database and the update sent: the tapped copy answered through the
 * tap's callback when there is one. `key` makes the update happen once.
 */
export async function replaceCard(
  ctx: HandlerContext,
  row: Pick<CardRow, 'id' | 'platform'>,
  card: Card,
  options: { key: string; callbackRef?: string | undefined; orderId?: number },
) {
  await ctx.tx.update(cards).set({ content: card }).where(eq(cards.id, row.id));
  const { callbackRef, orderId } = options;
  await ctx.emit({ kind: 'update-card', cardId: row.id, card, ...(callbackRef ? { callbackRef } : {}) }, options.key, {
    platform: row.platform,
    ...(orderId !== undefined ? { orderId } : {}),
  });
}

/** A short notice to the person who tapped, in their 1:1 chat (once per tap). */
export function tellTapper(ctx: HandlerContext, event: CardActionEvent, text: string) {
  return ctx.emit({ kind: 'post', to: { userId: event.actorId }, text }, `${ctx.eventKey}:notice`);
}
