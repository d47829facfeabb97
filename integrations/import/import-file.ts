/**
 * Importing one file of master data (customers, materials, qualified ranges, inspection reports,
 * stock on hand, open supply): read and check it whole with the Excel module, then write it in one transaction.
 *
 * Used by `orderbot import`, the Excel bridge folder and the demo seed. A file with any error (a
 * cell that cannot be read, a repeated key, a material that does not exist …) writes nothing; the
 * errors name the Excel row and the column: `row 17, column D (电话): "1380013" is not a mainland
 * mobile or landline number`. Phone numbers never appear whole in an error.
 */
import type { Database, Tx } from '../../db/client';
import { type MasterData, type MasterDataOutcome, writeMasterData } from '../../db/master-data';
import type { ColumnMapping, ExportKind } from '../excel/mapping';
import { readExport } from '../excel/read-export';

export type ImportKind = ExportKind;

export interface ImportError {
  /** Excel row number; null for an error about the whole file. */
  row: number | null;
  /** Column letter, e.g. "D". */
  column: string | null;
  /** The column's header as written in the file. */
  header: string | null;
  message: string;
}

export type FileRead =
  | {
      ok: true;
      name: string;
      kind: ImportKind;
      data: MasterData;
      /** Which column each field came from: { contactPhone: { header: '电话', column: 'D' } }. */
      columns: Record<string, { header: string; column: string }>;
      /** Cells that could not be read. */
      errors: ImportError[];
    }
  | { ok: false; name: string; kind: ImportKind | null; errors: ImportError[] };

export interface ImportOutcome {
  file: string;
  /** null when the file's kind could not be told. */
  kind: ImportKind | null;
  added: number;
  changed: number;
  unchanged: number;
  /** In row order; when there are any, nothing was written. */
  errors: ImportError[];
  written: boolean;
}

export interface ImportOptions {
  now: Date;
  /** stock.source for stock counts, e.g. "import:stock.xlsx" (default), "excel:…" from the bridge, "demo". */
  source?: string;
  /** Check and count, write nothing. */
  dryRun?: boolean;
}

/** Reads a file into records and the errors of its cells; `kind` when known, else told by the headers. */
export function readImportFile(
  file: { name: string; bytes: Buffer },
  mapping: ColumnMapping,
  kind?: ImportKind,
): FileRead {
  const read = readExport(file, mapping, kind ? { kind } : {});
  if (!read.ok) {
    return {
      ok: false,
      name: file.name,
      kind: kind ?? null,
      errors: read.errors.map((e) => ({ row: null, column: null, header: null, message: e.message })),
    };
  }
  const errors: ImportError[] = read.problems.map((p) => ({
    row: p.row,
    column: p.cell.replace(/\d+$/, ''),
    header: p.header,
    message: p.reason === 'is empty' ? 'is empty; a value is required' : p.reason,
  }));
  let data: MasterData;
  switch (read.kind) {
    case 'stock':
      data = {
        kind: 'stock',
        rows: read.rows.map(({ row, materialCode, onHand }) => ({ row, materialCode, onHand })),
      };
      break;
    case 'materials':
      data = { kind: 'materials', rows: read.rows };
      break;
    case 'customers':
      data = { kind: 'customers', rows: read.rows };
      break;
    case 'ranges':
      data = { kind: 'ranges', rows: read.rows };
      break;
    case 'inspections':
      data = { kind: 'inspections', rows: read.rows };
      break;
    case 'supply':
      data = {
        kind: 'supply',
        feed: supplyFeed(file.name),
        rows: read.rows.map(({ row, materialCode, quantity, dueDate, reference }) => ({
          row,
          materialCode,
          quantity,
          dueDate,
          reference,
        })),
      };
      break;
  }
  return { ok: true, name: file.name, kind: read.kind, data, columns: read.columns, errors };
}

/**
 * Which open supply a supply file replaces: its name without the extension, digits, dates and separators, so that
 * 采购在途-2026-03-02.xlsx replaces what 采购在途-2026-02-23.xlsx brought (however it came in: command, console or
 * bridge folder), while 生产订单.xlsx is kept apart. 'supply' when nothing is left.
 */
export function supplyFeed(fileName: string): string {
  const stem = fileName.replace(/\.[^.]*$/, '');
  const feed = stem
    .toLowerCase()
    .replace(/w(?=\d)/g, '')
    .replace(/[\d\s\-_.,;:()（）[\]【】#+~～、，。]+/g, '')
    .replace(/[年月日周]+$/, '');
  return feed === '' ? 'supply' : feed;
}

/** Checks a read file against the database and, when nothing is wrong, writes it, in the caller's transaction. */
export async function importRead(tx: Tx, read: FileRead, options: ImportOptions): Promise<ImportOutcome> {
  if (!read.ok) return refused(read.name, read.kind, read.errors);
  const outcome: MasterDataOutcome = await writeMasterData(tx, read.data, {
    now: options.now,
    source: options.source ?? `import:${read.name}`,
    // With unreadable cells the records are only checked, to list every error at once.
    dryRun: options.dryRun || read.errors.length > 0,
  });
  const errors = [
    ...read.errors,
    ...outcome.problems.map((p): ImportError => {
      const col = read.columns[p.field];
      return { row: p.row, column: col?.column ?? null, header: col?.header ?? null, message: p.reason };
    }),
  ].sort((a, b) => (a.row ?? 0) - (b.row ?? 0) || columnOrder(a.column) - columnOrder(b.column));
  if (errors.length > 0) return refused(read.name, read.kind, errors);
  const { added, changed, unchanged, written } = outcome;
  return { file: read.name, kind: read.kind, added, changed, unchanged, errors, written };
}

/** Reads, checks and imports one file in one transaction. */
export async function importFile(args: {
  db: Database;
  file: { name: string; bytes: Buffer };
  mapping: ColumnMapping;
  kind?: ImportKind;
  options: ImportOptions;
}): Promise<ImportOutcome> {
  const read = readImportFile(args.file, args.mapping, args.kind);
  if (!read.ok) return refused(read.name, read.kind, read.errors);
  return args.db.transaction((tx) => importRead(tx, read, args.options));
}

function refused(file: string, kind: ImportKind | null, errors: ImportError[]): ImportOutcome {
  return { file, kind, added: 0, changed: 0, unchanged: 0, errors, written: false };
}

/** The one-line summary: `customers: 12 added, 3 changed, 40 unchanged, 0 errors`. */
export function importSummary(outcome: ImportOutcome): string {
  const { added, changed, unchanged, errors } = outcome;
  const n = errors.length;
  return `${outcome.kind ?? outcome.file}: ${added} added, ${changed} changed, ${unchanged} unchanged, ${n} ${n === 1 ? 'error' : 'errors'}`;
}

/** `row 17, column D (电话): "1380013" is not a mainland mobile or landline number`, or a file's error as it is. */
export function errorLine(e: ImportError): string {
  if (e.row === null) return e.message;
  const where = e.column ? `, column ${e.column}${e.header ? ` (${e.header})` : ''}` : '';
  return `row ${e.row}${where}: ${e.message}`;
}

/** The errors, one a line, the first `limit` of them and then how many more there are. */
export function errorLines(errors: readonly ImportError[], limit = 50): string[] {
  const lines = errors.slice(0, limit).map(errorLine);
  if (errors.length > limit) lines.push(`… and ${errors.length - limit} more errors (${errors.length} in all)`);
  return lines;
}

/** A → 1, Z → 26, AA → 27; no column sorts first. */
function columnOrder(column: string | null): number {
  if (!column) return 0;
  let n = 0;
  for (const ch of column) n = n * 26 + (ch.charCodeAt(0) - 64);
  return n;
}
