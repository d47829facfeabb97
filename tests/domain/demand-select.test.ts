import { describe, expect, it } from 'vitest';
import { generateDemandHistories } from '../../domain/demand/backtest';
import { type MethodName, METHODS } from '../../domain/demand/methods';
import { evaluateMethod, naiveScale, type Selection, selectMethod } from '../../domain/demand/select';

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const histories = generateDemandHistories({ seed: 7 });
const seasonal = histories.filter((h) => h.kind === 'seasonal');
const intermittent = histories.filter((h) => h.kind === 'intermittent');

function meanMase(selections: Selection[]): Record<MethodName | 'chosen', number> {
  const row = Object.fromEntries(METHODS.map((m) => [m, mean(selections.map((s) => s.scores[m]!.mase!))])) as Record<
    MethodName,
    number
  >;
  return { ...row, chosen: mean(selections.map((s) => s.score.mase!)) };
}

/** A strongly seasonal series: a yearly wave of ±60% with 3% noise (deterministic). */
function wave(weeks: number): number[] {
  return Array.from({ length: weeks }, (_, t) =>
    Math.round(200 * (1 + 0.6 * Math.sin((2 * Math.PI * t) / 52)) * (1 + 0.03 * Math.sin(t * 12.9898))),
  );
}

describe('method selection per material (rolling origin, last 12 weeks, horizons 1–4, MASE)', () => {
  it('on generated seasonal series the chosen method beats naive-1', () => {
    const selections = seasonal.map((h) => selectMethod(h.demand)!);
    const row = meanMase(selections);
    console.log('seasonal set, held-out MASE:', JSON.stringify(row));
    expect(row.chosen).toBeLessThan(row.naive);
    for (const s of selections) {
      expect(s.seasonalCycles).toBe(1); // 78 weeks: the yearly pattern seen once
      expect(s.scores['seasonal-naive']).not.toBeNull();
      expect(s.score.mase).toBeLessThanOrEqual(
        Math.max(s.scores['seasonal-naive']!.mase!, s.scores['croston-sba']!.mase!),
      );
    }
  });

  it('on generated intermittent series Croston-SBA is chosen and beats naive-1', () => {
    const selections = intermittent.map((h) => selectMethod(h.demand)!);
    const row = meanMase(selections);
    const croston = selections.filter((s) => s.chosen === 'croston-sba');
    console.log('intermittent set, held-out MASE:', JSON.stringify(row), `croston chosen ${croston.length}/20`);
    for (const s of selections) expect(s.demandClass.intermittent).toBe(true);
    expect(croston.length).toBeGreaterThanOrEqual(17);
    expect(croston.every((s) => s.reason === 'intermittent')).toBe(true);
    expect(row['croston-sba']).toBeLessThan(row.naive);
    expect(row.chosen).toBeLessThan(row.naive);
    // where seasonal naive was taken instead, it was at least 20% better
    for (const s of selections.filter((x) => x.chosen === 'seasonal-naive')) {
      expect(s.reason).toBe('seasonal-clearly-better');
      expect(s.scores['seasonal-naive']!.mae).toBeLessThanOrEqual(0.8 * s.scores['croston-sba']!.mae);
    }
  });

  it('picks seasonal naive on a strongly seasonal series', () => {
    const s = selectMethod(wave(78))!;
    expect(s).toMatchObject({ chosen: 'seasonal-naive', reason: 'lower-error', seasonalCycles: 1 });
    expect(s.score.mase!).toBeLessThan(s.scores.naive!.mase!);
  });

  it('seasonal naive needs 52 weeks + the evaluation window; before that Croston-SBA is the only candidate', () => {
    const s = selectMethod(wave(63))!;
    expect(s.scores['seasonal-naive']).toBeNull();
    expect(s).toMatchObject({ chosen: 'croston-sba', reason: 'seasonal-unavailable', seasonalCycles: 1 });
    expect(selectMethod(wave(64))!.scores['seasonal-naive']).not.toBeNull();
    expect(selectMethod(wave(13))).toBeNull(); // one week before the held-out ones: no scale
    expect(selectMethod(wave(20), { evalWeeks: 4 })!.evalWeeks).toBe(4);
  });

  it('MASE is the held-out MAE over the naive-1 MAE of the weeks before them', () => {
    const y = [10, 12, 11, 13, 12, 14, 20, 10];
    expect(naiveScale(y, 6)).toBeCloseTo((2 + 1 + 2 + 1 + 2) / 5, 12);
    const score = evaluateMethod(y, 'naive', { evalWeeks: 2, horizon: 2 })!;
    // origins 6 (forecasts 14, 14 for 20, 10) and 7 (forecast 20 for 10)
    expect(score.forecasts).toBe(3);
    expect(score.mae).toBeCloseTo((6 + 4 + 10) / 3, 12);
    expect(score.mase).toBeCloseTo(20 / 3 / 1.6, 12);
    expect(evaluateMethod([5, 5, 5, 5, 7], 'naive', { evalWeeks: 1 })!.mase).toBeNull(); // constant before: no scale
    expect(() => selectMethod([1, 2, -3])).toThrow(RangeError);
    expect(() => selectMethod(wave(30), { evalWeeks: 0 })).toThrow(/evalWeeks/);
  });
});
