/**
 * A risk model: what it predicts (`target`), how facts become numbers (`spec`), and the fitted logistic parameters.
 * Everything in `RiskModel` is JSON (the database stores spec and params in risk_models).
 *
 * Labels (research/risk.md §5), and when they become known — an order trains a model only once its label is known:
 * - 'late': delivered after the promised time; known at delivery.
 * - 'complaint': a complaint about the goods or a return (`isComplaint`) within `complaintWindowDays` (default 30)
 *   of delivery; known when that window has closed (deliveredAt + window).
 *
 * Typical use (the nightly job): `const index = indexRiskHistory(history)`;
 * `trainRiskModel('late', labelledExamples('late', history, index, { asOf: now }))`; then for a new order
 * `scoreRisk(model, riskFacts(order, index))`.
 */

import {
  encodeFacts,
  type FeatureSpec,
  type FeatureSpecOptions,
  fitFeatureSpec,
  isComplaint,
  DAY_MS,
  DEFAULT_COMPLAINT_WINDOW_DAYS,
  type RiskFacts,
  type RiskHistoryEntry,
  type RiskHistoryIndex,
  riskFacts,
} from './features';
import { contributionsOf, fitLogistic, type LogisticOptions, type LogisticParams } from './logistic';

export type RiskTarget = 'late' | 'complaint';

/** An entry's label for a target and the instant it became known; null while the order is not delivered. */
export function riskLabel(
  target: RiskTarget,
  entry: RiskHistoryEntry,
  complaintWindowDays = DEFAULT_COMPLAINT_WINDOW_DAYS,
): { label: 0 | 1; knownAt: Date } | null {
  const { outcome } = entry;
  if (!outcome) return null;
  if (target === 'late') return { label: outcome.late ? 1 : 0, knownAt: outcome.deliveredAt };
  const closes = outcome.deliveredAt.getTime() + complaintWindowDays * DAY_MS;
  const complained = outcome.complaints.some((c) => isComplaint(c) && c.at.getTime() <= closes);
  return { label: complained ? 1 : 0, knownAt: new Date(closes) };
}

export interface LabelledExample {
  entry: RiskHistoryEntry;
  facts: RiskFacts;
  label: 0 | 1;
}

/**
 * The training examples as of `asOf`: orders created before it whose label was known by then (knownAt ≤ asOf),
 * each with its facts as of its own creation.
 */
export function labelledExamples(
  target: RiskTarget,
  history: readonly RiskHistoryEntry[],
  index: RiskHistoryIndex,
  options: { asOf: Date; complaintWindowDays?: number },
): LabelledExample[] {
  const asOf = options.asOf.getTime();
  const out: LabelledExample[] = [];
  for (const entry of history) {
    if (entry.order.createdAt.getTime() >= asOf) continue;
    const labelled = riskLabel(target, entry, options.complaintWindowDays);
    if (!labelled || labelled.knownAt.getTime() > asOf) continue;
    out.push({ entry, facts: riskFacts(entry.order, index), label: labelled.label });
  }
  return out;
}

export interface RiskModel {
  target: RiskTarget;
  spec: FeatureSpec;
  params: LogisticParams;
  /** Training set: orders, positives' share. */
  trainedOn: { n: number; rate: number };
}

export interface TrainOptions extends FeatureSpecOptions, LogisticOptions {}

/** Fits the spec and the logistic regression on the examples. Throws on an empty set. */
export function trainRiskModel(
  target: RiskTarget,
  examples: readonly { facts: RiskFacts; label: 0 | 1 }[],
  options: TrainOptions = {},
): RiskModel {
  const spec = fitFeatureSpec(
    examples.map((e) => e.facts),
    options,
  );
  const x = examples.map((e) => encodeFacts(e.facts, spec));
  const y = examples.map((e) => e.label);
  const params = fitLogistic(x, y, spec.names, options);
  const positives = y.reduce<number>((s, v) => s + v, 0);
  return { target, spec, params, trainedOn: { n: examples.length, rate: positives / examples.length } };
}

export interface RiskScore {
  probability: number;
  /** The training-average order's logit; base + Σ contributions = logit. */
  base: number;
  logit: number;
  /** Per feature (spec order), its push on the logit. */
  contributions: { feature: string; value: number }[];
}

export function scoreRisk(model: RiskModel, facts: RiskFacts): RiskScore {
  const c = contributionsOf(model.params, encodeFacts(facts, model.spec));
  return {
    probability: c.probability,
    base: c.base,
    logit: c.logit,
    contributions: c.contributions.map((value, j) => ({ feature: model.spec.names[j]!, value })),
  };
}
