import { and, asc, eq, gte, inArray, isNull, notInArray, or, sql } from 'drizzle-orm';
import type { BusinessConfig } from '../config/business-config';
import type { Hold, PlanMaterial, PlanOrder, ReplanInput } from '../domain/repromise/replan';
import type { PlantChangeCause, PlantChangeKind } from '../domain/repromise/types';
import type { Tx } from './client';
import { lockPlant, mouldAvailableFrom } from './plant';
import { lineLoads, materials, moulds, orderItems, orders, plantChanges, reservations, stock } from './schema';

export type PlantChange = typeof plantChanges.$inferSelect;

/**
 * Notes a change of what the plant can do, in the transaction that made it: the re-promise job re-checks the
 * confirmed orders that depend on it.
 */
export async function recordPlantChange(
  tx: Tx,
  now: Date,
  change: {
    kind: PlantChangeKind;
    cause: PlantChangeCause;
    source: string;
    materials?: string[];
    lines?: string[];
    everything?: boolean;
  },
): Promise<void> {
  await tx.insert(plantChanges).values({
    kind: change.kind,
    cause: change.cause,
    source: change.source,
    materials: change.materials ?? [],
    lines: change.lines ?? [],
    everything: change.everything ?? false,
    createdAt: now,
  });
}

/** Unprocessed changes, oldest first, locked so that a second process skips them. */
export function claimPlantChanges(tx: Tx, limit: number): Promise<PlantChange[]> {
  return tx
    .select()
    .from(plantChanges)
    .where(isNull(plantChanges.processedAt))
    .orderBy(asc(plantChanges.id))
    .limit(limit)
    .for('update', { skipLocked: true });
}

/** Which reservations a change may break: production of some materials or on some lines, stock of some materials. */
interface Scope {
  production: string[];
  lines: string[];
  stock: string[];
  everything: boolean;
}

async function scopeOf(tx: Tx, change: PlantChange): Promise<Scope> {
  const scope: Scope = { production: [], lines: change.lines, stock: [], everything: change.everything };
  if (change.cause.kind === 'mould') {
    const rows = await tx
      .select({ code: materials.code })
      .from(materials)
      .where(eq(materials.mould, change.cause.mould));
    scope.production = rows.map((r) => r.code);
  } else if (change.kind === 'stock') scope.stock = change.materials;
  return scope;
}

/** Confirmed orders not yet shipped: what they hold is still to come. */
const unshipped = () =>
  and(eq(orders.status, 'confirmed'), sql`coalesce(${orders.stage}, 'confirmed') not in ('shipped', 'delivered')`);

async function candidateIds(tx: Tx, scope: Scope, today: string): Promise<number[]> {
  const breaks = scope.everything
    ? sql`true`
    : or(
        scope.lines.length
          ? and(
              eq(reservations.kind, 'production'),
              inArray(reservations.line, scope.lines),
              gte(reservations.day, today),
            )
          : sql`false`,
        scope.production.length
          ? and(
              eq(reservations.kind, 'production'),
              inArray(reservations.materialCode, scope.production),
              gte(reservations.day, today),
            )
          : sql`false`,
        scope.stock.length
          ? and(eq(reservations.kind, 'stock'), inArray(reservations.materialCode, scope.stock))
          : sql`false`,
      );
  const rows = await tx
    .selectDistinct({ id: orders.id, decidedAt: orders.decidedAt })
    .from(reservations)
    .innerJoin(orders, eq(orders.id, reservations.orderId))
    .where(and(unshipped(), breaks))
    .orderBy(asc(orders.decidedAt), asc(orders.id));
  return rows.map((r) => r.id);
}

export interface ReplanLoad {
  input: ReplanInput;
  /** The orders re-checked, by id. */
  orders: Map<number, typeof orders.$inferSelect>;
}

/**
 * Everything the re-plan needs for one change, read under the plant locks of every material and line involved
 * (those of the change and those of the orders it may move), so no confirmation slips in between.
 */
export async function loadReplan(
  tx: Tx,
  config: BusinessConfig,
  change: PlantChange,
  today: string,
): Promise<ReplanLoad> {
  const scope = await scopeOf(tx, change);
  return loadOrders(tx, config, await candidateIds(tx, scope, today), today, scope);
}

/** The same for given orders (a split, an expedite): everything else is what the others hold. */
export async function loadOrders(
  tx: Tx,
  config: BusinessConfig,
  ids: number[],
  today: string,
  scope: Scope = { production: [], lines: [], stock: [], everything: false },
  options: { lock?: boolean } = {},
): Promise<ReplanLoad> {
  const items = ids.length
    ? await tx
        .select()
        .from(orderItems)
        .where(inArray(orderItems.orderId, ids))
        .orderBy(orderItems.orderId, orderItems.lineNo)
    : [];
  const codes = [...new Set([...scope.production, ...scope.stock, ...items.map((i) => i.materialCode)])];
  const materialRows = codes.length ? await tx.select().from(materials).where(inArray(materials.code, codes)) : [];
  const lineIds = scope.everything
    ? config.lines.map((l) => l.id)
    : [...new Set([...scope.lines, ...materialRows.flatMap((m) => (m.line ? [m.line] : []))])];
  if (options.lock !== false) await lockPlant(tx, codes, lineIds);
  const rows = ids.length ? await tx.select().from(orders).where(inArray(orders.id, ids)) : [];
  const byId = new Map(rows.map((r) => [r.id, r]));
  const input = await readPlant(tx, config, { today, ids, items, codes, materialRows, lineIds, orders: byId });
  return { input, orders: byId };
}

async function readPlant(
  tx: Tx,
  config: BusinessConfig,
  args: {
    today: string;
    ids: number[];
    items: Array<typeof orderItems.$inferSelect>;
    codes: string[];
    materialRows: Array<typeof materials.$inferSelect>;
    lineIds: string[];
    orders: Map<number, typeof orders.$inferSelect>;
  },
): Promise<ReplanInput> {
  const { today, ids, codes, lineIds } = args;
  const mouldIds = [...new Set(args.materialRows.flatMap((m) => (m.mould ? [m.mould] : [])))];
  const involved = or(
    lineIds.length
      ? and(eq(reservations.kind, 'production'), inArray(reservations.line, lineIds), gte(reservations.day, today))
      : sql`false`,
    codes.length ? and(eq(reservations.kind, 'stock'), inArray(reservations.materialCode, codes)) : sql`false`,
  );
  const [onHand, loads, mouldRows, fixed, held] = await Promise.all([
    codes.length ? tx.select().from(stock).where(inArray(stock.materialCode, codes)) : [],
    lineIds.length
      ? tx
          .select()
          .from(lineLoads)
          .where(and(inArray(lineLoads.line, lineIds), gte(lineLoads.toDate, today)))
      : [],
    mouldIds.length ? tx.select().from(moulds).where(inArray(moulds.id, mouldIds)) : [],
    tx
      .select({
        materialCode: reservations.materialCode,
        kind: reservations.kind,
        line: reservations.line,
        day: reservations.day,
        quantity: sql<number>`sum(${reservations.quantity})::int`,
      })
      .from(reservations)
      .innerJoin(orders, eq(orders.id, reservations.orderId))
      .where(and(involved, unshipped(), ids.length ? notInArray(reservations.orderId, ids) : sql`true`))
      .groupBy(reservations.materialCode, reservations.kind, reservations.line, reservations.day),
    ids.length ? tx.select().from(reservations).where(inArray(reservations.orderId, ids)) : [],
  ]);
  const mouldOf = new Map(mouldRows.map((m) => [m.id, m]));
  const materialMap = new Map(
    args.materialRows.map((m): [string, PlanMaterial] => {
      const mould = m.mould ? mouldOf.get(m.mould) : undefined;
      const availableFrom = mouldAvailableFrom(mould);
      return [
        m.code,
        {
          code: m.code,
          purchaseLeadDays: m.leadTimeDays,
          line: m.line,
          mould: m.mould ? { id: m.mould, availableFrom } : null,
        },
      ];
    }),
  );
  const lines = new Map(
    config.lines
      .filter((l) => lineIds.includes(l.id))
      .map((l) => [
        l.id,
        {
          id: l.id,
          capacityPerDay: l.capacityPerDay,
          load: loads.filter((p) => p.line === l.id).map((p) => ({ from: p.fromDate, to: p.toDate, load: p.load })),
        },
      ]),
  );
  const holdsOf = new Map<number, Hold[]>();
  for (const r of held) {
    const list = holdsOf.get(r.orderId) ?? [];
    list.push({ materialCode: r.materialCode, kind: r.kind, line: r.line, day: r.day, quantity: r.quantity });
    holdsOf.set(r.orderId, list);
  }
  const itemsOf = new Map<number, PlanOrder['items'][number][]>();
  for (const i of args.items) {
    const list = itemsOf.get(i.orderId) ?? [];
    list.push({ lineNo: i.lineNo, materialCode: i.materialCode, quantity: i.quantity });
    itemsOf.set(i.orderId, list);
  }
  return {
    today,
    calendar: config.calendar,
    rules: config.promise,
    materials: materialMap,
    lines,
    onHand: new Map(onHand.map((s) => [s.materialCode, s.onHand])),
    fixed: fixed.map((f) => ({ ...f, quantity: Number(f.quantity) })),
    orders: ids.map((id) => ({
      id,
      promisedDate: args.orders.get(id)?.promisedDate ?? today,
      items: itemsOf.get(id) ?? [],
      holds: holdsOf.get(id) ?? [],
    })),
  };
}

/** Replaces what the orders hold with their new holds, in a few statements whatever their number. */
export async function replaceHolds(tx: Tx, now: Date, moved: Array<{ orderId: number; holds: Hold[] }>): Promise<void> {
  if (moved.length === 0) return;
  await tx.delete(reservations).where(
    inArray(
      reservations.orderId,
      moved.map((m) => m.orderId),
    ),
  );
  const rows = moved.flatMap((m) => m.holds.map((h) => ({ orderId: m.orderId, ...h, createdAt: now })));
  for (let i = 0; i < rows.length; i += 5000) await tx.insert(reservations).values(rows.slice(i, i + 5000));
}

/** The plant as it stands for a request of these materials (no order yet): what every confirmed order holds. */
export function loadPlantFor(tx: Tx, config: BusinessConfig, codes: string[], today: string): Promise<ReplanLoad> {
  return loadOrders(
    tx,
    config,
    [],
    today,
    { production: codes, lines: [], stock: codes, everything: false },
    { lock: false },
  );
}
