import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../core/errors';
import { createErpClient, erpWriteBackSettings, parseErpConfig } from '../../integrations/erp/erp-config';
import { FakeKingdee, KINGDEE_SECRETS } from '../fakes/erp/fake-kingdee';
import { FakeU8, U8_SECRETS } from '../fakes/erp/fake-u8';
import { kingdeeForms, u8Rows } from '../fakes/erp/fixtures';

const u8Env = {
  ERP_KIND: 'u8',
  ERP_BASE_URL: 'https://api.yonyouup.com',
  ERP_APP_KEY: U8_SECRETS.appKey,
  ERP_APP_SECRET: U8_SECRETS.appSecret,
  ERP_FROM_ACCOUNT: U8_SECRETS.fromAccount,
  ERP_TO_ACCOUNT: U8_SECRETS.toAccount,
};
const kingdeeEnv = {
  ERP_KIND: 'kingdee',
  ERP_BASE_URL: 'http://erp.plant.local/K3Cloud',
  ERP_ACCT_ID: KINGDEE_SECRETS.acctId,
  ERP_USERNAME: KINGDEE_SECRETS.username,
  ERP_PASSWORD: KINGDEE_SECRETS.password,
};

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(stops.splice(0).map((stop) => stop()));
});

function configError(env: Record<string, string | undefined>): string {
  try {
    createErpClient(env);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error('expected a configuration error');
}

describe('ERP configuration', () => {
  it('means "no ERP" when ERP_KIND is unset or blank', () => {
    expect(createErpClient({})).toBeNull();
    expect(createErpClient({ ERP_KIND: '  ', ERP_BASE_URL: 'http://x' })).toBeNull();
  });

  it('builds the client ERP_KIND names', () => {
    expect(createErpClient(u8Env)?.kind).toBe('u8');
    expect(createErpClient(kingdeeEnv)?.kind).toBe('kingdee');
    expect(parseErpConfig(kingdeeEnv)).toMatchObject({ ERP_LCID: 2052 });
    expect(parseErpConfig({ ...kingdeeEnv, ERP_LCID: '1033', ERP_PAGE_SIZE: '500' })).toMatchObject({
      ERP_LCID: 1033,
      ERP_PAGE_SIZE: 500,
    });
  });

  it('names every missing variable, blank ones included', () => {
    const message = configError({ ...u8Env, ERP_APP_SECRET: undefined, ERP_TO_ACCOUNT: '' });
    expect(message).toContain('ERP_APP_SECRET is missing');
    expect(message).toContain('ERP_TO_ACCOUNT is missing');
    expect(message).not.toContain('ERP_APP_KEY');
    expect(configError({ ...kingdeeEnv, ERP_PASSWORD: undefined })).toContain('ERP_PASSWORD is missing');
  });

  it('rejects an unknown kind, a bad URL and a Kingdee page size above 2000', () => {
    expect(configError({ ...u8Env, ERP_KIND: 'sap' })).toContain('ERP_KIND must be "u8" or "kingdee"');
    expect(configError({ ...u8Env, ERP_BASE_URL: 'api.yonyouup.com' })).toContain(
      'ERP_BASE_URL must be an http(s) URL',
    );
    expect(configError({ ...kingdeeEnv, ERP_PAGE_SIZE: '5000' })).toContain('ERP_PAGE_SIZE must be at most 2000');
  });

  it('keeps write-back off unless ERP_WRITE_BACK=on, and refuses it without an ERP', () => {
    expect(erpWriteBackSettings({})).toEqual({ enabled: false });
    expect(erpWriteBackSettings(u8Env)).toMatchObject({ enabled: false, retryAfterMs: 60_000 });
    expect(erpWriteBackSettings({ ...u8Env, ERP_WRITE_BACK: 'on', ERP_SALE_TYPE: '01' })).toMatchObject({
      enabled: true,
      typeCode: '01',
    });
    expect(erpWriteBackSettings({ ...kingdeeEnv, ERP_WRITE_BACK: 'TRUE' }).enabled).toBe(true);
    expect(erpWriteBackSettings({ ERP_WRITE_BACK: 'off' })).toEqual({ enabled: false });
    expect(configError({ ...u8Env, ERP_WRITE_BACK: 'maybe' })).toContain('ERP_WRITE_BACK must be "on" or "off"');
    expect(() => erpWriteBackSettings({ ERP_WRITE_BACK: 'on' })).toThrow(/ERP_KIND is not set/);
    expect(configError({ ...kingdeeEnv, ERP_ORDER_REFERENCE_FIELD: 'note' })).toContain('ERP_ORDER_REFERENCE_FIELD');
  });

  it('gives working clients against the fakes', async () => {
    const u8 = await new FakeU8(u8Rows(30)).start();
    const kingdee = await new FakeKingdee({ forms: kingdeeForms(30) }).start();
    stops.push(
      () => u8.stop(),
      () => kingdee.stop(),
    );
    const fromU8 = createErpClient({ ...u8Env, ERP_BASE_URL: u8.url, ERP_PAGE_SIZE: '7' });
    const fromKingdee = createErpClient({ ...kingdeeEnv, ERP_BASE_URL: kingdee.url, ERP_PAGE_SIZE: '7' });
    expect(await fromU8?.fetchMaterials()).toHaveLength(30);
    expect(await fromKingdee?.fetchStock()).toHaveLength(40);
    expect(u8.callsTo('inventory')).toBe(5);
  });
});
