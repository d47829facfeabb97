import { chinaDate } from './china-time';

/** The day key order numbers are counted under: the China date of the request, e.g. "20260224". */
export function orderNumberDay(instant: Date): string {
  return chinaDate(instant).replaceAll('-', '');
}

/** SO-20260224-0001; the sequence widens past 9999 rather than wrapping. */
export function formatOrderNumber(day: string, sequence: number): string {
  return `SO-${day}-${String(sequence).padStart(4, '0')}`;
}
