import { describe, expect, it } from 'vitest';
import { reconcileCommand } from '../../bot/cli-reconcile';
import { storeChannelOrders } from '../../db/channel-orders';
import { storeSettlements } from '../../db/channel-settlements';
import { migrate } from '../../db/migrate';
import { reconcileReport } from '../../db/reconcile';
import { channelRules } from '../../db/schema';
import type { Channel } from '../../domain/channels/order';
import { type ReconcileReport, reconcile } from '../../domain/channels/reconcile';
import { type ChannelRule, evaluateRules } from '../../domain/channels/rules';
import { type ChannelMonth, channelMonth, evaluated, factsOf, linesOf, type Plant } from '../support/channel-month';
import { runCommand } from '../support/cli';
import { backends, createTestDatabase } from '../support/databases';

const pct = (rate: number | null) => (rate === null ? '—' : `${(rate * 100).toFixed(2)}%`);

function run(month: ChannelMonth, rules: readonly ChannelRule[], evaluateWith = rules): ReconcileReport {
  return reconcile({
    from: month.from,
    to: month.to,
    orders: evaluated(month, evaluateWith),
    lines: linesOf(month),
    rules: factsOf(rules),
  });
}

const found = (report: ReconcileReport): string[] =>
  report.differences.map((d) => `${d.channel} ${d.orderId} ${d.cause}`).sort();
const planted = (plants: Plant[]): string[] => plants.map((p) => `${p.channel} ${p.orderId} ${p.cause}`).sort();

describe('a simulated month of 30,000 channel orders with mis-stacked promotions', () => {
  const month = channelMonth({ seed: 20, orders: 30_000 });

  it('finance by hand, the rule pool and the corrected pool: every planted difference found, under 0.9% after correction', () => {
    const started = performance.now();
    const inputs = [evaluated(month, month.handRules), evaluated(month, month.pool), evaluated(month, month.corrected)];
    const evaluatedAt = performance.now();
    const lines = linesOf(month);
    const [byHand, before, after] = inputs.map((orders, i) =>
      reconcile({
        from: month.from,
        to: month.to,
        orders,
        lines,
        rules: factsOf(i === 2 ? month.corrected : month.pool),
      }),
    ) as [ReconcileReport, ReconcileReport, ReconcileReport];
    const ms = performance.now() - evaluatedAt;
    const evaluationMs = evaluatedAt - started;

    const causes = new Set(month.plants.map((p) => p.cause));
    expect([...causes].sort()).toEqual(
      ['fees', 'not_settled', 'price_change', 'promotion_no_rule', 'refund', 'rounding', 'rule_no_counterpart'].sort(),
    );
    expect(found(before)).toEqual(planted(month.plants));
    const fixedGaps = month.plants.filter((p) => p.cause !== 'promotion_no_rule' && p.cause !== 'rule_no_counterpart');
    expect(found(after)).toEqual(planted(fixedGaps));

    const line = (name: string, r: ReconcileReport) =>
      `${name}: difference rate ${pct(r.total.differenceRate)} (${r.channels
        .map((c) => `${c.channel} ${pct(c.differenceRate)}`)
        .join(
          ', ',
        )}), matched ${pct(r.total.matchRate)} of ${r.total.settledOrders} settled, ${r.total.unsettledOrders} not settled yet`;
    console.log(
      [
        `simulated month ${month.from}..${month.to}: ${month.orders.length} orders, ${month.pool.length} pool rules, ${month.plants.length} planted differences (${[...causes].map((c) => `${c} ${month.plants.filter((p) => p.cause === c).length}`).join(', ')})`,
        line('finance by hand', byHand),
        line('rule pool', before),
        line('rule pool corrected', after),
        `rule evaluation of 3 × 30,000 orders ${Math.round(evaluationMs)} ms; three reconciliations ${Math.round(ms)} ms`,
      ].join('\n'),
    );
    expect(byHand.total.differenceRate!).toBeGreaterThan(0.15);
    expect(byHand.total.differenceRate!).toBeLessThan(0.2);
    expect(before.total.differenceRate!).toBeGreaterThan(after.total.differenceRate!);
    expect(after.total.differenceRate!, `after correction ${pct(after.total.differenceRate)}`).toBeLessThan(0.009);
    for (const c of after.channels) expect(c.differenceRate!).toBeLessThan(0.009);
    // About 0.4 s each on an idle two-core machine; generous for one running other test files at once.
    expect(ms).toBeLessThan(20_000);
  }, 120_000);
});

describe.each(backends)('a 500-order slice of the month through the database (%s)', (backend) => {
  it('stores orders (evaluated by the pool) and settlements, and the report and the command find the same plants', async () => {
    const month = channelMonth({ seed: 7, orders: 500 });
    const database = await createTestDatabase(backend);
    try {
      const { db } = database;
      await migrate(db);
      const now = new Date('2026-04-02T02:00:00Z');
      await db.insert(channelRules).values(
        month.pool.map((rule) => ({
          code: rule.code,
          version: rule.version,
          status: 'active' as const,
          rule,
          budget: null,
          source: 'test',
          createdAt: now,
        })),
      );
      const pool = new Map<Channel, ChannelRule[]>();
      for (const rule of month.pool) pool.set(rule.channel, [...(pool.get(rule.channel) ?? []), rule]);
      for (let i = 0; i < month.orders.length; i += 100) {
        await storeChannelOrders(db, month.orders.slice(i, i + 100), {
          source: 'poll',
          now,
          evaluate: (copy) => evaluateRules(copy.order, pool.get(copy.order.channel) ?? []),
        });
      }
      const shops = new Set(month.lines.map((l) => `${l.channel}|${l.shop}`));
      for (const key of shops) {
        const [channel, shop] = key.split('|') as [Channel, string];
        const lines = month.lines.filter((l) => l.channel === channel && l.shop === shop);
        expect(await storeSettlements(db, channel, shop, lines, 'api', now)).toBe(lines.length);
        expect(await storeSettlements(db, channel, shop, lines, 'api', now)).toBe(0);
      }

      const report = await reconcileReport(db, { from: month.from, to: month.to });
      expect(found(report)).toEqual(planted(month.plants));
      expect(report).toEqual(run(month, month.pool));

      const env = database.url ? { DATABASE_URL: database.url } : undefined;
      if (env) {
        const csv = await runCommand(
          reconcileCommand,
          ['--from', month.from, '--to', month.to, '--format', 'csv'],
          env,
        );
        expect(csv.code, csv.stderr).toBe(0);
        const rows = csv.stdout.trim().split('\n').slice(1);
        expect(rows.map((r) => r.split(',').slice(0, 4).join(' ')).sort()).toEqual(
          report.differences.map((d) => `${d.channel} ${d.shop} ${d.orderId} ${d.cause}`).sort(),
        );
      }
      console.log(
        `500-order slice on ${backend}: difference rate ${pct(report.total.differenceRate)}, ${report.differences.length} differences, ${month.plants.length} planted`,
      );
    } finally {
      await database.close();
    }
  }, 120_000);
});
