import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatFen, parseYuan } from '../../domain/channels/money';
import type { ChannelOrder, PlatformDiscount } from '../../domain/channels/order';
import { allocateLargestRemainder, type ChannelRule, evaluateRules } from '../../domain/channels/rules';

const SKUS = ['A', 'B', 'C', 'D'];
const CODES = ['R1', 'R2', 'R3', 'R4', 'R5', 'R6'];

const discountArb: fc.Arbitrary<PlatformDiscount> = fc.record({
  ref: fc.constantFrom('coupon:23:1', 'coupon:21:2', 'campaign:110:3', 'mjs-1_2'),
  amountFen: fc.integer({ min: 0, max: 20000 }),
  fundedBy: fc.constantFrom('shop', 'platform', 'talent'),
});

const orderArb: fc.Arbitrary<ChannelOrder> = fc.record({
  channel: fc.constantFrom('douyin', 'douyin', 'taobao'),
  shop: fc.constantFrom('S1', 'S2'),
  orderId: fc.constant('O1'),
  buyerKey: fc.constant('B1'),
  // around the window edge 2026-01-31 23:59:59 China time
  createdAt: fc.constantFrom('2026-01-15T00:00:00Z', '2026-01-31T15:59:59Z', '2026-01-31T16:00:00Z'),
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
    label: fc.constant(code),
    channel: fc.constantFrom('douyin', 'douyin', 'taobao', 'jd'),
    shop: fc.constantFrom(null, null, 'S1'),
    skuScope: fc.record({ include: fc.subarray(SKUS), exclude: fc.subarray(SKUS, { maxLength: 1 }) }),
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
    exclusiveWith: fc.subarray(CODES, { maxLength: 2 }),
    stopFurther: fc.boolean(),
    window: fc.record({
      from: fc.constantFrom('2026-01-01 00:00:00', '2026-01-31 00:00:00'),
      to: fc.constantFrom('2026-02-01 00:00:00', '2026-01-31 23:59:59'),
      basis: fc.constantFrom('pay', 'create'),
    }),
    fundedBy: fc.constantFrom('shop', 'shop', 'platform'),
    platformRef: fc.constantFrom(null, 'coupon:23', 'mjs-'),
  });

const rulesArb: fc.Arbitrary<ChannelRule[]> = fc
  .uniqueArray(fc.record({ code: fc.constantFrom(...CODES), version: fc.integer({ min: 1, max: 2 }) }), {
    selector: (k) => `${k.code}@${k.version}`,
    maxLength: 8,
  })
  .chain((keys) => fc.tuple(...keys.map((k) => ruleArb(k.code, k.version))) as fc.Arbitrary<ChannelRule[]>);

const runs = { numRuns: 400 };
const key = (r: { code: string; version: number }) => `${r.code}@${r.version}`;

describe('channel rules: properties', () => {
  it('allocations sum to each rule amount; no line, no order below zero; every rule is accounted for', () => {
    fc.assert(
      fc.property(orderArb, rulesArb, (order, rules) => {
        const res = evaluateRules(order, rules);
        expect(res.applied.length + res.skipped.length).toBe(rules.length);
        for (const a of res.applied) {
          expect(a.amountFen).toBeGreaterThanOrEqual(0);
          expect(a.lines.reduce((s, l) => s + l.amountFen, 0)).toBe(a.amountFen);
          for (const l of a.lines) expect(l.amountFen).toBeGreaterThanOrEqual(0);
        }
        // per line: the discounts on a sku never exceed that sku's amount
        for (const sku of SKUS) {
          const base = order.lines.filter((l) => l.sku === sku).reduce((s, l) => s + l.quantity * l.unitPriceFen, 0);
          const off = res.applied
            .flatMap((a) => a.lines)
            .filter((l) => l.sku === sku)
            .reduce((s, l) => s + l.amountFen, 0);
          expect(off).toBeLessThanOrEqual(base);
        }
      }),
      runs,
    );
  });

  it('expectedInvoiceFen = freight + max(0, subtotal − shop-funded rule discounts − unmatched shop-funded platform discounts)', () => {
    fc.assert(
      fc.property(orderArb, rulesArb, (order, rules) => {
        const res = evaluateRules(order, rules);
        const byKey = new Map(rules.map((r) => [key(r), r]));
        const goods = order.lines.reduce((s, l) => s + l.quantity * l.unitPriceFen, 0);
        const appliedRules = res.applied.map((a) => byKey.get(key(a))!);
        const ruleShop = res.applied.reduce(
          (s, a, k) => s + (appliedRules[k]!.fundedBy === 'shop' ? a.amountFen : 0),
          0,
        );
        const refs = appliedRules.map((r) => r.platformRef).filter((r): r is string => r !== null);
        const platformShop = [...order.lines.flatMap((l) => l.discounts), ...order.discounts]
          .filter((d) => d.fundedBy === 'shop' && !refs.some((r) => d.ref.startsWith(r)))
          .reduce((s, d) => s + d.amountFen, 0);
        expect(res.expectedInvoiceFen).toBe(order.totals.freightFen + Math.max(0, goods - ruleShop - platformShop));
        expect(res.expectedInvoiceFen).toBeGreaterThanOrEqual(0);
        expect(res.applied.reduce((s, a) => s + a.amountFen, 0)).toBeLessThanOrEqual(goods);
      }),
      runs,
    );
  });

  it('exclusive rules are never both applied; a stack group applies at most one rule', () => {
    fc.assert(
      fc.property(orderArb, rulesArb, (order, rules) => {
        const res = evaluateRules(order, rules);
        const byKey = new Map(rules.map((r) => [key(r), r]));
        const applied = res.applied.map((a) => byKey.get(key(a))!);
        for (const a of applied) {
          for (const b of applied) {
            if (a === b) continue;
            expect(a.exclusiveWith.includes(b.code) || b.exclusiveWith.includes(a.code)).toBe(false);
            if (a.stackGroup !== null) expect(a.stackGroup).not.toBe(b.stackGroup);
          }
        }
      }),
      runs,
    );
  });

  it('a stop-further rule is the last rule applied; the later ones are skipped as stopped by it', () => {
    fc.assert(
      fc.property(orderArb, rulesArb, (order, rules) => {
        const res = evaluateRules(order, rules);
        const byKey = new Map(rules.map((r) => [key(r), r]));
        const k = res.applied.findIndex((a) => byKey.get(key(a))!.stopFurther);
        if (k >= 0) {
          expect(k).toBe(res.applied.length - 1);
          const stopper = byKey.get(key(res.applied[k]!))!;
          const cmp = (r: ChannelRule) =>
            r.priority > stopper.priority ||
            (r.priority === stopper.priority &&
              (r.code > stopper.code || (r.code === stopper.code && r.version > stopper.version)));
          const later = rules.filter(cmp).map(key);
          for (const s of res.skipped.filter((s) => later.includes(key(s)))) {
            expect(s.reason).toMatch(/^(stopped_by:|wrong_|not_paid|out_of_|below_)/);
          }
        }
      }),
      runs,
    );
  });

  it('the result does not depend on the order the rules are given in, and the same input gives the same output', () => {
    fc.assert(
      fc.property(
        orderArb,
        rulesArb.chain((rules) =>
          fc.tuple(fc.constant(rules), fc.shuffledSubarray(rules, { minLength: rules.length })),
        ),
        (order, [rules, shuffled]) => {
          const a = evaluateRules(order, rules);
          expect(evaluateRules(order, shuffled)).toEqual(a);
          expect(evaluateRules(structuredClone(order), structuredClone(rules))).toEqual(a);
        },
      ),
      runs,
    );
  });

  it('largest remainder: shares sum exactly, stay within [0, weight] and within 1 分 of the exact share', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 1_000_000_000 }), { minLength: 1, maxLength: 8 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (weights, f) => {
          const total = weights.reduce((s, w) => s + w, 0);
          const amount = Math.floor(total * f);
          const shares = allocateLargestRemainder(amount, weights);
          expect(shares.reduce((s, v) => s + v, 0)).toBe(amount);
          shares.forEach((v, i) => {
            expect(v).toBeGreaterThanOrEqual(0);
            expect(v).toBeLessThanOrEqual(weights[i]!);
            if (total > 0) expect(Math.abs(v - (amount * weights[i]!) / total)).toBeLessThan(1);
          });
        },
      ),
      runs,
    );
  });

  it('money: 分 → 元 → 分 round trip, and 元 strings come back in canonical form', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e13, max: 1e13 }), (fen) => {
        expect(parseYuan(formatFen(fen))).toBe(fen);
      }),
      { numRuns: 1000 },
    );
    fc.assert(
      fc.property(fc.nat({ max: 1e9 }), fc.integer({ min: 0, max: 99 }), fc.boolean(), (yuan, cents, short) => {
        const s = short && cents % 10 === 0 ? `${yuan}.${cents / 10}` : `${yuan}.${String(cents).padStart(2, '0')}`;
        expect(formatFen(parseYuan(s))).toBe(`${yuan}.${String(cents).padStart(2, '0')}`);
      }),
      { numRuns: 1000 },
    );
  });
});
