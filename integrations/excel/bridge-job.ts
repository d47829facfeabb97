import type { Logger } from 'pino';
import type { Database, Queryable } from '../../db/client';
import { bridgeFiles } from '../../db/schema';
import { errorLines, type FileRead, importRead, importSummary, readImportFile } from '../import/import-file';
import { type ColumnMapping, EXPORT_KINDS, kindOfFileName } from './mapping';
import { scanFolder } from './scan-folder';

export interface BridgeReport {
  imported: Array<{ name: string; kind: string; added: number; changed: number; unchanged: number }>;
  failed: Array<{ name: string; sha256: string; error: string }>;
}

/** How many of a file's errors the report (and the ops message) lists. */
const ERRORS_REPORTED = 10;

/**
 * One pass of the Excel bridge: every new or changed file in the folder is read, checked and imported
 * in one transaction, and its hash remembered. The kind of a file comes from its name (customers*,
 * materials*, ranges*, inspections*, stock*, supply*, or 客户, 物料, 合格范围, 检验, 库存, 在途, 采购订单 …) or
 * else from its headers; files are imported customers first and stock and open supply last, so that a material
 * list dropped with a stock export is there before the stock refers to it. A file with any error is recorded and reported
 * and writes nothing; the data stays as it was.
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
  const reads = files.map((file) => ({
    file,
    read: readImportFile(file, mapping, kindOfFileName(file.name) ?? undefined),
  }));
  const order = (read: FileRead) => (read.kind ? EXPORT_KINDS.indexOf(read.kind) : -1);
  reads.sort((a, b) => order(a.read) - order(b.read));
  const report: BridgeReport = { imported: [], failed: [] };
  for (const { file, read } of reads) {
    const outcome = await db.transaction(async (tx) => {
      const result = await importRead(tx, read, { now, source: `excel:${file.name}` });
      if (result.errors.length === 0) {
        const rows = result.added + result.changed + result.unchanged;
        await remember(tx, { ...file, status: 'imported', rows, error: null, importedAt: now });
      }
      return result;
    });
    if (outcome.errors.length > 0) {
      const error = errorLines(outcome.errors, ERRORS_REPORTED).join('; ');
      report.failed.push({ name: file.name, sha256: file.sha256, error });
      await remember(db, { ...file, status: 'failed', rows: 0, error, importedAt: now });
      log.warn({ file: file.name, errors: outcome.errors.length, error }, 'Excel bridge: file not imported');
      continue;
    }
    const { added, changed, unchanged } = outcome;
    report.imported.push({ name: file.name, kind: outcome.kind!, added, changed, unchanged });
    log.info({ file: file.name, kind: outcome.kind }, `Excel bridge: ${importSummary(outcome)}`);
  }
  return report;
}

async function remember(
  q: Queryable,
  file: Omit<typeof bridgeFiles.$inferInsert, 'name' | 'sha256'> & { name: string; sha256: string },
) {
  const row = {
    name: file.name,
    sha256: file.sha256,
    status: file.status,
    rows: file.rows,
    error: file.error,
    importedAt: file.importedAt,
  };
  await q.insert(bridgeFiles).values(row).onConflictDoUpdate({ target: bridgeFiles.name, set: row });
}
