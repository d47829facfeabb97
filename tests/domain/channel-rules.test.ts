import { describe, expect, it } from 'vitest';
import { formatFen, MoneyFormatError, parseYuan } from '../../domain/channels/money';
import { assertChannelOrder, type ChannelOrder, type ChannelOrderLine } from '../../domain/channels/order';
import {
  allocateLargestRemainder,
  type ChannelRule,
  chinaWallClockToInstant,
  evaluateRules,
} from '../../domain/channels/rules';

function rule(code: string, over: Partial<ChannelRule> = {}): ChannelRule {
  return {
    code,
    version: 1,
    label: `已应用${code}`,
    channel: 'douyin',
    shop: null,
    skuScope: { include: [], exclude: [] },
    conditions: {},
    benefit: { type: 'fixed_off', amountFen: 5000 },
    target: 'order',
    allocation: 'across',
    priority: 10,
    stackGroup: null,
    combinesWith: { item: true, order: true },
    exclusiveWith: [],
    stopFurther: false,
    window: { from: '2026-01-01 00:00:00', to: '2026-02-01 00:00:00', basis: 'pay' },
    fundedBy: 'shop',
    platformRef: null,
    ...over,
  };
}

function line(sku: string, quantity: number, unitPriceFen: number): ChannelOrderLine {
  return { sku, quantity, unitPriceFen, discounts: [] };
}

function order(lines: ChannelOrderLine[], over: Partial<ChannelOrder> = {}): ChannelOrder {
  return {
    channel: 'douyin',
    shop: 'S1',
    orderId: 'O1',
    buyerKey: 'B1',
    createdAt: '2026-01-15T02:00:00Z',
    paidAt: '2026-01-15T02:01:00Z',
    lines,
    discounts: [],
    totals: { freightFen: 0, paidFen: 0 },
    ...over,
  };
}

describe('money', () => {
  it.each([
    ['12.3', 1230],
    ['12.30', 1230],
    ['0.01', 1],
    ['200.07', 20007],
    ['0', 0],
    ['-0.00', 0],
    ['-5.00', -500],
    ['1299', 129900],
  ])('parses %s', (s, fen) => expect(parseYuan(s)).toBe(fen));

  it.each(['1,299.00', '12.345', ' 1.00', '+1.00', '01.00', '1e3', '', '.5', '5.', 'NaN', '１.00'])(
    'refuses %j',
    (s) => {
      expect(() => parseYuan(s)).toThrow(MoneyFormatError);
    },
  );

  it('names the reason for a thousands separator', () => {
    expect(() => parseYuan('1,299.00')).toThrow(/thousands separators/);
  });

  it.each([
    [1230, '12.30'],
    [1, '0.01'],
    [0, '0.00'],
    [-5, '-0.05'],
    [129900, '1299.00'],
  ])('formats %d as %s', (fen, s) => expect(formatFen(fen)).toBe(s));
});

describe('China time windows', () => {
  it('23:59:59 China time is 15:59:59Z the same day', () => {
    expect(new Date(chinaWallClockToInstant('2026-01-31 23:59:59')).toISOString()).toBe('2026-01-31T15:59:59.000Z');
  });
  it('refuses an impossible date', () => {
    expect(() => chinaWallClockToInstant('2026-02-30 00:00:00')).toThrow(RangeError);
  });

  const r = rule('W');
  it.each([
    ['2025-12-31T15:59:59Z', 'out_of_window'], // 2025-12-31 23:59:59 China: before the start
    ['2025-12-31T16:00:00Z', 'applied'], // 2026-01-01 00:00:00 China: the start is inside
    ['2026-01-31T15:59:59Z', 'applied'], // 2026-01-31 23:59:59 China: the last second
    ['2026-01-31T15:59:59.999Z', 'applied'],
    ['2026-02-01T00:00:00Z', 'out_of_window'], // 08:00 China, 1 Feb: past the end
    ['2026-01-31T16:00:00Z', 'out_of_window'], // 2026-02-01 00:00:00 China: the end is outside
    ['2026-01-31T20:00:00Z', 'out_of_window'], // still 31 Jan in UTC, already 1 Feb in China
  ])('paid at %s → %s', (paidAt, expected) => {
    const res = evaluateRules(order([line('A', 1, 10000)], { paidAt }), [r]);
    expect(res.applied.length === 1 ? 'applied' : res.skipped[0]?.reason).toBe(expected);
  });

  it('basis create uses createdAt; basis pay on an unpaid order is not_paid', () => {
    const o = order([line('A', 1, 10000)], { createdAt: '2025-12-31T15:59:59Z', paidAt: null });
    expect(evaluateRules(o, [rule('P')]).skipped).toEqual([{ code: 'P', version: 1, reason: 'not_paid' }]);
    const c = rule('C', { window: { from: '2026-01-01 00:00:00', to: '2026-02-01 00:00:00', basis: 'create' } });
    expect(evaluateRules(o, [c]).skipped[0]?.reason).toBe('out_of_window');
  });
});

describe('allocation by largest remainder', () => {
  it.each([
    [100, [1, 1, 1], [34, 33, 33]],
    [1, [1, 1, 1], [1, 0, 0]],
    [2, [1, 2, 3], [0, 1, 1]],
    [5000, [10000, 20000, 29900], [835, 1669, 2496]],
    [7, [0, 5, 5], [0, 4, 3]],
    [0, [3, 4], [0, 0]],
  ])('%d over %j → %j', (amount, weights, shares) => {
    expect(allocateLargestRemainder(amount, weights)).toEqual(shares);
  });
});

describe('evaluateRules: worked examples', () => {
  it('满299减50 across three lines: the 分 add up; invoice = subtotal − discount', () => {
    const o = order([line('BRK-1', 1, 10000), line('BRK-2', 2, 10000), line('BRK-3', 1, 9900)]);
    const res = evaluateRules(o, [rule('DY-299-50', { conditions: { minSubtotalFen: 29900 } })]);
    expect(res.applied).toEqual([
      {
        code: 'DY-299-50',
        version: 1,
        amountFen: 5000,
        lines: [
          { sku: 'BRK-1', amountFen: 1253 },
          { sku: 'BRK-2', amountFen: 2506 },
          { sku: 'BRK-3', amountFen: 1241 },
        ],
        label: '已应用DY-299-50',
      },
    ]);
    expect(res.expectedInvoiceFen).toBe(39900 - 5000);
  });

  it('below threshold by 0.01 元', () => {
    const res = evaluateRules(order([line('A', 1, 29899)]), [rule('T', { conditions: { minSubtotalFen: 29900 } })]);
    expect(res.skipped).toEqual([{ code: 'T', version: 1, reason: 'below_threshold' }]);
    expect(res.expectedInvoiceFen).toBe(29899);
  });

  it('a 0.01 元 order: fixed off is clamped to 1 分, percent rounds to nothing', () => {
    const o = order([line('A', 1, 1)]);
    const res = evaluateRules(o, [
      rule('F', { priority: 20 }),
      rule('P', { benefit: { type: 'percent_off', basisPoints: 1000 } }),
    ]);
    expect(res.skipped).toEqual([{ code: 'P', version: 1, reason: 'rounds_to_zero' }]);
    expect(res.applied.map((a) => [a.code, a.amountFen])).toEqual([['F', 1]]);
    expect(res.expectedInvoiceFen).toBe(0);
  });

  it('percent off rounds half up at rule level, then allocates', () => {
    // 5% of 0.50 元 = 2.5 分 → 3 分; 5% of 0.49 元 = 2.45 → 2 分
    const p = rule('P5', { benefit: { type: 'percent_off', basisPoints: 500 } });
    expect(evaluateRules(order([line('A', 1, 50)]), [p]).applied[0]?.amountFen).toBe(3);
    expect(evaluateRules(order([line('A', 1, 49)]), [p]).applied[0]?.amountFen).toBe(2);
    const three = evaluateRules(order([line('A', 1, 20), line('B', 1, 20), line('C', 1, 10)]), [p]).applied[0];
    expect(three?.amountFen).toBe(3);
    expect(three?.lines.map((l) => l.amountFen)).toEqual([1, 1, 1]);
  });

  it('percentages compound: 50% then 50% is 75%', () => {
    const half = { benefit: { type: 'percent_off', basisPoints: 5000 } } as const;
    const res = evaluateRules(order([line('A', 1, 10000)]), [rule('H1', half), rule('H2', half)]);
    expect(res.applied.map((a) => a.amountFen)).toEqual([5000, 2500]);
    expect(res.expectedInvoiceFen).toBe(2500);
  });

  it('fixed off per unit (each), clamped per line', () => {
    const r = rule('E', { target: 'item', allocation: 'each', benefit: { type: 'fixed_off', amountFen: 300 } });
    const res = evaluateRules(order([line('A', 3, 1000), line('B', 2, 100)]), [r]);
    expect(res.applied[0]?.lines).toEqual([
      { sku: 'A', amountFen: 900 },
      { sku: 'B', amountFen: 200 },
    ]);
  });

  it('two fixed rules never take the order below zero; the second sees nothing left', () => {
    const res = evaluateRules(order([line('A', 1, 6000)]), [rule('F1'), rule('F2')]);
    expect(res.applied.map((a) => a.amountFen)).toEqual([5000, 1000]);
    const third = evaluateRules(order([line('A', 1, 6000)]), [rule('F1'), rule('F2'), rule('F3')]);
    expect(third.skipped).toEqual([{ code: 'F3', version: 1, reason: 'nothing_left' }]);
    expect(third.expectedInvoiceFen).toBe(0);
  });

  it('SKU scope: only scoped lines count towards the threshold and get the discount', () => {
    const r = rule('S', { skuScope: { include: ['A', 'B'], exclude: ['B'] }, conditions: { minSubtotalFen: 10000 } });
    const res = evaluateRules(order([line('A', 1, 10000), line('B', 1, 50000), line('C', 1, 7000)]), [r]);
    expect(res.applied[0]?.lines).toEqual([{ sku: 'A', amountFen: 5000 }]);
    const none = evaluateRules(order([line('C', 1, 7000)]), [r]);
    expect(none.skipped[0]?.reason).toBe('out_of_scope');
  });

  it('min quantity (买二)', () => {
    const r = rule('Q', { conditions: { minQuantity: 2 } });
    expect(evaluateRules(order([line('A', 1, 10000)]), [r]).skipped[0]?.reason).toBe('below_min_quantity');
    expect(evaluateRules(order([line('A', 2, 10000)]), [r]).applied).toHaveLength(1);
  });

  it('wrong channel and wrong shop', () => {
    const res = evaluateRules(order([line('A', 1, 10000)]), [rule('J', { channel: 'jd' }), rule('S', { shop: 'S2' })]);
    expect(res.skipped).toEqual([
      { code: 'J', version: 1, reason: 'wrong_channel' },
      { code: 'S', version: 1, reason: 'wrong_shop' },
    ]);
  });

  it('stack group: the first by priority takes it, whatever the input order', () => {
    const a = rule('ZZ', { priority: 1, stackGroup: 'live' });
    const b = rule('AA', { priority: 2, stackGroup: 'live', benefit: { type: 'fixed_off', amountFen: 9000 } });
    for (const rules of [
      [a, b],
      [b, a],
    ]) {
      const res = evaluateRules(order([line('A', 1, 10000)]), rules);
      expect(res.applied.map((x) => x.code)).toEqual(['ZZ']);
      expect(res.skipped).toEqual([{ code: 'AA', version: 1, reason: 'stack_group_taken_by:ZZ' }]);
    }
  });

  it('a rule out of its window does not take the stack group', () => {
    const a = rule('A1', {
      priority: 1,
      stackGroup: 'g',
      window: { from: '2025-01-01 00:00:00', to: '2025-02-01 00:00:00', basis: 'pay' },
    });
    const b = rule('B1', { priority: 2, stackGroup: 'g' });
    expect(evaluateRules(order([line('A', 1, 10000)]), [a, b]).applied.map((x) => x.code)).toEqual(['B1']);
  });

  it('exclusion is symmetric; ties in priority go by code', () => {
    const dy = rule('DY-MJ', { exclusiveWith: ['DY-COUPON'] });
    const cp = rule('DY-COUPON');
    const res = evaluateRules(order([line('A', 1, 20000)]), [dy, cp]);
    expect(res.applied.map((x) => x.code)).toEqual(['DY-COUPON']);
    expect(res.skipped).toEqual([{ code: 'DY-MJ', version: 1, reason: 'excluded_by:DY-COUPON' }]);
  });

  it('stop further stops every later rule, not earlier ones', () => {
    const res = evaluateRules(order([line('A', 1, 20000)]), [
      rule('R3', { priority: 3 }),
      rule('R2', { priority: 2, stopFurther: true, benefit: { type: 'fixed_off', amountFen: 100 } }),
      rule('R1', { priority: 1, benefit: { type: 'fixed_off', amountFen: 100 } }),
    ]);
    expect(res.applied.map((x) => x.code)).toEqual(['R1', 'R2']);
    expect(res.skipped).toEqual([{ code: 'R3', version: 1, reason: 'stopped_by:R2' }]);
  });

  it('a skipped stop-further rule stops nothing', () => {
    const res = evaluateRules(order([line('A', 1, 20000)]), [
      rule('R1', { priority: 1, stopFurther: true, channel: 'jd' }),
      rule('R2', { priority: 2 }),
    ]);
    expect(res.applied.map((x) => x.code)).toEqual(['R2']);
  });

  it('combines-with: an item discount that does not combine with order discounts', () => {
    const item = rule('I', { priority: 1, target: 'item', combinesWith: { item: true, order: false } });
    const ord = rule('O', { priority: 2 });
    const res = evaluateRules(order([line('A', 1, 20000)]), [item, ord]);
    expect(res.skipped).toEqual([{ code: 'O', version: 1, reason: 'not_combinable_with:I' }]);
  });

  it('gift (买二送一) and points apply, lower nothing, and still take the stack group', () => {
    const gift = rule('TM-B2G1', {
      channel: 'taobao',
      priority: 1,
      stackGroup: 'g',
      benefit: { type: 'gift', sku: 'A', quantity: 1 },
      conditions: { minQuantity: 2 },
    });
    const pts = rule('TM-PTS', { channel: 'taobao', priority: 2, benefit: { type: 'points', points: 200 } });
    const off = rule('TM-OFF', { channel: 'taobao', priority: 3, stackGroup: 'g' });
    const res = evaluateRules(order([line('A', 2, 10000)], { channel: 'taobao' }), [off, pts, gift]);
    expect(res.applied).toEqual([
      { code: 'TM-B2G1', version: 1, amountFen: 0, lines: [], label: '已应用TM-B2G1', gift: { sku: 'A', quantity: 1 } },
      { code: 'TM-PTS', version: 1, amountFen: 0, lines: [], label: '已应用TM-PTS', points: 200 },
    ]);
    expect(res.skipped).toEqual([{ code: 'TM-OFF', version: 1, reason: 'stack_group_taken_by:TM-B2G1' }]);
    expect(res.expectedInvoiceFen).toBe(20000);
  });

  it('invoice: platform-funded rules and discounts stay in; unmatched shop-funded platform discounts come off; freight added', () => {
    const o = order(
      [
        {
          sku: 'A',
          quantity: 1,
          unitPriceFen: 30000,
          discounts: [{ ref: 'coupon:23:77', amountFen: 5000, fundedBy: 'shop' }],
        },
      ],
      {
        discounts: [
          { ref: 'campaign:110:9', amountFen: 2000, fundedBy: 'platform' },
          { ref: 'coupon:21:5', amountFen: 700, fundedBy: 'shop' },
        ],
        totals: { freightFen: 800, paidFen: 0 },
      },
    );
    const matched = rule('DY-299-50', { platformRef: 'coupon:23:' });
    const sub = rule('DY-PLAT', { fundedBy: 'platform', benefit: { type: 'fixed_off', amountFen: 1000 } });
    const res = evaluateRules(o, [matched, sub]);
    // 30000 − 5000 (rule, shop; the platform's coupon:23:77 is the same promotion) − 700 (unmatched shop coupon) + 800
    expect(res.expectedInvoiceFen).toBe(30000 - 5000 - 700 + 800);
  });

  it('the same code and version twice is refused; a bad rule is refused', () => {
    expect(() => evaluateRules(order([]), [rule('X'), rule('X')])).toThrow(/given twice/);
    expect(() =>
      evaluateRules(order([]), [rule('X', { benefit: { type: 'percent_off', basisPoints: 10001 } })]),
    ).toThrow(RangeError);
    expect(() =>
      evaluateRules(order([]), [
        rule('X', { window: { from: '2026-01-02 00:00:00', to: '2026-01-02 00:00:00', basis: 'pay' } }),
      ]),
    ).toThrow(/window/);
  });
});

describe('canonical order checks', () => {
  it('accepts a good order and names the field of a bad one', () => {
    expect(() => assertChannelOrder(order([line('A', 1, 1)]))).not.toThrow();
    expect(() => assertChannelOrder(order([line('A', 0, 1)]))).toThrow(/lines\[0\]\.quantity/);
    expect(() => assertChannelOrder(order([line('A', 1, 1.5)]))).toThrow(/lines\[0\]\.unitPriceFen/);
    expect(() => assertChannelOrder(order([], { paidAt: '2026-01-31 23:59:59' }))).toThrow(/paidAt/);
  });
});
