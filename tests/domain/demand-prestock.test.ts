import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { forecastWithInterval } from '../../domain/demand/methods';
import { type PrestockDecision, type PrestockSuggestion, prestockDecision } from '../../domain/demand/prestock';
import {
  type DemandOrder,
  monthWeekOf,
  type WeeklySeries,
  weeklyDemand,
  weekLabelOf,
  weekStarting,
  weeksAfter,
} from '../../domain/demand/weekly';

/** A strongly seasonal weekly series (yearly wave ±60%, 3% wiggle) so that seasonal naive is chosen. */
function wave(weeks: number): number[] {
  return Array.from({ length: weeks }, (_, t) =>
    Math.round(200 * (1 + 0.6 * Math.sin((2 * Math.PI * t) / 52)) * (1 + 0.03 * Math.sin(t * 12.9898))),
  );
}

/** History of `weeks` weeks ending with the week of 2026-02-23, so the coming weeks are Mar 2, 9, 16, 23. */
function series(demand: number[], material = 'PP-粒料'): WeeklySeries {
  const last = weekStarting('2026-02-23');
  const firstLabel = weekLabelOf(new Date(last.start.getTime() - (demand.length - 1) * 7 * 86_400_000));
  return { material, weeks: [firstLabel, ...weeksAfter(firstLabel, demand.length - 1)], demand };
}

/** Last year's March week 2 (index n + 1 − 52) was a surge of 2000: seasonal naive carries it to coming week 2. */
function surged(weeks = 78): number[] {
  const y = wave(weeks);
  y[weeks + 1 - 52] = 2000;
  return y;
}

const due = (s: string) => new Date(s);

function suggestion(d: PrestockDecision): PrestockSuggestion {
  if (d.kind !== 'suggest') throw new Error(`expected a suggestion, got none (${d.reason})`);
  return d.suggestion;
}

describe('pre-stocking suggestion', () => {
  it('suggests when a planted surge exceeds stock + supply by the margin, with the week and the interval', () => {
    const input = {
      series: series(surged()),
      stockOnHand: 500,
      openSupply: [
        { quantity: 300, due: due('2026-03-04T00:00:00+08:00') }, // week 1
        { quantity: 10_000, due: due('2026-04-20T00:00:00+08:00') }, // after the horizon: not counted
      ],
    };
    const s = suggestion(prestockDecision(input));
    expect(s.method).toBe('seasonal-naive');
    expect(s.week).toMatchObject({ isoWeek: '2026-W11', monday: '2026-03-09' });
    expect(monthWeekOf(s.week.monday)).toEqual({ month: 3, weekOfMonth: 2 });
    expect(s.weekIndex).toBe(2);
    expect(s.weekDemand.point).toBe(2000);
    expect(s).toMatchObject({ stockOnHand: 500, openSupply: 300, cover: 800, margin: 0.2, basis: 'point', level: 0.8 });
    expect(s.threshold).toBeCloseTo(960, 9);
    expect(s.demand.point).toBeGreaterThan(960);
    expect(s.demand.low).toBeLessThanOrEqual(s.demand.point);
    expect(s.demand.high).toBeGreaterThan(s.demand.low); // an interval, not a single number
    expect(s.peakWeek.week.monday).toBe('2026-03-09');
    expect(s.mase).not.toBeNull();
    expect(s.naiveMase).not.toBeNull();
    expect(s.seasonalCycles).toBe(1);
    expect(s.weeksOfHistory).toBe(78);
    // what the card layer can say from it
    const { month, weekOfMonth } = monthWeekOf(s.peakWeek.week.monday);
    const line = `预计${month}月第${weekOfMonth}周需求 ${Math.round(s.peakWeek.demand.low)}–${Math.round(s.peakWeek.demand.high)}件，现有库存+在途 ${s.cover}件`;
    expect(line).toMatch(/^预计3月第2周需求 \d+–\d+件，现有库存\+在途 800件$/);
  });

  it('says nothing when stock covers it, and nothing within the margin', () => {
    const y = surged();
    const covered = prestockDecision({ series: series(y), stockOnHand: 5000, openSupply: [] });
    expect(covered).toMatchObject({ kind: 'none', reason: 'covered', method: 'seasonal-naive', cover: 5000 });
    const total = forecastWithInterval('seasonal-naive', y, 4)!.cumulative;
    // cover just below each week's total, but within 20%: no suggestion; with no margin: a suggestion
    const cover = Math.max(...total.map((b) => b.point)) / 1.1;
    expect(prestockDecision({ series: series(y), stockOnHand: cover, openSupply: [] }).kind).toBe('none');
    expect(prestockDecision({ series: series(y), stockOnHand: cover, openSupply: [] }, { margin: 0 }).kind).toBe(
      'suggest',
    );
  });

  it('with basis "low" it fires only when even the interval’s low end exceeds the cover', () => {
    const y = surged();
    const through2 = forecastWithInterval('seasonal-naive', y, 4)!.cumulative[1]!;
    expect(through2.low).toBeLessThan(through2.point);
    const cover = (through2.low + through2.point) / 2 / 1.2;
    expect(prestockDecision({ series: series(y), stockOnHand: cover, openSupply: [] }).kind).toBe('suggest');
    const low = prestockDecision({ series: series(y), stockOnHand: cover, openSupply: [] }, { basis: 'low' });
    expect(low.kind === 'none' || low.suggestion.weekIndex > 2).toBe(true);
  });

  it('gives NONE with less than 52 weeks of history, whatever the surge', () => {
    const y = wave(51).map((v, i) => (i === 50 ? 100_000 : v));
    expect(prestockDecision({ series: series(y), stockOnHand: 0, openSupply: [] })).toEqual({
      kind: 'none',
      material: 'PP-粒料',
      reason: 'short-history',
      weeksOfHistory: 51,
    });
    // 52 weeks is enough to be considered (Croston-SBA, seasonal naive needs 52 + 12)
    const d = prestockDecision({ series: series(wave(52).map((v) => v * 10)), stockOnHand: 0, openSupply: [] });
    expect(suggestion(d).method).toBe('croston-sba');
  });

  it('end to end from orders: weekly demand, then the suggestion for the coming weeks', () => {
    const y = surged();
    const first = weekStarting('2024-09-02');
    const weeks = [first, ...weeksAfter(first, y.length - 1)];
    expect(weeks.at(-1)!.monday).toBe('2026-02-23');
    const orders: DemandOrder[] = weeks.flatMap((w, i) => [
      { material: 'PP-粒料', quantity: Math.floor(y[i]! / 2), createdAt: new Date(w.start.getTime() + 2 * 86_400_000) },
      {
        material: 'PP-粒料',
        quantity: y[i]! - Math.floor(y[i]! / 2),
        createdAt: new Date(w.start.getTime() + 6.99 * 86_400_000),
      },
    ]);
    orders.push({ material: 'PP-粒料', quantity: 99_999, createdAt: new Date('2026-03-02T07:00:00+08:00') }); // this week
    const [history] = weeklyDemand(orders, { now: new Date('2026-03-02T08:00:00+08:00') });
    expect(history!.demand).toEqual(y);
    const s = suggestion(prestockDecision({ series: history!, stockOnHand: 600, openSupply: [] }));
    expect(s.week.monday).toBe('2026-03-09');
    expect(s.material).toBe('PP-粒料');
  });

  it('refuses bad input', () => {
    const base = { series: series(surged()), stockOnHand: 100, openSupply: [] };
    expect(() => prestockDecision({ ...base, stockOnHand: Number.NaN })).toThrow(/stockOnHand/);
    expect(() =>
      prestockDecision({ ...base, openSupply: [{ quantity: -5, due: due('2026-03-04T00:00:00Z') }] }),
    ).toThrow(/quantity/);
    expect(() => prestockDecision({ ...base, openSupply: [{ quantity: 5, due: due('x') }] })).toThrow(/due/);
    expect(() => prestockDecision(base, { margin: -0.1 })).toThrow(/margin/);
    expect(() => prestockDecision(base, { horizonWeeks: 0 })).toThrow(/horizonWeeks/);
    expect(() => prestockDecision({ ...base, series: { ...base.series, demand: [1, 2] } })).toThrow(/weeks/);
  });

  it('property: a suggestion always carries an interval around its point and exceeds the threshold; more stock never creates one', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 52, max: 90 }),
        fc.integer({ min: 0, max: 3000 }),
        fc.integer({ min: 0, max: 2000 }),
        fc.integer({ min: 1, max: 6 }),
        (weeks, stock, extra, horizonWeeks) => {
          const s = series(wave(weeks));
          const d = prestockDecision({ series: s, stockOnHand: stock, openSupply: [] }, { horizonWeeks });
          const more = prestockDecision({ series: s, stockOnHand: stock + extra, openSupply: [] }, { horizonWeeks });
          if (d.kind === 'none') expect(more.kind).toBe('none');
          if (d.kind === 'suggest') {
            const x = d.suggestion;
            expect(x.demand.low).toBeLessThanOrEqual(x.demand.point);
            expect(x.demand.point).toBeLessThanOrEqual(x.demand.high);
            expect(x.demand.point).toBeGreaterThan(x.threshold);
            expect(x.weekIndex).toBeLessThanOrEqual(horizonWeeks);
          }
        },
      ),
      { numRuns: 40 },
    );
  });
});
