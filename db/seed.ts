import { sql } from 'drizzle-orm';
import type { Database } from './client';
import { chinaDate } from '../domain/china-time';
import { demoCustomers, demoInspectionReports, demoMaterials, demoPlant, demoStock } from './demo-data';
import { customers, inspectionReports, lineLoads, materials, moulds, qualifiedRanges, stock } from './schema';

/** Loads the demo master data and plant state if the material master is empty; returns whether it did. */
export async function seedDemoDataIfEmpty(db: Database, now: Date): Promise<boolean> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`lock table materials in share row exclusive mode`);
    const existing = await tx.select({ code: materials.code }).from(materials).limit(1);
    if (existing.length > 0) return false;
    await tx.insert(customers).values(demoCustomers);
    await tx.insert(materials).values(
      demoMaterials.map(({ code, name, unit, line, mould, leadTimeDays }) => ({
        code,
        name,
        unit,
        line,
        mould,
        leadTimeDays,
      })),
    );
    await tx.insert(qualifiedRanges).values(
      demoMaterials.flatMap((m) =>
        m.ranges.map((r) => ({
          materialCode: m.code,
          param: r.param,
          minValue: r.min,
          maxValue: r.max,
          unit: r.unit,
        })),
      ),
    );
    await tx.insert(inspectionReports).values(demoInspectionReports());
    await tx.insert(stock).values(
      Object.entries(demoStock).map(([materialCode, onHand]) => ({
        materialCode,
        onHand,
        source: 'demo',
        updatedAt: now,
      })),
    );
    const plant = demoPlant(chinaDate(now));
    await tx.insert(moulds).values(plant.moulds.map((m) => ({ ...m, updatedAt: now, updatedBy: 'demo' })));
    await tx.insert(lineLoads).values(plant.lineLoads.map((l) => ({ ...l, source: 'demo' })));
    return true;
  });
}
