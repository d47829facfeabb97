import { eq, inArray, type Placeholder, type SQL, sql } from 'drizzle-orm';
import type { BusinessConfig } from '../config/business-config';
import type { LineState, PlantState } from '../domain/promise';
import { anyOfList, fromJson, type Queryable, queryRows, type Tx } from './client';
import { materials, type moulds, reservations, stock } from './schema';
import { MOULD_END_UNKNOWN } from '../domain/promise';

/** The plant's rows the promise engine reads for a set of materials, as the one statement below answers them. */
export interface PlantRows {
  stock: Array<{ code: string; onHand: number }>;
  reservedStock: Array<{ code: string; quantity: number }>;
  loads: Array<{ line: string; from: string; to: string; load: number }>;
  lineReservations: Array<{ line: string; date: string; quantity: number }>;
  moulds: Array<{ id: string; status: 'ok' | 'repair' | 'maintenance'; availableFrom: string | null }>;
}

/**
 * Stock, stock reservations, line loads, line reservations and moulds of the given materials as one json value
 * (one statement, one plan): a material's state is read for every request, so this is on every order's path.
 * The lists are SQL arrays: `anyOfList`'s jsonb parameter, or a subquery of a statement this is part of.
 */
export function plantRowsSql(codes: SQL, lines: SQL, mouldIds: SQL, today: string | Placeholder): SQL {
  return sql`json_build_object(
      'stock', (select coalesce(json_agg(json_build_object('code', material_code, 'onHand', on_hand)), '[]')
        from stock where material_code = ${codes}),
      'reservedStock', (select coalesce(json_agg(json_build_object('code', material_code, 'quantity', quantity)), '[]')
        from (select material_code, sum(quantity) as quantity from reservations
          where kind = 'stock' and material_code = ${codes} group by material_code) r),
      'loads', (select coalesce(json_agg(json_build_object('line', line, 'from', from_date, 'to', to_date, 'load', load)
          order by id), '[]')
        from line_loads where line = ${lines} and to_date >= ${today}::date),
      'lineReservations', (select coalesce(json_agg(json_build_object('line', line, 'date', day, 'quantity', quantity)
          order by line, day), '[]')
        from (select line, day, sum(quantity) as quantity from reservations
          where kind = 'production' and line = ${lines} and day >= ${today}::date group by line, day) r),
      'moulds', (select coalesce(json_agg(json_build_object('id', id, 'status', status, 'availableFrom', available_from)), '[]')
        from moulds where id = ${mouldIds})
    )`;
}

function readPlantRows(q: Queryable, codes: string[], lines: string[], mouldIds: string[], today: string) {
  return queryRows<{ state: PlantRows | string }>(
    q,
    sql`select ${plantRowsSql(anyOfList(codes), anyOfList(lines), anyOfList(mouldIds), today)} as state`,
  ).then(([row]) => fromJson(row!.state));
}

type MaterialRow = typeof materials.$inferSelect;

/** What the promise engine needs to know about each material, read in two statements (one when given the materials). */
export async function plantStates(
  q: Queryable,
  config: BusinessConfig,
  codes: string[],
  today: string,
  /** The materials' rows when the caller has read them already (all of `codes`), saving that query. */
  known?: ReadonlyArray<MaterialRow>,
): Promise<Map<string, PlantState>> {
  const unique = [...new Set(codes)];
  if (unique.length === 0) return new Map();
  const rows =
    known && unique.every((code) => known.some((m) => m.code === code))
      ? known.filter((m) => unique.includes(m.code))
      : await q.select().from(materials).where(inArray(materials.code, unique));
  const lines = [...new Set(rows.map((m) => m.line).filter((l): l is string => l !== null))];
  const mouldIds = [...new Set(rows.map((m) => m.mould).filter((m): m is string => m !== null))];
  return plantStatesOf(config, rows, await readPlantRows(q, unique, lines, mouldIds, today));
}

/** Each material's state from its row and the plant's rows read for it (`plantRowsSql`). */
export function plantStatesOf(
  config: BusinessConfig,
  rows: ReadonlyArray<MaterialRow>,
  plant: PlantRows,
): Map<string, PlantState> {
  const lineState = (id: string | null): LineState | null => {
    const line = config.lines.find((l) => l.id === id);
    if (!line) return null;
    return {
      id: line.id,
      capacityPerDay: line.capacityPerDay,
      load: plant.loads.filter((l) => l.line === line.id).map(({ from, to, load }) => ({ from, to, load })),
      reservations: plant.lineReservations
        .filter((r) => r.line === line.id)
        .map(({ date, quantity }) => ({ date, quantity: Number(quantity) })),
    };
  };
  return new Map(
    rows.map((m): [string, PlantState] => {
      const mould = plant.moulds.find((r) => r.id === m.mould);
      return [
        m.code,
        {
          stock: {
            onHand: plant.stock.find((s) => s.code === m.code)?.onHand ?? 0,
            reserved: Number(plant.reservedStock.find((r) => r.code === m.code)?.quantity ?? 0),
          },
          material: { code: m.code, purchaseLeadDays: m.leadTimeDays },
          line: lineState(m.line),
          mould: m.mould ? { id: m.mould, availableFrom: mouldAvailableFrom(mould) } : null,
        },
      ];
    }),
  );
}

/** When a mould is usable: null when in service, MOULD_END_UNKNOWN when out with no known end. */
export function mouldAvailableFrom(
  mould: Pick<typeof moulds.$inferSelect, 'status' | 'availableFrom'> | undefined,
): string | null {
  if (!mould || mould.status === 'ok') return null;
  return mould.availableFrom ?? MOULD_END_UNKNOWN;
}

/**
 * What a shipped order held is freed. Its stock pieces have left: stock on hand goes down by them at once, as the
 * ERP's count will at its next sync (which then sets the count as the ERP has it), so they are never offered to
 * another order in between.
 */
export async function releaseShipped(tx: Tx, orderId: number, now: Date): Promise<void> {
  const freed = await tx.delete(reservations).where(eq(reservations.orderId, orderId)).returning();
  const stockTaken = new Map<string, number>();
  for (const r of freed) {
    if (r.kind === 'stock') stockTaken.set(r.materialCode, (stockTaken.get(r.materialCode) ?? 0) + r.quantity);
  }
  for (const [code, quantity] of stockTaken) {
    await tx
      .update(stock)
      .set({ onHand: sql`greatest(${stock.onHand} - ${quantity}, 0)`, updatedAt: now })
      .where(eq(stock.materialCode, code));
  }
}

/**
 * Serialises promises on the same stock and lines until the transaction ends, so two orders confirmed
 * at once cannot both take the last pieces. Locks are taken in a fixed order to avoid deadlocks.
 */
export async function lockPlant(tx: Tx, codes: string[], lines: string[]): Promise<void> {
  const keys = [...new Set([...codes.map((c) => `stock:${c}`), ...lines.map((l) => `line:${l}`)])].sort();
  for (const key of keys) await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${key}))`);
}
