/**
 * Reconciliation of the expected invoice amount of channel orders with what the platforms settled. Pure and
 * deterministic: the caller gives the orders, their settlement lines and the rule pool's versions; nothing here
 * reads a clock, a database or a text.
 *
 * Per order (all amounts integer 分)
 * - invoice    = the order's expected_invoice_fen (the rule pool's, rules.ts expectedInvoiceFen). An order stored
 *                with no evaluation (it was unpaid when stored and never re-read) uses the same formula with an
 *                empty rule pool: freight + goods − the shop-funded discounts the platform reports.
 * - refund     = −Σ refund lines (refund lines are negative; refund is ≥ 0 when the platform gave money back).
 * - expected   = invoice − refund: the platform's reported refunds lower what is to be invoiced (a red invoice
 *                for a refund after invoicing).
 * - settled    = Σ lines of kind settle, refund and adjust. Fee lines (commission, service fees) are costs, not
 *                invoice reductions (the notes' finance policy [U]): they are summed per channel as `feeFen` and
 *                never enter `settled`.
 * - difference = expected − settled (signed). The difference rate is Σ|difference| / Σ settled over the orders
 *                settled in the period: no netting of a plus on one order against a minus on another.
 * - matched    = |difference| ≤ matchToleranceFen, 0 by default ("matched to the 分": exact); configurable.
 *
 * Period: China dates `from`..`to`, both included ([from 00:00+08:00, to+1 00:00+08:00)). The report is as of the
 * end of the period: lines dated later are not read, so re-running a past period gives the same figures.
 * - An order is settled in the period when it has a settle line dated before the end, and its latest non-fee line
 *   (settle, refund or adjust) dated before the end falls in the period: its settlement became final there.
 *   A refund after settlement in a later period brings the order back into that later period's report.
 * - Not settled yet: paid in the period, not cancelled, and no settle line before the end. Listed with cause
 *   'not_settled' and counted per channel, never in the rate. A cancelled order with no settle line was refunded
 *   before settlement: nothing to invoice, not listed.
 * - Settlement lines in the period of an order that channel_orders does not hold: `unknownOrders` per channel.
 *
 * Causes. Each order's gap between the invoice and the settlement is split into parts, deterministically:
 *   refund               the refund (not counted: it is already taken off `expected`).
 *   promotion_no_rule    Σ shop-funded platform discounts whose ref starts with no applied rule's platformRef (not
 *                        counted: the rule pool takes such a discount off the invoice as reported; the pool lacks a
 *                        rule for it).
 *   rule_no_counterpart  −Σ applied money rules funded by the shop that no shop-funded platform discount of the order
 *                        corresponds to (a platformRef the platform did not report, or no platformRef at all): the
 *                        pool took it off the invoice, the platform did not.
 *   price_change         the platform's paid amount against its own lines: (goods + freight − Σ every reported
 *                        discount) − paid. A seller's price change (Douyin modify_amount, Taobao adjust_fee) lowers
 *                        what is paid and settled but not the line prices the invoice is computed from.
 *   fees                 the rest equals the order's fee lines (within the rounding tolerance): the settle line is net
 *                        of fees the platform also reports as fee lines (an export whose settle column is net).
 *   rounding             the rest, when |rest| ≤ roundingFenPerLine × lines (allocation and rounding of discounts).
 *   other                the rest.
 * The counted parts add up exactly to `difference`. The primary cause is the counted part with the largest |amount|
 * when the difference is not zero, else the uncounted part with the largest amount (ties: the order above). An order
 * is listed when it has any part.
 */
import { type Channel, type ChannelOrder, type Funder, allPlatformDiscounts, goodsSubtotalFen } from './order';
import type { ChannelOrderStatus, SettlementKind } from './received';
import { type AppliedRule, evaluateRules } from './rules';

export const CAUSES = [
  'not_settled',
  'refund',
  'price_change',
  'promotion_no_rule',
  'rule_no_counterpart',
  'fees',
  'rounding',
  'other',
] as const;
export type Cause = (typeof CAUSES)[number];

export const CHANNELS: readonly Channel[] = ['douyin', 'taobao', 'jd'];

export interface ReconcileOrder {
  order: ChannelOrder;
  status: ChannelOrderStatus;
  /** null: not evaluated (see the header). */
  expectedInvoiceFen: number | null;
  /** The evaluation's applied rules (code and version), null when not evaluated. */
  applied: readonly AppliedRule[] | null;
}

export interface ReconcileLine {
  channel: Channel;
  orderId: string;
  kind: SettlementKind;
  amountFen: number;
  /** UTC ISO instant. */
  settledAt: string;
}

/** What reconciliation needs of a rule version: who funds it and which platform promotion it is. */
export interface RuleFacts {
  fundedBy: Funder;
  platformRef: string | null;
}

export interface ReconcileOptions {
  /** |difference| ≤ this counts as matched; 0 = exact to the 分. */
  matchToleranceFen: number;
  /** A rest of at most this many 分 per order line is rounding. */
  roundingFenPerLine: number;
}

export const DEFAULT_RECONCILE_OPTIONS: ReconcileOptions = { matchToleranceFen: 0, roundingFenPerLine: 2 };

export interface ReconcileInput {
  /** China dates, YYYY-MM-DD, both included. */
  from: string;
  to: string;
  orders: readonly ReconcileOrder[];
  lines: readonly ReconcileLine[];
  /** By `${code}@${version}`; an applied rule not found here counts as shop-funded with no platformRef. */
  rules: ReadonlyMap<string, RuleFacts>;
  options?: Partial<ReconcileOptions>;
}

export interface CausePart {
  cause: Cause;
  /** Counted parts: signed share of `differenceFen`. Uncounted ones (refund, promotion_no_rule): the amount. */
  amountFen: number;
  counted: boolean;
}

export interface OrderDifference {
  channel: Channel;
  shop: string;
  orderId: string;
  paidAt: string | null;
  /** The latest non-fee settlement line before the end; null when not settled yet. */
  settledAt: string | null;
  cause: Cause;
  /** The primary cause's amount. */
  causeAmountFen: number;
  parts: CausePart[];
  invoiceFen: number;
  refundFen: number;
  expectedFen: number;
  /** null when not settled yet. */
  settledFen: number | null;
  /** expected − settled; null when not settled yet. */
  differenceFen: number | null;
  feeFen: number;
  /** true when the order had no evaluation (the invoice is the platform-only formula). */
  unevaluated: boolean;
}

export interface ChannelFigures {
  /** null for the total over all channels. */
  channel: Channel | null;
  settledOrders: number;
  expectedFen: number;
  settledFen: number;
  absDifferenceFen: number;
  /** absDifference / settled; null when nothing was settled. */
  differenceRate: number | null;
  matchedOrders: number;
  /** matched / settled orders; null when none. */
  matchRate: number | null;
  refundFen: number;
  feeFen: number;
  unsettledOrders: number;
  unsettledExpectedFen: number;
  unknownOrders: number;
  unknownSettledFen: number;
  /** Orders per primary cause and Σ|cause amount|, every cause present (0 when none). */
  causes: Record<Cause, { orders: number; amountFen: number }>;
}

export interface ReconcileReport {
  from: string;
  to: string;
  options: ReconcileOptions;
  /** Per channel, in CHANNELS order, only channels with anything in the period. */
  channels: ChannelFigures[];
  total: ChannelFigures;
  /** Listed orders, largest |difference| first (not settled yet: by expected), then channel, order id. */
  differences: OrderDifference[];
}

const DAY_MS = 86_400_000;
const CHINA_OFFSET_MS = 8 * 3600_000;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** [from 00:00 China, to+1 00:00 China) in epoch ms; RangeError on a bad date or from after to. */
export function chinaPeriod(from: string, to: string): { start: number; end: number } {
  const start = chinaMidnight(from);
  const end = chinaMidnight(to) + DAY_MS;
  if (end <= start) throw new RangeError(`the period ends before it starts: ${from}..${to}`);
  return { start, end };
}

function chinaMidnight(date: string): number {
  const m = ISO_DATE.exec(date);
  const [y, mo, d] = m ? m.slice(1).map(Number) : [Number.NaN, Number.NaN, Number.NaN];
  const ms = Date.UTC(y!, mo! - 1, d!);
  const back = new Date(ms);
  if (!m || Number.isNaN(ms) || back.getUTCMonth() !== mo! - 1 || back.getUTCDate() !== d) {
    throw new RangeError(`not a YYYY-MM-DD date: ${JSON.stringify(date)}`);
  }
  return ms - CHINA_OFFSET_MS;
}

const key = (channel: string, orderId: string) => `${channel}\u0000${orderId}`;

export function reconcile(input: ReconcileInput): ReconcileReport {
  const options = { ...DEFAULT_RECONCILE_OPTIONS, ...input.options };
  const { start, end } = chinaPeriod(input.from, input.to);
  const linesByOrder = new Map<string, ReconcileLine[]>();
  for (const line of input.lines) {
    const at = Date.parse(line.settledAt);
    if (!(at < end)) continue;
    const k = key(line.channel, line.orderId);
    const list = linesByOrder.get(k);
    if (list) list.push(line);
    else linesByOrder.set(k, [line]);
  }
  const figures = new Map<Channel, ChannelFigures>();
  const total = emptyFigures(null);
  const of = (channel: Channel) => {
    let f = figures.get(channel);
    if (!f) {
      f = emptyFigures(channel);
      figures.set(channel, f);
    }
    return f;
  };
  const differences: OrderDifference[] = [];
  const known = new Set<string>();

  for (const item of input.orders) {
    const { order } = item;
    const k = key(order.channel, order.orderId);
    if (known.has(k)) throw new RangeError(`order ${order.channel} ${order.orderId} given twice`);
    known.add(k);
    const lines = linesByOrder.get(k) ?? [];
    const unevaluated = item.expectedInvoiceFen === null;
    const invoiceFen = item.expectedInvoiceFen ?? evaluateRules(order, []).expectedInvoiceFen;
    const hasSettle = lines.some((l) => l.kind === 'settle');
    const paidAt = order.paidAt === null ? Number.NaN : Date.parse(order.paidAt);

    if (!hasSettle) {
      if (item.status === 'cancelled' || !(paidAt >= start && paidAt < end)) continue;
      const refundFen = -sum(lines.filter((l) => l.kind === 'refund'));
      const f = of(order.channel);
      for (const t of [f, total]) {
        t.unsettledOrders += 1;
        t.unsettledExpectedFen += invoiceFen - refundFen;
        t.causes.not_settled.orders += 1;
        t.causes.not_settled.amountFen += Math.abs(invoiceFen - refundFen);
      }
      differences.push({
        channel: order.channel,
        shop: order.shop,
        orderId: order.orderId,
        paidAt: order.paidAt,
        settledAt: null,
        cause: 'not_settled',
        causeAmountFen: invoiceFen - refundFen,
        parts: [{ cause: 'not_settled', amountFen: invoiceFen - refundFen, counted: false }],
        invoiceFen,
        refundFen,
        expectedFen: invoiceFen - refundFen,
        settledFen: null,
        differenceFen: null,
        feeFen: -sum(lines.filter((l) => l.kind === 'fee')),
        unevaluated,
      });
      continue;
    }
    const money = lines.filter((l) => l.kind !== 'fee');
    const last = money.reduce((a, l) => Math.max(a, Date.parse(l.settledAt)), Number.NEGATIVE_INFINITY);
    if (!(last >= start)) continue;

    const refundFen = -sum(lines.filter((l) => l.kind === 'refund'));
    const feeFen = -sum(lines.filter((l) => l.kind === 'fee'));
    const settledFen = sum(money);
    const expectedFen = invoiceFen - refundFen;
    const differenceFen = expectedFen - settledFen;
    const parts = causeParts(item, input.rules, { refundFen, feeFen, differenceFen, unevaluated }, options);
    const f = of(order.channel);
    const matched = Math.abs(differenceFen) <= options.matchToleranceFen;
    for (const t of [f, total]) {
      t.settledOrders += 1;
      t.expectedFen += expectedFen;
      t.settledFen += settledFen;
      t.absDifferenceFen += Math.abs(differenceFen);
      if (matched) t.matchedOrders += 1;
      t.refundFen += refundFen;
      t.feeFen += feeFen;
    }
    if (parts.length === 0) continue;
    const primary = primaryPart(parts, differenceFen);
    for (const t of [f, total]) {
      t.causes[primary.cause].orders += 1;
      t.causes[primary.cause].amountFen += Math.abs(primary.amountFen);
    }
    differences.push({
      channel: order.channel,
      shop: order.shop,
      orderId: order.orderId,
      paidAt: order.paidAt,
      settledAt: new Date(last).toISOString(),
      cause: primary.cause,
      causeAmountFen: primary.amountFen,
      parts,
      invoiceFen,
      refundFen,
      expectedFen,
      settledFen,
      differenceFen,
      feeFen,
      unevaluated,
    });
  }

  // Settlement lines in the period for orders nobody received.
  for (const [k, lines] of linesByOrder) {
    if (known.has(k)) continue;
    const inPeriod = lines.filter((l) => l.kind !== 'fee' && Date.parse(l.settledAt) >= start);
    if (inPeriod.length === 0) continue;
    const channel = lines[0]!.channel;
    for (const t of [of(channel), total]) {
      t.unknownOrders += 1;
      t.unknownSettledFen += sum(lines.filter((l) => l.kind !== 'fee'));
    }
  }

  for (const t of [...figures.values(), total]) {
    t.differenceRate = t.settledFen > 0 ? t.absDifferenceFen / t.settledFen : null;
    t.matchRate = t.settledOrders > 0 ? t.matchedOrders / t.settledOrders : null;
  }
  differences.sort(
    (a, b) =>
      Math.abs(b.differenceFen ?? b.expectedFen) - Math.abs(a.differenceFen ?? a.expectedFen) ||
      CHANNELS.indexOf(a.channel) - CHANNELS.indexOf(b.channel) ||
      (a.orderId < b.orderId ? -1 : a.orderId > b.orderId ? 1 : 0),
  );
  return {
    from: input.from,
    to: input.to,
    options,
    channels: CHANNELS.flatMap((c) => {
      const f = figures.get(c);
      return f ? [f] : [];
    }),
    total,
    differences,
  };
}

function causeParts(
  item: ReconcileOrder,
  rules: ReadonlyMap<string, RuleFacts>,
  amounts: { refundFen: number; feeFen: number; differenceFen: number; unevaluated: boolean },
  options: ReconcileOptions,
): CausePart[] {
  const { order } = item;
  const parts: CausePart[] = [];
  if (amounts.refundFen !== 0) parts.push({ cause: 'refund', amountFen: amounts.refundFen, counted: false });

  const discounts = allPlatformDiscounts(order);
  const shopDiscounts = discounts.filter((d) => d.fundedBy === 'shop');
  const applied = (item.applied ?? []).map((a) => ({
    applied: a,
    facts: rules.get(`${a.code}@${a.version}`) ?? { fundedBy: 'shop' as Funder, platformRef: null },
  }));
  const refs = applied.flatMap(({ facts }) => (facts.platformRef === null ? [] : [facts.platformRef]));
  if (!amounts.unevaluated) {
    const noRule = shopDiscounts.filter((d) => !refs.some((ref) => d.ref.startsWith(ref)));
    const noRuleFen = noRule.reduce((s, d) => s + d.amountFen, 0);
    if (noRuleFen !== 0) parts.push({ cause: 'promotion_no_rule', amountFen: noRuleFen, counted: false });
  }

  let rest = amounts.differenceFen;
  const impliedPaid =
    goodsSubtotalFen(order) + order.totals.freightFen - discounts.reduce((s, d) => s + d.amountFen, 0);
  const priceChange = impliedPaid - order.totals.paidFen;
  if (priceChange !== 0) {
    parts.push({ cause: 'price_change', amountFen: priceChange, counted: true });
    rest -= priceChange;
  }

  const noCounterpart = applied
    .filter(
      ({ applied: a, facts }) =>
        facts.fundedBy === 'shop' &&
        a.amountFen > 0 &&
        (facts.platformRef === null || !shopDiscounts.some((d) => d.ref.startsWith(facts.platformRef!))),
    )
    .reduce((s, { applied: a }) => s + a.amountFen, 0);
  if (noCounterpart !== 0) {
    parts.push({ cause: 'rule_no_counterpart', amountFen: -noCounterpart, counted: true });
    rest += noCounterpart;
  }

  const tolerance = options.roundingFenPerLine * Math.max(1, order.lines.length);
  if (amounts.feeFen > 0 && rest !== 0 && Math.abs(rest - amounts.feeFen) <= tolerance) {
    parts.push({ cause: 'fees', amountFen: amounts.feeFen, counted: true });
    rest -= amounts.feeFen;
  }
  if (rest !== 0) {
    parts.push({ cause: Math.abs(rest) <= tolerance ? 'rounding' : 'other', amountFen: rest, counted: true });
  }
  return parts;
}

function primaryPart(parts: CausePart[], differenceFen: number): CausePart {
  const pool = parts.filter((p) => p.counted === (differenceFen !== 0));
  const candidates = pool.length > 0 ? pool : parts;
  return candidates.reduce((best, p) =>
    Math.abs(p.amountFen) > Math.abs(best.amountFen) ||
    (Math.abs(p.amountFen) === Math.abs(best.amountFen) && CAUSES.indexOf(p.cause) < CAUSES.indexOf(best.cause))
      ? p
      : best,
  );
}

function sum(lines: readonly ReconcileLine[]): number {
  return lines.reduce((s, l) => s + l.amountFen, 0);
}

function emptyFigures(channel: Channel | null): ChannelFigures {
  return {
    channel,
    settledOrders: 0,
    expectedFen: 0,
    settledFen: 0,
    absDifferenceFen: 0,
    differenceRate: null,
    matchedOrders: 0,
    matchRate: null,
    refundFen: 0,
    feeFen: 0,
    unsettledOrders: 0,
    unsettledExpectedFen: 0,
    unknownOrders: 0,
    unknownSettledFen: 0,
    causes: Object.fromEntries(CAUSES.map((c) => [c, { orders: 0, amountFen: 0 }])) as ChannelFigures['causes'],
  };
}
