import type { HandlerContext } from '../core/context';
import type { InboundEvent } from '../core/events';
import { handleCardAction } from '../handlers/card-action';
import { handleMessage } from '../handlers/intake';

type Handler<E extends InboundEvent> = (event: E, ctx: HandlerContext) => Promise<void>;
type Routes = { [K in InboundEvent['kind']]: Handler<Extract<InboundEvent, { kind: K }>> };

/** Which handler takes which kind of event. New kinds of event get a line here. */
const routes: Routes = {
  message: handleMessage,
  'card-action': handleCardAction,
};

export function routeEvent(event: InboundEvent, ctx: HandlerContext): Promise<void> {
  const handler = routes[event.kind] as Handler<InboundEvent>;
  return handler(event, ctx);
}
