import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type DemandOrder,
  monthWeekOf,
  weekLabelOf,
  weeklyDemand,
  weekStarting,
  weeksAfter,
} from '../../domain/demand/weekly';

const at = (s: string) => new Date(s);
const order = (material: string, quantity: number, createdAt: string): DemandOrder => ({
  material,
  quantity,
  createdAt: at(createdAt),
});

describe('weekly demand per material', () => {
  it('counts Sunday 23:59:59 China time in the week that started on Monday, and Monday 00:00 in the next one', () => {
    const orders = [
      order('PP-01', 10, '2026-03-02T00:00:00+08:00'), // Monday 00:00, W10
      order('PP-01', 5, '2026-03-08T23:59:59+08:00'), // Sunday 23:59:59 China = 15:59:59Z, still W10
      order('PP-01', 7, '2026-03-09T00:00:00+08:00'), // Monday 00:00 China = Sunday 16:00Z, W11
      order('PP-01', 1, '2026-03-01T23:59:59+08:00'), // the Sunday before, W09
    ];
    const [series] = weeklyDemand(orders, { now: at('2026-03-18T09:00:00+08:00') });
    expect(series!.weeks.map((w) => w.isoWeek)).toEqual(['2026-W09', '2026-W10', '2026-W11']);
    expect(series!.weeks.map((w) => w.monday)).toEqual(['2026-02-23', '2026-03-02', '2026-03-09']);
    expect(series!.demand).toEqual([1, 15, 7]);
    expect(series!.weeks[1]!.start.toISOString()).toBe('2026-03-01T16:00:00.000Z');
  });

  it('labels the year end with the ISO week-year: 2027-01-03 is 2026-W53, 2024-12-30 is 2025-W01', () => {
    expect(weekLabelOf(at('2027-01-03T23:59:59+08:00'))).toMatchObject({ isoWeek: '2026-W53', monday: '2026-12-28' });
    expect(weekLabelOf(at('2027-01-04T00:00:00+08:00'))).toMatchObject({ isoWeek: '2027-W01', monday: '2027-01-04' });
    expect(weekLabelOf(at('2024-12-31T12:00:00+08:00'))).toMatchObject({ isoWeek: '2025-W01', monday: '2024-12-30' });
    const [series] = weeklyDemand(
      [
        order('A', 3, '2026-12-21T08:00:00+08:00'),
        order('A', 4, '2027-01-03T23:59:59+08:00'),
        order('A', 100, '2027-01-05T08:00:00+08:00'), // the current week: left out
      ],
      { now: at('2027-01-06T10:00:00+08:00') },
    );
    expect(series!.weeks.map((w) => w.isoWeek)).toEqual(['2026-W52', '2026-W53']);
    expect(series!.demand).toEqual([3, 4]);
  });

  it('zero-fills the weeks without orders, up to the last complete week, one series per material', () => {
    const series = weeklyDemand(
      [order('B', 2, '2026-01-07T10:00:00+08:00'), order('A', 1, '2026-01-14T10:00:00+08:00')],
      { now: at('2026-02-02T00:00:00+08:00') }, // a Monday at midnight: the week of 01-26 is complete
    );
    expect(series.map((s) => s.material)).toEqual(['A', 'B']);
    expect(series[0]!.demand).toEqual([1, 0, 0]);
    expect(series[1]!.demand).toEqual([2, 0, 0, 0]);
    expect(series[1]!.weeks.at(-1)!.monday).toBe('2026-01-26');
  });

  it('starts every series at firstWeek when given, leaving earlier orders out', () => {
    const [series] = weeklyDemand(
      [order('A', 9, '2025-12-30T10:00:00+08:00'), order('A', 2, '2026-01-21T10:00:00+08:00')],
      { now: at('2026-01-28T10:00:00+08:00'), firstWeek: at('2026-01-08T00:00:00+08:00') },
    );
    expect(series!.weeks[0]!.monday).toBe('2026-01-05');
    expect(series!.demand).toEqual([0, 0, 2]);
  });

  it('refuses a negative or non-finite quantity and an invalid date, returning nothing', () => {
    const now = at('2026-03-01T00:00:00+08:00');
    expect(() => weeklyDemand([order('A', -1, '2026-01-01T00:00:00Z')], { now })).toThrow(/quantity/);
    expect(() => weeklyDemand([order('A', Number.NaN, '2026-01-01T00:00:00Z')], { now })).toThrow(/quantity/);
    expect(() => weeklyDemand([order('A', 1, 'not a date')], { now })).toThrow(/createdAt/);
    expect(() => weeklyDemand([], { now: at('x') })).toThrow(/now/);
  });

  it('week helpers: weekStarting refuses a non-Monday; weeksAfter continues across W53; monthWeekOf counts Mondays', () => {
    expect(() => weekStarting('2026-03-10')).toThrow(/not a Monday/);
    expect(weeksAfter(weekStarting('2026-12-21'), 3).map((w) => w.isoWeek)).toEqual([
      '2026-W53',
      '2027-W01',
      '2027-W02',
    ]);
    expect(monthWeekOf('2026-03-09')).toEqual({ month: 3, weekOfMonth: 2 });
    expect(monthWeekOf('2026-03-02')).toEqual({ month: 3, weekOfMonth: 1 });
    expect(monthWeekOf('2026-03-30')).toEqual({ month: 3, weekOfMonth: 5 });
  });

  it('property: total demand is kept, each order lands in the week containing it, weeks are consecutive Mondays', () => {
    const NOW = Date.parse('2026-06-01T00:00:00+08:00');
    const ordersArb = fc.array(
      fc.record({
        material: fc.constantFrom('A', 'B', 'C'),
        quantity: fc.integer({ min: 0, max: 1000 }),
        minutesBefore: fc.integer({ min: 1, max: 60 * 24 * 200 }),
      }),
      { maxLength: 40 },
    );
    fc.assert(
      fc.property(ordersArb, (raw) => {
        const orders = raw.map((o) => ({
          material: o.material,
          quantity: o.quantity,
          createdAt: new Date(NOW - o.minutesBefore * 60_000),
        }));
        const series = weeklyDemand(orders, { now: new Date(NOW) });
        for (const s of series) {
          const expected = orders.filter((o) => o.material === s.material).reduce((a, o) => a + o.quantity, 0);
          expect(s.demand.reduce((a, b) => a + b, 0)).toBe(expected);
          s.weeks.forEach((w, i) => {
            if (i > 0) expect(w.start.getTime() - s.weeks[i - 1]!.start.getTime()).toBe(7 * 86_400_000);
            expect(new Date(w.start.getTime() + 8 * 3600_000).getUTCDay()).toBe(1);
          });
          for (const o of orders.filter((x) => x.material === s.material)) {
            const i = s.weeks.findIndex((w) => w.isoWeek === weekLabelOf(o.createdAt).isoWeek);
            expect(i).toBeGreaterThanOrEqual(0);
            expect(s.demand[i]).toBeGreaterThanOrEqual(o.quantity);
          }
        }
      }),
      { numRuns: 100 },
    );
  });
});
