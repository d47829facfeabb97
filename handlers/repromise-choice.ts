import type { HandlerContext } from '../core/context';
import type { CardActionEvent } from '../core/events';
import type { CardRow } from '../db/schema';

/** Keep-and-expedite / move / split on a re-promise card (UNFINISHED: being built for issue 19). */
export async function handleRepromiseChoice(_event: CardActionEvent, _ctx: HandlerContext, _row: CardRow) {}
