/**
 * Suspected rule stacking across channels (../shared/protocols/channels.md §3.1 "Cross-channel exclusivity").
 * "抖音满减 cannot coexist with 京东PLUS价" can never break inside one order (an order is on one channel); it
 * breaks when one customer buys the same SKUs on two channels close together and each order got one of two
 * rules that exclude each other. Pure and deterministic: no clock, no database.
 *
 * Semantics of `findStackingSets(orders, exclusiveWith, windowMs)`
 * - Two orders are *in conflict* when all of these hold:
 *   their channels differ; |paidAt(a) − paidAt(b)| ≤ windowMs; their SKU sets overlap; and some rule applied to
 *   one excludes some rule applied to the other. Exclusion is symmetric: X excludes Y when Y is in
 *   exclusiveWith[X] or X is in exclusiveWith[Y] (codes only, as in rules.ts).
 * - The orders form a graph with the conflicts as edges; each connected group of two or more orders is one
 *   set. A group therefore always spans ≥ 2 channels. It may span more than the window end to end (a—b and
 *   b—c each within it): the whole chain is one review.
 * - A set lists its order ids ascending, the conflicting rule pairs (each pair sorted, pairs sorted), the rule
 *   codes of those pairs, and the SKUs shared by the conflicting orders, all sorted and without repeats.
 *   The sets come ordered by their first order id. The input order never changes the result.
 * - The key of a set (`orderSetKey`) is its sorted ids joined by ","; the review store is idempotent on it.
 */
import type { Channel } from './order';

export interface StackingOrder {
  /** The channel_orders row id. */
  id: number;
  channel: Channel;
  /** UTC epoch milliseconds of the payment. */
  paidAt: number;
  skus: readonly string[];
  /** The codes of the rules applied to the order (its RuleEvaluation's `applied`). */
  ruleCodes: readonly string[];
}

export interface StackingSet {
  orderIds: number[];
  /** The codes of the rules that exclude each other in this set. */
  ruleCodes: string[];
  /** Each pair [a, b] with a < b: a rule of one order excludes a rule of another. */
  exclusivePairs: Array<[string, string]>;
  /** SKUs bought on both sides of a conflict. */
  overlapSkus: string[];
}

/** The idempotency key of a set of orders: the ids ascending, joined by ",". */
export function orderSetKey(ids: readonly number[]): string {
  return [...new Set(ids)].sort((a, b) => a - b).join(',');
}

/** Whether rule codes a and b exclude each other (either names the other). */
export function excludes(exclusiveWith: Readonly<Record<string, readonly string[]>>, a: string, b: string): boolean {
  return (exclusiveWith[a]?.includes(b) ?? false) || (exclusiveWith[b]?.includes(a) ?? false);
}

/** The conflict between two orders: the excluding rule pairs and shared SKUs, or null when none. */
export function conflictOf(
  a: StackingOrder,
  b: StackingOrder,
  exclusiveWith: Readonly<Record<string, readonly string[]>>,
  windowMs: number,
): { pairs: Array<[string, string]>; skus: string[] } | null {
  if (a.channel === b.channel || Math.abs(a.paidAt - b.paidAt) > windowMs) return null;
  const bSkus = new Set(b.skus);
  const skus = [...new Set(a.skus.filter((s) => bSkus.has(s)))];
  if (skus.length === 0) return null;
  const pairs: Array<[string, string]> = [];
  for (const ra of new Set(a.ruleCodes)) {
    for (const rb of new Set(b.ruleCodes)) {
      if (ra !== rb && excludes(exclusiveWith, ra, rb)) pairs.push(ra < rb ? [ra, rb] : [rb, ra]);
    }
  }
  return pairs.length === 0 ? null : { pairs, skus };
}

const compareText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export function findStackingSets(
  orders: readonly StackingOrder[],
  exclusiveWith: Readonly<Record<string, readonly string[]>>,
  windowMs: number,
): StackingSet[] {
  if (!(windowMs >= 0)) throw new RangeError(`windowMs must be a non-negative number, got ${windowMs}`);
  // One entry per id (a duplicate id is the same order given twice), sorted so the result never depends on input order.
  const byId = new Map<number, StackingOrder>();
  for (const o of orders) if (!byId.has(o.id)) byId.set(o.id, o);
  const sorted = [...byId.values()].sort((a, b) => a.id - b.id);
  const parent = sorted.map((_, i) => i);
  const root = (i: number): number => {
    let r = i;
    while (parent[r] !== r) r = parent[r]!;
    return r;
  };
  const found: Array<{ i: number; j: number; pairs: Array<[string, string]>; skus: string[] }> = [];
  // Sorted by payment time, a window scan compares only orders close enough in time.
  const byTime = sorted.map((o, i) => ({ o, i })).sort((x, y) => x.o.paidAt - y.o.paidAt || x.o.id - y.o.id);
  for (let x = 0; x < byTime.length; x++) {
    for (let y = x + 1; y < byTime.length && byTime[y]!.o.paidAt - byTime[x]!.o.paidAt <= windowMs; y++) {
      const conflict = conflictOf(byTime[x]!.o, byTime[y]!.o, exclusiveWith, windowMs);
      if (!conflict) continue;
      const [i, j] = [byTime[x]!.i, byTime[y]!.i];
      found.push({ i, j, ...conflict });
      const [ri, rj] = [root(i), root(j)];
      if (ri !== rj) parent[Math.max(ri, rj)] = Math.min(ri, rj);
    }
  }
  const groups = new Map<number, { ids: Set<number>; pairs: Map<string, [string, string]>; skus: Set<string> }>();
  for (const { i, j, pairs, skus } of found) {
    const r = root(i);
    const group = groups.get(r) ?? { ids: new Set(), pairs: new Map(), skus: new Set() };
    group.ids.add(sorted[i]!.id).add(sorted[j]!.id);
    for (const p of pairs) group.pairs.set(`${p[0]}\u0000${p[1]}`, p);
    for (const s of skus) group.skus.add(s);
    groups.set(r, group);
  }
  return [...groups.values()]
    .map((g) => {
      const exclusivePairs = [...g.pairs.values()].sort((p, q) => compareText(p[0], q[0]) || compareText(p[1], q[1]));
      return {
        orderIds: [...g.ids].sort((a, b) => a - b),
        ruleCodes: [...new Set(exclusivePairs.flat())].sort(compareText),
        exclusivePairs,
        overlapSkus: [...g.skus].sort(compareText),
      };
    })
    .sort((a, b) => a.orderIds[0]! - b.orderIds[0]!);
}
