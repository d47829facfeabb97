import { chinaDate } from '../domain/china-time';
import { holdsOf, type Hold } from '../domain/repromise/replan';
import type { LinePart } from '../domain/repromise/types';
import { earliestForOrder, type FeasiblePromise, type OrderPromise } from '../domain/promise';
import { eq, inArray } from 'drizzle-orm';
import { lockPlant, type PlantRows, plantStates, plantStatesOf } from '../db/plant';
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
  options: {
    expedite?: boolean;
    materials?: ReadonlyArray<typeof materials.$inferSelect>;
    /** The plant's rows for `materials`, read with them (`readForRequest`): all the state there is to read. */
    plant?: PlantRows;
  } = {},
): Promise<OrderPromise> {
  const today = chinaDate(ctx.now);
  const states =
    options.materials && options.plant
      ? plantStatesOf(ctx.config, options.materials, options.plant)
      : await plantStates(
          ctx.tx,
          ctx.config,
          items.map((i) => i.materialCode),
          today,
          options.materials,
        );
  return earliestForOrder({
    today,
    calendar: ctx.config.calendar,
    rules: ctx.config.promise,
    expedite: options.expedite ?? false,
    items: items.map((i) => ({ quantity: i.quantity, state: states.get(i.materialCode)! })),
  });
}

/** What a confirmation reserved, and the lines the customer asked for later, each group a delivery of its own. */
export interface Reserved {
  promisedDate: string;
  moved: boolean;
  plan: ProductionPlan;
  deliveries: Array<{ promisedDate: string; parts: LinePart[]; holds: Hold[]; plan: ProductionPlan }>;
}

/**
 * Re-checks a confirmed order against the plant as it is now and reserves what it takes (stock, or line
 * capacity by day), under locks on those materials and lines, so two orders confirmed at once cannot
 * both count on the same pieces. Each line is promised its requested date when the plant still makes it,
 * otherwise its new earliest; the order's promise is its latest line's. Lines asked for a later date (a split
 * chosen on a blocked request) are returned as deliveries, not reserved here.
 */
export async function reserveForOrder(ctx: HandlerContext, orderId: number, requestedDate: string): Promise<Reserved> {
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
  if (!promise.feasible) {
    return { promisedDate: requestedDate, moved: false, plan: { source: 'production' }, deliveries: [] };
  }
  const promised = items.map((item, index) => {
    const asked = item.requestedDate ?? requestedDate;
    const result = promise.items[index]!;
    return { item, asked, result, date: result.date > asked ? result.date : asked };
  });
  const groups = [...new Set(promised.map((p) => p.asked))]
    .sort()
    .map((asked) => promised.filter((p) => p.asked === asked));
  const [first, ...later] = groups as [typeof promised, ...(typeof promised)[]];
  const holds = first.flatMap((p) => holdsOf(p.item.materialCode, p.result));
  if (holds.length > 0)
    await ctx.tx.insert(reservations).values(holds.map((h) => ({ ...h, orderId, createdAt: ctx.now })));
  for (const p of promised) {
    await ctx.tx.update(orderItems).set({ promisedDate: p.date }).where(eq(orderItems.id, p.item.id));
  }
  const latest = (group: typeof promised) => group.reduce((max, p) => (p.date > max ? p.date : max), '');
  const promisedDate = latest(first);
  return {
    promisedDate,
    moved: promisedDate > requestedDate,
    plan: planOf(first.map((p) => p.result)),
    deliveries: later.map((group) => ({
      promisedDate: latest(group),
      parts: group.map((p) => ({ lineNo: p.item.lineNo, quantity: p.item.quantity })),
      holds: group.flatMap((p) => holdsOf(p.item.materialCode, p.result)),
      plan: planOf(group.map((p) => p.result)),
    })),
  };
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
