import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AliyunSmsProvider } from '../../integrations/sms/aliyun';
import type { LogSmsProvider, LoggedSms } from '../../integrations/sms/log-provider';
import { SmsError, maskPhone, maskPhonesInText, type SmsMessage } from '../../integrations/sms/port';
import { ConfigError } from '../../core/errors';
import { createSmsProvider } from '../../integrations/sms/sms-config';
import { TencentSmsProvider } from '../../integrations/sms/tencent';
import { ALIYUN_SENTINELS, FakeAliyunSms } from '../fakes/sms/fake-aliyun';
import { FakeTencentSms, TENCENT_SENTINELS } from '../fakes/sms/fake-tencent';

const msg = (over: Partial<SmsMessage> = {}): SmsMessage => ({
  phone: '13812345678',
  template: 'delay',
  params: { order: 'SO-1001', date: '3月5日' },
  text: '您的订单 SO-1001 交期调整为 3月5日',
  outId: 'outbox-1',
  ...over,
});

async function expectSmsError(p: Promise<unknown>, retryable: boolean, code?: string): Promise<SmsError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SmsError);
  const e = err as SmsError;
  expect(e.retryable).toBe(retryable);
  if (code) expect(e.code).toBe(code);
  return e;
}

describe('Aliyun adapter against the fake', () => {
  const fake = new FakeAliyunSms({ signNames: ['某某工厂'], templates: ['SMS_100001'] });
  const provider = (secret = 'test-secret', timeoutMs = 2000) =>
    createSmsProvider(
      {
        SMS_PROVIDER: 'aliyun',
        SMS_ENDPOINT: fake.url,
        SMS_ACCESS_KEY_ID: 'test-ak',
        SMS_ACCESS_KEY_SECRET: secret,
        SMS_SIGN_NAME: '某某工厂',
        SMS_TEMPLATE_DELAY: 'SMS_100001',
      },
      { timeoutMs },
    );
  beforeAll(() => fake.start());
  afterAll(() => fake.stop());

  it('sends, signs, and carries OutId, TemplateCode and TemplateParam', async () => {
    const p = provider();
    expect(p.name).toBe('aliyun');
    const before = fake.requests.length;
    const res = await p.send(msg({ phone: '+86 138-1234-5678', outId: 'outbox-42' }));
    expect(res).toEqual({ ok: true, providerId: expect.stringMatching(/\^0$/) });
    const rec = fake.requests.at(-1)!;
    expect(fake.requests.length).toBe(before + 1);
    expect(rec).toMatchObject({
      phone: '13812345678',
      signName: '某某工厂',
      template: 'SMS_100001',
      params: { order: 'SO-1001', date: '3月5日' },
      outId: 'outbox-42',
      code: 'OK',
    });
  });

  it.each([
    [ALIYUN_SENTINELS.illegal, 'isv.MOBILE_NUMBER_ILLEGAL'],
    [ALIYUN_SENTINELS.limited, 'isv.BUSINESS_LIMIT_CONTROL'],
  ])('HTTP-200 business error for %s -> ok:false permanent %s', async (phone, code) => {
    const res = await provider().send(msg({ phone }));
    expect(res).toMatchObject({ ok: false, permanent: true, code });
  });

  it('fake validates the number and TemplateParam itself', async () => {
    expect(await provider().send(msg({ phone: '12345' }))).toMatchObject({
      ok: false,
      code: 'isv.MOBILE_NUMBER_ILLEGAL',
    });
  });

  it('5xx and API throttling throw retryable; slow answer times out retryable', async () => {
    fake.failNext({ kind: 'http', status: 503, code: 'ServiceUnavailable' });
    await expectSmsError(provider().send(msg()), true, 'ServiceUnavailable');
    fake.failNext({
      kind: 'http',
      status: 400,
      code: 'Throttling.User',
      message: 'Request was denied due to user flow control.',
    });
    await expectSmsError(provider().send(msg()), true, 'Throttling.User');
    fake.failNext({ kind: 'slow', delayMs: 1500 });
    await expectSmsError(provider('test-secret', 200).send(msg()), true, 'TIMEOUT');
  });

  it('wrong secret -> fake answers 400 SignatureDoesNotMatch -> non-retryable', async () => {
    const e = await expectSmsError(provider('wrong').send(msg()), false, 'SignatureDoesNotMatch');
    expect(e.status).toBe(400);
    expect(fake.requests.at(-1)).toMatchObject({ status: 400, code: 'SignatureDoesNotMatch' });
  });

  it('unknown access key -> 404 InvalidAccessKeyId.NotFound -> non-retryable', async () => {
    const p = new AliyunSmsProvider({
      accessKeyId: 'nope',
      accessKeySecret: 'x',
      signName: 's',
      templates: { delay: 'SMS_100001' },
      endpoint: fake.url,
    });
    await expectSmsError(p.send(msg()), false, 'InvalidAccessKeyId.NotFound');
  });

  it('network failure (nothing listening) -> retryable NETWORK', async () => {
    const p = new AliyunSmsProvider({
      accessKeyId: 'a',
      accessKeySecret: 'b',
      signName: 's',
      templates: { delay: 'T' },
      endpoint: 'http://127.0.0.1:1',
    });
    await expectSmsError(p.send(msg()), true, 'NETWORK');
  });
});

describe('Tencent adapter against the fake', () => {
  const fake = new FakeTencentSms({ signNames: ['某某工厂'], templates: ['2001'] });
  const provider = (secret = 'test-secret-key', timeoutMs = 2000) =>
    createSmsProvider(
      {
        SMS_PROVIDER: 'tencent',
        SMS_ENDPOINT: fake.url,
        SMS_SECRET_ID: 'AKIDtest',
        SMS_SECRET_KEY: secret,
        SMS_SDK_APP_ID: '1400006666',
        SMS_SIGN_NAME: '某某工厂',
        SMS_TEMPLATE_DELAY: '2001',
        SMS_TEMPLATE_DELAY_PARAMS: 'order,date',
      },
      { timeoutMs },
    );
  beforeAll(() => fake.start());
  afterAll(() => fake.stop());

  it('sends signed JSON with +86 number, positional params and SessionContext', async () => {
    const p = provider();
    expect(p.name).toBe('tencent');
    const res = await p.send(msg({ outId: 'outbox-7', params: { date: '3月5日', order: 'SO-9' } }));
    expect(res).toEqual({ ok: true, providerId: expect.stringMatching(/^2645:/) });
    expect(fake.requests.at(-1)).toMatchObject({
      phone: '+8613812345678',
      template: '2001',
      params: ['SO-9', '3月5日'],
      sessionContext: 'outbox-7',
      sdkAppId: '1400006666',
      code: 'Ok',
    });
    expect(fake.requests.at(-1)!.headers['x-tc-region']).toBe('ap-guangzhou');
  });

  it.each([
    [TENCENT_SENTINELS.incorrect, 'InvalidParameterValue.IncorrectPhoneNumber'],
    [TENCENT_SENTINELS.dailyLimit, 'LimitExceeded.PhoneNumberDailyLimit'],
  ])('per-number failure for %s -> ok:false permanent %s', async (phone, code) => {
    expect(await provider().send(msg({ phone }))).toMatchObject({ ok: false, permanent: true, code });
  });

  it('5xx, RequestLimitExceeded and timeouts throw retryable', async () => {
    fake.failNext({ kind: 'http', status: 502 });
    await expectSmsError(provider().send(msg()), true, 'HTTP_502');
    fake.failNext({ kind: 'error', code: 'RequestLimitExceeded', message: 'too many requests' });
    await expectSmsError(provider().send(msg()), true, 'RequestLimitExceeded');
    fake.failNext({ kind: 'slow', delayMs: 1500 });
    await expectSmsError(provider('test-secret-key', 200).send(msg()), true, 'TIMEOUT');
  });

  it('wrong secret -> Response.Error AuthFailure.SignatureFailure -> non-retryable', async () => {
    await expectSmsError(provider('wrong').send(msg()), false, 'AuthFailure.SignatureFailure');
  });

  it('clock skew > 5 min -> AuthFailure.SignatureExpire, non-retryable', async () => {
    const p = new TencentSmsProvider({
      secretId: 'AKIDtest',
      secretKey: 'test-secret-key',
      sdkAppId: '1400006666',
      signName: '某某工厂',
      region: 'ap-guangzhou',
      templates: { delay: '2001' },
      templateParams: { delay: ['order', 'date'] },
      endpoint: fake.url,
      now: () => new Date(Date.now() - 10 * 60_000),
    });
    await expectSmsError(p.send(msg()), false, 'AuthFailure.SignatureExpire');
  });

  it('whole-request business error (unapproved template) -> ok:false permanent', async () => {
    const p = new TencentSmsProvider({
      secretId: 'AKIDtest',
      secretKey: 'test-secret-key',
      sdkAppId: '1400006666',
      signName: '某某工厂',
      region: 'ap-guangzhou',
      templates: { delay: '9999' },
      templateParams: { delay: ['order', 'date'] },
      endpoint: fake.url,
    });
    expect(await p.send(msg())).toMatchObject({
      ok: false,
      permanent: true,
      code: 'FailedOperation.TemplateIncorrectOrUnapproved',
    });
  });

  it('a missing template param is refused locally, nothing sent', async () => {
    const before = fake.requests.length;
    await expectSmsError(provider().send(msg({ params: { order: 'SO-1' } })), false, 'TEMPLATE_PARAM_MISSING');
    expect(fake.requests.length).toBe(before);
  });
});

describe('log provider', () => {
  it('records to the list and the callback, logs a masked line', async () => {
    const seen: LoggedSms[] = [];
    const lines: string[] = [];
    const p = createSmsProvider({}, { onSend: (s) => seen.push(s), log: (l) => lines.push(l) });
    expect(p.name).toBe('log');
    expect(await p.send(msg())).toEqual({ ok: true, providerId: 'log-1' });
    expect((p as LogSmsProvider).sent).toHaveLength(1);
    expect(seen[0]).toMatchObject({ phone: '13812345678', template: 'delay', outId: 'outbox-1', text: msg().text });
    expect(lines[0]).toContain('138****5678');
    expect(lines[0]).not.toContain('13812345678');
  });
});

describe('config', () => {
  it('defaults to log', () => {
    expect(createSmsProvider({ SMS_PROVIDER: '' }).name).toBe('log');
  });
  it('names the missing variables', () => {
    expect(() => createSmsProvider({ SMS_PROVIDER: 'aliyun', SMS_ACCESS_KEY_ID: 'a' })).toThrow(
      /SMS_ACCESS_KEY_SECRET, SMS_SIGN_NAME, SMS_TEMPLATE_DELAY/,
    );
    try {
      createSmsProvider({
        SMS_PROVIDER: 'tencent',
        SMS_SECRET_ID: 'x',
        SMS_SECRET_KEY: 'y',
        SMS_SIGN_NAME: 's',
        SMS_TEMPLATE_DELAY: '1',
      });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      expect((e as ConfigError).variables).toEqual(['SMS_SDK_APP_ID']);
    }
    expect(() =>
      createSmsProvider({
        SMS_PROVIDER: 'tencent',
        SMS_SECRET_ID: 'x',
        SMS_SECRET_KEY: 'y',
        SMS_SDK_APP_ID: '1',
        SMS_SIGN_NAME: 's',
        SMS_TEMPLATE_DELAY: '1',
      }),
    ).toThrow(/SMS_TEMPLATE_DELAY_PARAMS/);
  });
  it('rejects an unknown provider and a bad endpoint, naming the variable', () => {
    expect(() => createSmsProvider({ SMS_PROVIDER: 'twilio' })).toThrow(/SMS_PROVIDER/);
    expect(() => createSmsProvider({ SMS_ENDPOINT: 'localhost' })).toThrow(/SMS_ENDPOINT/);
  });
});

describe('phone masking', () => {
  it('masks numbers', () => {
    expect(maskPhone('13800000000')).toBe('138****0000');
    expect(maskPhone('+8613812345678')).toBe('+86138****5678');
    expect(maskPhone('abc')).toBe('****');
    expect(maskPhonesInText('call 13812345678 or +8613900001111')).toBe('call 138****5678 or +86139****1111');
  });
  it('masks phones echoed in vendor error messages', async () => {
    const fake = new FakeAliyunSms();
    await fake.start();
    try {
      fake.onPhone('13812345678', {
        kind: 'business',
        code: 'isv.BLACK_KEY_CONTROL_LIMIT',
        message: '号码 13812345678 在黑名单',
      });
      fake.failNext({ kind: 'http', status: 500, code: 'isp.SYSTEM_ERROR', message: 'failed for 13812345678' });
      const p = new AliyunSmsProvider({
        accessKeyId: 'test-ak',
        accessKeySecret: 'test-secret',
        signName: 's',
        templates: { delay: 'T' },
        endpoint: fake.url,
      });
      const e = await expectSmsError(p.send(msg()), true);
      expect(e.message).toContain('138****5678');
      expect(e.message).not.toContain('13812345678');
      const r = await p.send(msg());
      expect(r).toMatchObject({ ok: false, message: '号码 138****5678 在黑名单' });
    } finally {
      await fake.stop();
    }
  });
});
