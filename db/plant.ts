import { and, eq, gte, inArray, sql } from 'drizzle-orm';
import type { BusinessConfig } from '../config/business-config';
import type { LineState, PlantState } from '../domain/promise';
import type { Queryable, Tx } from './client';
import { lineLoads, materials, moulds, reservations, stock } from './schema';
import { MOULD_END_UNKNOWN } from '../domain/promise';

/** What the promise engine needs to know about each material, read in six queries (five when given the materials). */
export async function plantStates(
  q: Queryable,
  config: BusinessConfig,
  codes: string[],
  today: string,
  /** The materials' rows when the caller has read them already (all of `codes`), saving that query. */
  known?: ReadonlyArray<typeof materials.$inferSelect>,
): Promise<Map<string, PlantState>> {
  const unique = [...new Set(codes)];
  if (unique.length === 0) return new Map();
  const rows =
    known && unique.every((code) => known.some((m) => m.code === code))
      ? known.filter((m) => unique.includes(m.code))
      : await q.select().from(materials).where(inArray(materials.code, unique));
  const lines = [...new Set(rows.map((m) => m.line).filter((l): l is string => l !== null))];
  const mouldIds = [...new Set(rows.map((m) => m.mould).filter((m): m is string => m !== null))];
  const [onHand, reservedStock, loads, lineReservations, mouldRows] = await Promise.all([
    q.select().from(stock).where(inArray(stock.materialCode, unique)),
    q
      .select({ code: reservations.materialCode, quantity: sql<string>`sum(${reservations.quantity})` })
      .from(reservations)
      .where(and(eq(reservations.kind, 'stock'), inArray(reservations.materialCode, unique)))
      .groupBy(reservations.materialCode),
    lines.length
      ? q
          .select()
          .from(lineLoads)
          .where(and(inArray(lineLoads.line, lines), gte(lineLoads.toDate, today)))
      : [],
    lines.length
      ? q
          .select({
            line: reservations.line,
            day: reservations.day,
            quantity: sql<string>`sum(${reservations.quantity})`,
          })
          .from(reservations)
          .where(
            and(eq(reservations.kind, 'production'), inArray(reservations.line, lines), gte(reservations.day, today)),
          )
          .groupBy(reservations.line, reservations.day)
      : [],
    mouldIds.length ? q.select().from(moulds).where(inArray(moulds.id, mouldIds)) : [],
  ]);
  const lineState = (id: string | null): LineState | null => {
    const line = config.lines.find((l) => l.id === id);
    if (!line) return null;
    return {
      id: line.id,
      capacityPerDay: line.capacityPerDay,
      load: loads.filter((l) => l.line === line.id).map((l) => ({ from: l.fromDate, to: l.toDate, load: l.load })),
      reservations: lineReservations
        .filter((r) => r.line === line.id)
        .map((r) => ({ date: r.day!, quantity: Number(r.quantity) })),
    };
  };
  return new Map(
    rows.map((m): [string, PlantState] => {
      const mould = mouldRows.find((r) => r.id === m.mould);
      return [
        m.code,
        {
          stock: {
            onHand: onHand.find((s) => s.materialCode === m.code)?.onHand ?? 0,
            reserved: Number(reservedStock.find((r) => r.code === m.code)?.quantity ?? 0),
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
export function mouldAvailableFrom(mould: typeof moulds.$inferSelect | undefined): string | null {
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
