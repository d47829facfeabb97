/**
 * Calendar arithmetic on China-time civil dates (UTC+8, no DST), represented as a day number
 * (days since 1970-01-01). Nothing here reads the clock.
 */

const MS_PER_DAY = 86_400_000;
const CHINA_OFFSET_MS = 8 * 3_600_000;

export interface Ymd {
  y: number;
  m: number; // 1..12
  d: number; // 1..31
}

/** China-time civil day of an instant. */
export function chinaDay(now: Date): number {
  return Math.floor((now.getTime() + CHINA_OFFSET_MS) / MS_PER_DAY);
}

export function dayToYmd(day: number): Ymd {
  const dt = new Date(day * MS_PER_DAY);
  return { y: dt.getUTCFullYear(), m: dt.getUTCMonth() + 1, d: dt.getUTCDate() };
}

export function daysInMonth(y: number, m: number): number {
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
}

export function isValidYmd(y: number, m: number, d: number): boolean {
  return (
    Number.isInteger(y) &&
    Number.isInteger(m) &&
    Number.isInteger(d) &&
    y >= 1900 &&
    y <= 2200 &&
    m >= 1 &&
    m <= 12 &&
    d >= 1 &&
    d <= daysInMonth(y, m)
  );
}

/** Day number of a valid date (callers check validity first). */
export function ymdToDay(y: number, m: number, d: number): number {
  return Math.floor(Date.UTC(y, m - 1, d) / MS_PER_DAY);
}

export function formatDay(day: number): string {
  const { y, m, d } = dayToYmd(day);
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/** ISO weekday: Monday = 1 … Sunday = 7. */
export function isoWeekday(day: number): number {
  return ((((day + 3) % 7) + 7) % 7) + 1;
}

/** Monday of the calendar week (Monday-first) containing `day`. */
export function mondayOf(day: number): number {
  return day - (isoWeekday(day) - 1);
}

/** Adds months keeping the day of month, clamped to the target month's length (1/31 + 1 month = 2/28). */
export function addMonths(day: number, months: number): number {
  const { y, m, d } = dayToYmd(day);
  const idx = y * 12 + (m - 1) + months;
  const ny = Math.floor(idx / 12);
  const nm = (idx % 12) + 1;
  return ymdToDay(ny, nm, Math.min(d, daysInMonth(ny, nm)));
}

/** The month (y, m) shifted by `delta` months. */
export function shiftMonth(y: number, m: number, delta: number): { y: number; m: number } {
  const idx = y * 12 + (m - 1) + delta;
  return { y: Math.floor(idx / 12), m: (idx % 12) + 1 };
}

/** Adds working days (Monday–Friday; public holidays are not known here). */
export function addWorkingDays(day: number, n: number): number {
  let cur = day;
  let left = n;
  while (left > 0) {
    cur++;
    if (isoWeekday(cur) <= 5) left--;
  }
  return cur;
}
