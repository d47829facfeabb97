import type { ParsedMessage } from './parse';

/** What an order request needs before it can become an order, in the order we ask for it. */
export function missingFields(request: Pick<ParsedMessage, 'items' | 'dueDate'>): Array<'quantity' | 'dueDate'> {
  const missing: Array<'quantity' | 'dueDate'> = [];
  if (request.items.some((i) => i.quantity === null)) missing.push('quantity');
  if (request.dueDate === null) missing.push('dueDate');
  return missing;
}

/**
 * Completes an unfinished request with a follow-up message ("3月5日前", "5件"). Returns null when the
 * follow-up supplies nothing the draft lacks, so it can be treated as an ordinary message.
 */
export function completeDraft(draft: ParsedMessage, followUp: ParsedMessage): ParsedMessage | null {
  const quantity = followUp.fragmentQuantity;
  const fillsQuantity = quantity !== null && draft.items.some((i) => i.quantity === null);
  const fillsDate = draft.dueDate === null && followUp.dueDate !== null;
  if (!fillsQuantity && !fillsDate) return null;
  const items = draft.items.map((item) =>
    item.quantity === null && fillsQuantity ? { ...item, quantity, unit: item.unit ?? followUp.fragmentUnit } : item,
  );
  const merged: ParsedMessage = {
    ...draft,
    items,
    dueDate: draft.dueDate ?? followUp.dueDate,
    urgent: draft.urgent || followUp.urgent,
    specs: [...draft.specs, ...followUp.specs],
    customer: draft.customer ?? followUp.customer,
  };
  return { ...merged, missing: missingFields(merged) };
}
