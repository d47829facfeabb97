import { createHash } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { carrierCode, carrierName, guessCarrier } from '../../integrations/courier/carriers';
import {
  chinaTimeToIso,
  CourierError,
  Kuaidi100Client,
  kuaidi100Sign,
  mapState,
  MIN_POLL_INTERVAL_MS,
  type TrackingFound,
} from '../../integrations/courier/kuaidi100';
import { createCourierTracker } from '../../integrations/courier/port';
import { FakeKuaidi100 } from '../fakes/courier/fake-kuaidi100';

const CUSTOMER = 'test-customer';
const KEY = 'test-key-5f3a9c';
const PHONE = '13812345678';

async function expectCourierError(p: Promise<unknown>, retryable: boolean, code?: string): Promise<CourierError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(CourierError);
  const e = err as CourierError;
  expect(e.retryable).toBe(retryable);
  if (code) expect(e.code).toBe(code);
  expect(e.message).not.toContain(KEY);
  expect(e.message).not.toContain(PHONE);
  return e;
}

describe('carriers', () => {
  it.each([
    ['顺丰', 'shunfeng'],
    [' SF ', 'shunfeng'],
    ['sf', 'shunfeng'],
    ['顺丰速运', 'shunfeng'],
    ['中通', 'zhongtong'],
    ['中通快递', 'zhongtong'],
    ['圆通', 'yuantong'],
    ['申通', 'shentong'],
    ['韵达', 'yunda'],
    ['京东', 'jd'],
    ['京东物流', 'jd'],
    ['德邦', 'debangwuliu'],
    ['EMS', 'ems'],
    ['ems', 'ems'],
    ['邮政', 'ems'],
    ['极兔', 'jtexpress'],
    ['跨越', 'kuayue'],
    ['跨越速运', 'kuayue'],
    ['shunfeng', 'shunfeng'],
  ])('carrierCode(%j) = %s', (name, code) => {
    expect(carrierCode(name)).toBe(code);
  });

  it('unknown names and 快运 variants are not guessed', () => {
    expect(carrierCode('')).toBeUndefined();
    expect(carrierCode('某某快递')).toBeUndefined();
    expect(carrierCode('顺丰快运')).toBeUndefined();
  });

  it('carrierName gives the Chinese display name', () => {
    expect(carrierName('shunfeng')).toBe('顺丰速运');
    expect(carrierName('zhongtong')).toBe('中通快递');
    expect(carrierName('jd')).toBe('京东物流');
    expect(carrierName('youzhengguonei')).toBe('youzhengguonei');
  });

  it('guessCarrier only for obvious prefixes', () => {
    expect(guessCarrier('SF1234567890123')).toBe('shunfeng');
    expect(guessCarrier(' sf1234567890123 ')).toBe('shunfeng');
    expect(guessCarrier('JDVA12345678901')).toBe('jd');
    expect(guessCarrier('YT7512345678901')).toBe('yuantong');
    expect(guessCarrier('75312345678901')).toBeUndefined();
    expect(guessCarrier('SF')).toBeUndefined();
  });
});

describe('helpers', () => {
  it('sign is upper-case MD5 of param + key + customer', () => {
    const param = '{"com":"yuantong","num":"YT1"}';
    const expected = createHash('md5')
      .update(param + KEY + CUSTOMER)
      .digest('hex')
      .toUpperCase();
    expect(kuaidi100Sign(param, KEY, CUSTOMER)).toBe(expected);
    expect(expected).toMatch(/^[0-9A-F]{32}$/);
  });

  it('maps states; unknown codes count as in transit', () => {
    expect(mapState('0')).toBe('in-transit');
    expect(mapState('1')).toBe('picked-up');
    expect(mapState('2')).toBe('problem');
    expect(mapState('3')).toBe('delivered');
    expect(mapState('4')).toBe('refused');
    expect(mapState('5')).toBe('out-for-delivery');
    expect(mapState('6')).toBe('returned');
    expect(mapState('7')).toBe('in-transit');
    expect(mapState('8')).toBe('in-transit');
    expect(mapState('301')).toBe('delivered');
    expect(mapState('99')).toBe('in-transit');
  });

  it('China local times become ISO +08:00', () => {
    expect(chinaTimeToIso('2024-04-27 02:57:33')).toBe('2024-04-27T02:57:33+08:00');
    expect(chinaTimeToIso('昨天')).toBe('昨天');
  });

  it('poll interval constant', () => {
    expect(MIN_POLL_INTERVAL_MS).toBe(1_800_000);
  });

  it('createCourierTracker needs customer and key', () => {
    expect(createCourierTracker({})).toBeUndefined();
    expect(createCourierTracker({ KUAIDI100_CUSTOMER: 'c', KUAIDI100_KEY: ' ' })).toBeUndefined();
    expect(createCourierTracker({ KUAIDI100_CUSTOMER: 'c', KUAIDI100_KEY: 'k' })).toBeInstanceOf(Kuaidi100Client);
  });
});

describe('Kuaidi100Client against the fake', () => {
  const fake = new FakeKuaidi100({ accounts: { [CUSTOMER]: KEY } });
  const client = (opts: { key?: string; timeoutMs?: number } = {}) =>
    createCourierTracker(
      { KUAIDI100_CUSTOMER: CUSTOMER, KUAIDI100_KEY: opts.key ?? KEY, KUAIDI100_API_BASE: fake.url },
      { timeoutMs: opts.timeoutMs ?? 2000 },
    )!;

  beforeAll(() => fake.start());
  afterAll(() => fake.stop());
  beforeEach(() => {
    fake.failures.clear();
    fake.clearTraces();
    fake
      .setTrace('YT7512345678901', {
        state: '3',
        com: 'yuantong',
        data: [
          { time: '2024-05-01 09:10:00', context: '【上海市】快件已被 本人 签收' },
          { time: '2024-04-30 08:00:00', context: '【上海市】快件已到达 上海转运中心' },
          { time: '2024-05-01 07:30:00', context: '【上海市】快件派送中' },
        ],
      })
      .setTrace('SF1234567890123', {
        state: '0',
        com: 'shunfeng',
        phone: PHONE,
        data: [
          { time: '2024-05-02 10:00:00', context: '快件在【深圳宝安集散中心】完成分拣，准备发往下一站' },
          { time: '2024-05-02 06:00:00', context: '顺丰速运 已收取快件' },
        ],
      })
      .setTrace('75312345678901', {
        state: '5',
        com: 'zhongtong',
        phone: PHONE,
        data: [{ time: '2024-05-03 08:00:00', context: '派件中' }],
      });
  });

  it('signs correctly (the fake accepts) and reports a delivered trace with the newest event', async () => {
    const before = fake.requests.length;
    const t = await client().track({ carrier: '圆通', waybill: 'YT7512345678901' });
    expect(fake.requests.length).toBe(before + 1);
    expect(fake.requests.at(-1)).toMatchObject({
      com: 'yuantong',
      num: 'YT7512345678901',
      signOk: true,
      returnCode: '200',
    });
    expect(t).toMatchObject({
      state: 'delivered',
      signed: true,
      rawState: '3',
      carrier: 'yuantong',
      waybill: 'YT7512345678901',
    });
    const found = t as TrackingFound;
    expect(found.lastEvent).toEqual({ at: '2024-05-01T09:10:00+08:00', text: '【上海市】快件已被 本人 签收' });
    expect(found.events.map((e) => e.at)).toEqual([
      '2024-05-01T09:10:00+08:00',
      '2024-05-01T07:30:00+08:00',
      '2024-04-30T08:00:00+08:00',
    ]);
  });

  it('in transit for SF with the phone; carrier guessed from the prefix when not given', async () => {
    const t = await client().track({ carrier: '', waybill: 'SF1234567890123', phone: '+86 138-1234-5678' });
    expect(t).toMatchObject({ state: 'in-transit', signed: false, rawState: '0', carrier: 'shunfeng' });
    expect((t as TrackingFound).lastEvent?.text).toContain('深圳宝安');
    expect(fake.requests.at(-1)?.phone).toBe(PHONE);
  });

  it('last four digits are accepted too; out for delivery', async () => {
    const t = await client().track({ carrier: '中通', waybill: '75312345678901', phone: '5678' });
    expect(t).toMatchObject({ state: 'out-for-delivery', signed: false });
  });

  it('no-info for an unknown number and for a number of another carrier', async () => {
    expect(await client().track({ carrier: '韵达', waybill: '4312345678901' })).toEqual({
      state: 'no-info',
      carrier: 'yunda',
      waybill: '4312345678901',
    });
    expect(await client().track({ carrier: '申通', waybill: 'YT7512345678901' })).toMatchObject({ state: 'no-info' });
  });

  it('counts polls per waybill', async () => {
    const c = client();
    const before = fake.pollsOf('YT7512345678901').length;
    await c.track({ carrier: 'yuantong', waybill: 'YT7512345678901' });
    await c.track({ carrier: 'yuantong', waybill: 'YT7512345678901' });
    expect(fake.pollsOf('YT7512345678901').length).toBe(before + 2);
  });

  it('wrong key -> sign refused, not retryable, key not in the message', async () => {
    const e = await expectCourierError(
      client({ key: 'wrong-key-123' }).track({ carrier: '顺丰', waybill: 'SF1234567890123', phone: PHONE }),
      false,
      'SIGN_FAILED',
    );
    expect(e.returnCode).toBe('503');
    expect(e.message).not.toContain('wrong-key-123');
    expect(fake.requests.at(-1)?.signOk).toBe(false);
  });

  it('SF or ZTO without phone -> PHONE_REQUIRED, not retryable, and no billed request', async () => {
    const before = fake.requests.length;
    await expectCourierError(client().track({ carrier: '顺丰', waybill: 'SF1234567890123' }), false, 'PHONE_REQUIRED');
    await expectCourierError(
      client().track({ carrier: 'ZTO', waybill: '75312345678901', phone: ' ' }),
      false,
      'PHONE_REQUIRED',
    );
    expect(fake.requests.length).toBe(before);
  });

  it('the fake itself refuses SF without phone (returnCode 400)', async () => {
    const param = JSON.stringify({ com: 'shunfeng', num: 'SF1234567890123' });
    const res = await fetch(`${fake.url}/poll/query.do`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ customer: CUSTOMER, param, sign: kuaidi100Sign(param, KEY, CUSTOMER) }).toString(),
    });
    expect(await res.json()).toMatchObject({ result: false, returnCode: '400' });
  });

  it('wrong phone -> PHONE_MISMATCH (408), not retryable, phone masked', async () => {
    const e = await expectCourierError(
      client().track({ carrier: '顺丰', waybill: 'SF1234567890123', phone: '13900001111' }),
      false,
      'PHONE_MISMATCH',
    );
    expect(e.message).not.toContain('13900001111');
  });

  it('unknown carrier -> not retryable', async () => {
    await expectCourierError(client().track({ carrier: '某某快递', waybill: '123456' }), false, 'UNKNOWN_CARRIER');
  });

  it('returnCode 502 and 501 -> retryable', async () => {
    fake.fail({ kind: 'returnCode', returnCode: '502' });
    const e = await expectCourierError(
      client().track({ carrier: '顺丰', waybill: 'SF1234567890123', phone: PHONE }),
      true,
      'SERVER_BUSY',
    );
    expect(e.returnCode).toBe('502');
    fake.fail({ kind: 'returnCode', returnCode: '501' });
    await expectCourierError(client().track({ carrier: '圆通', waybill: 'YT7512345678901' }), true, 'SERVER_ERROR');
  });

  it('returnCode 601 (key expired / no balance) -> not retryable', async () => {
    fake.fail({ kind: 'returnCode', returnCode: '601' });
    await expectCourierError(client().track({ carrier: '圆通', waybill: 'YT7512345678901' }), false, 'KEY_EXPIRED');
  });

  it('HTTP 500 -> retryable', async () => {
    fake.fail({ kind: 'http', status: 500 });
    const e = await expectCourierError(
      client().track({ carrier: '中通', waybill: '75312345678901', phone: PHONE }),
      true,
      'HTTP_ERROR',
    );
    expect(e.status).toBe(500);
  });

  it('slow answer -> TIMEOUT, retryable; the next query works', async () => {
    fake.fail({ kind: 'slow', delayMs: 1500 });
    await expectCourierError(
      client({ timeoutMs: 200 }).track({ carrier: '顺丰', waybill: 'SF1234567890123', phone: PHONE }),
      true,
      'TIMEOUT',
    );
    expect(await client().track({ carrier: '顺丰', waybill: 'SF1234567890123', phone: PHONE })).toMatchObject({
      state: 'in-transit',
    });
  });

  it('network failure -> retryable', async () => {
    const c = new Kuaidi100Client({ customer: CUSTOMER, key: KEY, baseUrl: 'http://127.0.0.1:1', timeoutMs: 2000 });
    await expectCourierError(c.track({ carrier: '圆通', waybill: 'YT7512345678901' }), true, 'NETWORK');
  });

  it('never puts the phone or the key in a message, even when the vendor echoes them', async () => {
    const echo: typeof fetch = async () =>
      new Response(
        JSON.stringify({ result: false, returnCode: '400', message: `参数错误 phone=${PHONE} key=${KEY}` }),
        { status: 200 },
      );
    const c = new Kuaidi100Client({ customer: CUSTOMER, key: KEY, fetch: echo });
    const e = await expectCourierError(
      c.track({ carrier: '顺丰', waybill: 'SF1234567890123', phone: PHONE }),
      false,
      'BAD_REQUEST',
    );
    expect(e.message).toContain('138****5678');
  });
});
