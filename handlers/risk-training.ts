/**
 * Retraining the risk models on the plant's own history (the `risk-retrain` job, nightly; `orderbot risk train`).
 *
 * For each target (lateness, complaints):
 * - too little history (fewer delivered orders than `risk.minOrders`, or fewer than `risk.minPositives` of each
 *   label) → no model is trained: the cards say nothing rather than guess;
 * - the candidate is measured on a time split: trained on what was known three months ago, tested on the orders
 *   created since whose outcome is known now (domain/risk/backtest.ts, with its baselines);
 * - it replaces the active model only when `candidateIsNoWorse` (beats the base rate's Brier, AUC no worse than the
 *   active one's beyond the measurement's noise); otherwise it is kept as a candidate, for the record;
 * - the model stored is trained on everything known now (the backtest measured the recipe, not this fit).
 */
import type { Logger } from 'pino';
import type { BusinessConfig } from '../config/business-config';
import type { Database } from '../db/client';
import { readRiskHistory } from '../db/risk-history';
import { activeRiskModels, type StoredRiskMetrics, storeRiskModel } from '../db/risk-models';
import {
  backtestRisk,
  type BacktestResult,
  candidateIsNoWorse,
  indexRiskHistory,
  labelledExamples,
  type RiskBacktestReport,
  type RiskTarget,
  trainRiskModel,
} from '../domain/risk';

const TEST_MONTHS = 3;
/** Long enough before the cut to hold any plant's history: the backtest trains on everything before the cut. */
const TRAIN_MONTHS_BACK = 240;

export type RetrainOutcome =
  | { target: RiskTarget; kind: 'too-few'; orders: number; positives: number }
  | {
      target: RiskTarget;
      kind: 'activated' | 'kept-active';
      version: number;
      orders: number;
      positives: number;
      decision: StoredRiskMetrics['decision'];
    };

export async function retrainRiskModels(args: {
  db: Database;
  now: Date;
  config: BusinessConfig;
  log: Logger;
}): Promise<RetrainOutcome[]> {
  const { db, now, config, log } = args;
  const history = await readRiskHistory(db);
  const index = indexRiskHistory(history);
  const active = await activeRiskModels(db);
  let backtest: BacktestResult | null | undefined;
  const measure = (): BacktestResult | null => {
    if (backtest !== undefined) return backtest;
    const cut = new Date(now.getTime());
    cut.setUTCMonth(cut.getUTCMonth() - TEST_MONTHS);
    const start = new Date(cut.getTime());
    start.setUTCMonth(start.getUTCMonth() - TRAIN_MONTHS_BACK);
    try {
      backtest = backtestRisk(history, { start, trainMonths: TRAIN_MONTHS_BACK, testMonths: TEST_MONTHS, now });
    } catch (err) {
      // Nothing known before the cut (a young plant): there is no honest measurement yet.
      log.info({ err: (err as Error).message }, 'risk backtest not possible');
      backtest = null;
    }
    return backtest;
  };

  const outcomes: RetrainOutcome[] = [];
  for (const target of ['late', 'complaint'] as const) {
    const examples = labelledExamples(target, history, index, { asOf: now });
    const positives = examples.reduce((s, e) => s + e.label, 0);
    const { minOrders, minPositives } = config.risk;
    if (examples.length < minOrders || positives < minPositives || examples.length - positives < minPositives) {
      outcomes.push({ target, kind: 'too-few', orders: examples.length, positives });
      continue;
    }
    const report = measure()?.[target] ?? null;
    const current = active[target] ?? null;
    const promote = report !== null && candidateIsNoWorse(report, current?.metrics.backtest ?? null);
    const decision: StoredRiskMetrics['decision'] =
      report === null ? 'unmeasured' : !promote ? 'worse' : current ? 'no-worse' : 'first';
    const model = trainRiskModel(target, examples);
    const stored = await db.transaction((tx) =>
      storeRiskModel(tx, {
        model,
        metrics: { trainedOn: model.trainedOn, backtest: report && withoutCalibration(report), decision },
        trainedAt: now,
        trainFrom: examples.reduce((a, e) => (e.entry.order.createdAt < a ? e.entry.order.createdAt : a), now),
        trainTo: now,
        activate: promote,
      }),
    );
    outcomes.push({
      target,
      kind: promote ? 'activated' : 'kept-active',
      version: stored.version,
      orders: examples.length,
      positives,
      decision,
    });
  }
  log.info({ outcomes }, 'risk models retrained');
  return outcomes;
}

function withoutCalibration({ calibration: _, ...figures }: RiskBacktestReport): StoredRiskMetrics['backtest'] {
  return figures;
}
