import { getSolarDateFromLunar } from 'chinese-days';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DAY_MS,
  daysToSpringFestival,
  encodeFacts,
  fitFeatureSpec,
  generateRiskHistory,
  indexRiskHistory,
  type RiskHistoryEntry,
  riskFacts,
  riskFactsAsOf,
  SPRING_FESTIVAL,
} from '../../domain/risk';

/** The history as it stood at instant t: orders created later, outcomes and complaints known later, removed. */
function historyAt(
  history: readonly RiskHistoryEntry[],
  t: number,
  drop: { orders: boolean; outcomes: boolean; complaints: boolean },
) {
  return history
    .filter((e) => !drop.orders || e.order.createdAt.getTime() < t)
    .map((e): RiskHistoryEntry => {
      if (!e.outcome) return e;
      if (drop.outcomes && e.outcome.deliveredAt.getTime() >= t) return { order: e.order, outcome: null };
      return {
        order: e.order,
        outcome: {
          ...e.outcome,
          complaints: drop.complaints ? e.outcome.complaints.filter((c) => c.at.getTime() < t) : e.outcome.complaints,
        },
      };
    });
}

describe('risk features as of the order time', () => {
  it('an order’s facts and vector are identical whether or not later orders, deliveries or complaints exist', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.nat(),
        fc.record({ orders: fc.boolean(), outcomes: fc.boolean(), complaints: fc.boolean() }),
        (seed, pick, drop) => {
          const { entries } = generateRiskHistory({
            seed,
            orders: 300,
            months: 6,
            customers: 6,
            materials: 5,
            complaintWindowDays: 20,
          });
          const target = entries[pick % entries.length]!;
          const t = target.order.createdAt.getTime();
          const options = { complaintWindowDays: 20 };
          const full = riskFactsAsOf(target.order, entries, options);
          const past = riskFactsAsOf(target.order, historyAt(entries, t, drop), options);
          expect(past).toEqual(full);
          // Without the order itself in the history, too.
          const without = riskFactsAsOf(
            target.order,
            entries.filter((e) => e !== target),
            options,
          );
          expect(without).toEqual(full);
          const index = indexRiskHistory(entries, options);
          const spec = fitFeatureSpec(entries.slice(0, 50).map((e) => riskFacts(e.order, index)));
          expect(encodeFacts(past, spec)).toEqual(encodeFacts(full, spec));
        },
      ),
      { numRuns: 100 },
    );
  });

  it('counts only what was known: a delivery one minute after the order does not count, one minute before does', () => {
    const base = new Date('2026-03-02T09:00:00+08:00').getTime();
    const order = (id: string, created: number, material = 'PP') => ({
      id,
      customer: 'C1',
      material,
      quantity: 1000,
      kind: 'batch' as const,
      createdAt: new Date(created),
      promisedAt: new Date(created + 10 * DAY_MS),
      expedite: false,
      lineLoad: 0.8,
      mouldStatus: 'ok' as const,
      purchaseLeadDays: 0,
      usualLeadDays: 10,
    });
    const now = base + 100 * DAY_MS;
    const history: RiskHistoryEntry[] = [
      // Delivered late 40 days before now, with a packaging complaint 5 days later: window (30 days) closed.
      {
        order: order('A', base),
        outcome: {
          late: true,
          deliveredAt: new Date(now - 40 * DAY_MS),
          complaints: [{ kind: 'packaging', at: new Date(now - 35 * DAY_MS), returned: true }],
        },
      },
      // Delivered late one minute after the new order: not known yet.
      {
        order: order('B', base + DAY_MS),
        outcome: { late: true, deliveredAt: new Date(now + 60_000), complaints: [] },
      },
      // Delivered on time one minute before: known, but its complaint window is still open.
      {
        order: order('C', base + 2 * DAY_MS, 'ABS'),
        outcome: {
          late: false,
          deliveredAt: new Date(now - 60_000),
          complaints: [{ kind: 'packaging', at: new Date(now - 30_000) }],
        },
      },
    ];
    const f = riskFactsAsOf(order('N', now), history);
    expect(f.customerKnownOrders).toBe(2);
    expect(f.customerLateOrders).toBe(1);
    expect(f.lateLastTime).toBe(false);
    expect(f.customerClosedOrders).toBe(1);
    expect(f.recentOrders).toBe(1);
    expect(f.recentDamaged).toBe(1);
    expect(f.recentReturned).toBe(1);
    expect(f.ordersLast90Days).toBe(0); // A, B, C were created more than 90 days before
    expect(f.firstOfMaterial).toBe(false);
    expect(riskFactsAsOf(order('N', now, 'PE'), history).firstOfMaterial).toBe(true);
    expect(f.leadSlackDays).toBe(0);
    // Smoothed: (1 late + 4 × plant rate) ÷ (2 + 4), the plant rate itself smoothed by 10 orders at 10%.
    const plant = (1 + 10 * 0.1) / (2 + 10);
    expect(f.plantLateRate).toBeCloseTo(plant, 12);
    expect(f.customerLateRate).toBeCloseTo((1 + 4 * plant) / 6, 12);
  });

  it('rejects an outcome delivered before its order was created, duplicate ids and impossible orders', () => {
    const { entries } = generateRiskHistory({ seed: 3, orders: 20 });
    const bad = structuredClone(entries[0]!);
    bad.outcome.deliveredAt = new Date(bad.order.createdAt.getTime() - 1);
    expect(() => indexRiskHistory([bad])).toThrow(/delivered before it was created/);
    expect(() => indexRiskHistory([entries[1]!, entries[1]!])).toThrow(/appears twice/);
    const order = entries[2]!.order;
    expect(() => riskFactsAsOf({ ...order, promisedAt: new Date(order.createdAt.getTime() - 1) }, entries)).toThrow(
      /promised before it was created/,
    );
    expect(() => riskFactsAsOf({ ...order, quantity: Number.NaN }, entries)).toThrow(/quantity must be/);
    expect(() => riskFactsAsOf({ ...order, lineLoad: -0.1 }, entries)).toThrow(/lineLoad must be/);
    expect(() => riskFactsAsOf({ ...order, createdAt: new Date('nonsense') }, entries)).toThrow(/invalid creation/);
  });

  it('the Spring Festival table matches the lunar calendar 2020–2035, and the days to it count China dates', () => {
    for (const [year, date] of Object.entries(SPRING_FESTIVAL)) {
      expect(getSolarDateFromLunar(`${year}-01-01`).date, year).toBe(date);
    }
    expect(daysToSpringFestival(new Date('2026-02-17T00:30:00+08:00'))).toBe(0);
    // 23:30 UTC on 16 Feb is already 17 Feb in China.
    expect(daysToSpringFestival(new Date('2026-02-16T23:30:00Z'))).toBe(0);
    expect(daysToSpringFestival(new Date('2026-02-16T12:00:00+08:00'))).toBe(1);
    expect(daysToSpringFestival(new Date('2026-02-18T12:00:00+08:00'))).toBe(353); // to 2027-02-06
    expect(daysToSpringFestival(new Date('2035-03-01T12:00:00+08:00'))).toBeNull();
  });

  it('the feature spec is plain JSON and encodes the same after a round trip through it', () => {
    const { entries } = generateRiskHistory({ seed: 5, orders: 500 });
    const index = indexRiskHistory(entries);
    const facts = entries.map((e) => riskFacts(e.order, index));
    const spec = fitFeatureSpec(facts, { topMaterials: 4 });
    expect(spec.names).toHaveLength(spec.means.length);
    expect(spec.names.filter((n) => n.startsWith('mat:'))).toHaveLength(4);
    expect(spec.names.at(-1)).toBe('mat_other');
    const stored = JSON.parse(JSON.stringify(spec));
    expect(stored).toEqual(spec);
    for (const f of facts.slice(0, 50)) expect(encodeFacts(f, stored)).toEqual(encodeFacts(f, spec));
    // Values are looked up by name: a spec listing its columns in another order encodes the same values reordered,
    // and a spec naming a feature this version does not know is refused.
    const reversed = {
      ...spec,
      names: [...spec.names].reverse(),
      means: [...spec.means].reverse(),
      sds: [...spec.sds].reverse(),
    };
    expect(encodeFacts(facts[0]!, reversed)).toEqual(encodeFacts(facts[0]!, spec).reverse());
    expect(() =>
      encodeFacts(facts[0]!, { ...spec, names: [...spec.names.slice(1), 'shots_since_maintenance'] }),
    ).toThrow(/unknown feature "shots_since_maintenance"/);
    // Standardised on the training facts: mean 0 for every column.
    const vectors = facts.map((f) => encodeFacts(f, spec));
    for (let j = 0; j < spec.names.length; j++) {
      expect(Math.abs(vectors.reduce((s, v) => s + v[j]!, 0) / vectors.length)).toBeLessThan(1e-9);
    }
  });
});
