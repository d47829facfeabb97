import { describe, expect, it } from 'vitest';
import {
  chooseRiskActions,
  DAY_MS,
  explainRisk,
  type RiskFacts,
  type RiskHistoryEntry,
  riskFactsAsOf,
} from '../../domain/risk';
import { damagedHistory, RISK_T, riskOrders } from '../support/risk-orders';

const T = RISK_T;
const order = riskOrders({ quantity: 5000, lineLoad: 0.95 });
const history: RiskHistoryEntry[] = damagedHistory(order);

const contributions = (values: Record<string, number>) =>
  Object.entries(values).map(([feature, value]) => ({ feature, value }));

describe('explaining a risk', () => {
  it('gives the top reasons pushing the risk up, with the raw evidence', () => {
    const facts = riskFactsAsOf(order(), history);
    const reasons = explainRisk(
      {
        contributions: contributions({
          mould_repair: 2.0,
          mould_worn: -0.1,
          lead_short_days: 0.9,
          lead_slack_days: 0.2,
          cust_damage_recent: 0.3,
          cust_damage_rate: 0.25,
          line_load: 0.2,
          line_load_over_90: 0.1,
          cust_late_rate: -0.4,
          expedite: 0.5, // not expedited: nothing true to say, left out
          'mat:PP-01': 0.05,
        }),
      },
      facts,
    );
    expect(reasons.map((r) => r.kind)).toEqual(['mould-repair', 'tight-lead', 'damage-history']);
    expect(reasons[0]!.evidence).toEqual({ kind: 'mould-repair', mould: '#3' });
    expect(reasons[0]!.contribution).toBeCloseTo(1.9, 12);
    expect(reasons[1]!.evidence).toEqual({ kind: 'tight-lead', daysShorter: 6, promisedDays: 12, usualDays: 18 });
    expect(reasons[2]!.evidence).toEqual({ kind: 'damage-history', damaged: 2, of: 3, damagedAll: 2, ofAll: 3 });
    expect(reasons[2]!.features).toEqual(['cust_damage_recent', 'cust_damage_rate']);
  });

  it('never gives a reason that lowers the risk or does not hold', () => {
    const facts: RiskFacts = riskFactsAsOf(order({ mouldStatus: 'ok', promisedAt: new Date(T + 30 * DAY_MS) }), []);
    const reasons = explainRisk(
      { contributions: contributions({ mould_repair: 1, lead_short_days: 1, line_load: -0.5, sample: 0.3 }) },
      facts,
    );
    expect(reasons).toEqual([]);
  });
});

describe('choosing an action', () => {
  const quiet = { pLate: 0.1, usualLateRate: 0.1, pComplaint: 0, complaintCostFen: 0, costPerBoxFen: 820, boxes: 10 };

  it('reinforced packaging when the expected complaint cost exceeds the packaging cost', () => {
    // 0.3 × 30,000 分 = 9,000 分 > 820 分 × 10 boxes = 8,200 分.
    expect(chooseRiskActions({ ...quiet, pComplaint: 0.3, complaintCostFen: 30_000 })).toEqual([
      { kind: 'reinforced-packaging', expectedComplaintCostFen: 9000, packagingCostFen: 8200 },
    ]);
    // 0.25 × 30,000 = 7,500 < 8,200.
    expect(chooseRiskActions({ ...quiet, pComplaint: 0.25, complaintCostFen: 30_000 })).toEqual([]);
  });

  it('asks production to confirm the date when the late risk is well above usual, and offers the earliest date past 50%', () => {
    expect(chooseRiskActions({ ...quiet, pLate: 0.19 })).toEqual([]); // below 2 × 10%
    expect(chooseRiskActions({ ...quiet, pLate: 0.2 })).toEqual([
      { kind: 'confirm-date', pLate: 0.2, usualLateRate: 0.1, offerEarliestDate: false },
    ]);
    // A plant usually late 2% of the time: 4% is double but not 10 points above.
    expect(chooseRiskActions({ ...quiet, usualLateRate: 0.02, pLate: 0.04 })).toEqual([]);
    expect(chooseRiskActions({ ...quiet, pLate: 0.6 })[0]).toMatchObject({
      kind: 'confirm-date',
      offerEarliestDate: true,
    });
  });

  it('refuses impossible inputs', () => {
    expect(() => chooseRiskActions({ ...quiet, pLate: 1.2 })).toThrow(/pLate/);
    expect(() => chooseRiskActions({ ...quiet, costPerBoxFen: 8.2 })).toThrow(/costPerBoxFen/);
    expect(() => chooseRiskActions({ ...quiet, boxes: -1 })).toThrow(/boxes/);
  });
});
