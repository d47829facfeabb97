import { sql } from 'drizzle-orm';
import type { Database } from './client';
import { demoCustomers, demoInspectionReports, demoMaterials } from './demo-data';
import { customers, inspectionReports, materials, qualifiedRanges } from './schema';

/** Loads the demo master data if the material master is empty; returns whether it did. */
export async function seedDemoDataIfEmpty(db: Database): Promise<boolean> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`lock table materials in share row exclusive mode`);
    const existing = await tx.select({ code: materials.code }).from(materials).limit(1);
    if (existing.length > 0) return false;
    await tx.insert(customers).values(demoCustomers);
    await tx.insert(materials).values(
      demoMaterials.map(({ code, name, unit, line, mould, leadTimeDays }) => ({ code, name, unit, line, mould, leadTimeDays })),
    );
    await tx.insert(qualifiedRanges).values(
      demoMaterials.flatMap((m) =>
        m.ranges.map((r) => ({ materialCode: m.code, param: r.param, minValue: r.min, maxValue: r.max, unit: r.unit })),
      ),
    );
    await tx.insert(inspectionReports).values(demoInspectionReports());
    return true;
  });
}
