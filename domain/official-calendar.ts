import calendar from 'chinese-days/dist/chinese-days.json' with { type: 'json' };

/**
 * China's official public holidays and make-up working days (调休上班) of a year, as the State Council
 * announced them, from the chinese-days package's data (2004 up to the newest year it has; a year is
 * announced in the November before). Null for a year the data does not have yet.
 */
export function officialCalendar(year: number): { holidays: string[]; makeUpWorkdays: string[] } | null {
  const prefix = `${year}-`;
  const holidays = Object.keys(calendar.holidays)
    .filter((d) => d.startsWith(prefix))
    .sort();
  const makeUpWorkdays = Object.keys(calendar.workdays)
    .filter((d) => d.startsWith(prefix))
    .sort();
  return holidays.length > 0 ? { holidays, makeUpWorkdays } : null;
}

/** The newest year the data has. */
export function newestOfficialYear(): number {
  return Math.max(...Object.keys(calendar.holidays).map((d) => Number(d.slice(0, 4))));
}
