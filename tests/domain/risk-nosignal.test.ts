import { describe, expect, it } from 'vitest';
import {
  backtestRisk,
  chooseRiskActions,
  formatBacktestLine,
  generateRiskHistory,
  indexRiskHistory,
  riskFacts,
  scoreRisk,
} from '../../domain/risk';

describe('risk backtest on a history with nothing to learn (constant probabilities)', () => {
  it('raises no more alerts than the budget, and the AUC CI includes 0.5', () => {
    const plant = generateRiskHistory({ seed: 7, orders: 20_000, noSignal: { late: 0.1, complaint: 0.06 } });
    const result = backtestRisk(plant.entries);
    console.info(formatBacktestLine(result.late));
    console.info(formatBacktestLine(result.complaint));
    for (const report of [result.late, result.complaint]) {
      expect(report.trueAuc).toBe(0.5);
      expect(report.aucCi!.lo).toBeLessThanOrEqual(0.5);
      expect(report.aucCi!.hi).toBeGreaterThanOrEqual(0.5);
      expect(report.thresholdAlerts).toBeLessThanOrEqual(report.alertBudget * report.n);
      // Nothing learnt: the model is no better than the base rate.
      expect(report.brier).toBeGreaterThan(report.baseBrier - 0.001);
    }
    // The date-confirmation rule (well above the usual rate) fires for no order of the test window.
    const usual = result.models.late.trainedOn.rate;
    const index = indexRiskHistory(plant.entries);
    const test = plant.entries.filter((e) => e.order.createdAt >= result.cut);
    const pLates = test.map((e) => scoreRisk(result.models.late, riskFacts(e.order, index)).probability);
    expect(pLates).toHaveLength(result.late.n);
    const confirmations = pLates.filter(
      (pLate) =>
        chooseRiskActions({
          pLate,
          usualLateRate: usual,
          pComplaint: 0,
          complaintCostFen: 0,
          costPerBoxFen: 0,
          boxes: 0,
        }).length > 0,
    ).length;
    expect(confirmations).toBe(0);
  });
});
