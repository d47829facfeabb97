/** China-time weeks: Monday 00:00 China time to the next Monday 00:00. China is UTC+8 with no DST. */
import { chinaDate } from '../china-time';

export interface Week {
  start: Date;
  end: Date;
  /** ISO-8601 week, e.g. '2026-W09'; the year is the ISO week-year (the year of the week's Thursday). */
  label: string;
}

const OFFSET_MS = 8 * 3600_000;
const DAY_MS = 86_400_000;
const WEEK_MS = 7 * DAY_MS;

/** Days since 1970-01-01 of the China date at an instant. */
function chinaDay(instant: Date): number {
  return Math.floor((instant.getTime() + OFFSET_MS) / DAY_MS);
}

/** The instant a China day (days since 1970-01-01) starts. */
function dayStart(day: number): Date {
  return new Date(day * DAY_MS - OFFSET_MS);
}

/** 0=Sunday..6=Saturday; 1970-01-01 was a Thursday. */
function weekdayOf(day: number): number {
  return (((day + 4) % 7) + 7) % 7;
}

function isoLabel(mondayDay: number): string {
  const thursday = new Date((mondayDay + 3) * DAY_MS);
  const year = thursday.getUTCFullYear();
  const week = Math.floor((thursday.getTime() - Date.UTC(year, 0, 1)) / WEEK_MS) + 1;
  return `${year}-W${String(week).padStart(2, '0')}`;
}

export function weekOf(instant: Date): Week {
  const day = chinaDay(instant);
  const monday = day - ((weekdayOf(day) + 6) % 7);
  const start = dayStart(monday);
  return { start, end: new Date(start.getTime() + WEEK_MS), label: isoLabel(monday) };
}

/** The n weeks ending with the week containing `now`, oldest first. */
export function lastWeeks(now: Date, n: number): Week[] {
  const current = weekOf(now);
  const count = Math.max(0, Math.floor(n));
  return Array.from({ length: count }, (_, i) => weekOf(new Date(current.start.getTime() - (count - 1 - i) * WEEK_MS)));
}

function parseClock(time: string): number {
  const m = /^(\d{1,2}):(\d{2})$/.exec(time);
  const hours = Number(m?.[1]);
  const minutes = Number(m?.[2]);
  if (m === null || hours > 23 || minutes > 59) throw new RangeError(`not an HH:mm time: ${time}`);
  return (hours * 60 + minutes) * 60_000;
}

/** The first instant strictly after `after` that is `weekday` (0=Sunday..6=Saturday) at `time` ('HH:mm') China time. */
export function nextWeeklyRun(after: Date, weekday: number, time: string): Date {
  if (!Number.isInteger(weekday) || weekday < 0 || weekday > 6)
    throw new RangeError(`weekday must be 0..6, got ${weekday}`);
  const clockMs = parseClock(time);
  const today = chinaDay(after);
  for (let day = today; ; day++) {
    const run = dayStart(day).getTime() + clockMs;
    if (weekdayOf(day) === weekday && run > after.getTime()) return new Date(run);
  }
}

/** The first `time` (HH:mm, China time) after `after`: a daily job's next run. */
export function nextDailyRun(after: Date, time: string): Date {
  const clockMs = parseClock(time);
  const today = chinaDay(after);
  const run = dayStart(today).getTime() + clockMs;
  return new Date(run > after.getTime() ? run : dayStart(today + 1).getTime() + clockMs);
}

/** A China-date range 'YYYY-MM-DD'..'YYYY-MM-DD' (both inclusive) as instants [start, end). */
export function dateRange(from: string, to: string): { start: Date; end: Date } {
  const start = dateStart(from);
  const end = new Date(dateStart(to).getTime() + DAY_MS);
  if (end.getTime() <= start.getTime()) throw new RangeError(`date range ends before it starts: ${from}..${to}`);
  return { start, end };
}

function dateStart(date: string): Date {
  const start = new Date(`${date}T00:00:00+08:00`);
  // Date.parse rolls 2026-02-30 over to March 2; the round trip catches that.
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || Number.isNaN(start.getTime()) || chinaDate(start) !== date) {
    throw new RangeError(`not a YYYY-MM-DD date: ${date}`);
  }
  return start;
}
