import { afterEach, describe, expect, it } from 'vitest';
import { ErpError } from '../../integrations/erp/errors';
import { memoryTokenCache } from '../../integrations/erp/token-cache';
import { U8Client, type U8ClientOptions } from '../../integrations/erp/u8-client';
import { FakeU8, U8_SECRETS, type FakeU8Options } from '../fakes/erp/fake-u8';
import { u8Rows } from '../fakes/erp/fixtures';
import { TestClock } from '../support/clock';

let fake: FakeU8 | undefined;
afterEach(async () => {
  await fake?.stop();
  fake = undefined;
});

async function setup(options: { fake?: FakeU8Options; client?: Partial<U8ClientOptions>; rows?: number } = {}) {
  const clock = new TestClock();
  fake = await new FakeU8({ clock: clock.now, ...u8Rows(options.rows ?? 75), ...options.fake }).start();
  const client = new U8Client({
    baseUrl: fake.url,
    ...U8_SECRETS,
    now: clock.now,
    rowsPerPage: 20,
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

describe('U8 client against the fake OpenAPI', () => {
  it('reads the whole inventory and current stock across pages with one token', async () => {
    const { fake, client } = await setup();
    const materials = await client.fetchMaterials();
    const stock = await client.fetchStock();

    expect(materials).toHaveLength(75);
    expect(materials[6]).toEqual({ code: '007', name: '轴承 007', spec: '6007-2RS', unit: '件', leadTimeDays: 7 });
    expect(stock).toHaveLength(100);
    expect(stock.filter((s) => s.materialCode === '007')).toEqual([
      { materialCode: '007', warehouse: '01', onHand: 49 },
      { materialCode: '007', warehouse: '02', onHand: 52 },
    ]);
    expect(new Set(stock.map((s) => s.materialCode)).size).toBe(75);
    expect(fake.callsTo('inventory')).toBe(4);
    expect(fake.callsTo('currentstock')).toBe(5);
    expect(fake.requests.filter((r) => r.endpoint === 'inventory').map((r) => r.query.page_index)).toEqual([
      '1',
      '2',
      '3',
      '4',
    ]);
    expect(fake.callsTo('token')).toBe(1);
    const read = fake.requests.find((r) => r.endpoint === 'currentstock')!;
    expect(read.query).toMatchObject({
      from_account: U8_SECRETS.fromAccount,
      to_account: U8_SECRETS.toAccount,
      app_key: U8_SECRETS.appKey,
      rows_per_page: '20',
    });
    expect(read.query.app_secret).toBeUndefined();
  });

  it('follows the page_count the server computed when it cuts rows_per_page', async () => {
    const { fake, client } = await setup({ fake: { maxRowsPerPage: 30 }, client: { rowsPerPage: 1000 } });
    expect(await client.fetchMaterials()).toHaveLength(75);
    expect(fake.callsTo('inventory')).toBe(3);
  });

  it('returns an empty list for an empty account', async () => {
    const { client } = await setup({ rows: 0 });
    expect(await client.fetchStock()).toEqual([]);
  });

  it('refreshes the token shortly before it expires, not earlier', async () => {
    const { fake, client, clock } = await setup();
    await client.fetchMaterials();
    clock.advance(7100_000);
    await client.fetchMaterials();
    expect(fake.callsTo('token')).toBe(1);
    clock.advance(50_000); // 50 s left: inside the 60 s margin
    await client.fetchMaterials();
    expect(fake.callsTo('token')).toBe(2);
  });

  it('gets a new token once when the cached one is revoked, and carries on', async () => {
    const { fake, client } = await setup();
    await client.fetchStock();
    fake.revokeTokens();
    expect(await client.fetchStock()).toHaveLength(100);
    expect(fake.callsTo('token')).toBe(2);
    expect(fake.callsTo('currentstock')).toBe(5 + 1 + 5);
  });

  it('gives up after one refresh when even a fresh token is refused', async () => {
    const { fake, client } = await setup({ fake: { tokenTtlSeconds: 0 } });
    const e = await erpError(client.fetchMaterials());
    expect(e.code).toBe('token');
    expect(e.retryable).toBe(true);
    expect(fake.callsTo('token')).toBe(2);
    expect(fake.callsTo('inventory')).toBe(2);
  });

  it('recognises a configured token errcode whose message does not say "token"', async () => {
    const { fake, client } = await setup({
      fake: { tokenErrcode: '40011', tokenErrmsg: '令牌失效' },
      client: { tokenErrcodes: ['40011'] },
    });
    await client.fetchMaterials();
    fake.revokeTokens();
    expect(await client.fetchMaterials()).toHaveLength(75);
    expect(fake.callsTo('token')).toBe(2);
  });

  it('shares tokens through an injected cache (as the database-backed one does)', async () => {
    const { fake, clock } = await setup();
    const shared = memoryTokenCache({ now: clock.now });
    const keys: string[] = [];
    const tokenCache: typeof shared.tokenCache = (key, fetchToken) => {
      keys.push(key);
      return shared.tokenCache(key, fetchToken);
    };
    const make = () =>
      new U8Client({
        baseUrl: fake.url,
        ...U8_SECRETS,
        tokenCache,
        invalidateToken: shared.invalidateToken,
        rowsPerPage: 50,
      });
    await Promise.all([make().fetchMaterials(), make().fetchStock()]);
    expect(fake.callsTo('token')).toBe(1);
    expect(new Set(keys)).toEqual(new Set([`erp:u8:${U8_SECRETS.fromAccount}:${U8_SECRETS.appKey}`]));
  });

  it('fails the whole read when a middle page gets a 5xx', async () => {
    const { fake, client } = await setup();
    fake.fail('inventory', { status: 502 }, { skip: 2 });
    const e = await erpError(client.fetchMaterials());
    expect(e).toMatchObject({ code: 'http', status: 502, retryable: true });
    expect(e.message).toContain('inventory page 3');
    expect(fake.callsTo('inventory')).toBe(3);
  });

  it('fails the whole read when the connection drops mid-paging', async () => {
    const { fake, client } = await setup();
    fake.fail('currentstock', { hangup: true }, { skip: 1 });
    expect(await erpError(client.fetchStock())).toMatchObject({ code: 'network', retryable: true });
  });

  it('times out on a slow gateway', async () => {
    const { fake, client } = await setup({ client: { timeoutMs: 150 } });
    fake.fail('inventory', { delayMs: 600 });
    expect(await erpError(client.fetchMaterials())).toMatchObject({ code: 'timeout', retryable: true });
  });

  it('reports wrong app credentials as a non-retryable auth error naming the variables', async () => {
    const { fake, client } = await setup({ client: { appSecret: 'not-the-secret' } });
    const e = await erpError(client.fetchStock());
    expect(e).toMatchObject({ code: 'auth', retryable: false, erpCode: '20001' });
    expect(e.message).toMatch(/app_secret.*ERP_APP_SECRET/s);
    expect(fake.callsTo('currentstock')).toBe(0);
  });

  it('reports an enterprise account that has not approved the app as a non-retryable api error', async () => {
    const { client } = await setup({ client: { toAccount: 'someone_else' } });
    const e = await erpError(client.fetchMaterials());
    expect(e).toMatchObject({ code: 'api', retryable: false, erpCode: '20010' });
    expect(e.message).toContain('未授权');
  });

  it('refuses rows the field mapping cannot read instead of inventing values', async () => {
    const { client } = await setup({ client: { fields: { currentstock: { onHand: 'nonexistent' } } } });
    expect(await erpError(client.fetchStock())).toMatchObject({ code: 'protocol', retryable: false });
  });

  it('reads a tenant whose U8 version names the columns differently', async () => {
    const rows = u8Rows(3).currentstock.map((r) => ({
      cInvCode: r.invcode,
      cWhCode: r.whcode,
      iQuantity: r.iquantity,
    }));
    const { client } = await setup({
      fake: { currentstock: rows },
      client: { fields: { currentstock: { materialCode: 'cInvCode', warehouse: 'cWhCode', onHand: 'iQuantity' } } },
    });
    expect((await client.fetchStock()).map((s) => s.materialCode)).toEqual(['001', '001', '002', '003']);
  });
});

describe('U8 sale order write-back', () => {
  it('takes a tradeid, posts the order and polls the result URL until U8 has an id', async () => {
    const { fake, client } = await setup({
      fake: { pendingPolls: 2 },
      client: { resultPolling: { intervalMs: 5, attempts: 5 } },
    });
    const result = await client.writeBackSaleOrder({
      reference: 'OB-42',
      customerCode: 'C007',
      lines: [{ materialCode: '007', quantity: 120 }],
    });
    // Our order number is the order's code (订单号), and U8's id for it.
    expect(result).toMatchObject({ id: 'OB-42', number: 'OB-42' });
    expect(result.tradeId).toMatch(/^T\d+$/);
    expect(fake.saleorders.get(result.id)).toMatchObject({
      code: 'OB-42',
      custcode: 'C007',
      biz_id: 'OB-42',
      entry: [{ inventorycode: '007', quantity: 120 }],
    });
    expect(fake.requests.find((r) => r.endpoint === 'saleorder/add')!.query.tradeid).toBe(result.tradeId);
    expect(fake.callsTo('result')).toBe(3);
  });

  it('reports the final refusal from the result URL', async () => {
    const { client } = await setup({ client: { resultPolling: { intervalMs: 5, attempts: 5 } } });
    const e = await erpError(
      client.writeBackSaleOrder({
        reference: 'OB-43',
        customerCode: 'C1',
        lines: [{ materialCode: '999', quantity: 1 }],
      }),
    );
    expect(e).toMatchObject({ code: 'api', retryable: false });
    expect(e.message).toContain('存货编码999不存在');
  });

  it('writes remarks and each line’s delivery date, and finds the order by our number afterwards', async () => {
    const { fake, client } = await setup({ client: { resultPolling: { intervalMs: 5, attempts: 5 } } });
    expect(await client.findSaleOrder('OB-50')).toBeNull();
    await client.writeBackSaleOrder({
      reference: 'OB-50',
      customerCode: 'C1',
      note: '技术要求：Ra≤0.8μm',
      lines: [
        { materialCode: '001', quantity: 5, deliveryDate: '2026-03-20' },
        { materialCode: '002', quantity: 7, deliveryDate: '2026-03-12' },
      ],
    });
    expect(fake.saleorders.get('OB-50')).toMatchObject({
      memo: '技术要求：Ra≤0.8μm',
      dpredatebt: '2026-03-12',
      entry: [
        { inventorycode: '001', quantity: 5, dpredate: '2026-03-20' },
        { inventorycode: '002', quantity: 7, dpredate: '2026-03-12' },
      ],
    });
    expect(await client.findSaleOrder('OB-50')).toEqual({ id: 'OB-50', number: 'OB-50' });
  });

  it('takes an unconfirmed "not found" errcode as configured', async () => {
    const { client } = await setup({
      fake: { notFoundReply: { errcode: '40404', errmsg: '查询结果为空' } },
      client: { saleOrder: { notFoundErrcodes: ['40404'] } },
    });
    expect(await client.findSaleOrder('OB-51')).toBeNull();
  });

  it('marks a post whose answer was lost after U8 took it as of unknown outcome', async () => {
    const { fake, client } = await setup({ client: { resultPolling: { intervalMs: 5, attempts: 5 } } });
    fake.fail('saleorder/add', { lostAnswer: true });
    const e = await erpError(
      client.writeBackSaleOrder({
        reference: 'OB-52',
        customerCode: 'C1',
        lines: [{ materialCode: '001', quantity: 1 }],
      }),
    );
    expect(e.outcomeUnknown).toBe(true);
    expect(fake.saleorders.has('OB-52')).toBe(true);
    expect(await client.findSaleOrder('OB-52')).toMatchObject({ number: 'OB-52' });
  });

  it('does not resend or call retryable a post that got no answer', async () => {
    const { fake, client } = await setup();
    fake.fail('saleorder/add', { hangup: true });
    const e = await erpError(
      client.writeBackSaleOrder({
        reference: 'OB-44',
        customerCode: 'C1',
        lines: [{ materialCode: '001', quantity: 1 }],
      }),
    );
    expect(e.retryable).toBe(false);
    expect(e.message).toContain('may have been created');
    expect(fake.callsTo('saleorder/add')).toBe(1);
  });
});
