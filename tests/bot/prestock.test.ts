import { readFileSync } from 'node:fs';
import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_CONFIG_PATH, readBusinessConfig } from '../../config/business-config';
import { queryRows } from '../../db/client';
import { readWeeklyDemand } from '../../db/demand';
import { channelOrders, channelSettlements, orderItems, orders } from '../../db/schema';
import { generateDemandHistories, prestockDecision, type WeekLabel } from '../../domain/demand';
import type { ChannelOrder } from '../../domain/channels/order';
import { suggestPrestocking } from '../../handlers/prestock';
import { defaultColumnMapping } from '../../integrations/excel/mapping';
import { importFile, importSummary } from '../../integrations/import/import-file';
import { TestApp } from '../support/app';
import { TestClock } from '../support/clock';
import { backends, useTestDatabase } from '../support/databases';

/** Monday 2 March 2026, 08:00 China time: the job runs at 08:30, week 1 of the horizon is this week. */
const MONDAY = '2026-03-02T08:00:00+08:00';
const DAY = 86_400_000;

/** A seasonal material's history: 65 weeks (15 months) ending with the week of 23 February 2026. */
const [SEASONAL] = generateDemandHistories({
  seed: 1,
  seasonal: 1,
  intermittent: 0,
  weeks: 65,
  firstMonday: '2024-12-02',
  marchUplift: 1.5,
  noise: 0.1,
});

type Db = TestApp['db'];

/** One delivered chat order a week (Wednesday 10:00) with the week's demand; returns the order ids by week. */
async function seedChatOrders(
  db: Db,
  material: string,
  weeks: readonly WeekLabel[],
  demand: readonly number[],
  tag = 'H',
) {
  const rows = weeks.flatMap((w, i) => {
    if (demand[i]! <= 0) return [];
    const createdAt = new Date(w.start.getTime() + 2 * DAY + 10 * 3600_000);
    return [
      {
        number: `SO-${tag}-${material}-${i}`,
        platform: 'playground',
        conversationId: 'sales-east',
        requesterId: 'zhangsan',
        requesterName: '张三',
        kind: 'batch' as const,
        language: 'zh' as const,
        requestedDate: new Date(createdAt.getTime() + 14 * DAY).toISOString().slice(0, 10),
        status: 'delivered' as const,
        sourceText: `${material} ×${demand[i]}`,
        requestedAt: createdAt,
        createdAt,
        week: i,
        quantity: demand[i]!,
      },
    ];
  });
  const ids = new Map<number, number>();
  for (let k = 0; k < rows.length; k += 200) {
    const part = rows.slice(k, k + 200);
    const inserted = await db
      .insert(orders)
      .values(part.map(({ week: _, quantity: __, ...o }) => o))
      .returning({ id: orders.id, number: orders.number });
    await db.insert(orderItems).values(
      inserted.map((o, j) => ({
        orderId: o.id,
        lineNo: 1,
        materialCode: material,
        quantity: part[j]!.quantity,
        unit: '件',
        kind: 'batch' as const,
      })),
    );
    inserted.forEach((o, j) => {
      ids.set(part[j]!.week, o.id);
    });
  }
  return ids;
}

function channelOrder(orderId: string, sku: string, quantity: number, createdAt: Date): ChannelOrder {
  return {
    channel: 'douyin',
    shop: 'flagship',
    orderId,
    buyerKey: `buyer-${orderId}`,
    createdAt: createdAt.toISOString(),
    paidAt: createdAt.toISOString(),
    lines: [{ sku, quantity, unitPriceFen: 1000, discounts: [] }],
    discounts: [],
    totals: { freightFen: 0, paidFen: quantity * 1000 },
  };
}

async function seedChannelOrder(
  db: Db,
  body: ChannelOrder,
  status: 'paid' | 'finished' | 'cancelled',
  refundedFen = 0,
): Promise<void> {
  const at = new Date(body.createdAt);
  await db.insert(channelOrders).values({
    channel: body.channel,
    shop: body.shop,
    orderId: body.orderId,
    status,
    buyerKey: body.buyerKey,
    createdAt: at,
    paidAt: at,
    platformUpdatedAt: at,
    body,
    goodsFen: body.totals.paidFen,
    paidFen: body.totals.paidFen,
    source: 'import',
    receivedAt: at,
    updatedAt: at,
  });
  if (refundedFen > 0)
    await db.insert(channelSettlements).values({
      channel: body.channel,
      shop: body.shop,
      lineKey: `refund-${body.orderId}`,
      orderId: body.orderId,
      kind: 'refund',
      amountFen: -refundedFen,
      settledAt: at,
      source: 'api',
      receivedAt: at,
    });
}

const csv = (name: string, rows: Array<Array<string | number>>) => ({
  name,
  bytes: Buffer.from(`\ufeff${rows.map((r) => r.join(',')).join('\n')}\n`),
});

describe.each(backends)('weekly pre-stocking suggestions on %s', (backend) => {
  const database = useTestDatabase(backend);
  const apps: TestApp[] = [];
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((a) => a.close()));
  });
  const start = async (options: Parameters<typeof TestApp.start>[1] = {}) => {
    const app = await TestApp.start(backend, {
      database: database(),
      fresh: true,
      clock: new TestClock(MONDAY),
      ...options,
    });
    apps.push(app);
    return app;
  };

  /** The history the test seeds: a seasonal material short of stock, a covered one, one with 40 weeks only. */
  async function seedHistory(t: TestApp) {
    const { weeks, demand } = SEASONAL!;
    const n = demand.length;
    // BRK-2026-01 and -03 get the seasonal history; -02 only its last 40 weeks.
    const chat = [...demand];
    chat[30] = demand[30]! - 5; // 5 of that week were sold on Douyin
    const ids = await seedChatOrders(t.db, 'BRK-2026-01', weeks, chat);
    await seedChatOrders(t.db, 'BRK-2026-03', weeks, demand);
    await seedChatOrders(t.db, 'BRK-2026-02', weeks.slice(n - 40), demand.slice(n - 40));

    // Week 10's order was split: 7 pieces moved to a delivery made on 27 Feb; they still count in week 10.
    const parent = ids.get(10)!;
    await t.db.execute(sql`update order_items set quantity = quantity - 7 where order_id = ${parent}`);
    const [child] = await t.db
      .insert(orders)
      .values({
        number: 'SO-H-BRK-2026-01-10-2',
        platform: 'playground',
        conversationId: 'sales-east',
        requesterId: 'zhangsan',
        requesterName: '张三',
        kind: 'batch',
        language: 'zh',
        requestedDate: '2026-03-10',
        status: 'confirmed',
        sourceText: 'split',
        requestedAt: new Date('2026-02-27T10:00:00+08:00'),
        createdAt: new Date('2026-02-27T10:00:00+08:00'),
        splitOf: parent,
      })
      .returning({ id: orders.id });
    await t.db
      .insert(orderItems)
      .values({ orderId: child!.id, lineNo: 1, materialCode: 'BRK-2026-01', quantity: 7, unit: '件', kind: 'batch' });
    // A rejected order does not count.
    const rejected = await seedChatOrders(t.db, 'BRK-2026-01', [weeks[20]!], [5000], 'REJ');
    await t.db.execute(sql`update orders set status = 'rejected' where id = ${rejected.get(0)!}`);
    // Douyin: a paid order counts; a cancelled one, one refunded in full and an unmapped outer SKU do not.
    const at = new Date(weeks[30]!.start.getTime() + DAY);
    await seedChannelOrder(t.db, channelOrder('DY-1', 'BRK-2026-01', 5, at), 'finished');
    await seedChannelOrder(t.db, channelOrder('DY-2', 'BRK-2026-01', 3000, at), 'cancelled');
    await seedChannelOrder(t.db, channelOrder('DY-3', 'BRK-2026-01', 3000, at), 'finished', 3000 * 1000);
    await seedChannelOrder(t.db, channelOrder('DY-4', 'OUTER-9', 3000, at), 'paid');

    const mapping = defaultColumnMapping();
    const now = t.clock.now();
    const stock = await importFile({
      db: t.db,
      file: csv('现存量.csv', [
        ['物料编码', '现存数量'],
        ['BRK-2026-01', 200],
        ['BRK-2026-02', 0],
        ['BRK-2026-03', 100_000],
      ]),
      mapping,
      options: { now },
    });
    expect(importSummary(stock)).toBe('stock: 0 added, 3 changed, 0 unchanged, 0 errors');
    const supply = await importFile({
      db: t.db,
      file: csv('采购在途-2026-03-02.csv', [
        ['采购订单号', '存货编码', '未到货数量', '预计到货日期'],
        ['PO-2602-0150', 'BRK-2026-01', 100, '2026-03-04'],
        ['PO-2603-0007', 'BRK-2026-01', 5000, '2026-04-20'], // after the 4 weeks: not counted
      ]),
      mapping,
      options: { now },
    });
    expect(importSummary(supply)).toBe('supply: 2 added, 0 changed, 0 unchanged, 0 errors');
  }

  const dm = (s: Awaited<ReturnType<TestApp['state']>>, user: string) =>
    (s.conversations[`dm:${user}`] ?? []).filter((m) => m.from.id === 'bot').map((m) => m.text ?? '');

  it('tells the purchasing and production leads once, with the interval and stock + supply; nothing for the others', async () => {
    const t = await start();
    await seedHistory(t);

    // What the database gives the forecast: the seasonal history exactly (the split's 7 pieces in week 10, the
    // Douyin order's 5 in week 30, nothing of the rejected, cancelled, refunded or unmapped orders).
    const series = await readWeeklyDemand(t.db, t.clock.now());
    expect(series.map((s) => [s.material, s.demand.length])).toEqual([
      ['BRK-2026-01', 65],
      ['BRK-2026-02', 40],
      ['BRK-2026-03', 65],
    ]);
    expect(series[0]!.weeks.map((w) => w.isoWeek)).toEqual(SEASONAL!.weeks.map((w) => w.isoWeek));
    expect(series[0]!.demand).toEqual(SEASONAL!.demand);

    // The figures the message must carry, from the domain rule on the same history.
    const decision = prestockDecision(
      {
        series: { material: 'BRK-2026-01', weeks: SEASONAL!.weeks, demand: SEASONAL!.demand },
        stockOnHand: 200,
        openSupply: [
          { quantity: 100, due: new Date('2026-03-04T00:00:00+08:00') },
          { quantity: 5000, due: new Date('2026-04-20T00:00:00+08:00') },
        ],
      },
      { horizonWeeks: 4, margin: 0.2 },
    );
    if (decision.kind !== 'suggest')
      throw new Error(`the seeded history must call for pre-stocking: ${decision.reason}`);
    const s = decision.suggestion;
    expect(s.week.monday).toBe('2026-03-09');

    t.clock.advance(31 * 60_000);
    expect(await t.app.scheduler.tick()).toContain('prestock');
    const state = await t.waitFor((st) => dm(st, 'chenjie').length > 0 && dm(st, 'zhoushifu').length > 0 && st, 'DMs');
    const [text] = dm(state, 'chenjie');
    expect(dm(state, 'zhoushifu')).toEqual([text]);
    const lines = text!.split('\n');
    expect(lines[0]).toBe('📦 备料建议：BRK-2026-01 制动钳支架 01 型');
    const r = Math.round;
    expect(lines[1]).toBe(
      `预计3月第2周需求 ${r(s.weekDemand.low)}–${r(s.weekDemand.high)}件，从本周到3月第2周累计 ${r(s.demand.low)}–${r(s.demand.high)}件；现有库存+在途 300件（库存 200、在途 100，在途按到货日计）。`,
    );
    expect(r(s.weekDemand.high)).toBeGreaterThan(r(s.weekDemand.low));
    expect(lines[2]).toMatch(/^依据：按.*推算.*在最近12周的回测中，误差.*“照搬上周”/);
    expect(lines[3]).toBe('建议提前备料。');
    expect(text).not.toMatch(/\d\s*%/);
    // Nobody else, and nothing about the covered or short-history materials.
    expect(
      Object.keys(state.conversations)
        .filter((c) => c.startsWith('dm:') && dm(state, c.slice(3)).length > 0)
        .sort(),
    ).toEqual(['dm:chenjie', 'dm:zhoushifu']);
    const all = Object.values(state.conversations)
      .flat()
      .map((m) => m.text ?? '');
    expect(all.filter((m) => m.includes('备料建议'))).toHaveLength(2);
    expect(all.some((m) => m.includes('BRK-2026-02') || m.includes('BRK-2026-03'))).toBe(false);

    // A second run (a restart, another process) sends nothing more; the scheduler does not run it again this week.
    await t.app.bot.runScheduled('prestock', (ctx) => suggestPrestocking(ctx));
    expect(await t.app.scheduler.tick()).not.toContain('prestock');
    await t.settle();
    const after = await t.state();
    expect(dm(after, 'chenjie')).toEqual([text]);
    expect(dm(after, 'zhoushifu')).toEqual([text]);
    const keys = await queryRows<{ key: string }>(
      t.db,
      sql`select idempotency_key as key from outbox where idempotency_key like '%prestock:%' order by 1`,
    );
    expect(keys.map((k) => k.key.replace(/^.*prestock:/, 'prestock:'))).toEqual([
      'prestock:BRK-2026-01:2026-W11:chenjie',
      'prestock:BRK-2026-01:2026-W11:zhoushifu',
    ]);
  });

  it('sends nothing while no stock count is stored at all (every material would look short)', async () => {
    const t = await start();
    await seedHistory(t);
    await t.db.execute(sql`delete from stock`);
    t.clock.advance(31 * 60_000);
    expect(await t.app.scheduler.tick()).toContain('prestock');
    await t.settle();
    expect(await queryRows(t.db, sql`select 1 from outbox where idempotency_key like '%prestock:%'`)).toEqual([]);
    // One count of any material is enough: the others have none on hand, and the seasonal one is short.
    await t.db.execute(sql`insert into stock (material_code, on_hand, source, updated_at)
      values ('BRK-2026-03', 100000, 'test', now())`);
    await t.app.bot.runScheduled('prestock', (ctx) => suggestPrestocking(ctx));
    const state = await t.waitFor((st) => dm(st, 'chenjie').length > 0 && st, "the purchasing lead's DM");
    expect(dm(state, 'chenjie')[0]).toContain('现有库存+在途 100件（库存 0、在途 100，在途按到货日计）');
  });

  it('sends nothing while the suggestions are switched off, and goes to the departments the config names', async () => {
    const { config } = readBusinessConfig(readFileSync(DEMO_CONFIG_PATH, 'utf8'), DEMO_CONFIG_PATH);
    const off = { ...config, risk: { ...config.risk, prestock: { ...config.risk.prestock, enabled: false } } };
    const t = await start({ config: off });
    await seedHistory(t);
    t.clock.advance(31 * 60_000);
    expect(await t.app.scheduler.tick()).toContain('prestock');
    await t.settle();
    expect(await queryRows(t.db, sql`select 1 from outbox where idempotency_key like '%prestock:%'`)).toEqual([]);
    await t.close();
    apps.splice(0);

    const quality = {
      ...config,
      risk: {
        ...config.risk,
        prestock: { ...config.risk.prestock, weekday: 3, at: '07:00', departments: ['quality'] },
      },
    };
    const q = await TestApp.start(backend, {
      database: database(),
      fresh: true,
      clock: new TestClock(MONDAY),
      config: quality,
    });
    apps.push(q);
    await seedHistory(q);
    q.clock.advance(31 * 60_000);
    expect(await q.app.scheduler.tick()).not.toContain('prestock'); // Wednesday 07:00, not Monday
    q.clock.advance(2 * DAY);
    expect(await q.app.scheduler.tick()).toContain('prestock');
    const state = await q.waitFor((st) => dm(st, 'zhenggong').length > 0 && st, "the quality lead's DM");
    expect(dm(state, 'zhenggong')[0]).toMatch(/^📦 备料建议：BRK-2026-01/);
    expect(dm(state, 'chenjie')).toEqual([]);
  });
});
