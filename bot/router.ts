import { noteUnknownGroup } from '../handlers/seen-groups';
import { eq } from 'drizzle-orm';
import type { HandlerContext } from '../core/context';
import type { CardActionEvent, InboundEvent, MessageEvent } from '../core/events';
import { cards } from '../db/schema';
import { cardActions, chatCommands, chatInput, otherEvents, unknownCardTapped } from '../handlers/routes';

/** Runs the route tables of handlers/routes.ts for one event, inside the event's transaction. */
export async function routeEvent(event: InboundEvent, ctx: HandlerContext): Promise<void> {
  switch (event.kind) {
    case 'message':
      return routeMessage(event, ctx);
    case 'card-action':
      return routeCardAction(event, ctx);
    default:
      return otherEvents[event.kind](event, ctx);
  }
}

/** The first chat command that matches and does not pass the message on. */
async function routeMessage(event: MessageEvent, ctx: HandlerContext): Promise<void> {
  await noteUnknownGroup(event, ctx);
  const input = chatInput(event);
  for (const command of chatCommands) {
    const parsed = command.match(input);
    if (parsed === null) continue;
    if ((await command.handle(event, parsed, ctx)) !== false) return;
  }
}

/** The route for the tapped card's purpose; a card this database does not know is answered as such. */
async function routeCardAction(event: CardActionEvent, ctx: HandlerContext): Promise<void> {
  const [card] = await ctx.tx.select().from(cards).where(eq(cards.id, event.cardId));
  if (!card) return unknownCardTapped(event, ctx);
  return cardActions[card.purpose](event, ctx, card);
}
