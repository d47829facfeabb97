import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { reconcileCommand } from '../../bot/cli-reconcile';
import { DEMO_CONFIG_PATH, loadBusinessConfig } from '../../config/business-config';
import { storeChannelOrders } from '../../db/channel-orders';
import { storeSettlements } from '../../db/channel-settlements';
import { type Database, openDatabase } from '../../db/client';
import { migrate } from '../../db/migrate';
import { channelRules } from '../../db/schema';
import { weekOf } from '../../domain/kpi';
import type { ChannelOrder } from '../../domain/channels/order';
import type { ReceivedOrder } from '../../domain/channels/received';
import { type ChannelRule, evaluateRules } from '../../domain/channels/rules';
import { kpiDigest } from '../../handlers/kpi-digest';
import { runCommand } from '../support/cli';
import { backends, createTestDatabase } from '../support/databases';
import { migratedPgliteDir } from '../support/pglite-image';

const NOW = new Date('2026-03-16T02:00:00Z');

const rule: ChannelRule = {
  code: 'DY-COUPON',
  version: 1,
  label: '已应用抖音专属规则',
  channel: 'douyin',
  shop: null,
  skuScope: { include: [], exclude: [] },
  conditions: { minSubtotalFen: 20_000 },
  benefit: { type: 'fixed_off', amountFen: 3_000 },
  target: 'order',
  allocation: 'across',
  priority: 10,
  stackGroup: null,
  combinesWith: { item: true, order: true },
  exclusiveWith: [],
  stopFurther: false,
  window: { from: '2026-03-01 00:00:00', to: '2026-04-01 00:00:00', basis: 'pay' },
  fundedBy: 'shop',
  platformRef: 'dy-coupon-23',
};

function received(
  channel: ChannelOrder['channel'],
  orderId: string,
  unitPriceFen: number,
  paidAt: string,
  discounts: ChannelOrder['discounts'] = [],
): ReceivedOrder {
  const off = discounts.reduce((s, d) => s + d.amountFen, 0);
  return {
    order: {
      channel,
      shop: `${channel}-1`,
      orderId,
      buyerKey: `b-${orderId}`,
      createdAt: paidAt,
      paidAt,
      lines: [{ sku: 'BRK-2026-01', quantity: 1, unitPriceFen, discounts: [] }],
      discounts,
      totals: { freightFen: 0, paidFen: unitPriceFen - off },
    },
    status: 'finished',
    updatedAt: paidAt,
    buyerPhoneHash: null,
  };
}

/**
 * Week 2026-W11 (March 9–15, China): Douyin DY1 matched (coupon reported), DY2 the coupon rule applied but the
 * platform reported none (rule with no counterpart, −30 元), DY3 not settled yet; Taobao TB1 matched, TB2 refunded
 * 50 元 after settlement. A fee line on DY1.
 */
async function seed(db: Database) {
  await migrate(db);
  await db
    .insert(channelRules)
    .values({ code: rule.code, version: 1, status: 'active', rule, budget: null, source: 'test', createdAt: NOW });
  const coupon = [{ ref: 'dy-coupon-23', amountFen: 3_000, fundedBy: 'shop' as const }];
  const orders = [
    received('douyin', 'DY1', 30_000, '2026-03-10T02:00:00Z', coupon),
    received('douyin', 'DY2', 30_000, '2026-03-10T03:00:00Z'),
    received('douyin', 'DY3', 30_000, '2026-03-14T03:00:00Z', coupon),
    received('taobao', 'TB1', 12_000, '2026-03-09T03:00:00Z'),
    received('taobao', 'TB2', 12_000, '2026-03-09T04:00:00Z'),
  ];
  await storeChannelOrders(db, orders, {
    source: 'poll',
    now: NOW,
    evaluate: (copy) => evaluateRules(copy.order, [rule]),
  });
  const at = '2026-03-12T02:00:00Z';
  await storeSettlements(
    db,
    'douyin',
    'douyin-1',
    [
      { lineKey: 'd1', orderId: 'DY1', kind: 'settle', amountFen: 27_000, settledAt: at },
      { lineKey: 'd1f', orderId: 'DY1', kind: 'fee', amountFen: -1_080, settledAt: at },
      { lineKey: 'd2', orderId: 'DY2', kind: 'settle', amountFen: 30_000, settledAt: at },
    ],
    'api',
    NOW,
  );
  await storeSettlements(
    db,
    'taobao',
    'taobao-1',
    [
      { lineKey: 't1', orderId: 'TB1', kind: 'settle', amountFen: 12_000, settledAt: at },
      { lineKey: 't2', orderId: 'TB2', kind: 'settle', amountFen: 12_000, settledAt: at },
      { lineKey: 't2r', orderId: 'TB2', kind: 'refund', amountFen: -5_000, settledAt: '2026-03-13T02:00:00Z' },
    ],
    'upload:taobao-bills.csv',
    NOW,
  );
}

describe.each(backends)('orderbot reconcile (CLI, %s)', (backend) => {
  const cleanup: Array<() => Promise<void> | void> = [];
  afterAll(async () => {
    for (const step of cleanup.reverse()) await step();
  });

  async function databaseEnv(): Promise<{ env: Record<string, string>; db: () => Promise<Database> }> {
    if (backend === 'postgres') {
      const database = await createTestDatabase('postgres');
      cleanup.push(() => database.close());
      await seed(database.db);
      return { env: { DATABASE_URL: database.url! }, db: async () => database.db };
    }
    const dir = mkdtempSync(join(tmpdir(), 'orderbot-reconcile-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    await migratedPgliteDir(dir);
    const database = await openDatabase({ dataDir: dir });
    await seed(database.db);
    await database.close();
    return {
      env: { ORDERBOT_DATA_DIR: dir },
      db: async () => {
        const opened = await openDatabase({ dataDir: dir });
        cleanup.push(() => opened.close());
        return opened.db;
      },
    };
  }

  it('prints the finance summary, the csv and the json of a week, per channel and for one channel; the digest has its lines', async () => {
    const { env, db } = await databaseEnv();
    const week = ['--from', '2026-03-09', '--to', '2026-03-15'];

    const text = await runCommand(reconcileCommand, week, env);
    expect(text.stderr).toBe('');
    expect(text.code).toBe(0);
    const lines = text.stdout.trim().split('\n');
    expect(lines[0]).toBe('渠道对账 2026-03-09 至 2026-03-15（按结算完成日，北京时间）');
    // DY2: |27 000 − 30 000| / (27 000 + 30 000) = 5.26%; Taobao matched (the refund is taken off the expected).
    expect(lines).toContain(
      '抖音：差异率 5.26%（差异合计 30.00元 / 结算 570.00元），已结算 2 单，分毫不差 50.00%，未结算 1 单，平台费用 10.80元',
    );
    expect(lines).toContain('  规则在平台无对应活动：1 单，30.00元');
    expect(lines).toContain('  尚未结算：1 单，270.00元');
    expect(lines.some((l) => l.startsWith('淘宝/天猫：差异率 0.00%'))).toBe(true);
    expect(lines.some((l) => l.startsWith('合计：差异率 3.95%'))).toBe(true);
    expect(lines.slice(lines.indexOf('差异订单（按差异金额从大到小）：') + 1)).toEqual([
      '抖音 DY3 尚未结算：应开票 270.00元，已结算 —，差异 —',
      '抖音 DY2 规则在平台无对应活动：应开票 270.00元，已结算 300.00元，差异 -30.00元',
      '淘宝/天猫 TB2 退款：应开票 70.00元，已结算 70.00元，差异 0.00元',
    ]);

    const en = await runCommand(reconcileCommand, [...week, '--lang', 'en', '--channel', 'taobao'], env);
    expect(en.code).toBe(0);
    expect(en.stdout).toContain('Taobao/Tmall: difference rate 0.00%');
    expect(en.stdout).not.toContain('Douyin');
    expect(en.stdout).toContain('Taobao/Tmall TB2 refund: expected ¥70.00, settled ¥70.00, difference ¥0.00');

    const csv = await runCommand(reconcileCommand, [...week, '--format', 'csv'], env);
    expect(csv.code).toBe(0);
    const rows = csv.stdout.trim().split('\n');
    expect(rows[0]).toBe(
      'channel,shop,order_id,cause,cause_name,cause_yuan,paid_at,settled_at,invoice_yuan,refund_yuan,expected_yuan,settled_yuan,difference_yuan,fee_yuan,all_causes',
    );
    expect(rows.slice(1).map((r) => r.split(',').slice(0, 6).join(','))).toEqual([
      'douyin,douyin-1,DY3,not_settled,尚未结算,270.00',
      'douyin,douyin-1,DY2,rule_no_counterpart,规则在平台无对应活动,-30.00',
      'taobao,taobao-1,TB2,refund,退款,50.00',
    ]);

    const json = await runCommand(reconcileCommand, [...week, '--format', 'json', '--channel', 'douyin'], env);
    expect(json.code).toBe(0);
    const report = JSON.parse(json.stdout);
    expect(report.channels).toHaveLength(1);
    expect(report.total).toMatchObject({
      settledOrders: 2,
      settledFen: 57_000,
      absDifferenceFen: 3_000,
      feeFen: 1_080,
    });

    const empty = await runCommand(reconcileCommand, ['--from', '2026-01-01', '--to', '2026-01-31'], env);
    expect(empty.code).toBe(0);
    expect(empty.stdout).toContain('本期没有渠道订单结算');

    // The weekly digest of that week gains one line per channel.
    const config = loadBusinessConfig(DEMO_CONFIG_PATH);
    const database = await db();
    const digest = await kpiDigest(database, config, NOW, weekOf(new Date('2026-03-12T00:00:00Z')), 'zh');
    const tail = digest.split('\n').slice(-3);
    expect(tail).toEqual([
      '渠道对账（本周结算完成的订单）：',
      '抖音 差异率 5.26%，结算 2 单，分毫不差 50.00%，未结算 1 单',
      '淘宝/天猫 差异率 0.00%，结算 2 单，分毫不差 100.00%，未结算 0 单',
    ]);
    const quiet = await kpiDigest(database, config, NOW, weekOf(new Date('2026-02-12T00:00:00Z')), 'en');
    expect(quiet.split('\n').slice(-2)).toEqual([
      'Channel reconciliation (orders settled this week):',
      'No channel order was settled this week.',
    ]);
  }, 120_000);
});

describe('the weekly digest without channel orders', () => {
  it('has no reconciliation lines when the plant has no channel order', async () => {
    const database = await createTestDatabase('pglite');
    try {
      await migrate(database.db);
      const config = loadBusinessConfig(DEMO_CONFIG_PATH);
      const digest = await kpiDigest(database.db, config, NOW, weekOf(NOW), 'zh');
      expect(digest).toContain('指标周报');
      expect(digest).not.toContain('渠道对账');
    } finally {
      await database.close();
    }
  });
});

describe('orderbot reconcile (CLI) refusals', () => {
  it('refuses bad arguments with one line and exit 2, and an embedded database the running product holds', async () => {
    const cases: [string[], string][] = [
      [['--from', '2026-02-30', '--to', '2026-03-01'], 'dates are YYYY-MM-DD'],
      [['--from', '2026-03-02', '--to', '2026-03-01'], '--from not after --to'],
      [['--from', '2026-03-01'], 'give --from and --to'],
      [['--from', '2026-03-01', '--to', '2026-03-02', '--channel', 'pdd'], 'douyin, taobao, jd'],
      [['--from', '2026-03-01', '--to', '2026-03-02', '--format', 'xlsx'], 'text, csv or json'],
      [['--from', '2026-03-01', '--to', '2026-03-02', '--lang', 'fr'], 'zh or en'],
    ];
    for (const [args, message] of cases) {
      const result = await runCommand(reconcileCommand, args, {});
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).toContain(message);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stdout).toBe('');
    }
    const unknown = await runCommand(reconcileCommand, ['--form', '2026-03-01'], {});
    expect(unknown.code).toBe(2);
    const dir = mkdtempSync(join(tmpdir(), 'orderbot-held-'));
    try {
      writeFileSync(join(dir, 'orderbot.pid'), String(process.ppid));
      const held = await runCommand(reconcileCommand, ['--from', '2026-03-01', '--to', '2026-03-02'], {
        ORDERBOT_DATA_DIR: dir,
      });
      expect(held.code).toBe(1);
      expect(held.stderr).toContain('/board/reconcile?from=2026-03-01&to=2026-03-02');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
