import { chinaDate } from '../domain/china-time';
import { wholePieces } from '../domain/promise/line';
import { earliestForOrder, type FeasiblePromise, type OrderPromise } from '../domain/promise';
import { eq, inArray } from 'drizzle-orm';
import { lockPlant, plantStates } from '../db/plant';
import { materials, orderItems, reservations } from '../db/schema';
import type { HandlerContext } from '../core/context';
import type { ProductionPlan } from './stages';

export interface PromiseItem {
  materialCode: string;
  quantity: number;
}

/** The earliest date the plant can deliver these items, from the plant's state as the database has it now. */
export async function promiseFor(
  ctx: HandlerContext,
  items: PromiseItem[],
  options: { expedite?: boolean } = {},
): Promise<OrderPromise> {
  const today = chinaDate(ctx.now);
  const states = await plantStates(
    ctx.tx,
    ctx.config,
    items.map((i) => i.materialCode),
    today,
  );
  return earliestForOrder({
    today,
    calendar: ctx.config.calendar,
    rules: ctx.config.promise,
    expedite: options.expedite ?? false,
    items: items.map((i) => ({ quantity: i.quantity, state: states.get(i.materialCode)! })),
  });
}

/**
 * Re-checks a confirmed order against the plant as it is now and reserves what it takes (stock, or line
 * capacity by day), under locks on those materials and lines, so two orders confirmed at once cannot
 * both count on the same pieces. Returns the date that can be promised: the requested one when the
 * plant still makes it, otherwise the new earliest.
 */
export async function reserveForOrder(
  ctx: HandlerContext,
  orderId: number,
  requestedDate: string,
): Promise<{ promisedDate: string; moved: boolean; plan: ProductionPlan }> {
  const items = await ctx.tx
    .select()
    .from(orderItems)
    .where(eq(orderItems.orderId, orderId))
    .orderBy(orderItems.lineNo);
  const codes = items.map((i) => i.materialCode);
  const lines = (await ctx.tx.select({ line: materials.line }).from(materials).where(inArray(materials.code, codes)))
    .map((m) => m.line)
    .filter((l): l is string => l !== null);
  await lockPlant(ctx.tx, codes, lines);
  const promise = await promiseFor(
    ctx,
    items.map((i) => ({ materialCode: i.materialCode, quantity: i.quantity })),
  );
  if (!promise.feasible) return { promisedDate: requestedDate, moved: false, plan: { source: 'production' } };
  const rows = promise.items.flatMap((result, index): Array<typeof reservations.$inferInsert> => {
    const materialCode = items[index]!.materialCode;
    const base = { orderId, materialCode, createdAt: ctx.now };
    return result.source === 'stock'
      ? [{ ...base, kind: 'stock' as const, line: null, day: null, quantity: result.reserve.stock }]
      : wholePieces(result.reserve.days).map((d) => ({
          ...base,
          kind: 'production' as const,
          line: result.reserve.line,
          day: d.date,
          quantity: d.quantity,
        }));
  });
  if (rows.length > 0) await ctx.tx.insert(reservations).values(rows);
  const moved = promise.date > requestedDate;
  return { promisedDate: moved ? promise.date : requestedDate, moved, plan: planOf(promise.items) };
}

/** The production window over all items: from the first item's start to the last one's finish. */
function planOf(items: FeasiblePromise[]): ProductionPlan {
  const produced = items.flatMap((item) => (item.source === 'production' ? [item] : []));
  if (produced.length === 0) return { source: 'stock' };
  return {
    source: 'production',
    start: produced.map((p) => p.start).sort()[0]!,
    finish: produced
      .map((p) => p.finish)
      .sort()
      .at(-1)!,
  };
}
