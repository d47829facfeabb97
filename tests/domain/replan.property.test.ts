import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileCalendar, toDay } from '../../domain/promise/calendar';
import { lineDays } from '../../domain/promise/line';
import type { LoadPeriod, PromiseRules, WorkCalendar } from '../../domain/promise/types';
import {
  type Hold,
  holdsOf,
  type PlanLine,
  type PlanMaterial,
  type PlanOrder,
  type ReplanInput,
  replan,
  splitPlan,
} from '../../domain/repromise/replan';
import { earliestDelivery } from '../../domain/promise';

const TODAY = '2026-03-02';
const day = (n: number) => new Date(Date.parse(`${TODAY}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
const RULES: PromiseRules = { pickPackDays: 1, transitDays: 2, horizonDays: 60 };

type Op =
  | { kind: 'confirm'; material: number; quantity: number; promisedIn: number }
  | { kind: 'mould'; mould: number; backIn: number | null }
  | { kind: 'stock'; material: number; onHand: number }
  | { kind: 'load'; line: number; from: number; len: number; load: number }
  | { kind: 'holiday'; at: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('confirm' as const),
      material: fc.nat(3),
      quantity: fc.integer({ min: 1, max: 120 }),
      promisedIn: fc.integer({ min: 3, max: 40 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('mould' as const),
      mould: fc.nat(1),
      backIn: fc.option(fc.integer({ min: 0, max: 20 }), { nil: null }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('stock' as const), material: fc.nat(3), onHand: fc.nat(150) }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('load' as const),
      line: fc.nat(1),
      from: fc.nat(20),
      len: fc.nat(15),
      load: fc.integer({ min: 0, max: 100 }).map((n) => n / 100),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('holiday' as const), at: fc.integer({ min: 1, max: 30 }) }) },
);

/** The plant and its confirmed orders, changed by one operation after another as the product would. */
class World {
  calendar: WorkCalendar = { holidays: [], makeUpWorkdays: [] };
  lines = new Map<string, PlanLine>([
    ['A', { id: 'A', capacityPerDay: 50, load: [] }],
    ['B', { id: 'B', capacityPerDay: 37, load: [] }],
  ]);
  moulds = new Map<string, string | null>([
    ['M1', null],
    ['M2', null],
  ]);
  onHand = new Map<string, number>([
    ['P0', 100],
    ['P1', 0],
    ['P2', 40],
    ['P3', 0],
  ]);
  orders: PlanOrder[] = [];

  materials(): Map<string, PlanMaterial> {
    const spec: Array<[string, string, string]> = [
      ['P0', 'A', 'M1'],
      ['P1', 'A', 'M2'],
      ['P2', 'B', 'M1'],
      ['P3', 'B', 'M2'],
    ];
    return new Map(
      spec.map(([code, line, mould]) => [
        code,
        { code, purchaseLeadDays: 0, line, mould: { id: mould, availableFrom: this.moulds.get(mould) ?? null } },
      ]),
    );
  }

  input(orders: PlanOrder[], fixed: Hold[] = []): ReplanInput {
    return {
      today: TODAY,
      calendar: this.calendar,
      rules: RULES,
      materials: this.materials(),
      lines: this.lines,
      onHand: this.onHand,
      fixed,
      orders,
    };
  }

  /** A confirmation as reserveForOrder makes it: the engine against what every order holds. */
  confirm(code: string, quantity: number, promisedIn: number) {
    const input = this.input([]);
    const taken = this.orders.flatMap((o) => o.holds);
    const reserved = taken
      .filter((h) => h.kind === 'stock' && h.materialCode === code)
      .reduce((n, h) => n + h.quantity, 0);
    const material = input.materials.get(code)!;
    const line = this.lines.get(material.line!)!;
    const result = earliestDelivery({
      today: TODAY,
      quantity,
      calendar: this.calendar,
      rules: RULES,
      state: {
        stock: { onHand: this.onHand.get(code) ?? 0, reserved },
        material: { code, purchaseLeadDays: 0 },
        line: {
          ...line,
          reservations: taken
            .filter((h) => h.kind === 'production' && h.line === line.id)
            .map((h) => ({ date: h.day!, quantity: h.quantity })),
        },
        mould: material.mould,
      },
    });
    if (!result.feasible) return;
    this.orders.push({
      id: this.orders.length + 1,
      promisedDate: result.date > day(promisedIn) ? result.date : day(promisedIn),
      items: [{ lineNo: 1, materialCode: code, quantity }],
      holds: holdsOf(code, result),
    });
  }

  change(op: Exclude<Op, { kind: 'confirm' }>) {
    if (op.kind === 'mould') this.moulds.set(`M${op.mould + 1}`, op.backIn === null ? null : day(op.backIn));
    if (op.kind === 'stock') this.onHand.set(`P${op.material}`, op.onHand);
    if (op.kind === 'load') {
      const line = this.lines.get(op.line === 0 ? 'A' : 'B')!;
      const period: LoadPeriod = { from: day(op.from), to: day(op.from + op.len), load: op.load };
      this.lines.set(line.id, { ...line, load: [...line.load, period] });
    }
    if (op.kind === 'holiday') this.calendar = { ...this.calendar, holidays: [...this.calendar.holidays, day(op.at)] };
    const result = replan(this.input(this.orders));
    for (const moved of result.moved) this.orders.find((o) => o.id === moved.orderId)!.holds = moved.holds;
    for (const moved of result.moved.filter((m) => m.split)) {
      // A split offer holds against everything else held: what taking it would hold double-counts nothing.
      const order = this.orders.find((o) => o.id === moved.orderId)!;
      const others = this.orders.filter((o) => o !== order).flatMap((o) => o.holds);
      const plan = splitPlan(this.input([], others), { ...order, holds: [] });
      expect(plan, 'the split offered can be taken').not.toBeNull();
      this.assertNoDoubleCounting([...others, ...plan!.nowHolds, ...plan!.restHolds]);
    }
    expect(new Set([...result.kept, ...result.moved.map((m) => m.orderId)]).size).toBe(this.orders.length);
  }

  assertNoDoubleCounting(holds = this.orders.flatMap((o) => o.holds)) {
    const stock = new Map<string, number>();
    const days = new Map<string, number>();
    for (const h of holds) {
      if (h.kind === 'stock') stock.set(h.materialCode, (stock.get(h.materialCode) ?? 0) + h.quantity);
      else days.set(`${h.line}|${h.day}`, (days.get(`${h.line}|${h.day}`) ?? 0) + h.quantity);
    }
    for (const [code, taken] of stock)
      expect(taken, `stock of ${code}`).toBeLessThanOrEqual(this.onHand.get(code) ?? 0);
    const cal = compileCalendar(this.calendar);
    for (const [key, taken] of days) {
      const [id, date] = key.split('|') as [string, string];
      const line = this.lines.get(id)!;
      const offered = lineDays({ ...line, reservations: [] }).freeMilli(toDay(date), false) / 1000;
      expect(cal.isWorking(toDay(date)), `${key} is worked`).toBe(true);
      // Day quantities are whole pieces: a day may be over by the rounding of less than one piece.
      expect(taken, `line ${key}`).toBeLessThan(offered + 1);
    }
    const materials = this.materials();
    for (const h of holds) {
      const back = h.kind === 'production' ? materials.get(h.materialCode)!.mould?.availableFrom : null;
      if (back) expect(h.day! >= back, `${h.materialCode} on ${h.day} before its mould is back ${back}`).toBe(true);
    }
  }
}

const neverDoubleCounts = fc.property(fc.array(opArb, { minLength: 1, maxLength: 25 }), (ops) => {
  const world = new World();
  for (const op of ops) {
    if (op.kind === 'confirm') world.confirm(`P${op.material}`, op.quantity, op.promisedIn);
    else world.change(op);
    world.assertNoDoubleCounting();
  }
});

describe('re-plan after plant changes', () => {
  it('never lets two confirmed orders count on the same stock or the same day of a line', () => {
    fc.assert(neverDoubleCounts, { numRuns: 300 });
  });

  // Found by the property above: a split offered to a late order before a later order was re-promised counted on
  // capacity that order then took. Offers are now worked out against what all the others hold in the end.
  it('a late order whose need a later re-planned order took is offered no split it cannot take', () => {
    fc.assert(
      fc.property(
        fc.constant([
          { kind: 'confirm', material: 2, quantity: 50, promisedIn: 3 },
          { kind: 'confirm', material: 3, quantity: 62, promisedIn: 3 },
          { kind: 'confirm', material: 2, quantity: 41, promisedIn: 3 },
          { kind: 'load', line: 1, from: 0, len: 4, load: 0.66 },
        ] as const),
        (ops) => {
          const world = new World();
          for (const op of ops) {
            if (op.kind === 'confirm') world.confirm(`P${op.material}`, op.quantity, op.promisedIn);
            else world.change(op as Parameters<World['change']>[0]);
            world.assertNoDoubleCounting();
          }
        },
      ),
      { numRuns: 1 },
    );
  });

  it('keeps orders whose holds still hold untouched, and moves only what a change broke', () => {
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 1, maxLength: 15 }), (ops) => {
        const world = new World();
        for (const op of ops) if (op.kind === 'confirm') world.confirm(`P${op.material}`, op.quantity, op.promisedIn);
        // Nothing changed: a re-check keeps every order as it is.
        const result = replan(world.input(world.orders));
        expect(result.moved).toEqual([]);
        expect(result.kept).toEqual(world.orders.map((o) => o.id));
      }),
      { numRuns: 200 },
    );
  });
});
