import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  activeRules,
  activeRulesWithUsage,
  type RuleToSave,
  ruleVersions,
  saveRuleSheet,
} from '../../db/channel-rules';
import type { DatabaseHandle } from '../../db/client';
import { channelOrders, channelRules } from '../../db/schema';
import type { ChannelOrder } from '../../domain/channels/order';
import { compileRulePool } from '../../domain/channels/rule-pool';
import type { ChannelRule, RuleEvaluation } from '../../domain/channels/rules';
import { backends, createTestDatabase, resetDatabase } from '../support/databases';

function rule(code: string, over: Partial<ChannelRule> = {}): ChannelRule {
  return {
    code,
    version: 1,
    label: `已应用${code}`,
    channel: 'douyin',
    shop: null,
    skuScope: { include: [], exclude: [] },
    conditions: {},
    benefit: { type: 'fixed_off', amountFen: 500 },
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

const save = (r: ChannelRule, over: Partial<RuleToSave> = {}): RuleToSave => ({
  rule: r,
  status: 'active',
  budget: null,
  ...over,
});
const T0 = new Date('2026-01-10T00:00:00Z');

function order(id: string, amountFen: number): ChannelOrder {
  return {
    channel: 'douyin',
    shop: 'S1',
    orderId: id,
    buyerKey: `B-${id}`,
    createdAt: '2026-01-15T02:00:00Z',
    paidAt: '2026-01-15T02:01:00Z',
    lines: [{ sku: 'A', quantity: 1, unitPriceFen: amountFen, discounts: [] }],
    discounts: [],
    totals: { freightFen: 0, paidFen: amountFen },
  };
}

describe.each(backends)('channel rule versions and budgets on %s', (backend) => {
  let database: DatabaseHandle;
  beforeAll(async () => {
    database = await createTestDatabase(backend);
  });
  afterAll(async () => {
    await database.close();
  });
  beforeEach(async () => {
    await resetDatabase(database.db);
  });

  /** Stores an order with the pool's evaluation of it, as intake does. */
  async function storeEvaluated(o: ChannelOrder, evaluation: RuleEvaluation | null) {
    await database.db.insert(channelOrders).values({
      channel: o.channel,
      shop: o.shop,
      orderId: o.orderId,
      status: 'paid',
      buyerKey: o.buyerKey,
      createdAt: new Date(o.createdAt),
      paidAt: o.paidAt ? new Date(o.paidAt) : null,
      platformUpdatedAt: new Date(o.createdAt),
      body: o,
      goodsFen: o.lines[0]!.unitPriceFen,
      paidFen: o.totals.paidFen,
      evaluation,
      expectedInvoiceFen: evaluation?.expectedInvoiceFen ?? null,
      source: 'poll',
      receivedAt: T0,
      updatedAt: T0,
    });
  }

  it('adds version 1, leaves an unchanged rule alone, and makes a new version of a changed one (archiving the old)', async () => {
    const db = database.db;
    const first = await saveRuleSheet(db, [save(rule('A')), save(rule('B'))], { source: 'import:a.csv', now: T0 });
    expect(first).toMatchObject({ added: 2, newVersions: 0, unchanged: 0, versions: { A: 1, B: 1 } });

    // The same content again, even with another version number in the sheet and keys in another order: unchanged.
    const { label, ...rest } = rule('A', { version: 7 });
    const again = await saveRuleSheet(db, [save({ label, ...rest }), save(rule('B'))], {
      source: 'import:b.csv',
      now: T0,
    });
    expect(again).toMatchObject({ added: 0, newVersions: 0, unchanged: 2, versions: { A: 1, B: 1 } });

    const changed = await saveRuleSheet(
      db,
      [save(rule('A', { benefit: { type: 'fixed_off', amountFen: 600 } })), save(rule('B')), save(rule('C'))],
      { source: 'import:c.csv', now: T0 },
    );
    expect(changed).toMatchObject({ added: 1, newVersions: 1, unchanged: 1, versions: { A: 2, B: 1, C: 1 } });
    const versions = await ruleVersions(db, 'A');
    expect(versions.map((v) => [v.version, v.status, v.source])).toEqual([
      [1, 'archived', 'import:a.csv'],
      [2, 'active', 'import:c.csv'],
    ]);
    // The stored rule carries its own version, so evaluations name it.
    expect(versions[0]!.rule).toEqual(rule('A'));
    expect(versions[1]!.rule).toMatchObject({ version: 2, benefit: { amountFen: 600 } });

    // Pausing is a change too: a new version, paused; the active one is archived and leaves the pool.
    const paused = await saveRuleSheet(db, [save(rule('B'), { status: 'paused' })], {
      source: 'import:d.csv',
      now: T0,
    });
    expect(paused).toMatchObject({ newVersions: 1, versions: { B: 2 } });
    expect((await activeRules(db)).map((r) => `${r.code}@${r.version}`)).toEqual(['A@2', 'C@1']);
  });

  it('a dry run counts and writes nothing; a code given twice is refused and writes nothing', async () => {
    const db = database.db;
    const dry = await saveRuleSheet(db, [save(rule('A'))], { source: 'x', now: T0, dryRun: true });
    expect(dry).toMatchObject({ added: 1 });
    expect(await db.select().from(channelRules)).toEqual([]);
    await expect(saveRuleSheet(db, [save(rule('A')), save(rule('A'))], { source: 'x', now: T0 })).rejects.toThrow(
      /rule A is given twice/,
    );
    expect(await db.select().from(channelRules)).toEqual([]);
  });

  it('budgets: usage and spend counted from the stored evaluations; an exhausted rule leaves activeRules', async () => {
    const db = database.db;
    await saveRuleSheet(
      db,
      [
        save(rule('USE2', { priority: 1 }), { budget: { type: 'usage', limit: 2 } }),
        save(rule('SPEND', { priority: 2, benefit: { type: 'fixed_off', amountFen: 300 } }), {
          budget: { type: 'spend', limit: 700 },
        }),
        save(rule('FREE', { priority: 3, benefit: { type: 'percent_off', basisPoints: 100 } })),
      ],
      { source: 'import:r.csv', now: T0 },
    );
    const evaluateAndStore = async (id: string) => {
      const pool = compileRulePool(await activeRules(db));
      const o = order(id, 10000);
      const evaluation = pool.evaluate(o);
      await storeEvaluated(o, evaluation);
      return evaluation.applied.map((a) => a.code);
    };
    expect(await evaluateAndStore('O1')).toEqual(['USE2', 'SPEND', 'FREE']);
    expect(await evaluateAndStore('O2')).toEqual(['USE2', 'SPEND', 'FREE']);
    // USE2 used twice (limit 2); SPEND gave 600 分 of 700: still in.
    expect(await evaluateAndStore('O3')).toEqual(['SPEND', 'FREE']);
    // SPEND has given 900 分 now (the order that crosses the limit gets all of it): out.
    expect(await evaluateAndStore('O4')).toEqual(['FREE']);
    await storeEvaluated(order('O5', 500), null); // unpaid, not evaluated: counts nothing
    const usage = Object.fromEntries((await activeRulesWithUsage(db)).map((r) => [r.rule.code, [r.used, r.spentFen]]));
    expect(usage).toEqual({ FREE: [0, 0], SPEND: [3, 900], USE2: [2, 1000] });

    // A new version of the code keeps the code's usage: the budget is per code, not per version.
    await saveRuleSheet(
      db,
      [save(rule('USE2', { priority: 1, label: '新标签' }), { budget: { type: 'usage', limit: 3 } })],
      {
        source: 'import:r2.csv',
        now: T0,
      },
    );
    expect((await activeRules(db)).map((r) => `${r.code}@${r.version}`)).toEqual(['FREE@1', 'USE2@2']);
    expect(await evaluateAndStore('O6')).toEqual(['USE2', 'FREE']);
    expect((await activeRules(db)).map((r) => r.code)).toEqual(['FREE']);
  });
});
