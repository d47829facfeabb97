import type { WorkCalendar } from './types';

/**
 * Dates are handled as day numbers (days since 1970-01-01) of UTC-midnight dates, so no
 * time zone or DST can shift them.
 */
const MS_PER_DAY = 86_400_000;

/** A calendar that has no working day for this long is treated as broken rather than looped over. */
const MAX_IDLE_DAYS = 366;

export function toDay(date: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  const day = m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) / MS_PER_DAY : NaN;
  if (!m || fromDay(day) !== date) throw new RangeError(`not a YYYY-MM-DD date: "${date}"`);
  return day;
}

export function fromDay(day: number): string {
  return Number.isFinite(day) ? new Date(day * MS_PER_DAY).toISOString().slice(0, 10) : '';
}

/** 0 = Sunday … 6 = Saturday; 1970-01-01 was a Thursday. */
function weekday(day: number): number {
  return (((day + 4) % 7) + 7) % 7;
}

export interface DayCalendar {
  isWorking(day: number): boolean;
  /** A listed public holiday that is not worked. */
  isHolidayOff(day: number): boolean;
}

/**
 * Compiled calendars by the calendar they came from: the approval clock compiles the config's calendar several
 * times per task of a tick. A calendar whose lists were replaced or grew since is compiled again.
 */
const compiled = new WeakMap<WorkCalendar, { lists: readonly unknown[]; sizes: number[]; cal: DayCalendar }>();

export function compileCalendar(calendar: WorkCalendar): DayCalendar {
  const lists = [calendar.weekendDays, calendar.holidays, calendar.makeUpWorkdays];
  const sizes = lists.map((l) => l?.length ?? -1);
  const hit = compiled.get(calendar);
  const same = hit?.lists.every((l, i) => l === lists[i]) && hit.sizes.every((n, i) => n === sizes[i]);
  if (hit && same) return hit.cal;
  const cal = compileLists(calendar);
  compiled.set(calendar, { lists, sizes, cal });
  return cal;
}

function compileLists(calendar: WorkCalendar): DayCalendar {
  const weekend = new Set(calendar.weekendDays ?? [0, 6]);
  const holidays = new Set(calendar.holidays.map(toDay));
  const makeUp = new Set(calendar.makeUpWorkdays.map(toDay));
  return {
    isWorking: (day) => makeUp.has(day) || (!holidays.has(day) && !weekend.has(weekday(day))),
    isHolidayOff: (day) => holidays.has(day) && !makeUp.has(day),
  };
}

/** The n-th working day after `day`; n = 0 gives `day` itself. */
export function addWorkingDayNumbers(day: number, n: number, cal: DayCalendar): number {
  let cur = day;
  let left = n;
  let idle = 0;
  while (left > 0) {
    cur++;
    if (cal.isWorking(cur)) {
      left--;
      idle = 0;
    } else if (++idle > MAX_IDLE_DAYS) {
      throw new RangeError('work calendar has no working days');
    }
  }
  return cur;
}

/** First working day in [from, until], or null. */
export function firstWorkingDay(from: number, until: number, cal: DayCalendar): number | null {
  for (let d = from; d <= until; d++) if (cal.isWorking(d)) return d;
  return null;
}

/** Listed holidays not worked in [from, until], as dates. */
export function holidaysBetween(from: number, until: number, cal: DayCalendar): string[] {
  const out: string[] = [];
  for (let d = from; d <= until; d++) if (cal.isHolidayOff(d)) out.push(fromDay(d));
  return out;
}

export function isWorkingDay(date: string, calendar: WorkCalendar): boolean {
  return compileCalendar(calendar).isWorking(toDay(date));
}

/** The n-th working day after `date` (n = 0: `date` itself). */
export function addWorkingDays(date: string, n: number, calendar: WorkCalendar): string {
  return fromDay(addWorkingDayNumbers(toDay(date), n, compileCalendar(calendar)));
}
