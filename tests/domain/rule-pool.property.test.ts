import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ChannelOrder, PlatformDiscount } from '../../domain/channels/order';
import { compileRulePool } from '../../domain/channels/rule-pool';
import { type ChannelRule, evaluateRules } from '../../domain/channels/rules';

const SKUS = ['A', 'B', 'C', 'D'];
const CODES = ['R1', 'R2', 'R3', 'R4', 'R5', 'R6', 'R7', 'R8'];
const SHOPS = ['S1', 'S2', 'S3'];

const discountArb: fc.Arbitrary<PlatformDiscount> = fc.record({
  ref: fc.constantFrom('coupon:23:1', 'coupon:21:2', 'campaign:110:3', 'mjs-1_2'),
  amountFen: fc.integer({ min: 0, max: 20000 }),
  fundedBy: fc.constantFrom('shop', 'platform', 'talent'),
});

const orderArb: fc.Arbitrary<ChannelOrder> = fc.record({
  channel: fc.constantFrom('douyin', 'douyin', 'taobao', 'jd'),
  shop: fc.constantFrom(...SHOPS, 'S-unknown'),
  orderId: fc.constant('O1'),
  buyerKey: fc.constant('B1'),
  // around the window edges 2026-01-31 00:00:00 and 23:59:59 China time
  createdAt: fc.constantFrom(
    '2026-01-15T00:00:00Z',
    '2026-01-30T15:59:59.999Z',
    '2026-01-30T16:00:00Z',
    '2026-01-31T15:59:58Z',
    '2026-01-31T15:59:59Z',
    '2026-01-31T16:00:00Z',
  ),
  paidAt: fc.constantFrom(null, '2026-01-15T00:00:00Z', '2026-01-31T15:59:59Z', '2026-01-31T16:00:00Z'),
  lines: fc.array(
    fc.record({
      sku: fc.constantFrom(...SKUS),
      quantity: fc.integer({ min: 1, max: 5 }),
      unitPriceFen: fc.oneof(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 50000 })),
      discounts: fc.array(discountArb, { maxLength: 2 }),
    }),
    { minLength: 0, maxLength: 5 },
  ),
  discounts: fc.array(discountArb, { maxLength: 2 }),
  totals: fc.record({ freightFen: fc.integer({ min: 0, max: 2000 }), paidFen: fc.constant(0) }),
});

const ruleArb = (code: string, version: number): fc.Arbitrary<ChannelRule> =>
  fc.record({
    code: fc.constant(code),
    version: fc.constant(version),
    label: fc.constant(`已应用${code}`),
    channel: fc.constantFrom('douyin', 'douyin', 'taobao', 'jd'),
    shop: fc.constantFrom(null, null, ...SHOPS),
    skuScope: fc.record({ include: fc.subarray(SKUS), exclude: fc.subarray(SKUS, { maxLength: 2 }) }),
    conditions: fc.record(
      { minSubtotalFen: fc.integer({ min: 0, max: 60000 }), minQuantity: fc.integer({ min: 1, max: 4 }) },
      { requiredKeys: [] },
    ),
    benefit: fc.oneof(
      fc.record({ type: fc.constant('fixed_off' as const), amountFen: fc.integer({ min: 0, max: 40000 }) }),
      fc.record({ type: fc.constant('percent_off' as const), basisPoints: fc.integer({ min: 0, max: 10000 }) }),
      fc.record({ type: fc.constant('gift' as const), sku: fc.constantFrom(...SKUS), quantity: fc.constant(1) }),
      fc.record({ type: fc.constant('points' as const), points: fc.integer({ min: 0, max: 500 }) }),
    ),
    target: fc.constantFrom('item', 'order'),
    allocation: fc.constantFrom('across', 'each'),
    priority: fc.integer({ min: 0, max: 3 }),
    stackGroup: fc.constantFrom(null, null, 'g1', 'g2'),
    combinesWith: fc.record({ item: fc.boolean(), order: fc.boolean() }),
    exclusiveWith: fc.subarray(CODES, { maxLength: 3 }),
    stopFurther: fc.boolean(),
    window: fc.record({
      from: fc.constantFrom('2026-01-01 00:00:00', '2026-01-31 00:00:00'),
      to: fc.constantFrom('2026-02-01 00:00:00', '2026-01-31 23:59:59'),
      basis: fc.constantFrom('pay', 'create'),
    }),
    fundedBy: fc.constantFrom('shop', 'shop', 'platform', 'talent'),
    platformRef: fc.constantFrom(null, 'coupon:23', 'mjs-'),
  });

const rulesArb: fc.Arbitrary<ChannelRule[]> = fc
  .uniqueArray(fc.record({ code: fc.constantFrom(...CODES), version: fc.integer({ min: 1, max: 3 }) }), {
    selector: (k) => `${k.code}@${k.version}`,
    maxLength: 14,
  })
  .chain((keys) => fc.tuple(...keys.map((k) => ruleArb(k.code, k.version))) as fc.Arbitrary<ChannelRule[]>);

const runs = { numRuns: 500 };
const key = (r: { code: string; version: number }) => `${r.code}@${r.version}`;

describe('compiled rule pool', () => {
  it('gives exactly evaluateRules for every order (several orders against one compiled pool)', () => {
    fc.assert(
      fc.property(rulesArb, fc.array(orderArb, { minLength: 1, maxLength: 6 }), (rules, orders) => {
        const pool = compileRulePool(rules);
        for (const order of orders) expect(pool.evaluate(order)).toEqual(evaluateRules(order, rules));
      }),
      runs,
    );
  });

  it('the issue properties hold for the pool: sums, never below zero, exclusion, stack groups, stop further', () => {
    fc.assert(
      fc.property(orderArb, rulesArb, (order, rules) => {
        const res = compileRulePool(rules).evaluate(order);
        expect(res.applied.length + res.skipped.length).toBe(rules.length);
        const byKey = new Map(rules.map((r) => [key(r), r]));
        const goods = order.lines.reduce((s, l) => s + l.quantity * l.unitPriceFen, 0);
        for (const a of res.applied) {
          expect(a.lines.reduce((s, l) => s + l.amountFen, 0)).toBe(a.amountFen);
          for (const l of a.lines) expect(l.amountFen).toBeGreaterThanOrEqual(0);
        }
        for (const sku of SKUS) {
          // the discounts on a sku never exceed that sku's amount: no line below zero
          const base = order.lines.filter((l) => l.sku === sku).reduce((s, l) => s + l.quantity * l.unitPriceFen, 0);
          const off = res.applied
            .flatMap((a) => a.lines.filter((l) => l.sku === sku))
            .reduce((s, l) => s + l.amountFen, 0);
          expect(off).toBeLessThanOrEqual(base);
        }
        expect(res.applied.reduce((s, a) => s + a.amountFen, 0)).toBeLessThanOrEqual(goods);
        expect(res.expectedInvoiceFen).toBeGreaterThanOrEqual(0);
        const applied = res.applied.map((a) => byKey.get(key(a))!);
        for (const a of applied) {
          for (const b of applied) {
            if (a === b) continue;
            expect(a.exclusiveWith.includes(b.code) || b.exclusiveWith.includes(a.code)).toBe(false);
            if (a.stackGroup !== null) expect(a.stackGroup).not.toBe(b.stackGroup);
          }
        }
        const stop = applied.findIndex((r) => r.stopFurther);
        if (stop >= 0) {
          expect(stop).toBe(applied.length - 1);
          const stopper = applied[stop]!;
          for (const s of res.skipped) {
            const r = byKey.get(key(s))!;
            const later =
              r.priority > stopper.priority ||
              (r.priority === stopper.priority &&
                (r.code > stopper.code || (r.code === stopper.code && r.version > stopper.version)));
            if (later) expect(s.reason).toMatch(/^(stopped_by:|wrong_|not_paid|out_of_|below_)/);
          }
        }
      }),
      runs,
    );
  });

  it('does not depend on the order the rules are given in; the same input gives the same output', () => {
    fc.assert(
      fc.property(
        orderArb,
        rulesArb.chain((rules) =>
          fc.tuple(fc.constant(rules), fc.shuffledSubarray(rules, { minLength: rules.length })),
        ),
        (order, [rules, shuffled]) => {
          const a = compileRulePool(rules).evaluate(order);
          expect(compileRulePool(shuffled).evaluate(order)).toEqual(a);
          expect(compileRulePool(structuredClone(rules)).evaluate(structuredClone(order))).toEqual(a);
          expect(compileRulePool(rules).evaluate(order)).toEqual(a);
        },
      ),
      runs,
    );
  });

  it('refuses a bad rule naming it, and a code+version given twice, at compile time', () => {
    const good = fc.sample(ruleArb('OK', 1), 1)[0]!;
    expect(() =>
      compileRulePool([good, { ...good, code: 'BAD', benefit: { type: 'percent_off', basisPoints: 10001 } }]),
    ).toThrow(new RangeError('rule BAD v1: basisPoints must be 0..10000'));
    expect(() =>
      compileRulePool([
        { ...good, code: 'W', window: { from: '2026-02-01 00:00:00', to: '2026-02-01 00:00:00', basis: 'pay' } },
      ]),
    ).toThrow(/rule W v1: window must end after it starts/);
    expect(() =>
      compileRulePool([{ ...good, code: 'D', window: { ...good.window, from: '2026-02-30 00:00:00' } }]),
    ).toThrow(RangeError);
    expect(() => compileRulePool([good, { ...good }])).toThrow(new RangeError('rule OK v1 given twice'));
    expect(() => compileRulePool([good, { ...good, version: 2 }])).not.toThrow();
  });

  it('shares the fixed skip entries between results, frozen, so one result cannot change another', () => {
    const [rule] = fc.sample(ruleArb('J', 1), 1);
    const pool = compileRulePool([{ ...rule!, channel: 'jd' }]);
    const order = fc.sample(orderArb, 1)[0]!;
    const dy = { ...order, channel: 'douyin' as const };
    const first = pool.evaluate(dy).skipped[0]!;
    expect(first).toEqual({ code: 'J', version: 1, reason: 'wrong_channel' });
    expect(Object.isFrozen(first)).toBe(true);
    expect(() => {
      (first as { reason: string }).reason = 'changed';
    }).toThrow(TypeError);
    expect(pool.evaluate(dy).skipped[0]!.reason).toBe('wrong_channel');
  });
});
