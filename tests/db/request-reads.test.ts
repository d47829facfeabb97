import { sql } from 'drizzle-orm';
import { beforeEach, describe, expect, it } from 'vitest';
import type { BusinessConfig } from '../../config/business-config';
import { queryRows } from '../../db/client';
import { nextOrderNumber, orderNumberSql } from '../../db/orders';
import { formatOrderNumber, orderNumberDay } from '../../domain/order-number';
import { plantStates, plantStatesOf } from '../../db/plant';
import { readForRequest } from '../../db/request-reads';
import { activeRiskModels } from '../../db/risk-models';
import {
  customers,
  drafts,
  lineLoads,
  materials,
  moulds,
  orders,
  reservations,
  riskModels,
  standIns,
  stock,
} from '../../db/schema';
import { standInsOn } from '../../db/stand-ins';
import { backends, resetDatabase, useTestDatabase } from '../support/databases';
import { orderRow } from '../support/order-row';

const at = new Date('2026-02-24T02:00:00.123Z');
const today = '2026-02-24';
const config = {
  lines: [
    { id: 'A', name: 'A线', capacityPerDay: 400 },
    { id: 'B', name: 'B线', capacityPerDay: 200 },
  ],
} as BusinessConfig;

describe.each(backends)("a request's reads in one statement (%s)", (backend) => {
  const database = useTestDatabase(backend);
  beforeEach(() => resetDatabase(database().db));

  async function seedPlant() {
    const { db } = database();
    await db.insert(materials).values([
      { code: 'BRK-2026-01', name: '刹车片', spec: 'Φ30', unit: '件', line: 'A', mould: 'M-3', leadTimeDays: 7 },
      { code: 'CAL-77', name: '卡钳', spec: null, unit: '套', line: 'B', mould: null, leadTimeDays: 0 },
      { code: 'PIN-5', name: '销', spec: null, unit: '件', line: null, mould: 'M-4', leadTimeDays: 3 },
      { code: 'OTHER-1', name: '别的', spec: null, unit: '件', line: 'A', mould: 'M-9', leadTimeDays: 1 },
    ]);
    await db.insert(stock).values([
      { materialCode: 'BRK-2026-01', onHand: 120, source: 'u8', updatedAt: at },
      { materialCode: 'OTHER-1', onHand: 9, source: 'u8', updatedAt: at },
    ]);
    await db.insert(moulds).values([
      { id: 'M-3', status: 'repair', availableFrom: '2026-03-02', updatedAt: at },
      { id: 'M-4', status: 'ok', availableFrom: null, updatedAt: at },
      { id: 'M-9', status: 'maintenance', availableFrom: null, updatedAt: at },
    ]);
    await db.insert(lineLoads).values([
      { line: 'A', fromDate: '2026-02-01', toDate: '2026-02-23', load: 0.5, source: 'mes' },
      { line: 'A', fromDate: '2026-02-24', toDate: '2026-03-10', load: 0.92, source: 'mes' },
      { line: 'B', fromDate: '2026-02-20', toDate: '2026-03-31', load: 0.25, source: 'mes' },
    ]);
    const [order] = await db.insert(orders).values(orderRow('SO-1', at)).returning();
    const held = (r: Partial<typeof reservations.$inferInsert>) => ({
      orderId: order!.id,
      materialCode: 'BRK-2026-01',
      kind: 'production' as const,
      quantity: 10,
      createdAt: at,
      ...r,
    });
    await db
      .insert(reservations)
      .values([
        held({ kind: 'stock', line: null, day: null, quantity: 30 }),
        held({ kind: 'stock', line: null, day: null, quantity: 5 }),
        held({ line: 'A', day: '2026-02-25', quantity: 100 }),
        held({ line: 'A', day: '2026-02-25', quantity: 50 }),
        held({ line: 'A', day: '2026-02-20', quantity: 70 }),
        held({ materialCode: 'CAL-77', line: 'B', day: '2026-02-26', quantity: 40 }),
      ]);
    const period = { createdBy: 'admin', createdAt: at };
    await db.insert(standIns).values([
      { personId: 'wanggong', standInId: 'liugong', startsOn: '2026-02-20', endsOn: '2026-02-28', ...period },
      { personId: 'wanggong', standInId: 'zhaogong', startsOn: '2026-02-24', endsOn: '2026-02-24', ...period },
      {
        personId: 'chenjie',
        standInId: 'lijie',
        startsOn: '2026-02-20',
        endsOn: '2026-02-28',
        ...period,
        cancelledAt: at,
      },
      { personId: 'zhouzong', standInId: 'wuzong', startsOn: '2026-02-25', endsOn: '2026-02-28', ...period },
    ]);
    const model = (version: number, status: 'active' | 'retired', target: 'late' | 'complaint' = 'late') => ({
      target,
      kind: 'logistic' as const,
      version,
      status,
      trainedAt: new Date(at.getTime() - version * 86_400_000),
      trainFrom: new Date('2025-06-01T00:00:00.000Z'),
      trainTo: new Date('2026-01-31T16:00:00.000Z'),
      featureSpec: { features: ['leadDays', 'lineLoad'], means: [3.5, 0.61] },
      params: { weights: [0.125, -1.75e-3], bias: -2.5 },
      metrics: { trainedOn: 412, auc: 0.71 },
    });
    await db.insert(riskModels).values([model(1, 'retired'), model(2, 'active'), model(1, 'active', 'complaint')]);
    await db.insert(customers).values({ name: '大陆集团', aliases: ['大陆'] });
  }

  it('answers what the separate reads answer: materials, plant state, customer stamp, stand-ins, risk models', async () => {
    const { db } = database();
    await seedPlant();
    const codes = ['PIN-5', 'BRK-2026-01', 'CAL-77', 'BRK-2026-01'];
    const reads = await readForRequest(db, codes, at);

    const byCode = (rows: Array<{ code: string }>) => [...rows].sort((a, b) => a.code.localeCompare(b.code));
    const rows = await db.select().from(materials).where(sql`${materials.code} in ('PIN-5', 'BRK-2026-01', 'CAL-77')`);
    expect(byCode(reads.materials)).toEqual(byCode(rows));
    expect(plantStatesOf(config, reads.materials, reads.plant)).toEqual(await plantStates(db, config, codes, today));
    // The plant's rows hold what the promise engine counts: BRK's stock reservations, line A's from today on.
    expect(plantStatesOf(config, reads.materials, reads.plant).get('BRK-2026-01')).toMatchObject({
      stock: { onHand: 120, reserved: 35 },
      line: { id: 'A', reservations: [{ date: '2026-02-25', quantity: 150 }] },
      mould: { id: 'M-3', availableFrom: '2026-03-02' },
    });
    const [stamp] = await queryRows<{ version: string }>(db, sql`select version from customer_list_versions`);
    expect(reads.customerListStamp).toBe(stamp?.version ?? null);
    expect(reads.customerListStamp).not.toBeNull();
    expect(reads.standIns).toEqual(await standInsOn(db, today));
    expect(reads.standIns.map((p) => p.standInId)).toEqual(['zhaogong', 'liugong']);
    expect(reads.riskModels).toEqual(await activeRiskModels(db));
    expect(reads.riskModels.late?.version).toBe(2);
    expect(reads.riskModels.late?.trainedAt).toEqual(new Date(at.getTime() - 2 * 86_400_000));
  });

  it('leaves an unknown code out and reads an empty plant when no code is known', async () => {
    const { db } = database();
    await seedPlant();
    const some = await readForRequest(db, ['NOPE-1', 'CAL-77'], at);
    expect(some.materials.map((m) => m.code)).toEqual(['CAL-77']);
    const none = await readForRequest(db, ['NOPE-1'], at);
    expect(none).toMatchObject({
      materials: [],
      plant: { stock: [], reservedStock: [], loads: [], lineReservations: [], moulds: [] },
    });
    await db.delete(riskModels);
    await db.delete(standIns);
    expect(await readForRequest(db, [], at)).toMatchObject({ standIns: [], riskModels: {} });
  });

  it("answers the sender's open draft, locked, when asked", async () => {
    const { db } = database();
    const draft = (senderId: string, status: 'open' | 'completed' = 'open') => ({
      platform: 'wecom',
      conversationId: 'sales-east',
      senderId,
      parsed: { items: [{ sku: 'BRK-2026-01', quantity: null }], missing: ['quantity'] },
      sourceText: '需要BRK-2026-01样品',
      requestedAt: at,
      expiresAt: new Date(at.getTime() + 1_800_000),
      status,
    });
    const [mine] = await db
      .insert(drafts)
      .values([draft('zhangsan'), draft('lisi')])
      .returning();
    await db.insert(drafts).values(draft('zhangsan', 'completed'));
    const owner = { platform: 'wecom', conversationId: 'sales-east', senderId: 'zhangsan' };
    expect((await readForRequest(db, [], at, owner)).openDraft).toEqual(mine);
    expect((await readForRequest(db, [], at)).openDraft).toBeNull();
    expect((await readForRequest(db, [], at, { ...owner, senderId: 'wangwu' })).openDraft).toBeNull();
    if (backend !== 'postgres') return;
    // Locked until the reading transaction ends: another one cannot take it meanwhile.
    await db.transaction(async (tx) => {
      await readForRequest(tx, [], at, owner);
      await expect(db.execute(sql`select id from drafts where id = ${mine!.id} for update nowait`)).rejects.toThrow();
    });
    await db.execute(sql`select id from drafts where id = ${mine!.id} for update nowait`);
  });
});

describe.each(backends)("an order's number from its own statement (%s)", (backend) => {
  const database = useTestDatabase(backend);
  beforeEach(() => resetDatabase(database().db));

  it('follows the first order of the day as formatOrderNumber writes it, wider past 9999', async () => {
    const { db } = database();
    const numbered = async () => (await readForRequest(db, [], at)).numberedToday;
    expect(await numbered()).toBe(false);
    const first = await db.transaction((tx) => nextOrderNumber(tx, at));
    expect(first).toBe(formatOrderNumber(orderNumberDay(at), 1));
    expect(await numbered()).toBe(true);
    const next = async () => {
      const [row] = await queryRows<{ n: string }>(db, sql`select ${orderNumberSql(at)} as n`);
      return row!.n;
    };
    expect(await next()).toBe(formatOrderNumber(orderNumberDay(at), 2));
    expect(await next()).toBe(formatOrderNumber(orderNumberDay(at), 3));
    // Numbers 4 to 9,998 taken (as if by as many orders): the last of four digits, then the wider form.
    await db.execute(sql`select setval('order_number_seq', nextval('order_number_seq') + 9994)`);
    expect(await next()).toBe('SO-20260224-9999');
    expect(await next()).toBe(formatOrderNumber(orderNumberDay(at), 10000));
    // Another day without its base row: no number (the order's column refuses it), nothing taken silently.
    const [row] = await queryRows<{ n: string | null }>(
      db,
      sql`select ${orderNumberSql(new Date('2026-02-26T02:00:00.000Z'))} as n`,
    );
    expect(row!.n).toBeNull();
  });
});
