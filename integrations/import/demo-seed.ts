import { readFileSync } from 'node:fs';
import { sql } from 'drizzle-orm';
import type { Database, Tx } from '../../db/client';
import { demoPlant } from '../../db/demo-data';
import { customers, lineLoads, materials, moulds } from '../../db/schema';
import { chinaDate } from '../../domain/china-time';
import { defaultColumnMapping, EXPORT_KINDS } from '../excel/mapping';
import { errorLines, importRead, readImportFile } from './import-file';

const DEMO_DIR = new URL('../../config/demo/', import.meta.url);

/**
 * Loads the demo master data and plant state if the database has neither materials nor customers (a
 * plant that imported its own customers before the first start gets no demo data); returns whether it
 * did. The master data are the CSV files in config/demo/ (customers, materials, qualified ranges,
 * inspection reports, stock, open supply), imported with the same code as `orderbot import`, so the importers run
 * at every first start; moulds and line loads come from db/demo-data.ts.
 */
export async function seedDemoDataIfEmpty(db: Database, now: Date): Promise<boolean> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`lock table materials in share row exclusive mode`);
    const existing = await tx.select({ code: materials.code }).from(materials).limit(1);
    if (existing.length > 0) return false;
    const customer = await tx.select({ id: customers.id }).from(customers).limit(1);
    if (customer.length > 0) return false;
    await importDemoMasterData(tx, now);
    const plant = demoPlant(chinaDate(now));
    await tx.insert(moulds).values(plant.moulds.map((m) => ({ ...m, updatedAt: now, updatedBy: 'demo' })));
    await tx.insert(lineLoads).values(plant.lineLoads.map((l) => ({ ...l, source: 'demo' })));
    return true;
  });
}

/** Imports every demo file in the caller's transaction; a demo file with an error is a bug and throws. */
async function importDemoMasterData(tx: Tx, now: Date): Promise<void> {
  const mapping = defaultColumnMapping();
  for (const kind of EXPORT_KINDS) {
    const name = `${kind}.csv`;
    const read = readImportFile({ name, bytes: readFileSync(new URL(name, DEMO_DIR)) }, mapping, kind);
    const outcome = await importRead(tx, read, { now, source: 'demo' });
    if (outcome.errors.length > 0) {
      throw new Error(`config/demo/${name} cannot be imported:\n${errorLines(outcome.errors).join('\n')}`);
    }
  }
}
