import { fromDay, toDay, type DayCalendar } from './calendar';
import type { LineState, LoadPeriod } from './types';

/**
 * Quantities are counted in thousandths of a unit internally (integers), so fractional
 * capacities such as 100 × (1 − 0.92) cannot leave float dust and allocations add up exactly.
 */
const MILLI = 1000;

export function toMilli(quantity: number): number {
  return Math.round(quantity * MILLI);
}

export function fromMilli(milli: number): number {
  return milli / MILLI;
}

interface Period {
  from: number;
  to: number;
  load: number;
  source: LoadPeriod;
}

export interface LineDays {
  /** Share of capacity committed on a day (highest overlapping period, 0 when none). */
  loadOn(day: number): number;
  /** Free capacity in thousandths; `ignoreLoad` counts only confirmed reservations (expedite). */
  freeMilli(day: number, ignoreLoad: boolean): number;
  /** The highest-load period overlapping [from, until], if any has load > 0. */
  busiest(from: number, until: number): LoadPeriod | null;
}

const clamp01 = (x: number) => Math.min(1, Math.max(0, x));

export function lineDays(line: LineState): LineDays {
  const periods: Period[] = line.load.map((p) => ({
    from: toDay(p.from),
    to: toDay(p.to),
    load: clamp01(p.load),
    source: p,
  }));
  const reserved = line.reservedMilli ?? reservedByDay(line.reservations);
  const loadOn = (day: number) =>
    periods.reduce((max, p) => (p.from <= day && day <= p.to && p.load > max ? p.load : max), 0);
  return {
    loadOn,
    freeMilli(day, ignoreLoad) {
      const load = ignoreLoad ? 0 : loadOn(day);
      // The epsilon absorbs float error such as 100 × 0.08 = 7.999…; it is far below one thousandth.
      const offered = Math.floor(line.capacityPerDay * (1 - load) * MILLI + 1e-6);
      return Math.max(0, offered - (reserved.get(day) ?? 0));
    },
    busiest(from, until) {
      let best: Period | null = null;
      for (const p of periods) {
        if (p.load <= 0 || p.to < from || p.from > until) continue;
        if (!best || p.load > best.load || (p.load === best.load && p.to > best.to)) best = p;
      }
      return best ? { ...best.source, load: best.load } : null;
    },
  };
}

export function reservedByDay(reservations: LineState['reservations']): Map<number, number> {
  const reserved = new Map<number, number>();
  for (const r of reservations) {
    const day = toDay(r.date);
    reserved.set(day, (reserved.get(day) ?? 0) + toMilli(r.quantity));
  }
  return reserved;
}

export interface Allocation {
  days: Array<{ day: number; milli: number }>;
  finish: number;
}

/** Fills working days from `from` greedily until `needMilli` is covered; null if not by `until`. */
export function allocate(
  needMilli: number,
  from: number,
  until: number,
  cal: DayCalendar,
  free: (day: number) => number,
): Allocation | null {
  const days: Allocation['days'] = [];
  let left = needMilli;
  for (let day = from; day <= until; day++) {
    if (!cal.isWorking(day)) continue;
    const take = Math.min(free(day), left);
    if (take <= 0) continue;
    days.push({ day, milli: take });
    left -= take;
    if (left === 0) return { days, finish: day };
  }
  return null;
}

export function productionDays(allocation: Allocation): Array<{ date: string; quantity: number }> {
  return allocation.days.map((d) => ({ date: fromDay(d.day), quantity: fromMilli(d.milli) }));
}

/** Day quantities rounded so that they still add up to the rounded total (37.5 + 37.5 + 25 → 38 + 37 + 25). */
export function wholePieces(
  days: Array<{ date: string; quantity: number }>,
): Array<{ date: string; quantity: number }> {
  let cumulative = 0;
  let taken = 0;
  return days
    .map((d) => {
      cumulative += d.quantity;
      const quantity = Math.round(cumulative) - taken;
      taken += quantity;
      return { date: d.date, quantity };
    })
    .filter((d) => d.quantity > 0);
}
