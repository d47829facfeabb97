import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { ErpError } from '../../integrations/erp/errors';
import { KingdeeClient, type KingdeeClientOptions } from '../../integrations/erp/kingdee-client';
import { FakeKingdee, KINGDEE_SECRETS, type FakeKingdeeOptions } from '../fakes/erp/fake-kingdee';
import { kingdeeForms } from '../fakes/erp/fixtures';
import { TestClock } from '../support/clock';

let fake: FakeKingdee | undefined;
afterEach(async () => {
  await fake?.stop();
  fake = undefined;
});

async function setup(
  options: { fake?: FakeKingdeeOptions; client?: Partial<KingdeeClientOptions>; rows?: number } = {},
) {
  const clock = new TestClock();
  fake = await new FakeKingdee({ clock: clock.now, forms: kingdeeForms(options.rows ?? 75), ...options.fake }).start();
  const client = new KingdeeClient({
    baseUrl: fake.url,
    ...KINGDEE_SECRETS,
    now: clock.now,
    pageSize: 30,
    timeoutMs: 2000,
    ...options.client,
  });
  return { fake, client, clock };
}

async function erpError(promise: Promise<unknown>): Promise<ErpError> {
  const e = await promise.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(ErpError);
  return e as ErpError;
}

const queries = (f: FakeKingdee) => f.requests.filter((r) => r.endpoint === 'query');
const data = (body: unknown) => (body as { data: Record<string, unknown> }).data;

describe('Kingdee client against the fake WebAPI', () => {
  it('reads all materials and stock page by page with one login', async () => {
    const { fake, client } = await setup();
    const materials = await client.fetchMaterials();
    const stock = await client.fetchStock();

    expect(materials).toHaveLength(75);
    expect(materials[6]).toEqual({ code: '007', name: '法兰 007', spec: 'DN007', unit: '套' });
    expect(stock).toHaveLength(100);
    expect(stock.filter((s) => s.materialCode === '007')).toEqual([
      { materialCode: '007', warehouse: 'CK01', onHand: 49.5 },
      { materialCode: '007', warehouse: 'CK02', onHand: 52.5 },
    ]);
    expect(fake.callsTo('login')).toBe(1);
    const [first, ...rest] = queries(fake);
    expect(data(first!.body)).toEqual({
      FormId: 'BD_MATERIAL',
      FieldKeys: 'FNumber,FName,FSpecification,FBaseUnitId.FName',
      FilterString: '',
      OrderString: 'FNumber ASC',
      TopRowCount: 0,
      StartRow: 0,
      Limit: 30,
    });
    expect(rest.map((r) => [data(r.body).FormId, data(r.body).StartRow])).toEqual([
      ['BD_MATERIAL', 30],
      ['BD_MATERIAL', 60],
      ['STK_Inventory', 0],
      ['STK_Inventory', 30],
      ['STK_Inventory', 60],
      ['STK_Inventory', 90],
    ]);
    expect(first!.headers.cookie).toMatch(/kdservice-sessionid=\w+/);
    expect(first!.headers.cookie).toMatch(/ASP\.NET_SessionId=/);
  });

  it('logs in with the legacy parameters array', async () => {
    const { fake, client } = await setup({ client: { lcid: 1033 } });
    await client.fetchMaterials();
    const { acctId, username, password } = KINGDEE_SECRETS;
    expect(fake.requests[0]!.body).toEqual({ parameters: [acctId, username, password, 1033] });
  });

  it('asks once more when the last page is exactly full', async () => {
    const { fake, client } = await setup({ rows: 60 });
    expect(await client.fetchMaterials()).toHaveLength(60);
    expect(queries(fake)).toHaveLength(3);
  });

  it('projects configured field keys, lead time included', async () => {
    const { client } = await setup({
      client: {
        materials: {
          fieldKeys: { code: 'FNumber', name: 'FName', spec: undefined, unit: undefined, leadTimeDays: 'FFixLeadTime' },
        },
      },
    });
    expect((await client.fetchMaterials())[0]).toEqual({ code: '001', name: '法兰 001', leadTimeDays: 5 });
  });

  it('logs in again exactly once after the session is lost, and replays the page', async () => {
    const { fake, client } = await setup();
    await client.fetchMaterials();
    fake.dropSessions();
    expect(await client.fetchStock()).toHaveLength(100);
    expect(fake.callsTo('login')).toBe(2);
    const stockQueries = queries(fake).filter((r) => data(r.body).FormId === 'STK_Inventory');
    expect(stockQueries.map((r) => data(r.body).StartRow)).toEqual([0, 0, 30, 60, 90]);
  });

  it('recovers when the server drops an idle session before our cache does', async () => {
    const { fake, client, clock } = await setup({ fake: { sessionTtlMs: 5 * 60_000 } });
    await client.fetchMaterials();
    clock.advance(6 * 60_000);
    expect(await client.fetchMaterials()).toHaveLength(75);
    expect(fake.callsTo('login')).toBe(2);
  });

  it('stops after one re-login when the new session is lost too', async () => {
    const { fake, client } = await setup({ fake: { sessionTtlMs: -1 } });
    const e = await erpError(client.fetchMaterials());
    expect(e).toMatchObject({ code: 'session', retryable: true });
    expect(fake.callsTo('login')).toBe(2);
    expect(queries(fake)).toHaveLength(2);
  });

  it('fails the whole read when a middle page gets a 5xx', async () => {
    const { fake, client } = await setup();
    fake.fail('query', { status: 500 }, { skip: 1 });
    const e = await erpError(client.fetchStock());
    expect(e).toMatchObject({ code: 'http', status: 500, retryable: true });
    expect(e.message).toContain('from row 30');
  });

  it('fails on a hang-up during login and on a slow query', async () => {
    const { fake, client } = await setup({ client: { timeoutMs: 150 } });
    fake.fail('login', { hangup: true });
    expect(await erpError(client.fetchStock())).toMatchObject({ code: 'network', retryable: true });
    fake.fail('query', { delayMs: 600 }, { skip: 1 });
    expect(await erpError(client.fetchStock())).toMatchObject({ code: 'timeout', retryable: true });
  });

  it('reports a wrong password as a non-retryable auth error with Kingdee’s message', async () => {
    const { fake, client } = await setup({ client: { password: 'wrong' } });
    const e = await erpError(client.fetchMaterials());
    expect(e).toMatchObject({ code: 'auth', retryable: false, erpCode: '0' });
    expect(e.message).toContain('用户名或密码错误');
    expect(e.message).toContain('ERP_PASSWORD');
    expect(queries(fake)).toHaveLength(0);
  });

  it('reports other query errors from the nested ResponseStatus without re-login', async () => {
    const { fake, client } = await setup({ client: { stock: { formId: 'STK_NoSuchForm' } } });
    const e = await erpError(client.fetchStock());
    expect(e).toMatchObject({ code: 'api', retryable: false, erpCode: '500' });
    expect(e.message).toContain('业务对象STK_NoSuchForm不存在');
    expect(fake.callsTo('login')).toBe(1);
  });

  it('refuses a page size the server would silently cut', () => {
    expect(
      () => new KingdeeClient({ baseUrl: 'http://127.0.0.1:1/K3Cloud', ...KINGDEE_SECRETS, pageSize: 5000 }),
    ).toThrow(/2000/);
  });

  it('keeps codes exactly as Kingdee has them', async () => {
    const { fake, client } = await setup({ rows: 0 });
    const code = fc.oneof(
      fc.stringMatching(/^0[0-9]{1,6}$/),
      fc.stringMatching(/^[0-9A-Z.-]{1,12}$/),
      fc.constant('1e3'),
    );
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(code, { minLength: 1, maxLength: 40 }), async (codes) => {
        fake.forms = {
          ...fake.forms,
          BD_MATERIAL: codes.map((c) => ({
            FNumber: c,
            FName: `物料${c}`,
            FSpecification: '',
            'FBaseUnitId.FName': '个',
          })),
        };
        expect((await client.fetchMaterials()).map((m) => m.code)).toEqual(codes);
      }),
      { numRuns: 25 },
    );
  });

  describe('sale orders', () => {
    const order = {
      reference: 'SO-20260303-0001',
      customerCode: 'CUST-007',
      date: '2026-03-03',
      note: '技术要求：Ra≤0.8μm',
      lines: [
        { materialCode: '001', quantity: 5, deliveryDate: '2026-03-20', note: '技术要求：Ra≤0.8μm' },
        { materialCode: '002', quantity: 8, deliveryDate: '2026-03-10' },
      ],
    };
    const saves = (f: FakeKingdee) => f.requests.filter((r) => r.endpoint === 'save');

    it('saves SAL_SaleOrder with the number first in FNote, and finds it by that number', async () => {
      const { fake, client } = await setup({ fake: { customers: ['CUST-007'] } });
      expect(await client.findSaleOrder(order.reference)).toBeNull();
      const result = await client.writeBackSaleOrder(order);
      expect(result.number).toMatch(/^XSDD\d{6}$/);
      const body = saves(fake)[0]!.body as { formid: string; data: Record<string, unknown> };
      expect(body.formid).toBe('SAL_SaleOrder');
      expect(body.data).toMatchObject({ IsVerifyBaseDataField: 'true', IsAutoSubmitAndAudit: 'false' });
      expect(body.data.Model).toMatchObject({
        FBillTypeID: { FNumber: 'XSDD01_SYS' },
        FCustId: { FNumber: 'CUST-007' },
        FDate: '2026-03-03',
        FNote: 'SO-20260303-0001 技术要求：Ra≤0.8μm',
        FSaleOrderEntry: [
          { FMaterialId: { FNumber: '001' }, FQty: 5, FDeliveryDate: '2026-03-20', FEntryNote: '技术要求：Ra≤0.8μm' },
          { FMaterialId: { FNumber: '002' }, FQty: 8, FDeliveryDate: '2026-03-10' },
        ],
      });
      expect(saves(fake)[0]!.headers.cookie).toMatch(/kdservice-sessionid=/);
      expect(await client.findSaleOrder(order.reference)).toEqual(result);
      // A longer number that merely starts with ours (a split order) is another order.
      expect(await client.findSaleOrder('SO-20260303-000')).toBeNull();
    });

    it('puts the number in FBillNo or a field of the plant’s own when told to', async () => {
      const { fake, client } = await setup({ client: { saleOrder: { referenceField: 'FBillNo' } } });
      expect(await client.writeBackSaleOrder(order)).toMatchObject({ number: 'SO-20260303-0001' });
      expect(await client.findSaleOrder(order.reference)).toMatchObject({ number: 'SO-20260303-0001' });
      const custom = new KingdeeClient({
        baseUrl: fake.url,
        ...KINGDEE_SECRETS,
        saleOrder: { referenceField: 'F_PAEZ_Text' },
      });
      const saved = await custom.writeBackSaleOrder({ ...order, reference: 'SO-20260303-0002' });
      expect(fake.saved.get(saved.number)!.model).toMatchObject({
        F_PAEZ_Text: 'SO-20260303-0002',
        FNote: '技术要求：Ra≤0.8μm',
      });
      expect(await custom.findSaleOrder('SO-20260303-0002')).toEqual(saved);
    });

    it('reports a refusal with Kingdee’s message, not retryable', async () => {
      const { client } = await setup({ fake: { customers: ['CUST-001'] } });
      const e = await erpError(client.writeBackSaleOrder(order));
      expect(e).toMatchObject({ code: 'api', retryable: false, outcomeUnknown: false });
      expect(e.erpMessage).toContain('CUST-007');
    });

    it('reads IsSuccess written as a string', async () => {
      const { client } = await setup({ fake: { successAsString: true } });
      expect((await client.writeBackSaleOrder(order)).number).toMatch(/^XSDD/);
      const e = await erpError(client.writeBackSaleOrder({ ...order, customerCode: '' }));
      expect(e.code).toBe('api');
    });

    it('logs in again when the session is lost before a Save, and saves once', async () => {
      const { fake, client } = await setup();
      await client.fetchMaterials();
      fake.dropSessions();
      await client.writeBackSaleOrder(order);
      expect(fake.saved.size).toBe(1);
      expect(fake.callsTo('login')).toBe(2);
    });

    it('marks a Save whose answer was lost as of unknown outcome, retryable', async () => {
      const { fake, client } = await setup();
      fake.fail('save', { lostAnswer: true });
      const e = await erpError(client.writeBackSaleOrder(order));
      expect(e).toMatchObject({ code: 'network', retryable: true, outcomeUnknown: true });
      expect(fake.saved.size).toBe(1);
      expect(await client.findSaleOrder(order.reference)).not.toBeNull();
    });
  });
});
