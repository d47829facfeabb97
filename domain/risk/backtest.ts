/**
 * The honest measurement of the risk models: a time split (research/risk.md §2).
 *
 * `backtestRisk(history, options)`:
 * - the cut is `trainMonths` (default 15) after `start` (default: the first order's creation); the test window is
 *   the `testMonths` (default 3) after the cut;
 * - train: orders created before the cut WHOSE LABEL WAS KNOWN BEFORE THE CUT (late: delivered; complaint: the
 *   complaint window closed), so the model never learns from what the plant could not have known yet;
 * - test: orders created in the test window with a known label (all of them when `now` is not given; with `now`,
 *   only those known by `now`);
 * - every order's features are computed as of its creation (features.ts), from the whole history;
 * - one model per target ('late', 'complaint'), each reported with `RiskBacktestReport`.
 *
 * Alerts: the alert budget (default 10% of orders) flags the top share of the test window by predicted risk;
 * precision@alert / recall@alert are measured there. `alertThreshold` is the fixed cut a live system would use,
 * learned on the training window: the larger of the training predictions' (1 − budget) quantile and the "well above
 * the usual rate" level of explain.ts `LATE_ACTION_RULE` (2 × the training rate, and at least the training rate +
 * 0.10) — so a model that has learned nothing (all predictions near the usual rate) raises no alert at all.
 * `thresholdAlerts` is how many test orders that cut flags.
 *
 * `candidateIsNoWorse(candidate, active)`: the promotion rule for a retrained model (see there).
 */

import { LATE_ACTION_RULE } from './explain';
import { indexRiskHistory, type RiskFactsOptions, type RiskHistoryEntry, riskFacts } from './features';
import {
  atBudget,
  atThreshold,
  auc,
  aucBootstrapCi,
  baselineScores,
  baseRateBrier,
  brier,
  type CalibrationBin,
  calibrationDeciles,
  quantile,
  rateOf,
} from './metrics';
import {
  labelledExamples,
  type RiskModel,
  type RiskTarget,
  riskLabel,
  scoreRisk,
  trainRiskModel,
  type TrainOptions,
} from './model';

export interface BacktestOptions extends TrainOptions, RiskFactsOptions {
  start?: Date;
  trainMonths?: number;
  testMonths?: number;
  /** Evaluation instant: test orders whose label is not known by then are left out (default: all known). */
  now?: Date;
  complaintWindowDays?: number;
  /** Share of orders flagged (default 0.1). */
  alertBudget?: number;
  bootstrapResamples?: number;
  bootstrapSeed?: number;
}

export interface RiskBacktestReport {
  target: RiskTarget;
  /** Test orders and their observed positive rate. */
  n: number;
  rate: number;
  auc: number | null;
  aucCi: { lo: number; hi: number } | null;
  /** AUC of the customer's smoothed prior rate (late rate for 'late', complaint rate for 'complaint'). */
  baselineAuc: number | null;
  /** AUC of "late last time" (for 'late'; null for 'complaint'). */
  lateLastTimeAuc: number | null;
  alertBudget: number;
  precisionAtAlert: number;
  recallAtAlert: number;
  alertThreshold: number;
  thresholdAlerts: number;
  brier: number;
  /** Brier of always predicting the training rate. */
  baseBrier: number;
  meanPredicted: number;
  observedRate: number;
  /** AUC of the true probabilities (when the history carries `truth`, e.g. generated): the best reachable. */
  trueAuc: number | null;
  calibration: CalibrationBin[];
  trainN: number;
  trainRate: number;
}

export interface BacktestResult {
  cut: Date;
  end: Date;
  late: RiskBacktestReport;
  complaint: RiskBacktestReport;
  models: { late: RiskModel; complaint: RiskModel };
}

/** An entry that may carry the generator's true probabilities. */
type MaybeTrue = RiskHistoryEntry & { truth?: { late: number; complaint: number } };

function addMonths(date: Date, months: number): Date {
  const d = new Date(date.getTime());
  d.setUTCMonth(d.getUTCMonth() + months);
  return d;
}

export function backtestRisk(history: readonly RiskHistoryEntry[], options: BacktestOptions = {}): BacktestResult {
  if (history.length === 0) throw new RangeError('backtestRisk: empty history');
  let first = Number.POSITIVE_INFINITY;
  for (const e of history) first = Math.min(first, e.order.createdAt.getTime());
  const start = options.start ?? new Date(first);
  const cut = addMonths(start, options.trainMonths ?? 15);
  const end = addMonths(cut, options.testMonths ?? 3);
  const window = options.complaintWindowDays;
  const budget = options.alertBudget ?? 0.1;
  const index = indexRiskHistory(history, options);

  const testEntries = history.filter(
    (e) => e.order.createdAt.getTime() >= cut.getTime() && e.order.createdAt.getTime() < end.getTime(),
  );
  const testFacts = new Map(testEntries.map((e) => [e.order.id, riskFacts(e.order, index)]));

  const run = (target: RiskTarget): { report: RiskBacktestReport; model: RiskModel } => {
    const examples = labelledExamples(target, history, index, { asOf: cut, complaintWindowDays: window });
    const model = trainRiskModel(target, examples, options);
    const trainScores = examples.map((e) => scoreRisk(model, e.facts).probability);

    const test: { entry: MaybeTrue; label: 0 | 1 }[] = [];
    for (const entry of testEntries) {
      const labelled = riskLabel(target, entry, window);
      if (!labelled) continue;
      if (options.now && labelled.knownAt.getTime() > options.now.getTime()) continue;
      test.push({ entry, label: labelled.label });
    }
    const facts = test.map((t) => testFacts.get(t.entry.order.id)!);
    const labels = test.map((t) => t.label);
    const scores = facts.map((f) => scoreRisk(model, f).probability);
    const ci = aucBootstrapCi(scores, labels, {
      resamples: options.bootstrapResamples ?? 200,
      seed: options.bootstrapSeed ?? 1,
    });
    const alerts = atBudget(scores, labels, budget);
    const usual = model.trainedOn.rate;
    const alertThreshold = Math.max(
      quantile(trainScores, 1 - budget),
      LATE_ACTION_RULE.ratio * usual,
      usual + LATE_ACTION_RULE.margin,
    );
    const truths = test.map((t) => t.entry.truth?.[target]);
    const meanPredicted = scores.reduce((s, p) => s + p, 0) / scores.length;
    const report: RiskBacktestReport = {
      target,
      n: test.length,
      rate: rateOf(labels),
      auc: auc(scores, labels),
      aucCi: ci,
      baselineAuc: auc(
        target === 'late' ? baselineScores.customerPriorRate(facts) : baselineScores.customerPriorComplaintRate(facts),
        labels,
      ),
      lateLastTimeAuc: target === 'late' ? auc(baselineScores.lateLastTime(facts), labels) : null,
      alertBudget: budget,
      precisionAtAlert: alerts.precision,
      recallAtAlert: alerts.recall,
      alertThreshold,
      thresholdAlerts: atThreshold(scores, labels, alertThreshold).alerts,
      brier: brier(scores, labels),
      baseBrier: baseRateBrier(labels, model.trainedOn.rate),
      meanPredicted,
      observedRate: rateOf(labels),
      trueAuc: truths.every((p) => typeof p === 'number') ? auc(truths as number[], labels) : null,
      calibration: calibrationDeciles(scores, labels),
      trainN: model.trainedOn.n,
      trainRate: model.trainedOn.rate,
    };
    return { report, model };
  };

  const late = run('late');
  const complaint = run('complaint');
  return {
    cut,
    end,
    late: late.report,
    complaint: complaint.report,
    models: { late: late.model, complaint: complaint.model },
  };
}

const f3 = (v: number | null | undefined) => (v === null || v === undefined || Number.isNaN(v) ? 'n/a' : v.toFixed(3));

/**
 * One line per model, e.g.
 * `late: n=3301 late_rate=0.101 auc=0.801 [ci 0.780–0.823] baseline_auc=0.712 precision@alert=0.392 recall@alert=0.388 brier=0.077 base_brier=0.091`
 * (3 decimals; 'n/a' when undefined, e.g. a test window without a positive).
 */
export function formatBacktestLine(report: RiskBacktestReport): string {
  const ci = report.aucCi ? `${f3(report.aucCi.lo)}–${f3(report.aucCi.hi)}` : 'n/a';
  return (
    `${report.target}: n=${report.n} ${report.target}_rate=${f3(report.rate)} auc=${f3(report.auc)} [ci ${ci}] ` +
    `baseline_auc=${f3(report.baselineAuc)} precision@alert=${f3(report.precisionAtAlert)} ` +
    `recall@alert=${f3(report.recallAtAlert)} brier=${f3(report.brier)} base_brier=${f3(report.baseBrier)}`
  );
}

/**
 * Promotion rule for a retrained (candidate) model against the active one, both measured by `backtestRisk`:
 * 1. the candidate's Brier beats the base-rate Brier on its test window (it says more than "the usual rate"), and
 * 2. its AUC is at least the active model's AUC minus the half-width of the candidate's bootstrap CI (a drop within
 *    the measurement noise is not a reason to keep an older model).
 * With no active model, rule 1 alone decides. An undefined AUC (no positive in the test window) never promotes.
 */
export function candidateIsNoWorse(
  candidate: Pick<RiskBacktestReport, 'auc' | 'aucCi' | 'brier' | 'baseBrier'>,
  active: Pick<RiskBacktestReport, 'auc'> | null,
): boolean {
  if (candidate.auc === null || candidate.aucCi === null) return false;
  if (!(candidate.brier < candidate.baseBrier)) return false;
  if (!active || active.auc === null) return true;
  const halfWidth = (candidate.aucCi.hi - candidate.aucCi.lo) / 2;
  return candidate.auc >= active.auc - halfWidth;
}
