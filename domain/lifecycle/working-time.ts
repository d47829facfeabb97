import { compileCalendar, type DayCalendar } from '../promise/calendar';
import type { WorkCalendar } from '../promise/types';

/**
 * Working time: the hours [start, end) of each working day of the calendar, China time.
 * Instants are handled as epoch milliseconds and days as China day numbers (days since
 * 1970-01-01 in UTC+8), which is exact because China has no daylight saving.
 */
export interface Workday {
  /** 'HH:mm' China, inclusive. */
  start: string;
  /** 'HH:mm' China, exclusive; '24:00' allowed. */
  end: string;
}

const DAY_MS = 86_400_000;
const CHINA_OFFSET_MS = 8 * 3_600_000;
/** A calendar without working hours for this long is treated as broken rather than looped over. */
const MAX_SEARCH_DAYS = 3 * 366;

interface Hours {
  /** Milliseconds after China midnight. */
  start: number;
  end: number;
}

function parseClock(hhmm: string): number {
  const m = /^(\d{2}):([0-5]\d)$/.exec(hhmm);
  const minutes = m ? Number(m[1]) * 60 + Number(m[2]) : NaN;
  if (!(minutes <= 24 * 60)) throw new RangeError(`not an HH:mm time: "${hhmm}"`);
  return minutes * 60_000;
}

function parseWorkday(workday: Workday): Hours {
  const hours = { start: parseClock(workday.start), end: parseClock(workday.end) };
  if (hours.start >= hours.end) throw new RangeError(`workday ends before it starts: ${workday.start}–${workday.end}`);
  return hours;
}

/** The working time in one working day. */
export function workdayLength(workday: Workday): number {
  const hours = parseWorkday(workday);
  return hours.end - hours.start;
}

const chinaDay = (t: number): number => Math.floor((t + CHINA_OFFSET_MS) / DAY_MS);

function hoursOn(day: number, hours: Hours): Hours {
  const midnight = day * DAY_MS - CHINA_OFFSET_MS;
  return { start: midnight + hours.start, end: midnight + hours.end };
}

function nextMoment(t: number, cal: DayCalendar, hours: Hours): number {
  const first = chinaDay(t);
  for (let day = first; day <= first + MAX_SEARCH_DAYS; day++) {
    if (!cal.isWorking(day)) continue;
    const { start, end } = hoursOn(day, hours);
    if (t < end) return Math.max(t, start);
  }
  throw new Error(`work calendar has no working hours within 3 years after ${new Date(t).toISOString()}`);
}

/** The instant itself if it lies inside working hours of a working day (start inclusive, end exclusive), else the start of the next working day's hours. */
export function nextWorkingMoment(at: Date, calendar: WorkCalendar, workday: Workday): Date {
  return new Date(nextMoment(at.getTime(), compileCalendar(calendar), parseWorkday(workday)));
}

/**
 * An amount of time in whole milliseconds, as instants are: a share of a step (96% of 10 h 25 min is 1,500,000.0000000014
 * ms) must not carry a float's excess over a day's boundary and land on the previous day's end instead of a start.
 */
function wholeMs(ms: number): number {
  return Math.round(ms);
}

/**
 * Adds `ms` of working time to `at`. The count starts at nextWorkingMoment(at), so ms = 0 gives
 * `at` itself inside working hours. An addition that ends exactly at a day's end returns that
 * end instant, not the next morning.
 */
export function addWorkingTime(at: Date, ms: number, calendar: WorkCalendar, workday: Workday): Date {
  if (!(ms >= 0) || !Number.isFinite(ms)) throw new RangeError(`working time must be a finite ms >= 0, got ${ms}`);
  const cal = compileCalendar(calendar);
  const hours = parseWorkday(workday);
  let t = nextMoment(at.getTime(), cal, hours);
  let left = wholeMs(ms);
  for (;;) {
    const { end } = hoursOn(chinaDay(t), hours);
    if (left <= end - t) return new Date(t + left);
    left -= end - t;
    t = nextMoment(end, cal, hours);
  }
}

/** Working time between two instants (0 if b <= a). */
export function workingTimeBetween(a: Date, b: Date, calendar: WorkCalendar, workday: Workday): number {
  const from = a.getTime();
  const until = b.getTime();
  if (!(until > from)) return 0;
  const cal = compileCalendar(calendar);
  const hours = parseWorkday(workday);
  let total = 0;
  for (let day = chinaDay(from); day <= chinaDay(until); day++) {
    if (!cal.isWorking(day)) continue;
    const { start, end } = hoursOn(day, hours);
    total += Math.max(0, Math.min(end, until) - Math.max(start, from));
  }
  return total;
}

/**
 * The instant itself if it lies in a working day's hours (both ends included), else the end of the last
 * working day before it; with that day. The day is returned, not worked out from the instant again: an end
 * at 24:00 is the next day's midnight.
 */
function previousMoment(t: number, cal: DayCalendar, hours: Hours): { t: number; day: number } {
  const first = chinaDay(t);
  for (let day = first; day >= first - MAX_SEARCH_DAYS; day--) {
    if (!cal.isWorking(day)) continue;
    const { start, end } = hoursOn(day, hours);
    if (t >= start) return { t: Math.min(t, end), day };
  }
  throw new Error(`work calendar has no working hours within 3 years before ${new Date(t).toISOString()}`);
}

/** The end of the hours of the last working day before `day`. */
function endOfWorkingDayBefore(day: number, cal: DayCalendar, hours: Hours): { t: number; day: number } {
  for (let d = day - 1; d >= day - MAX_SEARCH_DAYS; d--) {
    if (cal.isWorking(d)) return { t: hoursOn(d, hours).end, day: d };
  }
  throw new Error('work calendar has no working day within 3 years before this one');
}

/**
 * Goes `ms` of working time back from `at`: the start a deadline `at` had when it was set `ms` of working
 * time ahead. subtractWorkingTime(addWorkingTime(s, ms), ms) is s for any s inside working hours.
 */
export function subtractWorkingTime(at: Date, ms: number, calendar: WorkCalendar, workday: Workday): Date {
  if (!(ms >= 0) || !Number.isFinite(ms)) throw new RangeError(`working time must be a finite ms >= 0, got ${ms}`);
  const cal = compileCalendar(calendar);
  const hours = parseWorkday(workday);
  let { t, day } = previousMoment(at.getTime(), cal, hours);
  let left = wholeMs(ms);
  for (;;) {
    const { start } = hoursOn(day, hours);
    if (left <= t - start) return new Date(t - left);
    left -= t - start;
    ({ t, day } = endOfWorkingDayBefore(day, cal, hours));
  }
}

/** Whether the instant lies inside working hours of a working day (start included, end excluded). */
export function isWorkingMoment(at: Date, calendar: WorkCalendar, workday: Workday): boolean {
  return nextMoment(at.getTime(), compileCalendar(calendar), parseWorkday(workday)) === at.getTime();
}
