/**
 * A seeded month of channel orders on three channels, for reconciliation (docs/channels-reconciliation.md).
 *
 * - The platforms run `platformRules`: every order's platform discounts are what evaluateRules gives with them
 *   (each applied money rule reported under its platformRef, funded as the rule says).
 * - The rule pool (`pool`) mirrors them with two planted gaps per channel: a promotion the platform runs that the
 *   pool lacks (`<X>-FLASH`, days 5–8), and a pool rule the platform never ran (`<X>-GHOST`, days 18–27).
 *   `corrected` is the pool with both gaps fixed (FLASH added, GHOST removed): it equals the platforms' rules.
 * - Finance's amounts "by hand" stack every eligible rule of the pool, ignoring stack groups, exclusions,
 *   combinability and stop-further (`handRules`).
 * - Settlement: one settle line per settled order (goods + freight − shop-funded discounts − a price change), a
 *   fee line (commission), and planted differences, each on its own order, listed in `plants`:
 *   refund after settlement, price change, settle line net of fees, rounding (±1–2 分), not settled yet (the
 *   settle date falls after the month), plus every order the FLASH / GHOST gaps touch. A few orders are
 *   cancelled before settlement (no lines, not a difference).
 */
import type { Channel, ChannelOrder, ChannelOrderLine, PlatformDiscount } from '../../domain/channels/order';
import type { Cause, ReconcileLine, ReconcileOrder, RuleFacts } from '../../domain/channels/reconcile';
import type { ReceivedOrder, SettlementLine } from '../../domain/channels/received';
import { type ChannelRule, evaluateRules } from '../../domain/channels/rules';

export interface Plant {
  channel: Channel;
  orderId: string;
  cause: Cause;
}

export interface MonthLine extends SettlementLine {
  channel: Channel;
  shop: string;
}

export interface ChannelMonth {
  /** China dates of the month, both included. */
  from: string;
  to: string;
  platformRules: ChannelRule[];
  pool: ChannelRule[];
  corrected: ChannelRule[];
  handRules: ChannelRule[];
  orders: ReceivedOrder[];
  lines: MonthLine[];
  plants: Plant[];
}

/** mulberry32: small, fast, seeded. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SKUS: { sku: string; priceFen: number }[] = [
  { sku: 'BRK-2026-01', priceFen: 12_900 },
  { sku: 'BRK-2026-02', priceFen: 18_800 },
  { sku: 'BRK-2026-03', priceFen: 25_900 },
  { sku: 'BRK-2026-04', priceFen: 8_990 },
  { sku: 'PAD-1001', priceFen: 6_950 },
  { sku: 'PAD-1002', priceFen: 9_900 },
  { sku: 'DISC-300', priceFen: 32_000 },
  { sku: 'DISC-320', priceFen: 36_850 },
  { sku: 'CAL-77', priceFen: 45_900 },
  { sku: 'KIT-9', priceFen: 59_900 },
];

const PREFIX: Record<Channel, { code: string; ref: string }> = {
  douyin: { code: 'DY', ref: 'dy-campaign-' },
  taobao: { code: 'TB', ref: 'mjs-' },
  jd: { code: 'JD', ref: 'jdc-' },
};

function day(month: string, d: number): string {
  return `${month}-${String(d).padStart(2, '0')} 00:00:00`;
}

function nextMonth(month: string): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
}

function channelRules(
  channel: Channel,
  month: string,
): { normal: ChannelRule[]; flash: ChannelRule; ghost: ChannelRule } {
  const { code, ref } = PREFIX[channel];
  const whole = { from: day(month, 1), to: `${nextMonth(month)}-01 00:00:00`, basis: 'pay' as const };
  const base = (n: number, over: Partial<ChannelRule>): ChannelRule => ({
    code: `${code}-${n}`,
    version: 1,
    label: `${code}-${n}`,
    channel,
    shop: null,
    skuScope: { include: [], exclude: [] },
    conditions: {},
    benefit: { type: 'fixed_off', amountFen: 1000 },
    target: 'order',
    allocation: 'across',
    priority: 10,
    stackGroup: null,
    combinesWith: { item: true, order: true },
    exclusiveWith: [],
    stopFurther: false,
    window: whole,
    fundedBy: 'shop',
    platformRef: `${ref}${100 + n}`,
    ...over,
  });
  const normal: ChannelRule[] = [
    // The store-wide group: one of three.
    base(1, {
      label: `${code} store 12% off`,
      benefit: { type: 'percent_off', basisPoints: 1200 },
      skuScope: { include: ['BRK-2026-01', 'BRK-2026-02', 'BRK-2026-03', 'DISC-300', 'DISC-320'], exclude: [] },
      stackGroup: 'store',
      priority: 10,
    }),
    base(2, {
      label: `${code} 599 - 120`,
      benefit: { type: 'fixed_off', amountFen: 12_000 },
      conditions: { minSubtotalFen: 59_900 },
      stackGroup: 'store',
      priority: 15,
      window: { from: day(month, 1), to: day(month, 16), basis: 'pay' },
    }),
    base(3, {
      label: `${code} 299 - 60`,
      benefit: { type: 'fixed_off', amountFen: 6_000 },
      conditions: { minSubtotalFen: 29_900 },
      stackGroup: 'store',
      priority: 20,
    }),
    // A member discount that ends the evaluation; the coupon never joins it.
    base(4, {
      label: `${code} member 15% off`,
      benefit: { type: 'percent_off', basisPoints: 1500 },
      skuScope: { include: ['CAL-77', 'KIT-9'], exclude: [] },
      priority: 25,
      stopFurther: true,
    }),
    base(5, {
      label: `${code} coupon 55`,
      benefit: { type: 'fixed_off', amountFen: 5_500 },
      conditions: { minSubtotalFen: 19_900 },
      exclusiveWith: [`${code}-4`, `${code}-1`],
      priority: 30,
    }),
    // Per-unit item discount that combines with no order discount.
    base(6, {
      label: `${code} pads 10 each`,
      target: 'item',
      allocation: 'each',
      benefit: { type: 'fixed_off', amountFen: 1_000 },
      skuScope: { include: ['PAD-1001', 'PAD-1002'], exclude: [] },
      combinesWith: { item: true, order: false },
      priority: 35,
    }),
    // Platform-funded subsidy: stays in revenue.
    base(7, {
      label: `${code} platform subsidy`,
      benefit: { type: 'fixed_off', amountFen: 1_500 },
      conditions: { minSubtotalFen: 9_900 },
      fundedBy: 'platform',
      priority: 40,
    }),
    base(8, {
      label: `${code} gift`,
      benefit: { type: 'gift', sku: 'PAD-GIFT', quantity: 1 },
      conditions: { minSubtotalFen: 49_900 },
      platformRef: null,
      priority: 45,
    }),
  ];
  const flash = base(9, {
    label: `${code} flash sale`,
    target: 'item',
    benefit: { type: 'fixed_off', amountFen: 2_500 },
    skuScope: { include: ['BRK-2026-04', 'DISC-320'], exclude: [] },
    priority: 90,
    window: { from: day(month, 5), to: day(month, 9), basis: 'pay' },
  });
  const ghost = base(10, {
    label: `${code} ended campaign`,
    target: 'item',
    benefit: { type: 'percent_off', basisPoints: 2000 },
    skuScope: { include: ['BRK-2026-02', 'DISC-300', 'KIT-9'], exclude: [] },
    priority: 95,
    window: { from: day(month, 18), to: day(month, 28), basis: 'pay' },
  });
  return { normal, flash, ghost };
}

const handRule = (rule: ChannelRule): ChannelRule => ({
  ...rule,
  stackGroup: null,
  exclusiveWith: [],
  combinesWith: { item: true, order: true },
  stopFurther: false,
});

/** `month` as YYYY-MM; `orders` channel orders paid in it. */
export function channelMonth(options: { seed: number; orders: number; month?: string }): ChannelMonth {
  const month = options.month ?? '2026-03';
  const random = prng(options.seed);
  const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;

  const sets = (['douyin', 'taobao', 'jd'] as const).map((c) => channelRules(c, month));
  const normal = sets.flatMap((s) => s.normal);
  const platformRules = [...normal, ...sets.map((s) => s.flash)];
  const pool = [...normal, ...sets.map((s) => s.ghost)];
  const corrected = platformRules;
  const handRules = pool.map(handRule);
  const byChannel = new Map<Channel, { platform: ChannelRule[]; pool: ChannelRule[] }>();
  for (const c of ['douyin', 'taobao', 'jd'] as const) {
    byChannel.set(c, {
      platform: platformRules.filter((r) => r.channel === c),
      pool: pool.filter((r) => r.channel === c),
    });
  }

  const start = Date.parse(`${month}-01T00:00:00+08:00`);
  const end = Date.parse(`${nextMonth(month)}-01T00:00:00+08:00`);
  const orders: ReceivedOrder[] = [];
  const lines: MonthLine[] = [];
  const plants: Plant[] = [];
  const iso = (ms: number) => new Date(ms).toISOString();

  for (let n = 0; n < options.orders; n++) {
    const r = random();
    const channel: Channel = r < 0.45 ? 'douyin' : r < 0.8 ? 'taobao' : 'jd';
    const shop = `${channel}-shop-${int(1, 2)}`;
    const orderId = `${PREFIX[channel].code}${month.replace('-', '')}${String(n).padStart(6, '0')}`;
    const paidMs = start + Math.floor(random() * (end - start - 60_000));
    const lineCount = int(1, 3);
    const used = new Set<string>();
    const orderLines: ChannelOrderLine[] = [];
    for (let i = 0; i < lineCount; i++) {
      const sku = pick(SKUS);
      if (used.has(sku.sku)) continue;
      used.add(sku.sku);
      orderLines.push({ sku: sku.sku, quantity: int(1, 3), unitPriceFen: sku.priceFen, discounts: [] });
    }
    const freightFen = random() < 0.2 ? 1_000 : 0;
    const bare: ChannelOrder = {
      channel,
      shop,
      orderId,
      buyerKey: `buyer-${int(1, 5000)}`,
      createdAt: iso(paidMs - 60_000),
      paidAt: iso(paidMs),
      lines: orderLines,
      discounts: [],
      totals: { freightFen, paidFen: 0 },
    };
    const rules = byChannel.get(channel)!;
    const platform = evaluateRules(bare, rules.platform);
    const facts = new Map(rules.platform.map((rule) => [rule.code, rule]));
    const discounts: PlatformDiscount[] = platform.applied
      .filter((a) => a.amountFen > 0)
      .map((a) => {
        const rule = facts.get(a.code)!;
        return { ref: rule.platformRef!, amountFen: a.amountFen, fundedBy: rule.fundedBy };
      });
    const goods = orderLines.reduce((s, l) => s + l.quantity * l.unitPriceFen, 0);
    const allOff = discounts.reduce((s, d) => s + d.amountFen, 0);
    const shopOff = discounts.filter((d) => d.fundedBy === 'shop').reduce((s, d) => s + d.amountFen, 0);
    let paidFen = goods + freightFen - allOff;
    let settleFen = goods + freightFen - shopOff;

    const flashApplied = platform.applied.some((a) => a.code.endsWith('-9') && a.amountFen > 0);
    const ghostApplied = evaluateRules(bare, rules.pool).applied.some((a) => a.code.endsWith('-10') && a.amountFen > 0);
    const settleMs = paidMs + int(1, 4) * 86_400_000 + int(0, 86_399) * 1000;
    const plain = !flashApplied && !ghostApplied;
    const draw = random();
    let status: ReceivedOrder['status'] = 'finished';
    let settle = true;
    let netOfFees = false;
    let refundFen = 0;
    let roundingFen = 0;
    let cause: Cause | null = flashApplied ? 'promotion_no_rule' : ghostApplied ? 'rule_no_counterpart' : null;

    if (plain && draw < 0.004) {
      status = 'cancelled';
      settle = false;
    } else if (settleMs >= end) {
      status = 'shipped';
      settle = false;
      // An order a gap touches but not settled yet is only that: not settled yet.
      cause = 'not_settled';
    } else if (plain && draw < 0.014 && settleMs + 4 * 86_400_000 < end) {
      refundFen = Math.min(settleFen, int(1, 4) * 1_000 + int(0, 99));
      cause = 'refund';
    } else if (plain && draw < 0.02 && paidFen > 2_000) {
      const change = int(100, Math.min(3_000, Math.floor(paidFen / 2)));
      paidFen -= change;
      settleFen -= change;
      cause = 'price_change';
    } else if (plain && draw < 0.026) {
      netOfFees = true;
      cause = 'fees';
    } else if (plain && draw < 0.032) {
      roundingFen = pick([-2, -1, 1, 2]);
      cause = 'rounding';
    }

    const feeFen = Math.max(1, Math.round(settleFen * 0.04));
    if (settle) {
      lines.push({
        channel,
        shop,
        lineKey: `${orderId}-S`,
        orderId,
        kind: 'settle',
        amountFen: settleFen + roundingFen - (netOfFees ? feeFen : 0),
        settledAt: iso(settleMs),
      });
      lines.push({
        channel,
        shop,
        lineKey: `${orderId}-F`,
        orderId,
        kind: 'fee',
        amountFen: -feeFen,
        settledAt: iso(settleMs),
      });
      if (refundFen > 0) {
        lines.push({
          channel,
          shop,
          lineKey: `${orderId}-R`,
          orderId,
          kind: 'refund',
          amountFen: -refundFen,
          settledAt: iso(settleMs + int(1, 3) * 86_400_000),
        });
      }
    }
    if (cause !== null && status !== 'cancelled') plants.push({ channel, orderId, cause });
    orders.push({
      order: { ...bare, discounts, totals: { freightFen, paidFen } },
      status,
      updatedAt: iso(settle ? settleMs : paidMs),
      buyerPhoneHash: null,
    });
  }
  return {
    from: `${month}-01`,
    to: chinaDateOf(end - 1),
    platformRules,
    pool,
    corrected,
    handRules,
    orders,
    lines,
    plants,
  };
}

function chinaDateOf(ms: number): string {
  return new Date(ms + 8 * 3600_000).toISOString().slice(0, 10);
}

/** The orders as reconciliation reads them, evaluated with `rules` (the pool, the corrected pool, finance's). */
export function evaluated(month: ChannelMonth, rules: readonly ChannelRule[]): ReconcileOrder[] {
  const byChannel = new Map<Channel, ChannelRule[]>();
  for (const rule of rules) byChannel.set(rule.channel, [...(byChannel.get(rule.channel) ?? []), rule]);
  return month.orders.map((copy) => {
    const evaluation = evaluateRules(copy.order, byChannel.get(copy.order.channel) ?? []);
    return {
      order: copy.order,
      status: copy.status,
      expectedInvoiceFen: evaluation.expectedInvoiceFen,
      applied: evaluation.applied,
    };
  });
}

export function factsOf(rules: readonly ChannelRule[]): Map<string, RuleFacts> {
  return new Map(rules.map((r) => [`${r.code}@${r.version}`, { fundedBy: r.fundedBy, platformRef: r.platformRef }]));
}

export function linesOf(month: ChannelMonth): ReconcileLine[] {
  return month.lines.map(({ channel, orderId, kind, amountFen, settledAt }) => ({
    channel,
    orderId,
    kind,
    amountFen,
    settledAt,
  }));
}
