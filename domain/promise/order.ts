import { toDay } from './calendar';
import { earliestDelivery } from './earliest';
import type { Constraint, FeasiblePromise, PlantState, PromiseArgs, PromiseResult } from './types';

export interface OrderItem {
  quantity: number;
  state: PlantState;
}

export type OrderPromise =
  | { feasible: true; date: string; items: FeasiblePromise[]; binding: Constraint[] }
  | { feasible: false; items: PromiseResult[] };

/**
 * Promises every item in the given order; an item sees the stock (same material code) and line
 * capacity (same line id) that earlier items of the order took. The order's date is the latest
 * item date; its binding constraints are those of the items that reach it, without duplicates.
 */
export function earliestForOrder(args: Omit<PromiseArgs, 'quantity' | 'state'> & { items: OrderItem[] }): OrderPromise {
  if (args.items.length === 0) throw new RangeError('an order needs at least one item');
  const stockTaken = new Map<string, number>();
  const lineTaken = new Map<string, Array<{ date: string; quantity: number }>>();
  const results: PromiseResult[] = [];

  for (const { quantity, state } of args.items) {
    const code = state.material.code;
    const line = state.line;
    const seen: PlantState = {
      ...state,
      stock: { ...state.stock, reserved: state.stock.reserved + (stockTaken.get(code) ?? 0) },
      line: line && { ...line, reservations: [...line.reservations, ...(lineTaken.get(line.id) ?? [])] },
    };
    const result = earliestDelivery({ ...args, quantity, state: seen });
    results.push(result);
    if (!result.feasible) continue;
    if (result.source === 'stock') stockTaken.set(code, (stockTaken.get(code) ?? 0) + result.reserve.stock);
    else lineTaken.set(result.reserve.line, [...(lineTaken.get(result.reserve.line) ?? []), ...result.reserve.days]);
  }

  const feasible = results.filter((r): r is FeasiblePromise => r.feasible);
  if (feasible.length < results.length) return { feasible: false, items: results };
  const date = feasible.reduce((max, r) => (r.date > max ? r.date : max), '');
  const binding = new Map<string, Constraint>();
  for (const r of feasible) {
    if (r.date === date) for (const c of r.binding) binding.set(JSON.stringify(c), c);
  }
  return { feasible: true, date, items: feasible, binding: [...binding.values()] };
}

/** Whether `requested` can be met; if not, the earliest date that can (null: none within the horizon). */
export function checkPromise(
  requested: string,
  result: { feasible: true; date: string } | { feasible: false },
): { ok: true } | { ok: false; earliest: string | null } {
  if (!result.feasible) return { ok: false, earliest: null };
  return toDay(result.date) <= toDay(requested) ? { ok: true } : { ok: false, earliest: result.date };
}
