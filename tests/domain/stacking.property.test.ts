import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Channel } from '../../domain/channels/order';
import { conflictOf, findStackingSets, orderSetKey, type StackingOrder } from '../../domain/channels/stacking';

const H = 3600_000;
const DAY = 24 * H;
const EXCLUSIVE = { 'DY-MJ': ['JD-PLUS'], 'TB-88': ['DY-MJ'] };

const order = (id: number, channel: Channel, hour: number, skus: string[], ruleCodes: string[]): StackingOrder => ({
  id,
  channel,
  paidAt: hour * H,
  skus,
  ruleCodes,
});

describe('suspected rule stacking: worked examples', () => {
  it('finds 抖音满减 and 京东PLUS价 on the same SKU within 24 h, in either direction of the exclusion', () => {
    const orders = [order(7, 'jd', 5, ['A', 'B'], ['JD-PLUS']), order(3, 'douyin', 1, ['B', 'C'], ['DY-MJ'])];
    expect(findStackingSets(orders, EXCLUSIVE, DAY)).toEqual([
      { orderIds: [3, 7], ruleCodes: ['DY-MJ', 'JD-PLUS'], exclusivePairs: [['DY-MJ', 'JD-PLUS']], overlapSkus: ['B'] },
    ]);
    // Only JD-PLUS names the other: still exclusive (symmetric).
    expect(findStackingSets(orders, { 'JD-PLUS': ['DY-MJ'] }, DAY)).toHaveLength(1);
  });

  it('needs two channels, the window, a shared SKU and excluding rules', () => {
    const base = order(1, 'douyin', 0, ['A'], ['DY-MJ']);
    expect(findStackingSets([base, order(2, 'douyin', 1, ['A'], ['JD-PLUS'])], EXCLUSIVE, DAY)).toEqual([]);
    expect(findStackingSets([base, order(2, 'jd', 25, ['A'], ['JD-PLUS'])], EXCLUSIVE, DAY)).toEqual([]);
    expect(findStackingSets([base, order(2, 'jd', 24, ['A'], ['JD-PLUS'])], EXCLUSIVE, DAY)).toHaveLength(1);
    expect(findStackingSets([base, order(2, 'jd', 1, ['B'], ['JD-PLUS'])], EXCLUSIVE, DAY)).toEqual([]);
    expect(findStackingSets([base, order(2, 'jd', 1, ['A'], ['JD-OTHER'])], EXCLUSIVE, DAY)).toEqual([]);
    expect(findStackingSets([base, order(2, 'jd', 1, ['A'], [])], EXCLUSIVE, DAY)).toEqual([]);
  });

  it('makes one set of a chain (a—b—c) and separate sets of separate groups', () => {
    const orders = [
      order(1, 'douyin', 0, ['A'], ['DY-MJ']),
      order(2, 'jd', 20, ['A'], ['JD-PLUS']),
      order(3, 'taobao', 40, ['A'], ['TB-88']),
      // 3 is 40 h from 1 and conflicts with neither 1 nor 2 (TB-88 excludes DY-MJ only, 1 is too early): it joins through 4.
      order(4, 'douyin', 39, ['A'], ['DY-MJ']),
      order(10, 'douyin', 200, ['Z'], ['DY-MJ']),
      order(11, 'jd', 201, ['Z'], ['JD-PLUS']),
    ];
    expect(findStackingSets(orders, EXCLUSIVE, DAY).map((s) => s.orderIds)).toEqual([
      [1, 2, 3, 4],
      [10, 11],
    ]);
    expect(orderSetKey([11, 10, 10])).toBe('10,11');
  });
});

const channels: Channel[] = ['douyin', 'taobao', 'jd'];
const codes = ['R1', 'R2', 'R3', 'R4'];
const arbOrders = fc
  .array(
    fc.record({
      channel: fc.constantFrom(...channels),
      hour: fc.integer({ min: 0, max: 96 }),
      skus: fc.subarray(['A', 'B', 'C', 'D'], { minLength: 1 }),
      ruleCodes: fc.subarray(codes),
    }),
    { maxLength: 12 },
  )
  .map((rows) => rows.map((r, i) => order(i + 1, r.channel, r.hour, r.skus, r.ruleCodes)));
const arbExclusive = fc.dictionary(fc.constantFrom(...codes), fc.subarray(codes));
const arbWindow = fc.integer({ min: 0, max: 48 }).map((h) => h * H);

describe('suspected rule stacking: properties', () => {
  it('is deterministic: the input order never changes the sets', () => {
    fc.assert(
      fc.property(arbOrders, arbExclusive, arbWindow, fc.integer(), (orders, excl, w, seed) => {
        const shuffled = [...orders].sort((a, b) => ((a.id * 7919 + seed) % 101) - ((b.id * 7919 + seed) % 101));
        expect(findStackingSets(shuffled, excl, w)).toEqual(findStackingSets(orders, excl, w));
      }),
    );
  });

  it('is symmetric in the exclusion: naming it on either rule gives the same sets', () => {
    fc.assert(
      fc.property(arbOrders, arbExclusive, arbWindow, (orders, excl, w) => {
        const flipped: Record<string, string[]> = {};
        for (const [a, list] of Object.entries(excl)) for (const b of list) flipped[b] = [...(flipped[b] ?? []), a];
        expect(findStackingSets(orders, flipped, w)).toEqual(findStackingSets(orders, excl, w));
      }),
    );
  });

  it('gives disjoint sets, each a connected group of conflicting orders on ≥ 2 channels, and misses no conflict', () => {
    fc.assert(
      fc.property(arbOrders, arbExclusive, arbWindow, (orders, excl, w) => {
        const sets = findStackingSets(orders, excl, w);
        const seen = new Set<number>();
        const setOf = new Map<number, number>();
        sets.forEach((set, k) => {
          expect(set.orderIds).toEqual([...set.orderIds].sort((a, b) => a - b));
          expect(set.orderIds.length).toBeGreaterThanOrEqual(2);
          const members = orders.filter((o) => set.orderIds.includes(o.id));
          expect(new Set(members.map((o) => o.channel)).size).toBeGreaterThanOrEqual(2);
          for (const id of set.orderIds) {
            expect(seen.has(id)).toBe(false);
            seen.add(id);
            setOf.set(id, k);
          }
          // Connected: every member reaches every other through conflicts inside the set.
          const reached = new Set([set.orderIds[0]!]);
          for (let grew = true; grew; ) {
            grew = false;
            for (const a of members)
              for (const b of members)
                if (reached.has(a.id) && !reached.has(b.id) && conflictOf(a, b, excl, w)) {
                  reached.add(b.id);
                  grew = true;
                }
          }
          expect(reached.size).toBe(set.orderIds.length);
          for (const [a, b] of set.exclusivePairs) {
            expect(a < b).toBe(true);
            expect(excl[a]?.includes(b) || excl[b]?.includes(a)).toBe(true);
          }
        });
        // Every conflicting pair lies in one set; an order in no conflict is in no set.
        for (const a of orders)
          for (const b of orders) {
            if (a.id >= b.id || !conflictOf(a, b, excl, w)) continue;
            expect(setOf.get(a.id)).toBeDefined();
            expect(setOf.get(a.id)).toBe(setOf.get(b.id));
          }
      }),
    );
  });

  it('a wider window never loses a set member', () => {
    fc.assert(
      fc.property(arbOrders, arbExclusive, arbWindow, (orders, excl, w) => {
        const narrow = findStackingSets(orders, excl, w).flatMap((s) => s.orderIds);
        const wide = new Set(findStackingSets(orders, excl, w + 12 * H).flatMap((s) => s.orderIds));
        for (const id of narrow) expect(wide.has(id)).toBe(true);
      }),
    );
  });

  it('refuses a negative window', () => {
    expect(() => findStackingSets([], {}, -1)).toThrow(RangeError);
  });
});
