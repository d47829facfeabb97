/**
 * The pre-stocking suggestion for purchasing / production: forecast demand over the coming weeks against stock on
 * hand plus open supply. Pure: stock, supply and the weekly history are passed in.
 *
 * Interface:
 * - `OpenSupply` { quantity: number; due: Date }: an open purchase order (in transit) or production order for
 *   the material. It counts toward week k when due before the end of week k (overdue ones count from week 1).
 * - `PrestockOptions` { horizonWeeks = 4, margin = 0.2, basis = 'point', evalWeeks = 12, horizon = 4 }
 *   (evalWeeks / horizon: the method selection's held-out weeks, see select.ts).
 * - `prestockDecision({ series, stockOnHand, openSupply }, options)` → PrestockDecision:
 *   - { kind: 'none', reason: 'short-history' }: fewer than 52 weeks of history for the material: NO suggestion,
 *     whatever the numbers (a yearly pattern has not been seen even once);
 *   - { kind: 'none', reason: 'no-forecast' }: the method could not be evaluated or has too few past errors for
 *     an interval (never a number without its interval);
 *   - { kind: 'none', reason: 'covered', ... }: stock + supply covers the forecast within the margin;
 *   - { kind: 'suggest', suggestion }: see PrestockSuggestion.
 *   Bad input (stock not finite, a supply quantity not a finite number ≥ 0, an invalid due date, a negative or
 *   non-finite weekly demand, options out of range) throws a RangeError.
 *
 * The rule. The horizon is the `horizonWeeks` weeks after the history, week 1 being the current (incomplete) week,
 * so the job runs early in the week. For k = 1..horizonWeeks the forecast TOTAL demand of weeks 1..k (with its own
 * empirical 80% interval, methods.ts) is compared with cover_k = stock on hand + open supply due by the end of
 * week k. The first k where total > cover_k × (1 + margin) gives the suggestion.
 * The compared value (`basis`) is the POINT forecast by default, not the interval's low end: with 12–18 months of
 * history the interval is wide (the yearly pattern has been seen once; research/risk.md §3 measured year-1
 * uplift estimates from +12% to +81% for a true +40%), so a rule on the 10th percentile would almost never fire
 * and purchasing would learn of a surge from the stock-out. The margin guards against false alarms instead, and
 * the suggestion always carries the interval, so the reader sees the spread. `basis: 'low'` is there for a plant
 * that wants alerts only when even the optimistic case runs short.
 */
import type { Band } from './methods';
import { forecastWithInterval, SEASON_LENGTH } from './methods';
import { type EvaluationOptions, selectMethod } from './select';
import { WEEK_MS, type WeekLabel, type WeeklySeries, weeksAfter } from './weekly';

export interface OpenSupply {
  quantity: number;
  due: Date;
}

export interface PrestockOptions extends EvaluationOptions {
  horizonWeeks?: number;
  margin?: number;
  basis?: 'point' | 'low';
}

export interface PrestockInput {
  series: WeeklySeries;
  stockOnHand: number;
  openSupply: readonly OpenSupply[];
}

export interface PrestockSuggestion {
  material: string;
  /** The first week through which forecast demand exceeds the cover (ISO week and the China date of its Monday). */
  week: WeekLabel;
  /** 1 = the current week. */
  weekIndex: number;
  /** Total demand of weeks 1..weekIndex: point and interval. */
  demand: Band;
  /** Demand of `week` alone. */
  weekDemand: Band;
  /** The week with the highest point forecast in the horizon, with its own interval. */
  peakWeek: { week: WeekLabel; demand: Band };
  stockOnHand: number;
  /** Open supply due by the end of `week`. */
  openSupply: number;
  /** stockOnHand + openSupply. */
  cover: number;
  /** cover × (1 + margin): what the compared value exceeded. */
  threshold: number;
  margin: number;
  basis: 'point' | 'low';
  /** The interval level, 0.8 (10th–90th percentile of past errors). */
  level: number;
  horizonWeeks: number;
  method: 'seasonal-naive' | 'croston-sba';
  /** The chosen method's MASE on the held-out weeks, and naive-1's (null when the scale is 0). */
  mase: number | null;
  naiveMase: number | null;
  /** Whole years in the history: 1 means the yearly pattern has been seen once. */
  seasonalCycles: number;
  weeksOfHistory: number;
}

export type PrestockDecision =
  | { kind: 'suggest'; suggestion: PrestockSuggestion }
  | { kind: 'none'; material: string; reason: 'short-history' | 'no-forecast'; weeksOfHistory: number }
  | {
      kind: 'none';
      material: string;
      reason: 'covered';
      weeksOfHistory: number;
      method: 'seasonal-naive' | 'croston-sba';
      /** Total demand over the whole horizon, and the cover at its end. */
      demand: Band;
      cover: number;
    };

export const DEFAULT_HORIZON_WEEKS = 4;
export const DEFAULT_MARGIN = 0.2;
export const MIN_HISTORY_WEEKS = SEASON_LENGTH;

/** Whether to suggest pre-stocking one material; see the file header. */
export function prestockDecision(input: PrestockInput, options: PrestockOptions = {}): PrestockDecision {
  const horizonWeeks = options.horizonWeeks ?? DEFAULT_HORIZON_WEEKS;
  const margin = options.margin ?? DEFAULT_MARGIN;
  const basis = options.basis ?? 'point';
  const { series, stockOnHand, openSupply } = input;
  if (!Number.isInteger(horizonWeeks) || horizonWeeks < 1 || horizonWeeks > SEASON_LENGTH)
    throw new RangeError(`horizonWeeks must be an integer in 1..${SEASON_LENGTH}, got ${horizonWeeks}`);
  if (!Number.isFinite(margin) || margin < 0)
    throw new RangeError(`margin must be a finite number >= 0, got ${margin}`);
  if (basis !== 'point' && basis !== 'low') throw new RangeError(`basis must be 'point' or 'low', got ${basis}`);
  if (!Number.isFinite(stockOnHand)) throw new RangeError(`stockOnHand must be a finite number, got ${stockOnHand}`);
  openSupply.forEach((s, i) => {
    if (!Number.isFinite(s.quantity) || s.quantity < 0)
      throw new RangeError(`open supply ${i}: quantity must be a finite number >= 0, got ${s.quantity}`);
    if (!(s.due instanceof Date) || Number.isNaN(s.due.getTime()))
      throw new RangeError(`open supply ${i}: invalid due date`);
  });
  if (series.weeks.length !== series.demand.length)
    throw new RangeError(`series ${series.material}: ${series.weeks.length} weeks but ${series.demand.length} values`);

  const material = series.material;
  const weeksOfHistory = series.demand.length;
  if (weeksOfHistory < MIN_HISTORY_WEEKS) return { kind: 'none', material, reason: 'short-history', weeksOfHistory };
  const selection = selectMethod(series.demand, options);
  const forecast = selection === null ? null : forecastWithInterval(selection.chosen, series.demand, horizonWeeks);
  if (selection === null || forecast === null) return { kind: 'none', material, reason: 'no-forecast', weeksOfHistory };

  const coming = weeksAfter(series.weeks[weeksOfHistory - 1]!, horizonWeeks);
  let peak = 0;
  forecast.weeks.forEach((b, i) => {
    if (b.point > forecast.weeks[peak]!.point) peak = i;
  });
  let cover = stockOnHand;
  for (let k = 1; k <= horizonWeeks; k++) {
    const week = coming[k - 1]!;
    const weekEnd = week.start.getTime() + WEEK_MS;
    const supply = openSupply.reduce((sum, s) => (s.due.getTime() < weekEnd ? sum + s.quantity : sum), 0);
    cover = stockOnHand + supply;
    const demand = forecast.cumulative[k - 1]!;
    const threshold = cover * (1 + margin);
    const compared = basis === 'point' ? demand.point : demand.low;
    if (compared > threshold)
      return {
        kind: 'suggest',
        suggestion: {
          material,
          week,
          weekIndex: k,
          demand,
          weekDemand: forecast.weeks[k - 1]!,
          peakWeek: { week: coming[peak]!, demand: forecast.weeks[peak]! },
          stockOnHand,
          openSupply: supply,
          cover,
          threshold,
          margin,
          basis,
          level: forecast.level,
          horizonWeeks,
          method: selection.chosen,
          mase: selection.score.mase,
          naiveMase: selection.scores.naive?.mase ?? null,
          seasonalCycles: selection.seasonalCycles,
          weeksOfHistory,
        },
      };
  }
  return {
    kind: 'none',
    material,
    reason: 'covered',
    weeksOfHistory,
    method: selection.chosen,
    demand: forecast.cumulative[horizonWeeks - 1]!,
    cover,
  };
}
