import { beforeAll, describe, expect, it } from 'vitest';
import {
  type BacktestResult,
  backtestRisk,
  candidateIsNoWorse,
  explainRisk,
  formatBacktestLine,
  type GeneratedHistory,
  generateRiskHistory,
  indexRiskHistory,
  labelledExamples,
  riskFacts,
  scoreRisk,
  trainRiskModel,
} from '../../domain/risk';

// One plant, 18 months, 20,000 orders with planted causes; the last 3 months are the test window.
let plant: GeneratedHistory;
let result: BacktestResult;
let ms: number;
let trainMs: number;
/** CPU milliseconds of this process since `from` (other test files share the machine's cores: wall time varies). */
const cpuMsSince = (from: NodeJS.CpuUsage) => {
  const { user, system } = process.cpuUsage(from);
  return (user + system) / 1000;
};

beforeAll(() => {
  plant = generateRiskHistory({ seed: 7, orders: 20_000 });
  const started = process.cpuUsage();
  result = backtestRisk(plant.entries);
  ms = cpuMsSince(started);
  console.info(formatBacktestLine(result.late));
  console.info(formatBacktestLine(result.complaint));
  // Training time alone, at 20,000 orders (16,000 or so with a known label before the cut).
  const index = indexRiskHistory(plant.entries);
  const examples = labelledExamples('late', plant.entries, index, { asOf: result.cut });
  const trainStarted = process.cpuUsage();
  const wall = performance.now();
  const model = trainRiskModel('late', examples);
  trainMs = cpuMsSince(trainStarted);
  const trainWallMs = performance.now() - wall;
  console.info(
    `20,000 orders: backtest (both models, features, bootstrap) ${ms.toFixed(0)} ms CPU; training the late model ` +
      `${trainMs.toFixed(0)} ms CPU (${trainWallMs.toFixed(0)} ms wall) on ${examples.length} orders × ${model.spec.names.length} features ` +
      `(${model.params.iterations} Newton iterations); true-probability AUC late ${result.late.trueAuc?.toFixed(3)} ` +
      `complaint ${result.complaint.trueAuc?.toFixed(3)}`,
  );
  expect(model).toEqual(result.models.late);
});

describe('risk backtest on a generated 20,000-order history (time split: 15 months train, 3 test)', () => {
  it('the lateness model beats the customer-history baseline by 0.05 and comes within 0.05 of the truth', () => {
    const late = result.late;
    expect(late.n).toBeGreaterThan(3000);
    expect(late.auc!).toBeGreaterThanOrEqual(late.baselineAuc! + 0.05);
    expect(late.auc!).toBeGreaterThanOrEqual(late.trueAuc! - 0.05);
    expect(late.aucCi!.lo).toBeLessThan(late.auc!);
    expect(late.aucCi!.hi).toBeGreaterThan(late.auc!);
    expect(late.lateLastTimeAuc!).toBeLessThan(late.baselineAuc!);
  });

  it('is calibrated: Brier beats the base rate, the mean predicted rate is within 2 points of the observed', () => {
    for (const report of [result.late, result.complaint]) {
      expect(report.brier).toBeLessThan(report.baseBrier);
      expect(Math.abs(report.meanPredicted - report.observedRate)).toBeLessThan(0.02);
    }
    const top = result.late.calibration.at(-1)!;
    expect(Math.abs(top.meanPredicted - top.observedRate)).toBeLessThan(0.08);
  });

  it('flags useful alerts within the 10% budget: precision at the alert well above the late rate', () => {
    expect(result.late.alertBudget).toBe(0.1);
    expect(result.late.precisionAtAlert).toBeGreaterThan(2 * result.late.rate);
    expect(result.late.thresholdAlerts).toBeGreaterThan(0);
    expect(result.late.thresholdAlerts).toBeLessThanOrEqual(Math.ceil(0.15 * result.late.n));
  });

  it('trains in well under two seconds and the whole backtest fits in a few', () => {
    expect(trainMs).toBeLessThan(2000);
    expect(ms).toBeLessThan(8000);
  });

  it('trains only on what was known before the cut', () => {
    const knownBeforeCut = plant.entries.filter(
      (e) => e.order.createdAt < result.cut && e.outcome.deliveredAt < result.cut,
    ).length;
    expect(result.late.trainN).toBeLessThanOrEqual(knownBeforeCut);
    expect(result.late.trainN).toBe(knownBeforeCut);
    // Complaints: the 30-day window after delivery must have closed too.
    expect(result.complaint.trainN).toBeLessThan(result.late.trainN);
  });

  it('names the planted cause: mould in repair is the top reason for the test orders it drives', () => {
    const index = indexRiskHistory(plant.entries);
    const repair = plant.entries.filter((e) => e.order.createdAt >= result.cut && e.order.mouldStatus === 'repair');
    expect(repair.length).toBeGreaterThan(50);
    let top = 0;
    for (const e of repair) {
      const facts = riskFacts(e.order, index);
      const reasons = explainRisk(scoreRisk(result.models.late, facts), facts);
      if (reasons[0]?.kind === 'mould-repair') {
        top++;
        expect(reasons[0].evidence).toEqual({ kind: 'mould-repair', mould: e.order.mould });
      }
      expect(reasons.every((r) => r.contribution > 0)).toBe(true);
    }
    expect(top / repair.length).toBeGreaterThan(0.8);
  });

  it('the complaint model finds the planted packaging-damage habit', () => {
    const complaint = result.complaint;
    expect(complaint.auc!).toBeGreaterThan(complaint.baselineAuc!);
    const { names, weights } = result.models.complaint.params;
    expect(weights[names.indexOf('cust_damage_rate')]!).toBeGreaterThan(0.2);
    const index = indexRiskHistory(plant.entries);
    const habit = plant.entries.filter(
      (e) => e.order.createdAt >= result.cut && plant.damageHabitCustomers.includes(e.order.customer),
    );
    expect(habit.length).toBeGreaterThan(30);
    let top = 0;
    for (const e of habit) {
      const facts = riskFacts(e.order, index);
      const reasons = explainRisk(scoreRisk(result.models.complaint, facts), facts);
      if (reasons[0]?.kind === 'damage-history') top++;
    }
    expect(top / habit.length).toBeGreaterThan(0.8);
  });

  it('reports one line per model in the agreed format', () => {
    const line = formatBacktestLine(result.late);
    expect(line).toMatch(
      /^late: n=\d+ late_rate=0\.\d{3} auc=0\.\d{3} \[ci 0\.\d{3}–0\.\d{3}\] baseline_auc=0\.\d{3} precision@alert=0\.\d{3} recall@alert=0\.\d{3} brier=0\.\d{3} base_brier=0\.\d{3}$/,
    );
    expect(formatBacktestLine(result.complaint)).toMatch(
      /^complaint: n=\d+ complaint_rate=0\.\d{3} auc=0\.\d{3} \[ci /,
    );
  });

  it('at 2,000 orders (a small plant) the CI is reported and wider than at 20,000', () => {
    const small = backtestRisk(generateRiskHistory({ seed: 7, orders: 2_000 }).entries);
    console.info(formatBacktestLine(small.late));
    console.info(formatBacktestLine(small.complaint));
    const width = (r: typeof small.late) => r.aucCi!.hi - r.aucCi!.lo;
    expect(width(small.late)).toBeGreaterThan(width(result.late));
    expect(width(small.complaint)).toBeGreaterThan(width(result.complaint));
    expect(small.late.n).toBeLessThan(400);
  });

  it('promotes a candidate only when its AUC is within its CI of the active one and it beats the base-rate Brier', () => {
    const late = result.late;
    const half = (late.aucCi!.hi - late.aucCi!.lo) / 2;
    expect(candidateIsNoWorse(late, null)).toBe(true);
    expect(candidateIsNoWorse(late, { auc: late.auc! + half * 0.9 })).toBe(true);
    expect(candidateIsNoWorse(late, { auc: late.auc! + half * 1.1 })).toBe(false);
    expect(candidateIsNoWorse({ ...late, brier: late.baseBrier }, null)).toBe(false);
    expect(candidateIsNoWorse({ ...late, auc: null, aucCi: null }, null)).toBe(false);
  });
});
