import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  atBudget,
  atThreshold,
  auc,
  aucBootstrapCi,
  baseRateBrier,
  brier,
  calibrationDeciles,
  quantile,
  seededRandom,
} from '../../domain/risk';

/** AUC by counting every positive–negative pair (ties ½). */
function pairwiseAuc(scores: number[], labels: number[]): number | null {
  let pairs = 0;
  let wins = 0;
  scores.forEach((sp, i) => {
    if (labels[i] !== 1) return;
    scores.forEach((sn, j) => {
      if (labels[j] !== 0) return;
      pairs++;
      wins += sp > sn ? 1 : sp === sn ? 0.5 : 0;
    });
  });
  return pairs === 0 ? null : wins / pairs;
}

describe('risk metrics', () => {
  it('AUC equals the pairwise count, ties counted half (Mann–Whitney)', () => {
    expect(auc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1])).toBe(0.75);
    expect(auc([0.5, 0.5, 0.5, 0.5], [0, 1, 0, 1])).toBe(0.5);
    expect(auc([1, 2, 3], [1, 1, 1])).toBeNull();
    fc.assert(
      fc.property(
        fc.array(fc.record({ s: fc.integer({ min: 0, max: 5 }), y: fc.integer({ min: 0, max: 1 }) }), {
          maxLength: 40,
        }),
        (rows) => {
          const scores = rows.map((r) => r.s);
          const labels = rows.map((r) => r.y);
          const expected = pairwiseAuc(scores, labels);
          const got = auc(scores, labels);
          if (expected === null) expect(got).toBeNull();
          else expect(got).toBeCloseTo(expected, 12);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('the bootstrap CI is seeded, contains the AUC and narrows with more data', () => {
    const sample = (n: number, seed: number) => {
      const random = seededRandom(seed);
      const labels = Array.from({ length: n }, () => (random.next() < 0.2 ? 1 : 0));
      return { labels, scores: labels.map((y) => y + 1.5 * random.normal()) };
    };
    const small = sample(300, 1);
    const large = sample(5000, 1);
    const ci = aucBootstrapCi(small.scores, small.labels, { seed: 4 })!;
    expect(aucBootstrapCi(small.scores, small.labels, { seed: 4 })).toEqual(ci);
    const value = auc(small.scores, small.labels)!;
    expect(ci.lo).toBeLessThanOrEqual(value);
    expect(ci.hi).toBeGreaterThanOrEqual(value);
    const wide = aucBootstrapCi(large.scores, large.labels)!;
    expect(wide.hi - wide.lo).toBeLessThan(ci.hi - ci.lo);
    expect(aucBootstrapCi([1, 2], [0, 0])).toBeNull();
  });

  it('Brier, base-rate Brier, alerts at a budget and at a threshold, quantiles and calibration', () => {
    expect(brier([0.2, 0.9], [0, 1])).toBeCloseTo((0.04 + 0.01) / 2, 12);
    expect(baseRateBrier([0, 0, 0, 1], 0.25)).toBeCloseTo((3 * 0.0625 + 0.5625) / 4, 12);
    const scores = [0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.05];
    const labels = [1, 0, 1, 0, 0, 0, 1, 0, 0, 0];
    expect(atBudget(scores, labels, 0.2)).toEqual({ alerts: 2, precision: 0.5, recall: 1 / 3 });
    expect(atBudget(scores, labels, 0.3)).toEqual({ alerts: 3, precision: 2 / 3, recall: 2 / 3 });
    expect(atThreshold(scores, labels, 0.65)).toEqual({ alerts: 3, precision: 2 / 3, recall: 2 / 3 });
    expect(atThreshold(scores, labels, 0.95).alerts).toBe(0);
    expect(() => atBudget(scores, labels, 0)).toThrow(/budget/);
    expect(quantile([5, 1, 3, 2, 4], 0.8)).toBe(4);
    const bins = calibrationDeciles(
      Array.from({ length: 100 }, (_, i) => i / 100),
      Array.from({ length: 100 }, (_, i) => (i >= 90 ? 1 : 0)),
    );
    expect(bins).toHaveLength(10);
    expect(bins.every((b) => b.n === 10)).toBe(true);
    expect(bins[9]).toMatchObject({ observedRate: 1, minPredicted: 0.9 });
    expect(bins[0]!.observedRate).toBe(0);
  });
});
