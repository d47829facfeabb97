/**
 * Channel promotion rules and their evaluation on one canonical order. Pure and deterministic:
 * no clock (the order's own instants are used), no state (budgets are not counted here: a budget
 * needs the usage of other orders, so the caller drops exhausted rules before calling).
 *
 * Semantics of `evaluateRules(order, rules)`
 * - Order: rules are evaluated in ascending (priority, code, version); the order of the input array
 *   never matters. Two rules with the same code and version are refused (RangeError).
 *   The order is trusted to satisfy assertChannelOrder (order.ts); a malformed rule throws RangeError.
 * - Line base = quantity × unitPriceFen (the platform's current price). Each line keeps a running
 *   amount, starting at its base and lowered by every applied money rule (fixed_off, percent_off),
 *   whoever funds it. Platform-reported discounts do not lower the running amounts: a rule that
 *   corresponds to a platform promotion (platformRef) *is* that promotion, counted once.
 * - Eligibility, checked first, in this order; the first failure is the skip reason:
 *   'wrong_channel', 'wrong_shop', 'not_paid' (basis 'pay' and no paidAt), 'out_of_window',
 *   'out_of_scope' (no line in the SKU scope), 'below_threshold' (scoped subtotal < minSubtotalFen),
 *   'below_min_quantity' (Σ scoped quantity < minQuantity).
 *   Scope: a line is in scope when its sku is in `include` (an empty include means every sku) and
 *   not in `exclude`. The scoped subtotal is Σ line base of scoped lines, before any rule, so a
 *   threshold does not depend on which other rules applied.
 * - Window: [from, to) authored as China wall-clock time "YYYY-MM-DD HH:mm:ss" (UTC+8, no DST),
 *   compared on the instant of paidAt or createdAt (`basis`). 23:59:59.999 China time on the last
 *   day is inside a window ending at 00:00:00 of the next day; that midnight itself is outside.
 * - Interaction, checked next against the rules applied so far, in this order:
 *   'stopped_by:X'        an applied rule X had stopFurther: every later rule is skipped.
 *   'stack_group_taken_by:X' X, applied earlier, has the same stackGroup. A group applies at most one
 *                         rule: the first in (priority, code, version) order that passes every other
 *                         check (the notes' default "priority" policy; no best-for-customer search).
 *   'excluded_by:X'       X is in this rule's exclusiveWith, or this rule's code is in X's
 *                         (exclusion is symmetric; codes only, compared without version).
 *   'not_combinable_with:X' Shopify-style: this rule may join X only if this.combinesWith[X.target]
 *                         and X.combinesWith[this.target] are both true.
 *   A skipped rule never takes a stack group, excludes, or stops anything.
 * - Amount, for money benefits, against the running amounts of the scoped lines:
 *   fixed_off  across: min(amountFen, Σ running); each: per line min(running, amountFen × quantity).
 *   percent_off across: roundHalfUp(Σ running × bp / 10000); each: the same per line.
 *   Percentages therefore compound with earlier rules (50% then 50% = 75%), as in Magento.
 *   An 'across' amount is allocated to the scoped lines in proportion to their running amounts by
 *   the largest-remainder method (ties: earlier line first), so the line shares add up exactly and no
 *   line exceeds its running amount: no line, and no order, goes below zero.
 *   'nothing_left' when the scoped running amount is already 0; 'rounds_to_zero' when the computed
 *   discount is 0 分 (e.g. 1% of 0.49 元).
 * - Gift and points: applied with amountFen 0 and no lines (they carry `gift` / `points`). They lower
 *   no amount and no invoice (a gift is a zero-price unit; points are a later liability, not a price
 *   reduction), but they do take their stack group, exclude, and stop further rules like any other.
 * - expectedInvoiceFen = freight + max(0, goods subtotal − Σ applied money rules funded by 'shop'
 *   − Σ platform-reported discounts funded by 'shop' that no applied rule corresponds to).
 *   A reported discount corresponds to an applied rule when its ref starts with the rule's
 *   platformRef. Platform- and talent-funded discounts stay in the invoiced revenue (the notes: they
 *   may be invoiced to the platform; finance's split is unconfirmed [U]). Refunds are not part of an
 *   order; reconciliation deducts them later.
 * - Speed: this function is the reference semantics; it checks, sorts and scans the whole rule list for
 *   every order. For many orders compile the rules once with compileRulePool (rule-pool.ts), whose
 *   `evaluate` gives exactly the same result (a property test holds the two equal).
 * - Not modelled: shipping target, max applications / "每满" repetition, SKU scope match "all",
 *   exclusion by tag, best-for-customer stack groups, budgets.
 */
import {
  type Channel,
  type ChannelOrder,
  type Funder,
  allPlatformDiscounts,
  goodsSubtotalFen,
  lineAmountFen,
} from './order';

export type RuleClass = 'item' | 'order';

export type Benefit =
  | { type: 'fixed_off'; amountFen: number }
  | { type: 'percent_off'; basisPoints: number }
  | { type: 'gift'; sku: string; quantity: number }
  | { type: 'points'; points: number };

export interface ChannelRule {
  code: string;
  version: number;
  /** Shown to staff, e.g. "已应用抖音专属规则". */
  label: string;
  channel: Channel;
  /** null: every shop of the channel. */
  shop: string | null;
  skuScope: { include: string[]; exclude: string[] };
  conditions: { minSubtotalFen?: number; minQuantity?: number };
  benefit: Benefit;
  /** The class used by combinesWith. */
  target: RuleClass;
  /** 'across': once on the scoped total, allocated to lines; 'each': per unit (fixed) or per line (percent). */
  allocation: 'across' | 'each';
  /** Ascending: lower runs first. */
  priority: number;
  stackGroup: string | null;
  combinesWith: Record<RuleClass, boolean>;
  /** Rule codes this rule never applies together with (symmetric). */
  exclusiveWith: string[];
  stopFurther: boolean;
  /** China wall-clock "YYYY-MM-DD HH:mm:ss", end-exclusive. */
  window: { from: string; to: string; basis: 'pay' | 'create' };
  fundedBy: Funder;
  /** The platform promotion this rule should correspond to (a ref prefix), if any. */
  platformRef: string | null;
}

export interface AppliedRule {
  code: string;
  version: number;
  amountFen: number;
  lines: { sku: string; amountFen: number }[];
  label: string;
  gift?: { sku: string; quantity: number };
  points?: number;
}

export interface SkippedRule {
  code: string;
  version: number;
  reason: string;
}

export interface RuleEvaluation {
  applied: AppliedRule[];
  skipped: SkippedRule[];
  expectedInvoiceFen: number;
}

const CHINA_OFFSET_MS = 8 * 3600_000;
const CHINA_WALL = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})$/;

/** "2026-01-31 23:59:59" China time → the UTC epoch milliseconds of that instant. */
export function chinaWallClockToInstant(wall: string): number {
  const m = CHINA_WALL.exec(wall);
  if (!m) throw new RangeError(`not a China wall-clock time "YYYY-MM-DD HH:mm:ss": ${JSON.stringify(wall)}`);
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  const ms = Date.UTC(y, mo - 1, d, h, mi, s);
  const back = new Date(ms);
  if (back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) {
    throw new RangeError(`not a valid date and time: ${JSON.stringify(wall)}`);
  }
  return ms - CHINA_OFFSET_MS;
}

/** round half up of a·b/c for non-negative integers, exact beyond 2^53. */
function mulDivRoundHalfUp(a: number, b: number, c: number): number {
  const p = a * b;
  if (Number.isSafeInteger(p)) {
    const q = Math.floor(p / c);
    return 2 * (p % c) >= c ? q + 1 : q;
  }
  return Number((BigInt(a) * BigInt(b) * 2n + BigInt(c)) / (2n * BigInt(c)));
}

/**
 * Splits `amount` over `weights` in proportion, by largest remainder: the shares sum to `amount`
 * exactly; ties go to the earlier index. Requires 0 ≤ amount ≤ Σ weights, integers.
 */
export function allocateLargestRemainder(amount: number, weights: number[]): number[] {
  const total = weights.reduce((s, w) => s + w, 0);
  if (amount === 0 || total === 0) return weights.map(() => 0);
  const big = !Number.isSafeInteger(amount * total);
  const shares: number[] = [];
  const remainders: { i: number; r: bigint | number }[] = [];
  let given = 0;
  weights.forEach((w, i) => {
    if (big) {
      const p = BigInt(amount) * BigInt(w);
      shares.push(Number(p / BigInt(total)));
      remainders.push({ i, r: p % BigInt(total) });
    } else {
      const p = amount * w;
      shares.push(Math.floor(p / total));
      remainders.push({ i, r: p % total });
    }
    given += shares[i]!;
  });
  remainders.sort((a, b) => (a.r === b.r ? a.i - b.i : a.r > b.r ? -1 : 1));
  for (let k = 0; k < amount - given; k++) shares[remainders[k]!.i]! += 1;
  return shares;
}

/** The evaluation order: ascending (priority, code, version). Shared with rule-pool.ts. */
export function compareRules(a: ChannelRule, b: ChannelRule): number {
  if (a.priority !== b.priority) return a.priority - b.priority;
  if (a.code !== b.code) return a.code < b.code ? -1 : 1;
  return a.version - b.version;
}

/** Throws a RangeError naming the rule when it is malformed; its window as UTC epoch ms [from, to). */
export function assertRule(rule: ChannelRule): { from: number; to: number } {
  const bad = (why: string): never => {
    throw new RangeError(`rule ${rule.code} v${rule.version}: ${why}`);
  };
  const b = rule.benefit;
  if (b.type === 'fixed_off' && !(Number.isSafeInteger(b.amountFen) && b.amountFen >= 0)) bad('amountFen');
  if (b.type === 'percent_off' && !(Number.isInteger(b.basisPoints) && b.basisPoints >= 0 && b.basisPoints <= 10000))
    bad('basisPoints must be 0..10000');
  if (b.type === 'gift' && !(Number.isInteger(b.quantity) && b.quantity > 0)) bad('gift quantity');
  if (b.type === 'points' && !(Number.isInteger(b.points) && b.points >= 0)) bad('points');
  const from = chinaWallClockToInstant(rule.window.from);
  const to = chinaWallClockToInstant(rule.window.to);
  if (!(from < to)) bad('window must end after it starts');
  return { from, to };
}

export function evaluateRules(order: ChannelOrder, rules: readonly ChannelRule[]): RuleEvaluation {
  const sorted = [...rules].sort(compareRules);
  for (let i = 1; i < sorted.length; i++) {
    const [a, b] = [sorted[i - 1]!, sorted[i]!];
    if (a.code === b.code && a.version === b.version) {
      throw new RangeError(`rule ${b.code} v${b.version} given twice`);
    }
  }
  const running = order.lines.map(lineAmountFen);
  const applied: AppliedRule[] = [];
  const appliedRules: ChannelRule[] = [];
  const skipped: SkippedRule[] = [];
  let stoppedBy: string | null = null;

  for (const rule of sorted) {
    const window = assertRule(rule);
    const skip = (reason: string) => skipped.push({ code: rule.code, version: rule.version, reason });

    const scoped = order.lines
      .map((line, i) => ({ line, i }))
      .filter(
        ({ line }) =>
          (rule.skuScope.include.length === 0 || rule.skuScope.include.includes(line.sku)) &&
          !rule.skuScope.exclude.includes(line.sku),
      );
    const instant = rule.window.basis === 'pay' ? order.paidAt : order.createdAt;
    const at = instant === null ? Number.NaN : Date.parse(instant);
    const scopedSubtotal = scoped.reduce((s, { line }) => s + lineAmountFen(line), 0);
    const scopedQuantity = scoped.reduce((s, { line }) => s + line.quantity, 0);

    if (rule.channel !== order.channel) skip('wrong_channel');
    else if (rule.shop !== null && rule.shop !== order.shop) skip('wrong_shop');
    else if (instant === null) skip('not_paid');
    else if (!(at >= window.from && at < window.to)) skip('out_of_window');
    else if (scoped.length === 0) skip('out_of_scope');
    else if (rule.conditions.minSubtotalFen !== undefined && scopedSubtotal < rule.conditions.minSubtotalFen)
      skip('below_threshold');
    else if (rule.conditions.minQuantity !== undefined && scopedQuantity < rule.conditions.minQuantity)
      skip('below_min_quantity');
    else if (stoppedBy !== null) skip(`stopped_by:${stoppedBy}`);
    else {
      const sameGroup =
        rule.stackGroup === null ? undefined : appliedRules.find((a) => a.stackGroup === rule.stackGroup);
      const excluder = appliedRules.find(
        (a) => a.exclusiveWith.includes(rule.code) || rule.exclusiveWith.includes(a.code),
      );
      const clash = appliedRules.find((a) => !(rule.combinesWith[a.target] && a.combinesWith[rule.target]));
      if (sameGroup) skip(`stack_group_taken_by:${sameGroup.code}`);
      else if (excluder) skip(`excluded_by:${excluder.code}`);
      else if (clash) skip(`not_combinable_with:${clash.code}`);
      else {
        const result = benefitAmounts(
          rule,
          scoped.map(({ i }) => running[i]!),
          scoped.map(({ line }) => line.quantity),
        );
        if (typeof result === 'string') skip(result);
        else {
          scoped.forEach(({ i }, k) => {
            running[i]! -= result[k]!;
          });
          const amountFen = result.reduce((s, v) => s + v, 0);
          const entry: AppliedRule = {
            code: rule.code,
            version: rule.version,
            amountFen,
            lines:
              rule.benefit.type === 'fixed_off' || rule.benefit.type === 'percent_off'
                ? scoped.map(({ line }, k) => ({ sku: line.sku, amountFen: result[k]! }))
                : [],
            label: rule.label,
          };
          if (rule.benefit.type === 'gift') entry.gift = { sku: rule.benefit.sku, quantity: rule.benefit.quantity };
          if (rule.benefit.type === 'points') entry.points = rule.benefit.points;
          applied.push(entry);
          appliedRules.push(rule);
          if (rule.stopFurther) stoppedBy = rule.code;
        }
      }
    }
  }

  return { applied, skipped, expectedInvoiceFen: expectedInvoice(order, appliedRules, applied) };
}

/** Per scoped line discount, or a skip reason. Shared with rule-pool.ts. */
export function benefitAmounts(rule: ChannelRule, running: number[], quantities: number[]): number[] | string {
  const b = rule.benefit;
  if (b.type === 'gift' || b.type === 'points') return running.map(() => 0);
  const left = running.reduce((s, v) => s + v, 0);
  if (left === 0) return 'nothing_left';
  let shares: number[];
  if (rule.allocation === 'each') {
    shares =
      b.type === 'fixed_off'
        ? running.map((r, k) => Math.min(r, b.amountFen * quantities[k]!))
        : running.map((r) => mulDivRoundHalfUp(r, b.basisPoints, 10000));
  } else {
    const amount = b.type === 'fixed_off' ? Math.min(b.amountFen, left) : mulDivRoundHalfUp(left, b.basisPoints, 10000);
    shares = allocateLargestRemainder(amount, running);
  }
  return shares.every((s) => s === 0) ? 'rounds_to_zero' : shares;
}

/** expectedInvoiceFen of the header comment; `rules[k]` is the rule of `applied[k]`. Shared with rule-pool.ts. */
export function expectedInvoice(order: ChannelOrder, rules: ChannelRule[], applied: AppliedRule[]): number {
  const ruleShop = applied.reduce((s, a, k) => s + (rules[k]!.fundedBy === 'shop' ? a.amountFen : 0), 0);
  const refs = rules.flatMap((r) => (r.platformRef === null ? [] : [r.platformRef]));
  const platformShop = allPlatformDiscounts(order)
    .filter((d) => d.fundedBy === 'shop' && !refs.some((ref) => d.ref.startsWith(ref)))
    .reduce((s, d) => s + d.amountFen, 0);
  return order.totals.freightFen + Math.max(0, goodsSubtotalFen(order) - ruleShop - platformShop);
}
