import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ChannelOrder, PlatformDiscount } from '../../domain/channels/order';
import {
  CAUSES,
  chinaPeriod,
  type ReconcileInput,
  type ReconcileLine,
  type ReconcileOrder,
  reconcile,
} from '../../domain/channels/reconcile';
import type { AppliedRule } from '../../domain/channels/rules';

const PAID = '2026-03-10T02:00:00Z';

function order(id: string, over: Partial<ChannelOrder> = {}): ChannelOrder {
  return {
    channel: 'douyin',
    shop: 'S1',
    orderId: id,
    buyerKey: 'B1',
    createdAt: PAID,
    paidAt: PAID,
    lines: [{ sku: 'BRK-2026-01', quantity: 2, unitPriceFen: 15_000, discounts: [] }],
    discounts: [],
    totals: { freightFen: 0, paidFen: 30_000 },
    ...over,
  };
}

function item(o: ChannelOrder, expectedInvoiceFen: number | null, applied: AppliedRule[] = []): ReconcileOrder {
  return { order: o, status: 'finished', expectedInvoiceFen, applied: expectedInvoiceFen === null ? null : applied };
}

function settle(
  o: ChannelOrder,
  amountFen: number,
  at = '2026-03-12T04:00:00Z',
  kind: ReconcileLine['kind'] = 'settle',
) {
  return { channel: o.channel, orderId: o.orderId, kind, amountFen, settledAt: at };
}

const applied = (code: string, amountFen: number): AppliedRule => ({
  code,
  version: 1,
  amountFen,
  lines: [{ sku: 'BRK-2026-01', amountFen }],
  label: code,
});

const RULES = new Map([
  ['DY-1@1', { fundedBy: 'shop' as const, platformRef: 'dy-campaign-101' }],
  ['DY-2@1', { fundedBy: 'shop' as const, platformRef: null }],
  ['DY-3@1', { fundedBy: 'platform' as const, platformRef: 'dy-campaign-103' }],
]);

function run(orders: ReconcileOrder[], lines: ReconcileLine[], over: Partial<ReconcileInput> = {}) {
  return reconcile({ from: '2026-03-01', to: '2026-03-31', orders, lines, rules: RULES, ...over });
}

const shopDiscount = (ref: string, amountFen: number): PlatformDiscount => ({ ref, amountFen, fundedBy: 'shop' });

describe('reconcile: one order per cause', () => {
  it('a matched order is no difference; the rate and the match share count it', () => {
    const o = order('A');
    const r = run([item(o, 30_000)], [settle(o, 30_000), settle(o, -1_200, undefined, 'fee')]);
    expect(r.differences).toEqual([]);
    expect(r.total).toMatchObject({ settledOrders: 1, settledFen: 30_000, absDifferenceFen: 0, matchedOrders: 1 });
    expect(r.total.differenceRate).toBe(0);
    expect(r.total.matchRate).toBe(1);
    expect(r.total.feeFen).toBe(1_200);
  });

  it('refund: taken off the expected amount, listed (a red invoice), not in the rate', () => {
    const o = order('R');
    const r = run([item(o, 30_000)], [settle(o, 30_000), settle(o, -5_000, '2026-03-20T00:00:00Z', 'refund')]);
    expect(r.differences).toHaveLength(1);
    expect(r.differences[0]).toMatchObject({
      cause: 'refund',
      causeAmountFen: 5_000,
      invoiceFen: 30_000,
      refundFen: 5_000,
      expectedFen: 25_000,
      settledFen: 25_000,
      differenceFen: 0,
      settledAt: '2026-03-20T00:00:00.000Z',
    });
    expect(r.total.absDifferenceFen).toBe(0);
    expect(r.total.matchedOrders).toBe(1);
  });

  it('price change: the platform paid less than its own lines say, and settled that', () => {
    const o = order('P', { totals: { freightFen: 0, paidFen: 28_800 } });
    const r = run([item(o, 30_000)], [settle(o, 28_800)]);
    expect(r.differences[0]).toMatchObject({ cause: 'price_change', causeAmountFen: 1_200, differenceFen: 1_200 });
    expect(r.total.differenceRate).toBeCloseTo(1_200 / 28_800, 12);
  });

  it('platform promotion with no rule: a shop-funded discount no applied rule corresponds to', () => {
    const o = order('N', {
      discounts: [shopDiscount('dy-campaign-999', 2_000)],
      totals: { freightFen: 0, paidFen: 28_000 },
    });
    const r = run([item(o, 28_000)], [settle(o, 28_000)]);
    expect(r.differences[0]).toMatchObject({
      cause: 'promotion_no_rule',
      causeAmountFen: 2_000,
      differenceFen: 0,
      parts: [{ cause: 'promotion_no_rule', amountFen: 2_000, counted: false }],
    });
  });

  it('a platform discount that matches an applied rule by prefix is no difference; a platform-funded one stays in revenue', () => {
    const o = order('M', {
      discounts: [
        shopDiscount('dy-campaign-101-x', 2_000),
        { ref: 'dy-campaign-103', amountFen: 500, fundedBy: 'platform' },
      ],
      totals: { freightFen: 0, paidFen: 27_500 },
    });
    const r = run([item(o, 28_000, [applied('DY-1', 2_000), applied('DY-3', 500)])], [settle(o, 28_000)]);
    expect(r.differences).toEqual([]);
  });

  it('rule with no platform counterpart: by platformRef, and a rule with no platformRef at all', () => {
    const a = order('G1');
    const b = order('G2');
    const r = run(
      [item(a, 27_000, [applied('DY-1', 3_000)]), item(b, 29_000, [applied('DY-2', 1_000)])],
      [settle(a, 30_000), settle(b, 30_000)],
    );
    expect(r.differences.map((d) => [d.orderId, d.cause, d.causeAmountFen, d.differenceFen])).toEqual([
      ['G1', 'rule_no_counterpart', -3_000, -3_000],
      ['G2', 'rule_no_counterpart', -1_000, -1_000],
    ]);
    expect(r.total.absDifferenceFen).toBe(4_000);
  });

  it('fees: a settle line net of the fee lines the platform also reports', () => {
    const o = order('F');
    const r = run([item(o, 30_000)], [settle(o, 28_800), settle(o, -1_200, undefined, 'fee')]);
    expect(r.differences[0]).toMatchObject({
      cause: 'fees',
      causeAmountFen: 1_200,
      differenceFen: 1_200,
      feeFen: 1_200,
    });
  });

  it('rounding up to 2 分 per line; more is other', () => {
    const a = order('X1');
    const b = order('X2');
    const r = run([item(a, 30_000), item(b, 30_000)], [settle(a, 29_998), settle(b, 29_997)]);
    expect(r.differences.map((d) => [d.orderId, d.cause, d.causeAmountFen])).toEqual([
      ['X2', 'other', 3],
      ['X1', 'rounding', 2],
    ]);
    const wider = run([item(b, 30_000)], [settle(b, 29_997)], { options: { roundingFenPerLine: 3 } });
    expect(wider.differences[0]!.cause).toBe('rounding');
  });

  it('match tolerance: exact by default, ±1 分 when asked', () => {
    const o = order('T');
    expect(run([item(o, 30_000)], [settle(o, 29_999)]).total.matchedOrders).toBe(0);
    expect(run([item(o, 30_000)], [settle(o, 29_999)], { options: { matchToleranceFen: 1 } }).total.matchedOrders).toBe(
      1,
    );
  });

  it('the primary cause is the largest counted part; the counted parts add up to the difference', () => {
    const o = order('B', { totals: { freightFen: 0, paidFen: 29_500 } });
    const r = run([item(o, 27_000, [applied('DY-1', 3_000)])], [settle(o, 29_501)]);
    const d = r.differences[0]!;
    expect(d.cause).toBe('rule_no_counterpart');
    expect(d.parts).toEqual([
      { cause: 'price_change', amountFen: 500, counted: true },
      { cause: 'rule_no_counterpart', amountFen: -3_000, counted: true },
      { cause: 'rounding', amountFen: -1, counted: true },
    ]);
    expect(d.parts.reduce((s, p) => s + p.amountFen, 0)).toBe(d.differenceFen);
  });
});

describe('reconcile: the period', () => {
  it('China dates, both included: 23:59:59 on the last day is in, the next midnight is out; the report is as of the end', () => {
    const a = order('IN');
    const b = order('OUT');
    const r = run(
      [item(a, 30_000), item(b, 30_000)],
      [
        settle(a, 30_000, '2026-03-31T15:59:59Z'),
        settle(a, -3_000, '2026-03-31T16:00:00Z', 'refund'), // April 1st in China: not read
        settle(b, 30_000, '2026-02-28T16:00:00Z'), // March 1st 00:00 in China: in
        settle(b, 100, '2026-03-31T16:00:00Z', 'adjust'),
      ],
    );
    expect(r.total.settledOrders).toBe(2);
    expect(r.differences).toEqual([]);
    const april = run(
      [item(a, 30_000)],
      [settle(a, 30_000, '2026-03-31T15:59:59Z'), settle(a, -3_000, '2026-03-31T16:00:00Z', 'refund')],
      {
        from: '2026-04-01',
        to: '2026-04-30',
      },
    );
    expect(april.differences.map((d) => d.cause)).toEqual(['refund']);
  });

  it('an order settled before the period is not in it; its settlement in the period is', () => {
    const o = order('E', { paidAt: '2026-02-20T02:00:00Z' });
    expect(run([item(o, 30_000)], [settle(o, 30_000, '2026-02-25T00:00:00Z')]).total.settledOrders).toBe(0);
    expect(run([item(o, 30_000)], [settle(o, 30_000, '2026-03-02T00:00:00Z')]).total.settledOrders).toBe(1);
  });

  it('not settled yet: paid in the period with no settle line; never in the rate; a cancelled one is not listed', () => {
    const waiting = order('W');
    const cancelled = order('C');
    const before = order('OLD', { paidAt: '2026-02-01T00:00:00Z' });
    const r = run(
      [item(waiting, 30_000), { ...item(cancelled, 30_000), status: 'cancelled' }, item(before, 30_000)],
      [settle(waiting, -1_000, undefined, 'fee')],
    );
    expect(r.differences.map((d) => [d.orderId, d.cause, d.expectedFen, d.settledFen])).toEqual([
      ['W', 'not_settled', 30_000, null],
    ]);
    expect(r.total).toMatchObject({ settledOrders: 0, unsettledOrders: 1, unsettledExpectedFen: 30_000 });
    expect(r.total.differenceRate).toBeNull();
    expect(r.total.causes.not_settled).toEqual({ orders: 1, amountFen: 30_000 });
  });

  it('settlement lines of an order nobody received are counted apart', () => {
    const r = run(
      [],
      [{ channel: 'jd', orderId: 'J9', kind: 'settle', amountFen: 9_900, settledAt: '2026-03-05T00:00:00Z' }],
    );
    expect(r.channels.map((c) => [c.channel, c.unknownOrders, c.unknownSettledFen])).toEqual([['jd', 1, 9_900]]);
  });

  it('an order with no evaluation uses the platform-only amount and claims no rule gap', () => {
    const o = order('U', { discounts: [shopDiscount('dy-x', 2_000)], totals: { freightFen: 500, paidFen: 28_500 } });
    const r = run([item(o, null)], [settle(o, 28_500)]);
    expect(r.differences).toEqual([]);
    expect(r.total.expectedFen).toBe(28_500);
  });

  it('refuses bad dates, a reversed period and an order given twice', () => {
    expect(() => chinaPeriod('2026-02-30', '2026-03-01')).toThrow(RangeError);
    expect(() => chinaPeriod('2026-03-02', '2026-03-01')).toThrow(/ends before/);
    expect(() => chinaPeriod('2026/03/01', '2026-03-01')).toThrow(RangeError);
    const o = order('D');
    expect(() => run([item(o, 1), item(o, 1)], [])).toThrow(/twice/);
  });
});

describe('reconcile: properties', () => {
  const orderArb = fc.record({
    id: fc.integer({ min: 0, max: 40 }),
    channel: fc.constantFrom('douyin' as const, 'taobao' as const, 'jd' as const),
    unit: fc.integer({ min: 1, max: 50_000 }),
    qty: fc.integer({ min: 1, max: 5 }),
    shopOff: fc.integer({ min: 0, max: 3_000 }),
    ruleOff: fc.integer({ min: 0, max: 3_000 }),
    matched: fc.boolean(),
    priceChange: fc.integer({ min: -500, max: 500 }),
    settleDelta: fc.integer({ min: -2_000, max: 2_000 }),
    refund: fc.integer({ min: 0, max: 2_000 }),
    fee: fc.integer({ min: 0, max: 1_000 }),
    settled: fc.boolean(),
    day: fc.integer({ min: 0, max: 40 }),
  });

  type Spec = typeof orderArb extends fc.Arbitrary<infer T> ? T : never;

  function build(specs: Spec[]) {
    const seen = new Set<string>();
    const orders: ReconcileOrder[] = [];
    const lines: ReconcileLine[] = [];
    for (const s of specs) {
      const id = `${s.channel}-${s.id}`;
      if (seen.has(id)) continue;
      seen.add(id);
      const goods = s.unit * s.qty;
      const paidAt = new Date(Date.parse('2026-02-25T00:00:00Z') + s.day * 86_400_000).toISOString();
      const o = order(id, {
        channel: s.channel,
        paidAt,
        lines: [{ sku: 'S', quantity: s.qty, unitPriceFen: s.unit, discounts: [] }],
        discounts: s.shopOff > 0 ? [shopDiscount(s.matched ? 'dy-campaign-101' : 'other', s.shopOff)] : [],
        totals: { freightFen: 0, paidFen: Math.max(0, goods - s.shopOff - s.priceChange) },
      });
      const ruleOff = Math.min(s.ruleOff, goods);
      orders.push(item(o, goods - ruleOff, ruleOff > 0 ? [applied('DY-1', ruleOff)] : []));
      if (!s.settled) continue;
      const at = new Date(Date.parse(paidAt) + 2 * 86_400_000).toISOString();
      lines.push(settle(o, goods - s.shopOff + s.settleDelta, at));
      if (s.refund > 0) lines.push(settle(o, -s.refund, at, 'refund'));
      if (s.fee > 0) lines.push(settle(o, -s.fee, at, 'fee'));
    }
    return { orders, lines };
  }

  it('the counted parts of every listed order add up to its difference; totals are the sum of the channels', () => {
    fc.assert(
      fc.property(fc.array(orderArb, { maxLength: 30 }), (specs) => {
        const { orders, lines } = build(specs);
        const r = run(orders, lines);
        for (const d of r.differences) {
          if (d.differenceFen === null) continue;
          const counted = d.parts.filter((p) => p.counted).reduce((s, p) => s + p.amountFen, 0);
          expect(counted).toBe(d.differenceFen);
          expect(d.parts.some((p) => p.cause === d.cause)).toBe(true);
        }
        for (const field of [
          'settledOrders',
          'settledFen',
          'absDifferenceFen',
          'matchedOrders',
          'unsettledOrders',
        ] as const) {
          expect(r.channels.reduce((s, c) => s + c[field], 0)).toBe(r.total[field]);
        }
        for (const cause of CAUSES) {
          expect(r.channels.reduce((s, c) => s + c.causes[cause].orders, 0)).toBe(r.total.causes[cause].orders);
        }
        const listed = r.differences.filter((d) => d.differenceFen !== null);
        expect(listed.reduce((s, d) => s + Math.abs(d.differenceFen!), 0)).toBe(r.total.absDifferenceFen);
        expect(r.total.settledOrders - r.total.matchedOrders).toBe(listed.filter((d) => d.differenceFen !== 0).length);
      }),
      { numRuns: 200 },
    );
  });

  it('does not depend on the order of the orders or of the lines', () => {
    fc.assert(
      fc.property(fc.array(orderArb, { maxLength: 20 }), fc.integer(), (specs, seed) => {
        const { orders, lines } = build(specs);
        const shuffle = <T>(list: T[]) =>
          list
            .map((v, i) => ({ v, k: Math.sin(seed + i * 7919) }))
            .sort((a, b) => a.k - b.k)
            .map(({ v }) => v);
        expect(run(shuffle(orders), shuffle(lines))).toEqual(run(orders, lines));
      }),
      { numRuns: 100 },
    );
  });
});
