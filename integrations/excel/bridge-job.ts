import type { Logger } from 'pino';
import type { Database } from '../../db/client';
import { applyMaterials, applyStock } from '../../db/plant-sync';
import { bridgeFiles } from '../../db/schema';
import type { ColumnMapping } from './mapping';
import { readExport } from './read-export';
import { scanFolder } from './scan-folder';

export interface BridgeReport {
  imported: Array<{ name: string; kind: string; rows: number; unknownCodes: string[] }>;
  failed: Array<{ name: string; sha256: string; error: string }>;
}

/**
 * One pass of the Excel bridge: every new or changed export in the folder is read and imported in one
 * transaction, and its hash remembered. A broken file is recorded and reported; the data stays as it was.
 */
export async function runExcelBridge(args: {
  db: Database;
  dir: string;
  mapping: ColumnMapping;
  now: Date;
  log: Logger;
}): Promise<BridgeReport> {
  const { db, dir, mapping, now, log } = args;
  const known = new Map((await db.select().from(bridgeFiles)).map((f) => [f.name, f.sha256]));
  const { files } = await scanFolder(dir, known, { now: () => now });
  const report: BridgeReport = { imported: [], failed: [] };
  for (const file of files) {
    const read = readExport(file, mapping);
    if (!read.ok) {
      const error = read.errors.map((e) => e.message).join('; ');
      report.failed.push({ name: file.name, sha256: file.sha256, error });
      await remember(db, { name: file.name, sha256: file.sha256, status: 'failed', rows: 0, error, importedAt: now });
      log.warn({ file: file.name, error }, 'Excel bridge: file not imported');
      continue;
    }
    const result = await db.transaction(async (tx) => {
      if (read.kind === 'stock') {
        const applied = await applyStock(
          tx,
          read.rows.map((r) => ({ materialCode: r.materialCode, onHand: r.onHand })),
          `excel:${file.name}`,
          now,
        );
        return { rows: applied.updated, unknownCodes: applied.unknownCodes };
      }
      const rows = await applyMaterials(tx, read.rows);
      return { rows, unknownCodes: [] };
    });
    await remember(db, {
      name: file.name,
      sha256: file.sha256,
      status: 'imported',
      rows: result.rows,
      error: null,
      importedAt: now,
    });
    report.imported.push({ name: file.name, kind: read.kind, ...result });
    log.info(
      { file: file.name, kind: read.kind, rows: result.rows, problems: read.problems.length },
      'Excel bridge: file imported',
    );
  }
  return report;
}

async function remember(db: Database, row: typeof bridgeFiles.$inferInsert) {
  await db.insert(bridgeFiles).values(row).onConflictDoUpdate({ target: bridgeFiles.name, set: row });
}
