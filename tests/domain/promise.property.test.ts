import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addWorkingDays,
  earliestDelivery,
  earliestForOrder,
  isWorkingDay,
  type PromiseArgs,
  type PromiseResult,
} from '../../domain/promise';

const DAY_MS = 86_400_000;
const addDays = (date: string, n: number) =>
  new Date(Date.parse(`${date}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);

/** Orders infeasible results after every date. */
const rank = (r: PromiseResult) => (r.feasible ? r.date : '9999-12-31');

const argsArb: fc.Arbitrary<PromiseArgs> = fc
  .record({
    todayOffset: fc.integer({ min: 0, max: 700 }),
    quantity: fc.integer({ min: 1, max: 4000 }).map((n) => n / 4),
    onHand: fc.integer({ min: 0, max: 600 }),
    reserved: fc.integer({ min: 0, max: 600 }),
    purchaseLeadDays: fc.integer({ min: 0, max: 40 }),
    hasLine: fc.integer({ min: 0, max: 19 }).map((n) => n > 0),
    capacity: fc.integer({ min: 1, max: 200 }),
    loads: fc.array(
      fc.record({
        from: fc.integer({ min: -10, max: 60 }),
        len: fc.integer({ min: 0, max: 25 }),
        pct: fc.integer({ min: 0, max: 100 }),
      }),
      { maxLength: 4 },
    ),
    reservations: fc.array(fc.record({ at: fc.integer({ min: -5, max: 60 }), qty: fc.integer({ min: 0, max: 200 }) }), {
      maxLength: 6,
    }),
    mould: fc.option(fc.option(fc.integer({ min: -10, max: 60 }), { nil: null }), { nil: undefined }),
    weekendDays: fc.constantFrom([0, 6], [0], []),
    holidays: fc.uniqueArray(fc.integer({ min: 0, max: 90 }), { maxLength: 8 }),
    makeUps: fc.uniqueArray(fc.integer({ min: 0, max: 90 }), { maxLength: 3 }),
    pickPackDays: fc.integer({ min: 0, max: 5 }),
    transitDays: fc.integer({ min: 0, max: 10 }),
    horizonDays: fc.integer({ min: 30, max: 200 }),
    expediteLeadCutDays: fc.integer({ min: 0, max: 10 }),
  })
  .map((g) => {
    const today = addDays('2025-01-01', g.todayOffset);
    return {
      today,
      quantity: g.quantity,
      state: {
        stock: { onHand: g.onHand, reserved: g.reserved },
        material: { code: 'M', purchaseLeadDays: g.purchaseLeadDays },
        line: g.hasLine
          ? {
              id: 'A',
              capacityPerDay: g.capacity,
              load: g.loads.map((l) => ({
                from: addDays(today, l.from),
                to: addDays(today, l.from + l.len),
                load: l.pct / 100,
              })),
              reservations: g.reservations.map((r) => ({ date: addDays(today, r.at), quantity: r.qty })),
            }
          : null,
        mould:
          g.mould === undefined ? null : { id: '#1', availableFrom: g.mould === null ? null : addDays(today, g.mould) },
      },
      calendar: {
        weekendDays: g.weekendDays,
        holidays: g.holidays.map((d) => addDays(today, d)),
        makeUpWorkdays: g.makeUps.map((d) => addDays(today, d)),
      },
      rules: {
        pickPackDays: g.pickPackDays,
        transitDays: g.transitDays,
        horizonDays: g.horizonDays,
        expediteLeadCutDays: g.expediteLeadCutDays,
      },
      expedite: false,
    };
  });

const withLine = (
  a: PromiseArgs,
  f: (line: NonNullable<PromiseArgs['state']['line']>) => Partial<NonNullable<PromiseArgs['state']['line']>>,
): PromiseArgs => (a.state.line ? { ...a, state: { ...a.state, line: { ...a.state.line, ...f(a.state.line) } } } : a);

/** Free capacity by the rule in index.ts, computed independently of the engine. */
function freeOn(a: PromiseArgs, date: string): number {
  const line = a.state.line;
  if (!line) return 0;
  const load = a.expedite
    ? 0
    : Math.max(
        0,
        ...line.load.filter((p) => p.from <= date && date <= p.to).map((p) => Math.min(1, Math.max(0, p.load))),
      );
  const reserved = line.reservations.filter((r) => r.date === date).reduce((s, r) => s + r.quantity, 0);
  return Math.max(0, line.capacityPerDay * (1 - load) - reserved);
}

describe('earliest delivery properties', () => {
  it('never promises before any constraint allows', () => {
    fc.assert(
      fc.property(argsArb, fc.boolean(), (base, expedite) => {
        const a = { ...base, expedite };
        const r = earliestDelivery(a);
        if (!r.feasible) return;
        const { today, rules, state } = a;
        expect(r.date >= addDays(addWorkingDays(today, rules.pickPackDays, a.calendar), rules.transitDays)).toBe(true);
        if (r.source === 'stock') return;
        const lead = Math.max(0, state.material.purchaseLeadDays - (expedite ? (rules.expediteLeadCutDays ?? 0) : 0));
        expect(r.start > today).toBe(true);
        expect(r.start >= addDays(today, lead)).toBe(true);
        if (state.mould?.availableFrom) expect(r.start >= state.mould.availableFrom).toBe(true);
        expect(r.finish >= r.start).toBe(true);
        expect(r.date).toBe(addDays(addWorkingDays(r.finish, rules.pickPackDays, a.calendar), rules.transitDays));
        for (const c of r.constraints) {
          if (c.kind === 'mould') expect(r.date >= c.availableFrom).toBe(true);
          if (c.kind === 'purchase-lead') expect(r.date >= c.readyFrom).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('reserves exactly the quantity, on working days, within free capacity', () => {
    fc.assert(
      fc.property(argsArb, fc.boolean(), (base, expedite) => {
        const a = { ...base, expedite };
        const r = earliestDelivery(a);
        if (!r.feasible) return;
        if (r.source === 'stock') {
          expect(r.reserve.stock).toBe(a.quantity);
          expect(a.state.stock.onHand - a.state.stock.reserved).toBeGreaterThanOrEqual(a.quantity);
          return;
        }
        const days = r.reserve.days;
        expect(Math.abs(days.reduce((s, d) => s + d.quantity, 0) - a.quantity)).toBeLessThan(1e-6);
        expect(days[0]?.date).toBeDefined();
        expect(days.at(-1)?.date).toBe(r.finish);
        days.forEach((d, i) => {
          expect(isWorkingDay(d.date, a.calendar)).toBe(true);
          expect(d.date >= r.start).toBe(true);
          if (i > 0) expect(d.date > days[i - 1]!.date).toBe(true);
          expect(d.quantity).toBeGreaterThan(0);
          expect(d.quantity).toBeLessThanOrEqual(freeOn(a, d.date) + 1e-9);
        });
      }),
      { numRuns: 300 },
    );
  });

  it('lists binding constraints first among all those considered', () => {
    fc.assert(
      fc.property(argsArb, (a) => {
        const r = earliestDelivery(a);
        if (r.feasible) expect(r.constraints.slice(0, r.binding.length)).toEqual(r.binding);
      }),
    );
  });

  it('more stock never makes it later', () => {
    fc.assert(
      fc.property(argsArb, fc.integer({ min: 0, max: 600 }), (a, more) => {
        const richer = {
          ...a,
          state: { ...a.state, stock: { ...a.state.stock, onHand: a.state.stock.onHand + more } },
        };
        expect(rank(earliestDelivery(richer)) <= rank(earliestDelivery(a))).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('more load never makes it earlier', () => {
    fc.assert(
      fc.property(
        argsArb,
        fc.integer({ min: 0, max: 100 }),
        fc.integer({ min: -5, max: 60 }),
        fc.integer({ min: 0, max: 30 }),
        (a, pct, from, len) => {
          const busier = withLine(a, (line) => ({
            load: [
              ...line.load.map((p) => ({ ...p, load: Math.min(1, p.load + pct / 200) })),
              { from: addDays(a.today, from), to: addDays(a.today, from + len), load: pct / 100 },
            ],
          }));
          expect(rank(earliestDelivery(busier)) >= rank(earliestDelivery(a))).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('more reservations never make it earlier', () => {
    fc.assert(
      fc.property(
        argsArb,
        fc.array(fc.record({ at: fc.integer({ min: 0, max: 60 }), qty: fc.integer({ min: 0, max: 150 }) }), {
          minLength: 1,
          maxLength: 5,
        }),
        (a, extra) => {
          const busier = withLine(a, (line) => ({
            reservations: [
              ...line.reservations,
              ...extra.map((e) => ({ date: addDays(a.today, e.at), quantity: e.qty })),
            ],
          }));
          expect(rank(earliestDelivery(busier)) >= rank(earliestDelivery(a))).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('expedite never makes it later', () => {
    fc.assert(
      fc.property(argsArb, (a) => {
        expect(rank(earliestDelivery({ ...a, expedite: true })) <= rank(earliestDelivery(a))).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('a larger quantity never makes it earlier', () => {
    fc.assert(
      fc.property(
        argsArb,
        fc.integer({ min: 0, max: 2000 }).map((n) => n / 4),
        (a, more) => {
          expect(rank(earliestDelivery({ ...a, quantity: a.quantity + more })) >= rank(earliestDelivery(a))).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('is deterministic and leaves its input untouched', () => {
    fc.assert(
      fc.property(argsArb, fc.boolean(), (base, expedite) => {
        const a = { ...base, expedite };
        const copy = structuredClone(a);
        const first = earliestDelivery(a);
        expect(earliestDelivery(copy)).toEqual(first);
        expect(a).toEqual(copy);
      }),
      { numRuns: 100 },
    );
  });

  it('items of one order never overbook shared stock or line capacity', () => {
    fc.assert(
      fc.property(
        argsArb,
        fc.array(
          fc.integer({ min: 1, max: 800 }).map((n) => n / 4),
          { minLength: 1, maxLength: 4 },
        ),
        (a, quantities) => {
          const order = earliestForOrder({ ...a, items: quantities.map((quantity) => ({ quantity, state: a.state })) });
          const fromStock = order.items.reduce(
            (s, r) => s + (r.feasible && r.source === 'stock' ? r.reserve.stock : 0),
            0,
          );
          expect(fromStock).toBeLessThanOrEqual(Math.max(0, a.state.stock.onHand - a.state.stock.reserved) + 1e-9);
          const perDay = new Map<string, number>();
          for (const r of order.items) {
            if (r.feasible && r.source === 'production')
              for (const d of r.reserve.days) perDay.set(d.date, (perDay.get(d.date) ?? 0) + d.quantity);
          }
          for (const [date, q] of perDay) expect(q).toBeLessThanOrEqual(freeOn(a, date) + 1e-6);
          if (order.feasible)
            expect(order.date).toBe(
              order.items
                .map((r) => r.date)
                .sort()
                .at(-1),
            );
        },
      ),
      { numRuns: 200 },
    );
  });
});
