import { normalizePhone } from '../../domain/phone';
/**
 * Turning one spreadsheet cell into a value: text, code, quantity or date.
 *
 * Cells come from SheetJS (`CellObject`): `t` is the type ('s' string, 'n' number, 'b' boolean,
 * 'e' error, 'd' date, 'z' stub), `v` the raw value and `w` the text Excel would show.
 */
import * as XLSX from '@e965/xlsx';
import type { CellObject } from '@e965/xlsx';

export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

/** Every kind of whitespace a Chinese Excel file carries: NBSP, ideographic space, thin spaces, BOM. */
const SPACES = /[\s\u00a0\u2000-\u200b\u202f\u205f\u3000\ufeff]+/g;

/** Trimmed text of a cell, with inner whitespace runs collapsed to one space. `="007"` (the Excel trick for keeping zeros in CSV) becomes 007. */
export function cellText(cell: CellObject | undefined): string {
  if (cell === undefined || cell.v === undefined || cell.v === null) return '';
  let s: string;
  switch (cell.t) {
    case 's':
      s = String(cell.v);
      break;
    case 'n': {
      const v = cell.v as number;
      const w = cell.w;
      // The displayed text keeps zero padding ("007" from 7 with format 000); long integers shown
      // as 1.23E+11 or with separators fall back to the plain integer.
      if (w !== undefined && /^\d+$/.test(w.trim())) s = w.trim();
      else if (Number.isInteger(v)) s = String(v);
      else s = w ?? String(v);
      break;
    }
    case 'd':
      s = cell.v instanceof Date ? isoDateOfDate(cell.v) : String(cell.v);
      break;
    case 'e':
      s = cell.w ?? '#ERROR';
      break;
    case 'z':
      return '';
    default:
      s = cell.w ?? String(cell.v);
  }
  s = s.replace(SPACES, ' ').trim();
  const formulaText = /^="(.*)"$/.exec(s);
  return formulaText ? formulaText[1]!.trim() : s;
}

/** A header cell reduced for matching: no whitespace at all, no required-marker star, lower case. */
export function normalizeHeader(s: string): string {
  return s
    .replace(SPACES, '')
    .replace(/^\*+|\*+$/g, '')
    .toLowerCase();
}

/**
 * Does a header match an alias, both already normalised: equal, or the alias followed by a
 * bracketed note ("提前期(天)").
 */
export function headerMatches(header: string, a: string): boolean {
  if (a === '' || !header.startsWith(a)) return false;
  if (header.length === a.length) return true;
  const next = header[a.length];
  return next === '(' || next === '（' || next === '[' || next === '【';
}

const FULL_WIDTH = /[\uff01-\uff5e]/g;

/** Full-width ASCII (０-９, ．, ，, －, ／ …) to half-width. */
export function toHalfWidth(s: string): string {
  return s.replace(FULL_WIDTH, (ch) => String.fromCharCode(ch.charCodeAt(0) - 0xfee0));
}

const PLAIN_NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/i;
const GROUPED_COMMA = /^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?$/;
const GROUPED_SPACE = /^[+-]?\d{1,3}(?: \d{3})+(?:\.\d+)?$/;

/**
 * A quantity. Number cells are taken as they are; text is accepted as 1200, 1,200, 1 200,
 * 1,200.50, full-width digits, a leading sign, or (1,200) for a negative. Anything else (units,
 * dashes, two decimal points) is refused with a reason.
 */
export function parseQuantity(cell: CellObject | undefined): Parsed<number | null> {
  if (cell?.t === 'n') {
    const v = cell.v as number;
    return Number.isFinite(v) ? { ok: true, value: v } : { ok: false, reason: 'is not a finite number' };
  }
  if (cell?.t === 'e') return { ok: false, reason: `holds the error value ${cell.w ?? '#ERROR'}` };
  const raw = cellText(cell);
  if (raw === '') return { ok: true, value: null };
  let s = toHalfWidth(raw).replace(/[\u2212\u2013]/g, '-');
  s = s.replace(SPACES, ' ').trim();
  let negate = false;
  const paren = /^\((.*)\)$/.exec(s);
  if (paren) {
    s = paren[1]!.trim();
    negate = true;
  }
  let n: number | undefined;
  if (PLAIN_NUMBER.test(s)) n = Number(s);
  else if (GROUPED_COMMA.test(s)) n = Number(s.replace(/,/g, ''));
  else if (GROUPED_SPACE.test(s)) n = Number(s.replace(/ /g, ''));
  if (n === undefined || !Number.isFinite(n)) return { ok: false, reason: `"${raw}" is not a number` };
  if (negate && n < 0) return { ok: false, reason: `"${raw}" is not a number` };
  // Normalise -0 from "-0" or "(0)".
  return { ok: true, value: negate ? (n === 0 ? 0 : -n) : n === 0 ? 0 : n };
}

const TEXT_DATE =
  /^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$/;
const COMPACT_DATE = /^(\d{4})(\d{2})(\d{2})$/;

/**
 * A date as YYYY-MM-DD: an Excel serial number (1900 or 1904 date system), or text such as
 * 2026-02-24, 2026/2/24, 2026.2.24, 2026年2月24日, 20260224, optionally followed by a time.
 */
export function parseDate(cell: CellObject | undefined, date1904 = false): Parsed<string | null> {
  if (cell?.t === 'n') {
    const v = cell.v as number;
    if (!Number.isFinite(v) || v < 1 || v >= 2958466) return { ok: false, reason: `${v} is not a date` };
    const d = XLSX.SSF.parse_date_code(v, { date1904 }) as { y: number; m: number; d: number };
    return { ok: true, value: isoDate(d.y, d.m, d.d) };
  }
  if (cell?.t === 'd' && cell.v instanceof Date) return { ok: true, value: isoDateOfDate(cell.v) };
  if (cell?.t === 'e') return { ok: false, reason: `holds the error value ${cell.w ?? '#ERROR'}` };
  const raw = cellText(cell);
  if (raw === '') return { ok: true, value: null };
  const s = toHalfWidth(raw);
  const m = TEXT_DATE.exec(s) ?? COMPACT_DATE.exec(s);
  if (m) {
    const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
    if (isCalendarDate(y, mo, d)) return { ok: true, value: isoDate(y, mo, d) };
  }
  return { ok: false, reason: `"${raw}" is not a date` };
}

/** The last date written in free text ("日期：2026-02-01 至 2026-02-24" → 2026-02-24), or null. */
export function lastDateInText(text: string): string | null {
  const re = /(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})/g;
  let found: string | null = null;
  for (const m of toHalfWidth(text).matchAll(re)) {
    const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
    if (isCalendarDate(y, mo, d)) found = isoDate(y, mo, d);
  }
  return found;
}

function isCalendarDate(y: number, m: number, d: number): boolean {
  if (y < 1900 || y > 9999 || m < 1 || m > 12 || d < 1) return false;
  return d <= new Date(Date.UTC(y, m, 0)).getUTCDate();
}

function isoDate(y: number, m: number, d: number): string {
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/** SheetJS builds Date cells at local midnight; read them back in local time. */
function isoDateOfDate(d: Date): string {
  return isoDate(d.getFullYear(), d.getMonth() + 1, d.getDate());
}

/** The words a QC sheet writes for pass and fail (compared without case and surrounding spaces). */
const YES = new Set(['合格', '是', '通过', 'y', 'yes', 'true', 'ok', 'pass', 'passed', '1', '√', '✓']);
const NO = new Set(['不合格', '否', '不通过', 'n', 'no', 'false', 'ng', 'fail', 'failed', '0', '×', '✗']);

/** Passed or not: 合格/不合格, 是/否, Y/N, yes/no, true/false, OK/NG, pass/fail, 1/0, or an Excel TRUE/FALSE cell. */
export function parseFlag(cell: CellObject | undefined): Parsed<boolean | null> {
  if (cell?.t === 'b') return { ok: true, value: Boolean(cell.v) };
  if (cell?.t === 'e') return { ok: false, reason: `holds the error value ${cell.w ?? '#ERROR'}` };
  const raw = cellText(cell);
  if (raw === '') return { ok: true, value: null };
  const s = toHalfWidth(raw).trim().toLowerCase();
  if (YES.has(s)) return { ok: true, value: true };
  if (NO.has(s)) return { ok: true, value: false };
  return { ok: false, reason: `"${raw}" is neither pass (合格/是/Y/OK/1) nor fail (不合格/否/N/NG/0)` };
}

/** The items of a list cell ("Continental、大陆, Conti"): split on 、 ， , ; ； / and line breaks, trimmed, without repeats. */
export function splitList(text: string): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const part of text.split(/[、，,;；/／\n]+/)) {
    const item = part.replace(SPACES, ' ').trim();
    if (item === '' || seen.has(item.toLowerCase())) continue;
    seen.add(item.toLowerCase());
    out.push(item);
  }
  return out;
}

/** A phone number for messages and logs: never all of it ("13800138001" → "138****8001"). */
export function maskedPhoneText(text: string): string {
  const digits = text.replace(/\D/g, '');
  if (digits.length < 8) return text;
  return `${digits.slice(0, 3)}****${digits.slice(-4)}`;
}

/** A phone cell: empty, or a mainland mobile or landline (normalised). A bad number is named masked. */
export function parsePhone(cell: CellObject | undefined): Parsed<string | null> {
  if (cell?.t === 'e') return { ok: false, reason: `holds the error value ${cell.w ?? '#ERROR'}` };
  const raw = cellText(cell);
  if (raw === '') return { ok: true, value: null };
  const phone = normalizePhone(raw);
  if (phone) return { ok: true, value: phone };
  return { ok: false, reason: `"${maskedPhoneText(raw)}" is not a mainland mobile or landline number` };
}
