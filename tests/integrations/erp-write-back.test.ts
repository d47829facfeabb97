import { and, eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { readEnv } from '../../config/env';
import { customers, orderEvents, orderItems, orders, outbox } from '../../db/schema';
import { type PlaygroundState, TestApp } from '../support/app';
import { backends, useTestDatabase } from '../support/databases';
import { confirmedOrder } from '../support/lifecycle';
import { FakeKingdee, KINGDEE_SECRETS, type FakeKingdeeOptions } from '../fakes/erp/fake-kingdee';
import { FakeU8, U8_SECRETS, type FakeU8Options } from '../fakes/erp/fake-u8';

const NUMBER = 'SO-20260224-0001';
const REQUEST = '客户：大陆集团 需要BRK-2026-06样品20件，Ra≤0.8μm，3月3日前到';
const DEMO_MATERIALS = ['BRK-2026-01', 'BRK-2026-05', 'BRK-2026-06', 'BRK-2026-07'];

const u8Fake = (options: FakeU8Options = {}) =>
  new FakeU8({
    inventory: DEMO_MATERIALS.map((code) => ({ code, name: `制动钳支架 ${code}`, main_measure: '件' })),
    ...options,
  }).start();
const kingdeeFake = (options: FakeKingdeeOptions = {}) =>
  new FakeKingdee({
    forms: {
      BD_MATERIAL: DEMO_MATERIALS.map((code) => ({
        FNumber: code,
        FName: `制动钳支架 ${code}`,
        FSpecification: '',
        'FBaseUnitId.FName': '件',
      })),
      STK_Inventory: [],
    },
    ...options,
  }).start();

const u8Env = (fake: FakeU8, writeBack = 'on') => ({
  ERP_KIND: 'u8',
  ERP_BASE_URL: fake.url,
  ERP_APP_KEY: U8_SECRETS.appKey,
  ERP_APP_SECRET: U8_SECRETS.appSecret,
  ERP_FROM_ACCOUNT: U8_SECRETS.fromAccount,
  ERP_TO_ACCOUNT: U8_SECRETS.toAccount,
  ERP_WRITE_BACK: writeBack,
  ERP_RESULT_POLL_MS: '10',
  ERP_WRITE_RETRY_AFTER_MS: '5000',
});
const kingdeeEnv = (fake: FakeKingdee) => ({
  ERP_KIND: 'kingdee',
  ERP_BASE_URL: fake.url,
  ERP_ACCT_ID: KINGDEE_SECRETS.acctId,
  ERP_USERNAME: KINGDEE_SECRETS.username,
  ERP_PASSWORD: KINGDEE_SECRETS.password,
  ERP_WRITE_BACK: 'on',
  ERP_SALE_ORG: '100',
  ERP_WRITE_RETRY_AFTER_MS: '5000',
});

const opsMessages = (t: TestApp, s: PlaygroundState) => t.botMessages(s, 'ops');

describe.each(backends)('confirmed orders written back to the ERP on %s', (backend) => {
  const database = useTestDatabase(backend);
  let t: TestApp | undefined;
  const stops: (() => Promise<void>)[] = [];
  afterEach(async () => {
    await t?.close();
    t = undefined;
    await Promise.all(stops.splice(0).map((stop) => stop()));
  });

  async function start(env: Record<string, string>, erpCode: string | null = 'CUST-DL') {
    t = await TestApp.start(backend, { database: database(), fresh: true, env: readEnv(env) });
    await t.db.update(customers).set({ erpCode }).where(eq(customers.name, '大陆集团'));
    return t;
  }
  const withFake = async <F extends { stop(): Promise<void> }>(fake: Promise<F>) => {
    const f = await fake;
    stops.push(() => f.stop());
    return f;
  };
  const order = async (app: TestApp) => (await app.db.select().from(orders).where(eq(orders.number, NUMBER)))[0]!;
  const erpRow = async (app: TestApp) =>
    (
      await app.db
        .select()
        .from(outbox)
        .where(eq(outbox.idempotencyKey, `order:${(await order(app)).id}:erp`))
    )[0]!;
  const events = async (app: TestApp, type: string) =>
    app.db
      .select()
      .from(orderEvents)
      .where(and(eq(orderEvents.orderId, (await order(app)).id), eq(orderEvents.type, type)));
  /** The date a line carries: its own promise, else the order's. */
  const lineDate = async (app: TestApp) => {
    const o = await order(app);
    const [item] = await app.db.select().from(orderItems).where(eq(orderItems.orderId, o.id));
    return item!.promisedDate ?? o.promisedDate;
  };
  /** Waits until the order's ERP row has been tried `attempts` times (the test clock holds its retry back). */
  const tried = async (app: TestApp, attempts: number) => {
    const deadline = Date.now() + 5000;
    for (;;) {
      const row = await erpRow(app).catch(() => undefined);
      if (row && row.attempts >= attempts && row.lockedUntil === null) return row;
      if (Date.now() > deadline) throw new Error(`the ERP row was not tried ${attempts} times: ${JSON.stringify(row)}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  };
  /** Moves past the wait after a lost answer, and lets the outbox deliver again. */
  const afterRetryWait = async (app: TestApp) => {
    app.clock.advance(6000);
    app.app.bot.sender.wake();
    await app.settle();
  };

  async function signIn(app: TestApp): Promise<string> {
    const login = await fetch(`${app.url}/board/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ username: 'ops', password: 'orderbot' }),
    });
    return login.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
  }

  it('U8: one sale order with the customer code, the line, its promised date and the requirements; the number on the order and the board', async () => {
    const fake = await withFake(u8Fake({ customers: ['CUST-DL'] }));
    const app = await start(u8Env(fake));
    await confirmedOrder(app, REQUEST);
    await app.settle();

    const date = await lineDate(app);
    expect(date).toMatch(/^2026-0[23]-\d\d$/);
    expect([...fake.saleorders.keys()]).toEqual([NUMBER]);
    const written = fake.saleorders.get(NUMBER)!;
    expect(written).toMatchObject({
      code: NUMBER,
      custcode: 'CUST-DL',
      biz_id: NUMBER,
      entry: [{ inventorycode: 'BRK-2026-06', quantity: 20, dpredate: date }],
    });
    expect(written.memo).toContain('Ra≤0.8μm');
    expect(fake.callsTo('saleorder/get')).toBe(1);
    expect((await order(app)).erpNumber).toBe(NUMBER);
    expect(await events(app, 'erp-written')).toEqual([
      expect.objectContaining({ data: expect.objectContaining({ erp: 'u8', number: NUMBER, found: false }) }),
    ]);

    const cookie = await signIn(app);
    const board = await (await fetch(`${app.url}/board`, { headers: { cookie } })).text();
    const row = new RegExp(`<tr class="order \\w+" data-number="${NUMBER}">[\\s\\S]*?</tr>`).exec(board)?.[0] ?? '';
    expect(row).toContain(`ERP单号 ${NUMBER}`);
    const page = await (await fetch(`${app.url}/board/orders/${NUMBER}`, { headers: { cookie } })).text();
    expect(page).toContain('ERP单号');
    expect(page).toContain('已写入用友U8');
    expect(opsMessages(app, await app.state())).toEqual([]);
  });

  it('U8: a write whose answer was lost is looked up on the retry, not written twice', async () => {
    const fake = await withFake(u8Fake());
    fake.fail('saleorder/add', { lostAnswer: true });
    const app = await start(u8Env(fake));
    await confirmedOrder(app, REQUEST);
    await tried(app, 1);
    expect(fake.saleorders.size).toBe(1);
    expect((await order(app)).erpNumber).toBeNull();
    expect(await erpRow(app)).toMatchObject({ status: 'pending', attempts: 1 });

    await afterRetryWait(app);
    expect(fake.saleorders.size).toBe(1);
    expect(fake.callsTo('saleorder/add')).toBe(1);
    expect(fake.callsTo('saleorder/get')).toBe(2);
    expect((await order(app)).erpNumber).toBe(NUMBER);
    expect(await erpRow(app)).toMatchObject({ status: 'sent', attempts: 2 });
    expect((await events(app, 'erp-written'))[0]!.data).toMatchObject({ found: true });
  });

  it('U8: network trouble before the write is retried with backoff', async () => {
    const fake = await withFake(u8Fake());
    fake.fail('saleorder/get', { status: 502 });
    const app = await start(u8Env(fake));
    await confirmedOrder(app, REQUEST);
    expect(await tried(app, 1)).toMatchObject({ status: 'pending' });
    expect(fake.callsTo('tradeid')).toBe(0);
    await afterRetryWait(app);
    expect((await order(app)).erpNumber).toBe(NUMBER);
    expect(await erpRow(app)).toMatchObject({ status: 'sent', attempts: 2 });
    expect(fake.saleorders.size).toBe(1);
  });

  it("U8: a refusal is told to ops once with U8's words, and not retried", async () => {
    const fake = await withFake(u8Fake({ customers: ['CUST-OTHER'] }));
    const app = await start(u8Env(fake));
    await confirmedOrder(app, REQUEST);
    await app.settle();
    await afterRetryWait(app);

    expect(fake.saleorders.size).toBe(0);
    expect(fake.callsTo('saleorder/add')).toBe(1);
    expect(await erpRow(app)).toMatchObject({ status: 'failed', attempts: 1 });
    const ops = opsMessages(app, await app.state());
    expect(ops).toHaveLength(1);
    expect(ops[0]).toContain(`订单 ${NUMBER}（大陆集团）写入用友U8销售订单被拒绝：客户编码CUST-DL不存在`);
    expect(await events(app, 'erp-refused')).toHaveLength(1);
    expect((await order(app)).erpNumber).toBeNull();
  });

  it('a customer without an ERP code is not written: ops are told how to fix it, once', async () => {
    const fake = await withFake(u8Fake());
    const app = await start(u8Env(fake), null);
    await confirmedOrder(app, REQUEST);
    await app.settle();
    await afterRetryWait(app);

    expect(fake.callsTo('tradeid')).toBe(0);
    expect(fake.callsTo('saleorder/get')).toBe(0);
    expect(await erpRow(app)).toMatchObject({ status: 'failed', attempts: 1 });
    const ops = opsMessages(app, await app.state());
    expect(ops).toHaveLength(1);
    expect(ops[0]).toContain('客户“大陆集团”没有客户编码');
    expect(ops[0]).toContain('客户导入');
  });

  it('an order without a customer is not written, and ops are told', async () => {
    const fake = await withFake(u8Fake());
    const app = await start(u8Env(fake));
    await confirmedOrder(app, '需要BRK-2026-06样品20件，3月3日前到');
    await app.settle();
    expect(fake.callsTo('saleorder/add')).toBe(0);
    const ops = opsMessages(app, await app.state());
    expect(ops).toHaveLength(1);
    expect(ops[0]).toContain(`订单 ${NUMBER} 没有关联客户`);
  });

  it('with write-back off (the default) nothing is written, though the ERP is configured for sync', async () => {
    const fake = await withFake(u8Fake());
    const { ERP_WRITE_BACK: _, ...env } = u8Env(fake);
    const app = await start(env);
    await confirmedOrder(app, REQUEST);
    await app.settle();
    expect(fake.callsTo('tradeid') + fake.callsTo('saleorder/get') + fake.callsTo('saleorder/add')).toBe(0);
    expect((await order(app)).erpNumber).toBeNull();
    expect(await erpRow(app)).toMatchObject({ status: 'sent' });
    expect(opsMessages(app, await app.state())).toEqual([]);
  });

  it('Kingdee: one SAL_SaleOrder with our number and the requirements in FNote, the line and its date; XSDD number kept', async () => {
    const fake = await withFake(kingdeeFake({ customers: ['CUST-DL'] }));
    const app = await start(kingdeeEnv(fake));
    await confirmedOrder(app, REQUEST);
    await app.settle();

    const date = await lineDate(app);
    expect(fake.saved.size).toBe(1);
    const [billNo, { model }] = [...fake.saved][0]!;
    expect(billNo).toMatch(/^XSDD\d{6}$/);
    expect(model).toMatchObject({
      FBillTypeID: { FNumber: 'XSDD01_SYS' },
      FSaleOrgId: { FNumber: '100' },
      FCustId: { FNumber: 'CUST-DL' },
      FSaleOrderEntry: [{ FMaterialId: { FNumber: 'BRK-2026-06' }, FQty: 20, FDeliveryDate: date }],
    });
    expect(String(model.FNote)).toMatch(new RegExp(`^${NUMBER} .*Ra≤0\\.8μm`));
    expect(String((model.FSaleOrderEntry as Record<string, unknown>[])[0]!.FEntryNote)).toContain('Ra≤0.8μm');
    expect((await order(app)).erpNumber).toBe(billNo);

    const cookie = await signIn(app);
    const board = await (await fetch(`${app.url}/board`, { headers: { cookie } })).text();
    expect(board).toContain(`ERP单号 ${billNo}`);
  });

  it('Kingdee: a Save whose answer was lost is found by our number on the retry, and not saved again', async () => {
    const fake = await withFake(kingdeeFake());
    fake.fail('save', { lostAnswer: true });
    const app = await start(kingdeeEnv(fake));
    await confirmedOrder(app, REQUEST);
    await tried(app, 1);
    expect(fake.saved.size).toBe(1);
    expect((await order(app)).erpNumber).toBeNull();

    await afterRetryWait(app);
    expect(fake.saved.size).toBe(1);
    expect(fake.callsTo('save')).toBe(1);
    expect((await order(app)).erpNumber).toBe([...fake.saved.keys()][0]);
    expect((await events(app, 'erp-written'))[0]!.data).toMatchObject({ erp: 'kingdee', found: true });
  });

  it("Kingdee: a refused Save is told to ops once with Kingdee's message", async () => {
    const fake = await withFake(kingdeeFake({ customers: ['CUST-OTHER'] }));
    const app = await start(kingdeeEnv(fake));
    await confirmedOrder(app, REQUEST);
    await app.settle();
    await afterRetryWait(app);
    expect(fake.saved.size).toBe(0);
    expect(fake.callsTo('save')).toBe(1);
    const ops = opsMessages(app, await app.state());
    expect(ops).toHaveLength(1);
    expect(ops[0]).toContain('写入金蝶云星空销售订单被拒绝：字段“客户”的值“CUST-DL”在系统中不存在或未审核');
  });
});
