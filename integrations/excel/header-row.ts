/**
 * Finding the header row of an export by its column names, and deciding which kind of export it is.
 *
 * U8 reports put title rows, merged title cells, a company line and a date line above the header,
 * sometimes blank rows too, so no fixed offset works: the header is the first row (within the
 * first HEADER_SCAN_ROWS) holding every required column of a kind.
 */
import type { CellObject } from '@e965/xlsx';
import { cellText, headerMatches, normalizeHeader } from './cell-values';
import { FIELDS_BY_KIND, type ColumnMapping, type ExportKind, type FieldDef } from './mapping';

export const HEADER_SCAN_ROWS = 50;

export type Grid = ReadonlyArray<ReadonlyArray<CellObject | undefined> | undefined>;

export interface MappedColumn {
  /** 0-based column index. */
  index: number;
  /** The header text as written in the file. */
  header: string;
}

export interface HeaderMatch {
  kind: ExportKind;
  /** 0-based row index of the header. */
  row: number;
  columns: Record<string, MappedColumn>;
}

export type HeaderSearch =
  | { found: HeaderMatch }
  | {
      found: null;
      ambiguousRow: number | null;
      /** The kinds the ambiguous row fits equally well. */
      ambiguousKinds: ExportKind[];
      closest: { row: number; kind: ExportKind; matched: string[]; missing: string[] } | null;
    };

/** Field names of a kind with their definition. */
export function fieldsOf(kind: ExportKind): Array<[string, FieldDef]> {
  return Object.entries(FIELDS_BY_KIND[kind]);
}

/** Fields a kind has and the other kinds do not: these tell the kinds apart. */
function distinctiveFields(kind: ExportKind): string[] {
  const others = (Object.keys(FIELDS_BY_KIND) as ExportKind[]).filter((k) => k !== kind);
  return Object.keys(FIELDS_BY_KIND[kind]).filter((f) => others.every((o) => !(f in FIELDS_BY_KIND[o])));
}

/** The aliases of each field of a kind (a mapping may carry other lists besides). */
export function fieldAliases(mapping: ColumnMapping, kind: ExportKind): Record<string, string[]> {
  const aliases = mapping[kind] as Record<string, string[]>;
  return Object.fromEntries(fieldsOf(kind).map(([f]) => [f, aliases[f] ?? []]));
}

/** Map a row's header texts to fields: for each field the first alias (in preference order) present wins. */
export function matchColumns(
  headers: readonly string[],
  aliases: Record<string, readonly string[]>,
): Record<string, MappedColumn> {
  const normalized = headers.map(normalizeHeader);
  const columns: Record<string, MappedColumn> = {};
  for (const [field, names] of Object.entries(aliases)) {
    for (const alias of names.map(normalizeHeader)) {
      const index = normalized.findIndex((h) => headerMatches(h, alias));
      if (index >= 0) {
        columns[field] = { index, header: headers[index]! };
        break;
      }
    }
  }
  return columns;
}

export function rowTexts(row: ReadonlyArray<CellObject | undefined> | undefined): string[] {
  if (!row) return [];
  const out: string[] = [];
  for (let c = 0; c < row.length; c++) out.push(cellText(row[c]));
  return out;
}

export function findHeader(grid: Grid, mapping: ColumnMapping, kinds: readonly ExportKind[]): HeaderSearch {
  let closest: Extract<HeaderSearch, { found: null }>['closest'] = null;
  let closestScore = 0;
  const last = Math.min(grid.length, HEADER_SCAN_ROWS);
  for (let r = 0; r < last; r++) {
    const texts = rowTexts(grid[r]);
    if (texts.every((t) => t === '')) continue;
    const complete: HeaderMatch[] = [];
    for (const kind of kinds) {
      const columns = matchColumns(texts, fieldAliases(mapping, kind));
      const required = fieldsOf(kind)
        .filter(([, d]) => d.requiredColumn)
        .map(([f]) => f);
      const missing = required.filter((f) => !(f in columns));
      if (missing.length === 0) {
        complete.push({ kind, row: r, columns });
      } else if (required.length - missing.length > closestScore) {
        closestScore = required.length - missing.length;
        closest = { row: r, kind, matched: required.filter((f) => f in columns), missing };
      }
    }
    if (complete.length === 1) return { found: complete[0]! };
    if (complete.length > 1) {
      // A stock report also carries code and name; the fields only one kind has decide.
      const scored = complete
        .map((m) => ({ m, score: distinctiveFields(m.kind).filter((f) => f in m.columns).length }))
        .sort((a, b) => b.score - a.score);
      if (scored[0]!.score > scored[1]!.score) return { found: scored[0]!.m };
      const tied = scored.filter((s) => s.score === scored[0]!.score).map((s) => s.m.kind);
      return { found: null, ambiguousRow: r, ambiguousKinds: tied, closest };
    }
  }
  return { found: null, ambiguousRow: null, ambiguousKinds: [], closest };
}

/**
 * A test for copies of the header among the data rows (reports repeat it on every printed page):
 * two or more mapped cells holding one of their field's header names.
 */
export function repeatedHeaderTest(match: HeaderMatch, mapping: ColumnMapping): (texts: readonly string[]) => boolean {
  const aliases = fieldAliases(mapping, match.kind);
  const checks = Object.entries(match.columns).map(([field, col]) => ({
    index: col.index,
    names: (aliases[field] ?? []).map(normalizeHeader),
  }));
  return (texts) => {
    let hits = 0;
    for (const { index, names } of checks) {
      const t = texts[index];
      if (t && names.some((a) => headerMatches(normalizeHeader(t), a)) && ++hits >= 2) return true;
    }
    return false;
  };
}
