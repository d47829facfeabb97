/**
 * How good a risk score is, measured the way research/risk.md §2 asks (never "accuracy": at a 10% late rate
 * "always on time" is 90% accurate).
 *
 * - `auc`: ranking quality, Mann–Whitney U with tied scores counted half; null when one class is absent.
 * - `aucBootstrapCi`: percentile bootstrap CI of the AUC (seeded, default 200 resamples, 95%).
 * - `brier` (mean squared error of the probability) against `brier` of a constant base rate.
 * - `atBudget`: precision/recall when the top q share of orders (the alert budget, e.g. 10%) is flagged;
 *   `atThreshold`: the same for "flag when p ≥ threshold".
 * - `calibrationDeciles`: mean predicted vs observed rate in ten equal-count bins of the score.
 * - Baseline scores: base rate (constant), late-last-time (0/1), the customer's smoothed prior late rate.
 *
 * Scores and labels are parallel arrays; labels are 0/1 (or booleans).
 */

import type { RiskFacts } from './features';
import { seededRandom } from './random';

type Label = number | boolean;
const positive = (l: Label) => l === true || l === 1;

/** Order of the indexes by ascending score (ties by index: deterministic). */
function ascendingOrder(scores: readonly number[]): number[] {
  return scores.map((_, i) => i).sort((a, b) => scores[a]! - scores[b]! || a - b);
}

/**
 * Weighted AUC over indexes already in ascending score order: P(score₊ > score₋) + ½ P(tie). `weight[i]` is how many
 * times row i counts (1 for the plain AUC, bootstrap counts for a resample).
 */
function weightedAuc(
  scores: readonly number[],
  labels: readonly Label[],
  order: readonly number[],
  weight: (i: number) => number,
): number | null {
  let negativesBelow = 0;
  let pairs = 0;
  let totalPositive = 0;
  let totalNegative = 0;
  let g = 0;
  while (g < order.length) {
    let end = g;
    let groupPositive = 0;
    let groupNegative = 0;
    while (end < order.length && scores[order[end]!] === scores[order[g]!]) {
      const i = order[end]!;
      const w = weight(i);
      if (positive(labels[i]!)) groupPositive += w;
      else groupNegative += w;
      end++;
    }
    pairs += groupPositive * (negativesBelow + groupNegative / 2);
    negativesBelow += groupNegative;
    totalPositive += groupPositive;
    totalNegative += groupNegative;
    g = end;
  }
  if (totalPositive === 0 || totalNegative === 0) return null;
  return pairs / (totalPositive * totalNegative);
}

function checkLengths(scores: readonly unknown[], labels: readonly unknown[]): void {
  if (scores.length !== labels.length) throw new RangeError('metrics: scores and labels differ in length');
}

/** Area under the ROC curve; null when there is no positive or no negative. */
export function auc(scores: readonly number[], labels: readonly Label[]): number | null {
  checkLengths(scores, labels);
  return weightedAuc(scores, labels, ascendingOrder(scores), () => 1);
}

export interface BootstrapOptions {
  resamples?: number;
  seed?: number;
  /** Coverage, default 0.95. */
  level?: number;
}

/** Percentile bootstrap CI of the AUC (rows resampled with replacement); null when the AUC itself is undefined. */
export function aucBootstrapCi(
  scores: readonly number[],
  labels: readonly Label[],
  options: BootstrapOptions = {},
): { lo: number; hi: number } | null {
  checkLengths(scores, labels);
  const resamples = options.resamples ?? 200;
  const level = options.level ?? 0.95;
  const n = scores.length;
  if (auc(scores, labels) === null) return null;
  const random = seededRandom(options.seed ?? 1);
  const order = ascendingOrder(scores);
  const counts = new Int32Array(n);
  const values: number[] = [];
  for (let r = 0; r < resamples; r++) {
    counts.fill(0);
    for (let k = 0; k < n; k++) counts[random.int(n)]!++;
    const value = weightedAuc(scores, labels, order, (i) => counts[i]!);
    if (value !== null) values.push(value);
  }
  values.sort((a, b) => a - b);
  const at = (q: number) => values[Math.min(values.length - 1, Math.max(0, Math.floor(q * values.length)))]!;
  return { lo: at((1 - level) / 2), hi: at(1 - (1 - level) / 2) };
}

/** Mean of (p − y)². */
export function brier(probabilities: readonly number[], labels: readonly Label[]): number {
  checkLengths(probabilities, labels);
  if (probabilities.length === 0) return Number.NaN;
  let total = 0;
  probabilities.forEach((p, i) => {
    total += (p - (positive(labels[i]!) ? 1 : 0)) ** 2;
  });
  return total / probabilities.length;
}

/** Brier of always predicting `rate` (pass the rate known beforehand, e.g. the training rate). */
export function baseRateBrier(labels: readonly Label[], rate: number): number {
  return brier(
    labels.map(() => rate),
    labels,
  );
}

export function rateOf(labels: readonly Label[]): number {
  return labels.length === 0 ? Number.NaN : labels.filter(positive).length / labels.length;
}

export interface AlertFigures {
  /** Orders flagged. */
  alerts: number;
  /** Flagged orders that were positive ÷ flagged (NaN when none flagged). */
  precision: number;
  /** Flagged positives ÷ all positives (NaN when there is no positive). */
  recall: number;
}

function alertFigures(flagged: readonly number[], labels: readonly Label[]): AlertFigures {
  const hits = flagged.filter((i) => positive(labels[i]!)).length;
  const positives = labels.filter(positive).length;
  return {
    alerts: flagged.length,
    precision: flagged.length === 0 ? Number.NaN : hits / flagged.length,
    recall: positives === 0 ? Number.NaN : hits / positives,
  };
}

/** Flags exactly ⌊budget × n⌋ orders (at least 1 when n > 0): the highest scores, ties by earlier index. */
export function atBudget(scores: readonly number[], labels: readonly Label[], budget: number): AlertFigures {
  checkLengths(scores, labels);
  if (!(budget > 0 && budget <= 1)) throw new RangeError(`atBudget: budget must be in (0, 1], got ${budget}`);
  const k = scores.length === 0 ? 0 : Math.max(1, Math.floor(budget * scores.length));
  const order = scores.map((_, i) => i).sort((a, b) => scores[b]! - scores[a]! || a - b);
  return alertFigures(order.slice(0, k), labels);
}

/** Flags every order whose score is ≥ threshold. */
export function atThreshold(scores: readonly number[], labels: readonly Label[], threshold: number): AlertFigures {
  checkLengths(scores, labels);
  return alertFigures(
    scores.flatMap((s, i) => (s >= threshold ? [i] : [])),
    labels,
  );
}

/** The q-quantile (0 ≤ q ≤ 1) of the values, by the nearest-rank rule on the sorted values. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

export interface CalibrationBin {
  n: number;
  minPredicted: number;
  maxPredicted: number;
  meanPredicted: number;
  observedRate: number;
}

/** Ten (or `bins`) equal-count bins by ascending predicted probability. */
export function calibrationDeciles(
  probabilities: readonly number[],
  labels: readonly Label[],
  bins = 10,
): CalibrationBin[] {
  checkLengths(probabilities, labels);
  const order = ascendingOrder(probabilities);
  const out: CalibrationBin[] = [];
  for (let b = 0; b < bins; b++) {
    const slice = order.slice(Math.floor((b * order.length) / bins), Math.floor(((b + 1) * order.length) / bins));
    if (slice.length === 0) continue;
    const ps = slice.map((i) => probabilities[i]!);
    out.push({
      n: slice.length,
      minPredicted: ps[0]!,
      maxPredicted: ps[ps.length - 1]!,
      meanPredicted: ps.reduce((s, p) => s + p, 0) / ps.length,
      observedRate: slice.filter((i) => positive(labels[i]!)).length / slice.length,
    });
  }
  return out;
}

/** Baseline scores, as the model's competitors. */
export const baselineScores = {
  /** The same score for everyone: AUC 0.5 by construction. */
  baseRate: (n: number, rate: number): number[] => new Array<number>(n).fill(rate),
  /** 1 when the customer's most recently delivered order was late. */
  lateLastTime: (facts: readonly RiskFacts[]): number[] => facts.map((f) => (f.lateLastTime ? 1 : 0)),
  /** The customer's smoothed prior late rate. */
  customerPriorRate: (facts: readonly RiskFacts[]): number[] => facts.map((f) => f.customerLateRate),
  /** For complaints: the customer's smoothed prior complaint rate. */
  customerPriorComplaintRate: (facts: readonly RiskFacts[]): number[] => facts.map((f) => f.customerComplaintRate),
};
