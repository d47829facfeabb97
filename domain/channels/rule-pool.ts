/**
 * A compiled rule pool: the rules checked, their windows parsed and their order fixed once, so that
 * `pool.evaluate(order)` costs little per order. `pool.evaluate(order)` is exactly
 * `evaluateRules(order, rules)` (rules.ts holds the semantics; tests/domain/rule-pool.property.test.ts
 * holds the two deep-equal over generated pools and orders).
 *
 * What is done once, in compileRulePool:
 * - every rule is checked (assertRule: a RangeError naming the rule) and a code+version given twice is
 *   refused, as evaluateRules does on every call;
 * - windows are parsed to epoch milliseconds, SKU include/exclude lists become Sets, exclusiveWith a Set;
 * - the rules are sorted by (priority, code, version);
 * - an index by channel and shop: for each channel, and each shop a rule of that channel names (plus one
 *   list for any other shop), the sorted slots, where a rule that can never apply to such an order
 *   ('wrong_channel', 'wrong_shop') is already its skip entry;
 * - every skip entry whose reason depends on the rule alone ('wrong_channel', 'wrong_shop', 'not_paid',
 *   'out_of_window', 'out_of_scope', 'below_threshold', 'below_min_quantity') is made once and shared
 *   (frozen) by every result; only interaction reasons ('stopped_by:X', …) are made per order.
 *
 * Not indexed by SKU: every rule still needs its entry (applied or skipped) in every result, so the
 * evaluation visits each slot anyway; a rule's scope test is one Set lookup per order line.
 */
import type { ChannelOrder } from './order';
import {
  type AppliedRule,
  assertRule,
  benefitAmounts,
  type ChannelRule,
  compareRules,
  expectedInvoice,
  type RuleEvaluation,
  type SkippedRule,
} from './rules';

export interface RulePool {
  /** The rules, in evaluation order (priority, code, version). */
  readonly rules: readonly ChannelRule[];
  /** The same result as evaluateRules(order, rules); skip entries of fixed reasons are shared and frozen. */
  evaluate(order: ChannelOrder): RuleEvaluation;
}

interface CompiledRule {
  rule: ChannelRule;
  from: number;
  to: number;
  /** null: every sku. */
  include: ReadonlySet<string> | null;
  exclude: ReadonlySet<string> | null;
  exclusiveWith: ReadonlySet<string>;
  minSubtotalFen: number | undefined;
  minQuantity: number | undefined;
  isMoney: boolean;
  notPaid: SkippedRule;
  outOfWindow: SkippedRule;
  outOfScope: SkippedRule;
  belowThreshold: SkippedRule;
  belowMinQuantity: SkippedRule;
}

/**
 * The sorted rules for one (channel, shop): the rules to evaluate (`live`), and the skip entries the other
 * rules always get, in runs: `before[k]` come just before live[k] in the sorted order, `tail` after the last.
 */
interface Slots {
  live: CompiledRule[];
  before: SkippedRule[][];
  tail: SkippedRule[];
}

interface ChannelIndex {
  byShop: Map<string, Slots>;
  /** For a shop no rule of the channel names. */
  otherShops: Slots;
}

const skipEntry = (rule: ChannelRule, reason: string): SkippedRule =>
  Object.freeze({ code: rule.code, version: rule.version, reason });

function compile(rule: ChannelRule): CompiledRule {
  const { from, to } = assertRule(rule);
  const { include, exclude } = rule.skuScope;
  return {
    rule,
    from,
    to,
    include: include.length === 0 ? null : new Set(include),
    exclude: exclude.length === 0 ? null : new Set(exclude),
    exclusiveWith: new Set(rule.exclusiveWith),
    minSubtotalFen: rule.conditions.minSubtotalFen,
    minQuantity: rule.conditions.minQuantity,
    isMoney: rule.benefit.type === 'fixed_off' || rule.benefit.type === 'percent_off',
    notPaid: skipEntry(rule, 'not_paid'),
    outOfWindow: skipEntry(rule, 'out_of_window'),
    outOfScope: skipEntry(rule, 'out_of_scope'),
    belowThreshold: skipEntry(rule, 'below_threshold'),
    belowMinQuantity: skipEntry(rule, 'below_min_quantity'),
  };
}

export function compileRulePool(rules: readonly ChannelRule[]): RulePool {
  const sorted = [...rules].sort(compareRules);
  for (let i = 1; i < sorted.length; i++) {
    const [a, b] = [sorted[i - 1]!, sorted[i]!];
    if (a.code === b.code && a.version === b.version) {
      throw new RangeError(`rule ${b.code} v${b.version} given twice`);
    }
  }
  const compiled = sorted.map(compile);
  const wrongChannel = sorted.map((r) => skipEntry(r, 'wrong_channel'));
  const wrongShop = sorted.map((r) => skipEntry(r, 'wrong_shop'));

  const slotsFor = (channel: string, shop: string | null): Slots => {
    const slots: Slots = { live: [], before: [], tail: [] };
    compiled.forEach((c, i) => {
      if (c.rule.channel !== channel) slots.tail.push(wrongChannel[i]!);
      else if (c.rule.shop !== null && c.rule.shop !== shop) slots.tail.push(wrongShop[i]!);
      else {
        slots.live.push(c);
        slots.before.push(slots.tail);
        slots.tail = [];
      }
    });
    return slots;
  };
  const channels = new Map<string, ChannelIndex>();
  const indexOf = (channel: string): ChannelIndex => {
    let index = channels.get(channel);
    if (index === undefined) {
      const shops = new Set(
        compiled.flatMap((c) => (c.rule.channel === channel && c.rule.shop !== null ? [c.rule.shop] : [])),
      );
      index = {
        byShop: new Map([...shops].map((shop) => [shop, slotsFor(channel, shop)])),
        otherShops: slotsFor(channel, null),
      };
      channels.set(channel, index);
    }
    return index;
  };
  for (const channel of ['douyin', 'taobao', 'jd']) indexOf(channel);

  return {
    rules: sorted,
    evaluate(order: ChannelOrder): RuleEvaluation {
      const index = indexOf(order.channel);
      return evaluateSlots(order, index.byShop.get(order.shop) ?? index.otherShops);
    },
  };
}

function evaluateSlots(order: ChannelOrder, slots: Slots): RuleEvaluation {
  const lines = order.lines;
  const n = lines.length;
  const base = new Array<number>(n);
  for (let i = 0; i < n; i++) base[i] = lines[i]!.quantity * lines[i]!.unitPriceFen;
  const running = base.slice();
  const paidAt = order.paidAt === null ? null : Date.parse(order.paidAt);
  const createdAt = Date.parse(order.createdAt);
  const applied: AppliedRule[] = [];
  const appliedRules: CompiledRule[] = [];
  const skipped: SkippedRule[] = [];
  let stoppedBy: string | null = null;

  const { live, before } = slots;
  for (let s = 0; s < live.length; s++) {
    const run = before[s]!;
    for (let k = 0; k < run.length; k++) skipped.push(run[k]!);
    const c = live[s]!;
    const rule = c.rule;
    const at = rule.window.basis === 'pay' ? paidAt : createdAt;
    if (at === null) {
      skipped.push(c.notPaid);
      continue;
    }
    if (!(at >= c.from && at < c.to)) {
      skipped.push(c.outOfWindow);
      continue;
    }
    let inScope = 0;
    let subtotal = 0;
    let quantity = 0;
    for (let i = 0; i < n; i++) {
      if (inScopeOf(c, lines[i]!.sku)) {
        inScope += 1;
        subtotal += base[i]!;
        quantity += lines[i]!.quantity;
      }
    }
    if (inScope === 0) {
      skipped.push(c.outOfScope);
      continue;
    }
    if (c.minSubtotalFen !== undefined && subtotal < c.minSubtotalFen) {
      skipped.push(c.belowThreshold);
      continue;
    }
    if (c.minQuantity !== undefined && quantity < c.minQuantity) {
      skipped.push(c.belowMinQuantity);
      continue;
    }
    const conflict = stoppedBy !== null ? `stopped_by:${stoppedBy}` : interaction(c, appliedRules);
    if (conflict !== null) {
      skipped.push({ code: rule.code, version: rule.version, reason: conflict });
      continue;
    }
    const scoped: number[] = [];
    const scopedRunning: number[] = [];
    const scopedQuantity: number[] = [];
    for (let i = 0; i < n; i++) {
      if (inScopeOf(c, lines[i]!.sku)) {
        scoped.push(i);
        scopedRunning.push(running[i]!);
        scopedQuantity.push(lines[i]!.quantity);
      }
    }
    const result = benefitAmounts(rule, scopedRunning, scopedQuantity);
    if (typeof result === 'string') {
      skipped.push({ code: rule.code, version: rule.version, reason: result });
      continue;
    }
    let amountFen = 0;
    for (let k = 0; k < scoped.length; k++) {
      running[scoped[k]!]! -= result[k]!;
      amountFen += result[k]!;
    }
    const entry: AppliedRule = {
      code: rule.code,
      version: rule.version,
      amountFen,
      lines: c.isMoney ? scoped.map((i, k) => ({ sku: lines[i]!.sku, amountFen: result[k]! })) : [],
      label: rule.label,
    };
    if (rule.benefit.type === 'gift') entry.gift = { sku: rule.benefit.sku, quantity: rule.benefit.quantity };
    if (rule.benefit.type === 'points') entry.points = rule.benefit.points;
    applied.push(entry);
    appliedRules.push(c);
    if (rule.stopFurther) stoppedBy = rule.code;
  }
  const tail = slots.tail;
  for (let k = 0; k < tail.length; k++) skipped.push(tail[k]!);

  return {
    applied,
    skipped,
    expectedInvoiceFen: expectedInvoice(
      order,
      appliedRules.map((c) => c.rule),
      applied,
    ),
  };
}

function inScopeOf(c: CompiledRule, sku: string): boolean {
  return (c.include === null || c.include.has(sku)) && (c.exclude === null || !c.exclude.has(sku));
}

/** The interaction skip reason against the rules applied so far, in the order rules.ts checks them, or null. */
function interaction(c: CompiledRule, appliedRules: readonly CompiledRule[]): string | null {
  const rule = c.rule;
  if (rule.stackGroup !== null) {
    for (const a of appliedRules) {
      if (a.rule.stackGroup === rule.stackGroup) return `stack_group_taken_by:${a.rule.code}`;
    }
  }
  for (const a of appliedRules) {
    if (a.exclusiveWith.has(rule.code) || c.exclusiveWith.has(a.rule.code)) return `excluded_by:${a.rule.code}`;
  }
  for (const a of appliedRules) {
    if (!(rule.combinesWith[a.rule.target] && a.rule.combinesWith[rule.target])) {
      return `not_combinable_with:${a.rule.code}`;
    }
  }
  return null;
}
