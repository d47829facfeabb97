/**
 * Weekly demand per material, from the order history. Pure: the orders and "now" are passed in.
 *
 * Interface (for the job, cards and CLI built on top):
 * - `DemandOrder` { material: string; quantity: number; createdAt: Date }: one order line. Demand is counted
 *   when the order is CREATED (the week the customer asked), in the unit the caller chose (pieces, kg…).
 *   The caller leaves cancelled orders out.
 * - `WeekLabel` { isoWeek: '2026-W11'; monday: '2026-03-09'; start: Date }: a China-time week, Monday 00:00
 *   to the next Monday 00:00 (UTC+8, no DST). `isoWeek` uses the ISO week-year (the year of the week's
 *   Thursday), so 2027-01-03 falls in '2026-W53'; `monday` is the China date of its Monday; `start` the instant.
 * - `WeeklySeries` { material; weeks: WeekLabel[]; demand: number[] }: same length, oldest first,
 *   consecutive weeks, zero-filled. The last week is the last COMPLETE week before `now`: the current,
 *   incomplete week and anything later are left out.
 * - `weeklyDemand(orders, { now, firstWeek? })` → WeeklySeries[] sorted by material. Each series starts at the
 *   week of that material's first order, or at the week of `firstWeek` for every material when given (orders
 *   before it are then left out). A material whose only orders fall in the current week has no series.
 *   A quantity that is not a finite number ≥ 0, or an invalid date, throws a RangeError (nothing is returned).
 * - `weekLabelOf(instant)`, `weekStarting(mondayDate)`, `weeksAfter(week, n)`: labels; `weeksAfter(last, n)` gives
 *   the n weeks following the history's last week, i.e. the forecast horizon (week 1 = the current week).
 * - `monthWeekOf(mondayDate)` { month, weekOfMonth }: "3月第2周" is the week whose Monday is the 2nd Monday of
 *   March (Monday on the 8th–14th); weekOfMonth = ceil(day of the Monday / 7).
 */
import { weekOf } from '../kpi/weeks';

export interface DemandOrder {
  material: string;
  quantity: number;
  createdAt: Date;
}

export interface WeekLabel {
  /** ISO-8601 week, e.g. '2026-W11' (ISO week-year). */
  isoWeek: string;
  /** The China date of the week's Monday, YYYY-MM-DD. */
  monday: string;
  /** The instant the week starts: Monday 00:00 China time. */
  start: Date;
}

export interface WeeklySeries {
  material: string;
  weeks: readonly WeekLabel[];
  demand: readonly number[];
}

const OFFSET_MS = 8 * 3600_000;
export const WEEK_MS = 7 * 86_400_000;

function labelAt(startMs: number): WeekLabel {
  const week = weekOf(new Date(startMs));
  return {
    isoWeek: week.label,
    monday: new Date(week.start.getTime() + OFFSET_MS).toISOString().slice(0, 10),
    start: week.start,
  };
}

/** The China-time week an instant falls in. */
export function weekLabelOf(instant: Date): WeekLabel {
  if (Number.isNaN(instant.getTime())) throw new RangeError('weekLabelOf: invalid date');
  return labelAt(weekOf(instant).start.getTime());
}

/** The week starting on a Monday given as a China date YYYY-MM-DD; throws when the date is not a Monday. */
export function weekStarting(mondayDate: string): WeekLabel {
  const start = Date.parse(`${mondayDate}T00:00:00+08:00`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(mondayDate) || Number.isNaN(start))
    throw new RangeError(`not a YYYY-MM-DD date: ${mondayDate}`);
  const label = labelAt(start);
  if (label.monday !== mondayDate) throw new RangeError(`${mondayDate} is not a Monday`);
  return label;
}

/** The n weeks following `week`, oldest first. */
export function weeksAfter(week: WeekLabel, n: number): WeekLabel[] {
  return Array.from({ length: Math.max(0, Math.floor(n)) }, (_, i) =>
    labelAt(week.start.getTime() + (i + 1) * WEEK_MS),
  );
}

/** Month and n-th Monday of the month of a week's Monday: '2026-03-09' → { month: 3, weekOfMonth: 2 }. */
export function monthWeekOf(mondayDate: string): { month: number; weekOfMonth: number } {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(mondayDate);
  if (m === null) throw new RangeError(`not a YYYY-MM-DD date: ${mondayDate}`);
  return { month: Number(m[2]), weekOfMonth: Math.ceil(Number(m[3]) / 7) };
}

/** Weekly demand per material up to the last complete week before `now`; see the file header. */
export function weeklyDemand(orders: Iterable<DemandOrder>, options: { now: Date; firstWeek?: Date }): WeeklySeries[] {
  const nowMs = options.now.getTime();
  if (Number.isNaN(nowMs)) throw new RangeError('weeklyDemand: invalid now');
  const currentStart = weekOf(options.now).start.getTime();
  let firstStart: number | null = null;
  if (options.firstWeek !== undefined) {
    if (Number.isNaN(options.firstWeek.getTime())) throw new RangeError('weeklyDemand: invalid firstWeek');
    firstStart = weekOf(options.firstWeek).start.getTime();
  }

  // First validate everything, so bad input returns nothing.
  const byMaterial = new Map<string, Map<number, number>>();
  let index = 0;
  for (const order of orders) {
    const at = order.createdAt instanceof Date ? order.createdAt.getTime() : Number.NaN;
    if (Number.isNaN(at)) throw new RangeError(`order ${index} (${order.material}): invalid createdAt`);
    if (!Number.isFinite(order.quantity) || order.quantity < 0)
      throw new RangeError(
        `order ${index} (${order.material}): quantity must be a finite number >= 0, got ${order.quantity}`,
      );
    if (typeof order.material !== 'string' || order.material === '')
      throw new RangeError(`order ${index}: material must be a non-empty string`);
    index++;
    const start = weekOf(order.createdAt).start.getTime();
    if (start >= currentStart) continue;
    if (firstStart !== null && start < firstStart) continue;
    let weeks = byMaterial.get(order.material);
    if (weeks === undefined) {
      weeks = new Map();
      byMaterial.set(order.material, weeks);
    }
    weeks.set(start, (weeks.get(start) ?? 0) + order.quantity);
  }

  const series: WeeklySeries[] = [];
  for (const material of [...byMaterial.keys()].sort()) {
    const totals = byMaterial.get(material)!;
    const from = firstStart ?? Math.min(...totals.keys());
    const count = Math.round((currentStart - from) / WEEK_MS);
    const weeks: WeekLabel[] = [];
    const demand: number[] = [];
    for (let i = 0; i < count; i++) {
      const start = from + i * WEEK_MS;
      weeks.push(labelAt(start));
      demand.push(totals.get(start) ?? 0);
    }
    series.push({ material, weeks, demand });
  }
  return series;
}
