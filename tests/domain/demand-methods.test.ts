import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backtestDemand, generateDemandHistories } from '../../domain/demand/backtest';
import {
  CROSTON_ALPHA,
  checkHistory,
  classifyDemand,
  forecastWithInterval,
  METHODS,
  pointForecasts,
} from '../../domain/demand/methods';

const range = (n: number, f: (i: number) => number) => Array.from({ length: n }, (_, i) => f(i));

describe('point forecasts', () => {
  const history = range(60, (i) => i); // 0..59

  it('naive repeats the last week; moving average is the mean of the last 8; seasonal naive the week 52 earlier', () => {
    expect(pointForecasts('naive', history, 3)).toEqual([59, 59, 59]);
    expect(pointForecasts('moving-average', history, 2)).toEqual([55.5, 55.5]);
    expect(pointForecasts('moving-average', [4, 8], 1)).toEqual([6]);
    expect(pointForecasts('seasonal-naive', history, 4)).toEqual([8, 9, 10, 11]);
    expect(pointForecasts('seasonal-naive', history, 2, 52)).toEqual([0, 1]);
    expect(pointForecasts('seasonal-naive', history, 1, 51)).toBeNull();
    expect(pointForecasts('naive', [], 1)).toBeNull();
  });

  it('Croston-SBA: α = 0.1 on size and interval, (1 − α/2)·size/interval, flat', () => {
    expect(CROSTON_ALPHA).toBe(0.1);
    // demands 10 at week 2 (interval 2), 20 at week 5 (interval 3), 0 after
    const y = [0, 10, 0, 0, 20, 0];
    const size = 10 + 0.1 * (20 - 10);
    const interval = 2 + 0.1 * (3 - 2);
    const expected = 0.95 * (size / interval);
    const f = pointForecasts('croston-sba', y, 3)!;
    expect(f[0]).toBeCloseTo(expected, 12);
    expect(f).toEqual([f[0], f[0], f[0]]);
    expect(pointForecasts('croston-sba', [0, 0, 0], 2)).toEqual([0, 0]);
    // on a constant series it is 95% of the level (the SBA correction)
    expect(
      pointForecasts(
        'croston-sba',
        range(20, () => 100),
        1,
      )![0],
    ).toBeCloseTo(95, 10);
  });
});

describe('classification (Syntetos–Boylan, ADI 1.32 and CV² 0.49)', () => {
  it('smooth, intermittent, lumpy, erratic, none', () => {
    expect(classifyDemand([5, 6, 5, 6, 5, 6])).toMatchObject({ category: 'smooth', intermittent: false, adi: 1 });
    const sparse = [0, 10, 0, 0, 11, 0, 0, 10, 0, 9];
    expect(classifyDemand(sparse)).toMatchObject({ category: 'intermittent', intermittent: true, adi: 2.5 });
    expect(classifyDemand([0, 1, 0, 0, 50, 0, 0, 2, 0, 90])).toMatchObject({ category: 'lumpy', intermittent: true });
    expect(classifyDemand([1, 50, 2, 90, 1, 70])).toMatchObject({ category: 'erratic', intermittent: false });
    expect(classifyDemand([0, 0, 0])).toMatchObject({ category: 'none', intermittent: true });
    // ADI exactly 1.32 is not intermittent; above is
    expect(classifyDemand([...range(33, () => 5), ...range(11, () => 0)]).intermittent).toBe(true); // 44/33 = 1.333
    expect(classifyDemand([...range(100, () => 5), ...range(32, () => 0)]).adi).toBeCloseTo(1.32, 10);
    expect(classifyDemand([...range(100, () => 5), ...range(32, () => 0)]).intermittent).toBe(false);
  });

  it('refuses negative and non-finite demand', () => {
    expect(() => checkHistory([1, -1])).toThrow(/week 1/);
    expect(() => forecastWithInterval('naive', [1, Number.POSITIVE_INFINITY], 1)).toThrow(RangeError);
  });
});

describe('empirical intervals (80%: 10th–90th percentile of the method’s own past errors)', () => {
  it('needs enough past errors; widens with the horizon; gives the running total its own interval', () => {
    expect(
      forecastWithInterval(
        'naive',
        range(10, () => 5),
        4,
      ),
    ).toBeNull(); // 2 past origins only
    const generated = generateDemandHistories({ seed: 5, seasonal: 1, intermittent: 0 })[0]!;
    const f = forecastWithInterval('croston-sba', generated.demand, 4)!;
    expect(f.level).toBe(0.8);
    expect(f.weeks).toHaveLength(4);
    expect(f.errorsUsed[0]).toBe(generated.demand.length - 8);
    const total = f.cumulative[3]!;
    expect(total.point).toBeCloseTo(
      f.weeks.reduce((a, b) => a + b.point, 0),
      9,
    );
    // the total's interval is narrower than the sum of the weekly ones (errors partly cancel)
    const summedWidth = f.weeks.reduce((a, b) => a + (b.high - b.low), 0);
    expect(total.high - total.low).toBeLessThan(summedWidth);
  });

  it('property: forecasts are never negative and low ≤ point ≤ high, for every method and horizon', () => {
    const historyArb = fc.array(
      fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 500 }), fc.double({ min: 0, max: 1e4, noNaN: true })),
      {
        minLength: 13,
        maxLength: 80,
      },
    );
    fc.assert(
      fc.property(historyArb, fc.constantFrom(...METHODS), fc.integer({ min: 1, max: 8 }), (history, method, h) => {
        const f = forecastWithInterval(method, history, h);
        if (f === null) return;
        for (const b of [...f.weeks, ...f.cumulative]) {
          expect(b.low).toBeGreaterThanOrEqual(0);
          expect(b.low).toBeLessThanOrEqual(b.point);
          expect(b.point).toBeLessThanOrEqual(b.high);
          expect(Number.isFinite(b.high)).toBe(true);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('contain the actual week at roughly their level on generated data (coverage reported)', () => {
    const ordinary = generateDemandHistories({ seed: 11, firstMonday: '2024-06-03' }); // held-out weeks Sep–Nov 2025
    const festive = generateDemandHistories({ seed: 11 }); // held-out weeks Jan–Mar 2026: Spring Festival, March uplift
    const rows: Record<string, number | null> = {};
    for (const [name, set] of [
      ['seasonal, ordinary weeks', ordinary.filter((s) => s.kind === 'seasonal')],
      ['intermittent', ordinary.filter((s) => s.kind === 'intermittent')],
      ['seasonal, festival and March weeks', festive.filter((s) => s.kind === 'seasonal')],
    ] as const) {
      const c = backtestDemand(set).coverage;
      expect(c.intervals).toBe(20 * 42);
      rows[name] = c.share;
    }
    console.log('80% interval coverage:', JSON.stringify(rows));
    expect(rows['seasonal, ordinary weeks']).toBeGreaterThan(0.7);
    expect(rows['seasonal, ordinary weeks']).toBeLessThan(0.9);
    expect(rows.intermittent).toBeGreaterThan(0.6);
    expect(rows.intermittent).toBeLessThan(0.95);
    // Honest limit: in the weeks of the moving Spring Festival and the March uplift the intervals, learnt from
    // ordinary weeks, hold the actual week much less often than 80%.
    expect(rows['seasonal, festival and March weeks']).toBeLessThan(rows['seasonal, ordinary weeks']!);
  });
});
