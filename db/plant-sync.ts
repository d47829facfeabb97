import { inArray, sql } from 'drizzle-orm';
import type { Tx } from './client';
import { recordPlantChange } from './repromise';
import { materials, stock } from './schema';

export interface StockCount {
  materialCode: string;
  onHand: number;
}

export interface MaterialRecord {
  materialCode: string;
  name: string | null;
  unit: string | null;
  line?: string | null;
  mould?: string | null;
  leadTimeDays?: number | null;
}

/**
 * Sets stock on hand from an import (several warehouses of one code are summed). Codes not in the
 * material master are returned, not imported; materials the import does not mention keep their count.
 */
export async function applyStock(
  tx: Tx,
  counts: StockCount[],
  source: string,
  now: Date,
): Promise<{ updated: number; unknownCodes: string[] }> {
  const totals = new Map<string, number>();
  for (const c of counts) totals.set(c.materialCode, (totals.get(c.materialCode) ?? 0) + c.onHand);
  if (totals.size === 0) return { updated: 0, unknownCodes: [] };
  const known = new Set(
    (
      await tx
        .select({ code: materials.code })
        .from(materials)
        .where(inArray(materials.code, [...totals.keys()]))
    ).map((m) => m.code),
  );
  const rows = [...totals]
    .filter(([code]) => known.has(code))
    .map(([materialCode, onHand]) => ({ materialCode, onHand: Math.round(onHand), source, updatedAt: now }));
  const before = new Map(
    rows.length
      ? (
          await tx
            .select({ code: stock.materialCode, onHand: stock.onHand })
            .from(stock)
            .where(
              inArray(
                stock.materialCode,
                rows.map((r) => r.materialCode),
              ),
            )
        ).map((r) => [r.code, r.onHand])
      : [],
  );
  const lower = rows.filter((r) => r.onHand < (before.get(r.materialCode) ?? 0)).map((r) => r.materialCode);
  if (lower.length > 0) {
    await recordPlantChange(tx, now, {
      kind: 'stock',
      cause: { kind: 'stock', materials: lower },
      source,
      materials: lower,
    });
  }
  if (rows.length > 0) {
    await tx
      .insert(stock)
      .values(rows)
      .onConflictDoUpdate({
        target: stock.materialCode,
        set: { onHand: sql`excluded.on_hand`, source: sql`excluded.source`, updatedAt: sql`excluded.updated_at` },
      });
  }
  return { updated: rows.length, unknownCodes: [...totals.keys()].filter((c) => !known.has(c)) };
}

/** Adds new materials and refreshes the fields an import carries; a field the import leaves empty keeps its value. */
export async function applyMaterials(tx: Tx, records: MaterialRecord[]): Promise<number> {
  for (const r of records) {
    await tx
      .insert(materials)
      .values({
        code: r.materialCode,
        name: r.name ?? r.materialCode,
        unit: r.unit ?? '件',
        line: r.line ?? null,
        mould: r.mould ?? null,
        leadTimeDays: r.leadTimeDays ?? 0,
      })
      .onConflictDoUpdate({
        target: materials.code,
        set: {
          name: sql`coalesce(${r.name}, ${materials.name})`,
          unit: sql`coalesce(${r.unit}, ${materials.unit})`,
          line: sql`coalesce(${r.line ?? null}, ${materials.line})`,
          mould: sql`coalesce(${r.mould ?? null}, ${materials.mould})`,
          leadTimeDays: sql`coalesce(${r.leadTimeDays ?? null}::int, ${materials.leadTimeDays})`,
        },
      });
  }
  return records.length;
}
