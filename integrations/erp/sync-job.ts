import type { Logger } from 'pino';
import type { Database } from '../../db/client';
import { applyMaterials, applyStock } from '../../db/plant-sync';
import type { ErpPort } from './port';

/**
 * Pulls the material master and current stock from the ERP and applies both in one transaction. A
 * failed fetch throws before anything is written, so a broken ERP never wipes what we had.
 */
export async function syncFromErp(args: {
  db: Database;
  erp: ErpPort;
  now: Date;
  log: Logger;
}): Promise<{ materials: number; stock: number; unknownCodes: string[] }> {
  const { db, erp, now, log } = args;
  const [materialRows, stockRows] = await Promise.all([erp.fetchMaterials(), erp.fetchStock()]);
  const result = await db.transaction(async (tx) => {
    const materials = await applyMaterials(
      tx,
      materialRows.map((m) => ({
        materialCode: m.code,
        name: m.name,
        unit: m.unit ?? null,
        leadTimeDays: m.leadTimeDays ?? null,
      })),
    );
    const applied = await applyStock(tx, stockRows, `erp:${erp.kind}`, now);
    return { materials, stock: applied.updated, unknownCodes: applied.unknownCodes };
  });
  log.info({ erp: erp.kind, ...result, unknownCodes: result.unknownCodes.length }, 'ERP sync done');
  return result;
}
