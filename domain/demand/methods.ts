/**
 * Forecasting methods for a weekly demand series (numbers, oldest first), with empirical prediction intervals,
 * and the intermittent-demand classification. Pure.
 *
 * Interface:
 * - `MethodName`: 'naive' (last week), 'seasonal-naive' (the same week 52 weeks earlier; needs ≥ 52 weeks),
 *   'moving-average' (mean of the last 8 weeks, or of all weeks when fewer), 'croston-sba' (Croston's method with
 *   the Syntetos–Boylan bias correction, α = 0.1 for both the demand size and the interval between demands:
 *   forecast = (1 − α/2) · size / interval, flat over the horizon; α = 0.1 is the usual low smoothing constant for
 *   intermittent items and the value measured in research/risk.md §3).
 *   A 53-week ISO year shifts lag 52 by one calendar week every 5–6 years; moving holidays (Spring Festival) move
 *   anyway, so seasonal naive maps last year's festival week onto this year's calendar week, not its festival.
 * - `pointForecasts(method, history, h, end?)` → number[h] | null: forecasts for horizons 1..h made from
 *   history[0..end) (default: all of it); null when there is too little history (`minimumHistory(method)`).
 *   Never negative.
 * - `forecastWithInterval(method, history, h)` → Forecast | null. The interval is EMPIRICAL, at level 0.8
 *   (`INTERVAL_LEVEL`): at each horizon k the method is re-run at every past origin t (rolling origin over the
 *   history itself, t ≥ max(minimumHistory, 8)), the errors actual − forecast are collected, and
 *   low = point + 10th percentile, high = point + 90th percentile of those errors, clipped at 0 and widened
 *   where needed so that 0 ≤ low ≤ point ≤ high. The same is done for the k-week total (`cumulative`), from
 *   the errors of past k-week totals, so the total's interval is not a sum of weekly intervals. When fewer than
 *   `MIN_INTERVAL_ERRORS` errors exist at horizon k, the errors of the longest horizon that has enough are used,
 *   scaled by √(k/j); with fewer than that at horizon 1 the result is null (no forecast without an interval).
 *   `errorsUsed[k-1]` says how many past errors the interval at horizon k rests on.
 * - `checkHistory(history)` throws a RangeError unless every value is a finite number ≥ 0 (forecastWithInterval and
 *   the selection call it; pointForecasts does not, being the inner loop).
 * - `classifyDemand(history)` → DemandClass: ADI = weeks / weeks with demand, CV² = squared coefficient of variation
 *   of the non-zero demand sizes; Syntetos–Boylan (2005) cut-offs ADI 1.32 and CV² 0.49: smooth, erratic,
 *   intermittent (ADI > 1.32, CV² ≤ 0.49), lumpy (ADI > 1.32, CV² > 0.49), or none (no demand at all).
 *   `intermittent` is true for ADI > 1.32 (intermittent or lumpy) and for a series with no demand.
 */
import { percentile } from '../kpi/figures';

export type MethodName = 'naive' | 'seasonal-naive' | 'moving-average' | 'croston-sba';

export const METHODS: readonly MethodName[] = ['naive', 'seasonal-naive', 'moving-average', 'croston-sba'];
export const SEASON_LENGTH = 52;
export const MOVING_AVERAGE_WEEKS = 8;
export const CROSTON_ALPHA = 0.1;
export const INTERVAL_LEVEL = 0.8;
export const MIN_INTERVAL_ERRORS = 5;
/** The first origin used for in-sample interval errors (a method fitted on fewer weeks is not representative). */
export const MIN_INTERVAL_ORIGIN = 8;
export const INTERMITTENT_ADI = 1.32;
export const LUMPY_CV2 = 0.49;

/** Throws a RangeError unless every week's demand is a finite number ≥ 0. */
export function checkHistory(history: readonly number[]): void {
  history.forEach((y, t) => {
    if (!Number.isFinite(y) || y < 0)
      throw new RangeError(`demand of week ${t} must be a finite number >= 0, got ${y}`);
  });
}

/** Weeks of history a method needs to forecast at all. */
export function minimumHistory(method: MethodName): number {
  return method === 'seasonal-naive' ? SEASON_LENGTH : 1;
}

function crostonSba(history: readonly number[], end: number): number {
  let size = 0;
  let interval = 0;
  let sinceLast = 0;
  let started = false;
  for (let t = 0; t < end; t++) {
    const y = history[t]!;
    sinceLast++;
    if (y > 0) {
      if (!started) {
        size = y;
        interval = sinceLast;
        started = true;
      } else {
        size += CROSTON_ALPHA * (y - size);
        interval += CROSTON_ALPHA * (sinceLast - interval);
      }
      sinceLast = 0;
    }
  }
  return started ? (1 - CROSTON_ALPHA / 2) * (size / interval) : 0;
}

/** Point forecasts for horizons 1..h from history[0..end); null when there is too little history. */
export function pointForecasts(
  method: MethodName,
  history: readonly number[],
  h: number,
  end: number = history.length,
): number[] | null {
  if (end < minimumHistory(method) || end > history.length || h < 1) return null;
  switch (method) {
    case 'naive':
      return new Array<number>(h).fill(Math.max(0, history[end - 1]!));
    case 'seasonal-naive':
      return Array.from({ length: h }, (_, i) => {
        const k = i + 1;
        return Math.max(0, history[end + k - 1 - SEASON_LENGTH * Math.ceil(k / SEASON_LENGTH)]!);
      });
    case 'moving-average': {
      const from = Math.max(0, end - MOVING_AVERAGE_WEEKS);
      let sum = 0;
      for (let t = from; t < end; t++) sum += history[t]!;
      return new Array<number>(h).fill(Math.max(0, sum / (end - from)));
    }
    case 'croston-sba':
      return new Array<number>(h).fill(Math.max(0, crostonSba(history, end)));
  }
}

export interface Band {
  point: number;
  low: number;
  high: number;
}

export interface Forecast {
  method: MethodName;
  /** 0.8: the interval runs from the 10th to the 90th percentile of past errors. */
  level: number;
  /** Index k-1 is horizon k (week k after the history). */
  weeks: Band[];
  /** Index k-1: the total of weeks 1..k, with its own interval. */
  cumulative: Band[];
  /** Index k-1: how many past errors the intervals at horizon k rest on. */
  errorsUsed: number[];
}

function band(point: number, errors: readonly number[], scale: number): Band {
  const lowTail = (1 - INTERVAL_LEVEL) / 2;
  const low = Math.max(0, point + scale * percentile(errors, lowTail)!);
  const high = Math.max(0, point + scale * percentile(errors, 1 - lowTail)!);
  return { point, low: Math.min(low, point), high: Math.max(high, point) };
}

/** Point forecasts for horizons 1..h with empirical 80% intervals per week and for running totals. */
export function forecastWithInterval(method: MethodName, history: readonly number[], h: number): Forecast | null {
  checkHistory(history);
  const points = pointForecasts(method, history, h);
  if (points === null) return null;
  const n = history.length;
  const weekErrors: number[][] = Array.from({ length: h }, () => []);
  const totalErrors: number[][] = Array.from({ length: h }, () => []);
  for (let t = Math.max(minimumHistory(method), MIN_INTERVAL_ORIGIN); t < n; t++) {
    const past = pointForecasts(method, history, Math.min(h, n - t), t)!;
    let actualTotal = 0;
    let forecastTotal = 0;
    for (let k = 1; k <= past.length; k++) {
      const actual = history[t + k - 1]!;
      actualTotal += actual;
      forecastTotal += past[k - 1]!;
      weekErrors[k - 1]!.push(actual - past[k - 1]!);
      totalErrors[k - 1]!.push(actualTotal - forecastTotal);
    }
  }
  if (weekErrors[0]!.length < MIN_INTERVAL_ERRORS) return null;
  const weeks: Band[] = [];
  const cumulative: Band[] = [];
  const errorsUsed: number[] = [];
  let totalPoint = 0;
  let lastGood = 1;
  for (let k = 1; k <= h; k++) {
    totalPoint += points[k - 1]!;
    if (weekErrors[k - 1]!.length >= MIN_INTERVAL_ERRORS && totalErrors[k - 1]!.length >= MIN_INTERVAL_ERRORS)
      lastGood = k;
    const scale = Math.sqrt(k / lastGood);
    weeks.push(band(points[k - 1]!, weekErrors[lastGood - 1]!, scale));
    cumulative.push(band(totalPoint, totalErrors[lastGood - 1]!, scale));
    errorsUsed.push(weekErrors[lastGood - 1]!.length);
  }
  return { method, level: INTERVAL_LEVEL, weeks, cumulative, errorsUsed };
}

export interface DemandClass {
  /** Average demand interval: weeks / weeks with demand (Infinity when there is no demand). */
  adi: number;
  /** Squared coefficient of variation of the non-zero demand sizes (0 with fewer than two). */
  cv2: number;
  category: 'smooth' | 'erratic' | 'intermittent' | 'lumpy' | 'none';
  /** ADI > 1.32, or no demand at all. */
  intermittent: boolean;
}

/** Syntetos–Boylan classification of a weekly series; see the file header. */
export function classifyDemand(history: readonly number[]): DemandClass {
  const sizes = history.filter((y) => y > 0);
  if (sizes.length === 0) return { adi: Number.POSITIVE_INFINITY, cv2: 0, category: 'none', intermittent: true };
  const adi = history.length / sizes.length;
  const mean = sizes.reduce((a, b) => a + b, 0) / sizes.length;
  const variance = sizes.length < 2 ? 0 : sizes.reduce((a, b) => a + (b - mean) ** 2, 0) / (sizes.length - 1);
  const cv2 = variance / mean ** 2;
  const intermittent = adi > INTERMITTENT_ADI;
  const lumpy = cv2 > LUMPY_CV2;
  const category = intermittent ? (lumpy ? 'lumpy' : 'intermittent') : lumpy ? 'erratic' : 'smooth';
  return { adi, cv2, category, intermittent };
}
