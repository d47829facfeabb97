import type { CardActionEvent } from '../core/events';
import type { HandlerContext } from '../core/context';
import type { CardRow } from '../db/schema';

/** Confirm / dismiss on a suspected rule-stacking review card. UNFINISHED: being built (issue 20). */
export async function handleStackingReviewAction(
  _event: CardActionEvent,
  _ctx: HandlerContext,
  _card: CardRow,
): Promise<void> {
  throw new Error('stacking review cards are not handled yet');
}
