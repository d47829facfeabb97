/**
 * Reading a stock, material-master or open-supply report that an accountant exported from the ERP (typically
 * Yonyou U8: 输出 / 导出Excel), or a customer list, a list of qualified ranges or QC's inspection
 * sheet, into typed rows.
 *
 * Accepts .xlsx, .xls (BIFF8, and the HTML/text files some tools save under .xls) and .csv (UTF-8
 * with or without BOM, UTF-16 with BOM, GBK/GB18030). The header row is found by its column names,
 * not by position. Blank rows, 合计/小计/总计 rows and repeated header rows are skipped. A cell that
 * cannot be read becomes a row problem with the row number Excel shows; the file is only refused
 * as a whole (file errors) when it cannot be read at all or has no recognisable header.
 *
 * SheetJS parses synchronously on the calling thread, so the input size and row count are capped.
 */
import * as XLSX from '@e965/xlsx';
import type { CellObject, WorkBook } from '@e965/xlsx';
import type { CustomerRecord, InspectionRecord, MaterialRecord, RangeRecord } from '../../db/master-data';
import {
  headerMatches,
  lastDateInText,
  normalizeHeader,
  parseDate,
  parseFlag,
  parsePhone,
  parseQuantity,
  splitList,
} from './cell-values';
import { decodeText, looksBinary } from './decode-text';
import {
  fieldAliases,
  fieldsOf,
  findHeader,
  HEADER_SCAN_ROWS,
  repeatedHeaderTest,
  rowTexts,
  type Grid,
  type HeaderMatch,
} from './header-row';
import {
  EXPORT_KINDS,
  type ColumnMapping,
  type CustomerField,
  type ExportKind,
  type InspectionField,
  type MaterialField,
  type RangeField,
  type StockField,
  type SupplyField,
} from './mapping';

export const DEFAULT_MAX_BYTES = 20 * 1024 * 1024;
export const DEFAULT_MAX_ROWS = 200_000;

export interface StockRow {
  /** Row number as Excel shows it. */
  row: number;
  materialCode: string;
  name: string | null;
  spec: string | null;
  unit: string | null;
  onHand: number;
  warehouse: string | null;
  /** YYYY-MM-DD. */
  lastInboundDate: string | null;
}

export interface SupplyRow {
  /** Row number as Excel shows it. */
  row: number;
  materialCode: string;
  name: string | null;
  /** What is still to come (未到货数量); never negative. */
  quantity: number;
  /** YYYY-MM-DD. */
  dueDate: string;
  /** The purchase or production order number. */
  reference: string | null;
}

/** The master-data rows a file holds are the records the importer writes (db/master-data.ts). */
export type MaterialRow = MaterialRecord;
export type CustomerRow = CustomerRecord;
export type RangeRow = RangeRecord;
export type InspectionRow = InspectionRecord;

export interface RowProblem {
  /** Row number as Excel shows it. */
  row: number;
  /** Cell address, e.g. "E12". */
  cell: string;
  field: string;
  /** The header of the column as written in the file. */
  header: string;
  /** The cell text as read ('' when empty). */
  value: string;
  /** What is wrong with the cell, e.g. `"约100" is not a number`. */
  reason: string;
  /** The header and the reason: `现存数量 "约100" is not a number`. */
  message: string;
  /** The row was left out of `rows` (a required value is missing or bad); otherwise the field is null. */
  rowDropped: boolean;
}

export type FileErrorCode =
  | 'too-large'
  | 'empty'
  | 'unsupported-type'
  | 'unreadable'
  | 'too-many-rows'
  | 'no-header'
  | 'ambiguous-kind'
  | 'duplicate-column';

export interface FileError {
  code: FileErrorCode;
  message: string;
}

export type ExportFormat = 'xlsx' | 'xls' | 'csv';

interface ReadCommon {
  ok: true;
  format: ExportFormat;
  sheetName: string;
  /** Row number (as Excel shows it) of the header. */
  headerRow: number;
  /** Which column each field came from, e.g. { onHand: { header: '结存数量', column: 'E' } }. */
  columns: Record<string, { header: string; column: string }>;
  /** Inspections: the parameter of each measured column, e.g. [{ param: 'Ra', header: 'Ra(μm)', column: 'F' }]. */
  parameters: Array<{ param: string; header: string; column: string }>;
  /** The last date written in the title rows above the header (e.g. the report's 日期 line), or null. */
  reportDate: string | null;
  problems: RowProblem[];
  skipped: { blank: number; total: number; repeatedHeader: number };
}

export type ExportRead =
  | (ReadCommon & { kind: 'stock'; rows: StockRow[] })
  | (ReadCommon & { kind: 'materials'; rows: MaterialRow[] })
  | (ReadCommon & { kind: 'customers'; rows: CustomerRow[] })
  | (ReadCommon & { kind: 'ranges'; rows: RangeRow[] })
  | (ReadCommon & { kind: 'inspections'; rows: InspectionRow[] })
  | (ReadCommon & { kind: 'supply'; rows: SupplyRow[] })
  | { ok: false; errors: FileError[] };

export interface ReadExportOptions {
  /** The kind of export, when the caller knows it; otherwise it is detected from the headers. */
  kind?: ExportKind;
  maxBytes?: number;
  maxRows?: number;
}

export function readExport(
  file: { name: string; bytes: Buffer },
  mapping: ColumnMapping,
  options: ReadExportOptions = {},
): ExportRead {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const maxRows = options.maxRows ?? DEFAULT_MAX_ROWS;
  const { name, bytes } = file;

  if (bytes.length > maxBytes) {
    return fail(
      'too-large',
      `${name} is ${formatBytes(bytes.length)}; files over ${formatBytes(maxBytes)} are not read`,
    );
  }
  if (bytes.length === 0) return fail('empty', `${name} is empty`);

  const opened = openWorkbook(name, bytes, maxRows);
  if ('error' in opened) return { ok: false, errors: [opened.error] };
  const { workbook, format } = opened;
  const date1904 = Boolean(workbook.Workbook?.WBProps?.date1904);
  const kinds = options.kind ? [options.kind] : EXPORT_KINDS;

  let ambiguousAt: { sheet: string; row: number; kinds: ExportKind[] } | null = null;
  let closest: { sheet: string; row: number; kind: ExportKind; missing: string[] } | null = null;
  for (const sheetName of workbook.SheetNames) {
    const sheet = workbook.Sheets[sheetName];
    const grid = sheet?.['!data'];
    if (!sheet || !grid) continue;
    if (grid.length > maxRows) {
      return fail('too-many-rows', `${name} has more than ${maxRows} rows in sheet "${sheetName}"; split the export`);
    }
    const search = findHeader(grid, mapping, kinds);
    if (search.found) {
      fillMergedCells(grid, sheet['!merges'] ?? [], search.found.row);
      return readRows(grid, search.found, { name, format, sheetName, mapping, date1904 });
    }
    if (search.ambiguousRow !== null && !ambiguousAt) {
      ambiguousAt = { sheet: sheetName, row: search.ambiguousRow, kinds: search.ambiguousKinds };
    }
    if (search.closest && !closest) closest = { sheet: sheetName, ...search.closest };
  }

  if (ambiguousAt) {
    return fail(
      'ambiguous-kind',
      `${name}: row ${ambiguousAt.row + 1} of sheet "${ambiguousAt.sheet}" fits ${ambiguousAt.kinds.join(' and ')} alike; say which kind it is (in the bridge folder: by the start of the file name, e.g. stock-…)`,
    );
  }
  const expected = kinds.map((k) => `${k}: ${describeRequired(k, mapping)}`).join('; ');
  const hint = closest
    ? ` Row ${closest.row + 1} of sheet "${closest.sheet}" looks like a ${closest.kind} header but lacks ${closest.missing
        .map((f) => (mapping[closest!.kind] as Record<string, string[]>)[f]!.join('/'))
        .join(', ')}.`
    : '';
  return fail(
    'no-header',
    `${name}: no header row found in the first ${HEADER_SCAN_ROWS} rows. Looked for ${expected}.${hint}`,
  );
}

/** The required headers of a kind, aliases joined by "/": "存货编码/物料编码, 存货名称, 现存数量/结存数量/现存量". */
export function describeRequired(kind: ExportKind, mapping: ColumnMapping): string {
  const aliases = mapping[kind] as Record<string, string[]>;
  return fieldsOf(kind)
    .filter(([, d]) => d.requiredColumn)
    .map(([f]) => (aliases[f] ?? []).join('/'))
    .join(', ');
}

/**
 * A workbook as the exports are read (also rule sheets and settlement exports): text files (CSV, and HTML /
 * SpreadsheetML / TSV saved as .xls) decoded here and kept as text; at most `maxRows` + 1 rows read.
 */
export function openWorkbook(
  name: string,
  bytes: Buffer,
  maxRows: number,
  /** What such a file is called in the refusal of another type: "exports", "rule sheets". */
  what = 'exports',
): { workbook: WorkBook; format: ExportFormat } | { error: FileError } {
  const ext = /\.([^.]+)$/.exec(name)?.[1]?.toLowerCase();
  if (ext !== 'xlsx' && ext !== 'xls' && ext !== 'csv') {
    return { error: { code: 'unsupported-type', message: `${name}: only .xlsx, .xls and .csv ${what} are read` } };
  }
  const isZip = bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
  const isCfb = bytes.subarray(0, 8).equals(Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]));
  // One row more than allowed, so that "more than maxRows" can be told from "exactly maxRows".
  const common = {
    dense: true,
    cellDates: false,
    cellFormula: false,
    cellHTML: false,
    cellStyles: false,
    sheetRows: maxRows + 1,
  } as const;
  try {
    if (ext === 'csv' || (!isZip && !isCfb)) {
      // Text: CSV, or HTML / SpreadsheetML / TSV saved as .xls. Decode ourselves (SheetJS's
      // code-page tables are not in the ESM build) and keep every value as text.
      if (ext === 'xlsx' || looksBinary(bytes)) {
        return { error: { code: 'unreadable', message: `${name} is not an Excel or CSV file` } };
      }
      const { text } = decodeText(bytes);
      const workbook = XLSX.read(text, { ...common, type: 'string', raw: true });
      return { workbook, format: ext === 'csv' ? 'csv' : 'xls' };
    }
    const workbook = XLSX.read(bytes, { ...common, type: 'buffer' });
    return { workbook, format: isZip ? 'xlsx' : 'xls' };
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    return {
      error: {
        code: 'unreadable',
        message: `${name} could not be read (${why}); if it is password-protected, export it again without a password`,
      },
    };
  }
}

/** A merged block below the header (a warehouse written once for several rows) gives its value to every row it spans. */
function fillMergedCells(
  grid: Array<Array<CellObject | undefined> | undefined>,
  merges: XLSX.Range[],
  headerRow: number,
): void {
  for (const m of merges) {
    if (m.s.r <= headerRow) continue;
    const top = grid[m.s.r]?.[m.s.c];
    if (!top) continue;
    for (let r = m.s.r; r <= m.e.r; r++) {
      const row = grid[r] ?? [];
      grid[r] = row;
      for (let c = m.s.c; c <= m.e.c; c++) if (r !== m.s.r || c !== m.s.c) row[c] ??= top;
    }
  }
}

/** 合计, 小计, 总计 and their prefixed forms (仓库小计, 本页合计：). */
const TOTAL_LABEL = /^[\u4e00-\u9fff]{0,4}(合计|小计|总计)[:：]?$/;

interface ReadContext {
  name: string;
  format: ExportFormat;
  sheetName: string;
  mapping: ColumnMapping;
  date1904: boolean;
}

/** Columns where a cell may hold any words: a total label there is data, not a 合计 row. */
const FREE_TEXT_FIELDS = ['name', 'spec', 'address', 'summary', 'contactName', 'aliases'];

/** "Ra(μm)" → "Ra", "平面度（mm）" → "平面度": the parameter a measured column is named after. */
export function parameterName(header: string): string {
  const bare = header.replace(/\s*[(（[【][^)）\]】]*[)）\]】]\s*$/, '').trim();
  return bare === '' ? header.trim() : bare;
}

/**
 * The measured-parameter columns of an inspections header: every non-empty header that is not a
 * field (chosen or not) and not one of the other known columns (name, inspector, batch …).
 */
function parameterColumns(
  headerRow: ReadonlyArray<CellObject | undefined> | undefined,
  header: HeaderMatch,
  mapping: ColumnMapping,
): { columns: Array<{ index: number; param: string; header: string }> } | { error: string } {
  const used = new Set(Object.values(header.columns).map((c) => c.index));
  const known = [...Object.values(fieldAliases(mapping, 'inspections')).flat(), ...mapping.inspectionOtherColumns].map(
    normalizeHeader,
  );
  const columns: Array<{ index: number; param: string; header: string }> = [];
  const seen = new Map<string, string>();
  const texts = rowTexts(headerRow);
  for (let c = 0; c < texts.length; c++) {
    const text = texts[c]!;
    if (text === '' || used.has(c)) continue;
    const normalized = normalizeHeader(text);
    if (known.some((a) => headerMatches(normalized, a))) continue;
    const param = parameterName(text);
    const column = XLSX.utils.encode_col(c);
    const earlier = seen.get(param.toLowerCase());
    if (earlier) return { error: `columns ${earlier} and ${column} both measure ${param}` };
    seen.set(param.toLowerCase(), column);
    columns.push({ index: c, param, header: text });
  }
  return { columns };
}

function readRows(grid: Grid, header: HeaderMatch, ctx: ReadContext): ExportRead {
  const { kind, columns } = header;
  const fields = fieldsOf(kind).filter(([f]) => f in columns);
  const params = kind === 'inspections' ? parameterColumns(grid[header.row], header, ctx.mapping) : { columns: [] };
  if ('error' in params) return fail('duplicate-column', `${ctx.name}: ${params.error}`);
  const dataColumns = [...fields.map(([f]) => columns[f]!.index), ...params.columns.map((p) => p.index)];
  // Free-text columns may legitimately contain the word 合计; the others are where a total label goes.
  const freeText = new Set(FREE_TEXT_FIELDS.map((f) => columns[f]?.index));
  const rows: Array<Record<string, unknown>> = [];
  const problems: RowProblem[] = [];
  const skipped = { blank: 0, total: 0, repeatedHeader: 0 };
  const isRepeatedHeader = repeatedHeaderTest(header, ctx.mapping);

  for (let r = header.row + 1; r < grid.length; r++) {
    const cells = grid[r];
    const texts = rowTexts(cells);
    if (dataColumns.every((c) => (texts[c] ?? '') === '')) {
      skipped.blank++;
      continue;
    }
    if (
      texts.some((t, c) => t !== '' && t.length <= 12 && !freeText.has(c) && TOTAL_LABEL.test(t.replace(/\s+/g, '')))
    ) {
      skipped.total++;
      continue;
    }
    if (isRepeatedHeader(texts)) {
      skipped.repeatedHeader++;
      continue;
    }

    const excelRow = r + 1;
    const out: Record<string, unknown> = { row: excelRow };
    const rowProblems: RowProblem[] = [];
    const problemAt =
      (field: string, index: number, headerText: string, dropsRow: boolean) =>
      (reason: string): void => {
        rowProblems.push({
          row: excelRow,
          cell: `${XLSX.utils.encode_col(index)}${excelRow}`,
          field,
          header: headerText,
          value: texts[index] ?? '',
          reason,
          message: `${headerText} ${reason}`,
          rowDropped: dropsRow,
        });
      };
    for (const [field, def] of fields) {
      const col = columns[field]!;
      const cell = cells?.[col.index];
      const problem = problemAt(field, col.index, col.header, def.requiredValue);
      let value: string | number | boolean | string[] | null;
      if (def.type === 'quantity') {
        const q = parseQuantity(cell);
        if (!q.ok) problem(q.reason);
        value = q.ok ? q.value : null;
        if (field === 'leadTimeDays' && value !== null && (value < 0 || !Number.isInteger(value))) {
          problem(value < 0 ? `${value} is negative` : `${value} is not a whole number of days`);
          value = null;
        }
        if (kind === 'supply' && field === 'quantity' && value !== null && value < 0) {
          problem(`${value} is negative`);
          value = null;
        }
      } else if (def.type === 'date') {
        const d = parseDate(cell, ctx.date1904);
        if (!d.ok) problem(d.reason);
        value = d.ok ? d.value : null;
      } else if (def.type === 'flag') {
        const f = parseFlag(cell);
        if (!f.ok) problem(f.reason);
        value = f.ok ? f.value : null;
      } else if (def.type === 'phone') {
        const p = parsePhone(cell);
        if (!p.ok) problem(p.reason);
        value = p.ok ? p.value : null;
      } else if (def.type === 'list') {
        const items = splitList(texts[col.index] ?? '');
        value = items.length > 0 ? items : null;
      } else {
        value = texts[col.index] || null;
      }
      if (def.maxLength !== undefined && typeof value === 'string' && value.length > def.maxLength) {
        problem(`"${value.slice(0, 20)}…" is ${value.length} characters long; at most ${def.maxLength} are allowed`);
        value = null;
      }
      if (value === null && def.requiredValue && rowProblems.every((p) => p.field !== field)) problem('is empty');
      out[field] = value;
    }
    // Fields whose column is absent from this file are null.
    for (const [field] of fieldsOf(kind)) if (!(field in out)) out[field] = null;
    if (kind === 'inspections') {
      const results: Record<string, number> = {};
      for (const p of params.columns) {
        const q = parseQuantity(cells?.[p.index]);
        if (!q.ok) problemAt('results', p.index, p.header, false)(q.reason);
        else if (q.value !== null) results[p.param] = q.value;
      }
      out.results = results;
    }
    problems.push(...rowProblems);
    if (!rowProblems.some((p) => p.rowDropped)) rows.push(out);
  }

  const reportDate = lastDateInText(
    grid
      .slice(0, header.row)
      .map((row) => rowTexts(row).join(' '))
      .join('\n'),
  );
  const common: ReadCommon = {
    ok: true,
    format: ctx.format,
    sheetName: ctx.sheetName,
    headerRow: header.row + 1,
    columns: Object.fromEntries(
      Object.entries(columns).map(([f, c]) => [f, { header: c.header, column: XLSX.utils.encode_col(c.index) }]),
    ),
    parameters: params.columns.map((p) => ({
      param: p.param,
      header: p.header,
      column: XLSX.utils.encode_col(p.index),
    })),
    reportDate,
    problems,
    skipped,
  };
  switch (kind) {
    case 'stock':
      return { ...common, kind, rows: rows as unknown as StockRow[] };
    case 'materials':
      return { ...common, kind, rows: rows as unknown as MaterialRow[] };
    case 'customers':
      return { ...common, kind, rows: rows as unknown as CustomerRow[] };
    case 'ranges':
      return { ...common, kind, rows: rows as unknown as RangeRow[] };
    case 'inspections':
      return { ...common, kind, rows: rows as unknown as InspectionRow[] };
    case 'supply':
      return { ...common, kind, rows: rows as unknown as SupplyRow[] };
  }
}

function fail(code: FileErrorCode, message: string): ExportRead {
  return { ok: false, errors: [{ code, message }] };
}

function formatBytes(n: number): string {
  return n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MB` : `${Math.ceil(n / 1024)} KB`;
}

// Keep the row types in step with the field tables in mapping.ts (a compile error otherwise).
type SameKeys<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
true satisfies SameKeys<StockField | 'row', keyof StockRow>;
true satisfies SameKeys<MaterialField | 'row', keyof MaterialRow>;
true satisfies SameKeys<CustomerField | 'row', keyof CustomerRow>;
true satisfies SameKeys<RangeField | 'row', keyof RangeRow>;
true satisfies SameKeys<InspectionField | 'row' | 'results', keyof InspectionRow>;
true satisfies SameKeys<SupplyField | 'row', keyof SupplyRow>;
