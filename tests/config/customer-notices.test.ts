import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEMO_CONFIG_PATH, noticeMilestonesOf, parseBusinessConfig } from '../../config/business-config';
import { createSmsProvider, smsTemplateReady } from '../../integrations/sms/sms-config';

const demo = readFileSync(DEMO_CONFIG_PATH, 'utf8');
/** The demo file with its commented customerNotices example switched on. */
const withExample = demo.replace(/^# (customerNotices:\n)((?:# {3}.*\n)+)/m, (_, head: string, body: string) =>
  head.concat(body.replace(/^# /gm, '')),
);

describe('customerNotices', () => {
  it('is off for a config without the section (every file written before it): no customer hears anything', () => {
    const older = parseBusinessConfig(demo);
    expect(older.customerNotices).toEqual({ milestones: [], customers: {}, linkDays: 30 });
    expect(noticeMilestonesOf(older, '大陆集团')).toEqual([]);
    expect(noticeMilestonesOf(older, null)).toEqual([]);
  });

  it('reads the commented example: everyone, one customer with their own, one without', () => {
    expect(withExample).not.toBe(demo);
    const config = parseBusinessConfig(withExample);
    expect(config.customerNotices).toEqual({
      milestones: ['confirmed', 'shipped', 'promise-changed'],
      customers: { 大陆集团: { milestones: ['shipped'] }, 博世: false },
      linkDays: 30,
    });
    expect(noticeMilestonesOf(config, '大陆集团')).toEqual(['shipped']);
    expect(noticeMilestonesOf(config, '博世')).toEqual([]);
    expect(noticeMilestonesOf(config, '采埃孚')).toEqual(['confirmed', 'shipped', 'promise-changed']);
    expect(noticeMilestonesOf(config, null)).toEqual(['confirmed', 'shipped', 'promise-changed']);
    // A customer named like an object's property is a customer like any other.
    expect(noticeMilestonesOf(config, 'constructor')).toEqual(['confirmed', 'shipped', 'promise-changed']);
  });

  it('takes true as every milestone, and names a bad milestone or link lifetime', () => {
    const on = parseBusinessConfig(`${demo}\ncustomerNotices: { customers: { 比亚迪: true } }\n`);
    expect(noticeMilestonesOf(on, '比亚迪')).toEqual(['confirmed', 'shipped', 'promise-changed']);
    expect(noticeMilestonesOf(on, '博世')).toEqual([]);
    expect(() => parseBusinessConfig(`${demo}\ncustomerNotices: { milestones: [delivered] }\n`)).toThrow(
      /customerNotices\.milestones\.0/,
    );
    expect(() => parseBusinessConfig(`${demo}\ncustomerNotices: { linkDays: 1000 }\n`)).toThrow(
      /customerNotices\.linkDays/,
    );
  });
});

describe('SMS templates of the notices', () => {
  const aliyun = {
    SMS_PROVIDER: 'aliyun',
    SMS_ACCESS_KEY_ID: 'id',
    SMS_ACCESS_KEY_SECRET: 'secret',
    SMS_SIGN_NAME: '测试工厂',
    SMS_TEMPLATE_DELAY: 'SMS_100',
  };
  const tencent = {
    SMS_PROVIDER: 'tencent',
    SMS_SECRET_ID: 'x',
    SMS_SECRET_KEY: 'y',
    SMS_SDK_APP_ID: '1400000000',
    SMS_SIGN_NAME: '测试工厂',
    SMS_TEMPLATE_DELAY: '100',
    SMS_TEMPLATE_DELAY_PARAMS: 'order,etd,reason',
  };

  it('are ready when their vendor id is set (and, for Tencent, their param order); the log provider has all', () => {
    expect(smsTemplateReady({}, 'confirmed')).toBe(true);
    expect(smsTemplateReady(aliyun, 'delay')).toBe(true);
    expect(smsTemplateReady(aliyun, 'confirmed')).toBe(false);
    expect(smsTemplateReady({ ...aliyun, SMS_TEMPLATE_CONFIRMED: 'SMS_200' }, 'confirmed')).toBe(true);
    expect(smsTemplateReady({ ...aliyun, SMS_TEMPLATE_CONFIRMED: 'SMS_200' }, 'shipped')).toBe(false);
    expect(smsTemplateReady({ ...tencent, SMS_TEMPLATE_SHIPPED: '200' }, 'shipped')).toBe(false);
    expect(
      smsTemplateReady(
        { ...tencent, SMS_TEMPLATE_SHIPPED: '200', SMS_TEMPLATE_SHIPPED_PARAMS: 'order,carrier,waybill,link' },
        'shipped',
      ),
    ).toBe(true);
    expect(smsTemplateReady({ SMS_PROVIDER: 'twilio' }, 'confirmed')).toBe(false);
  });

  it('reach the provider: Aliyun sends the notice with its TemplateCode; Tencent wants each one’s param order', async () => {
    const sent: string[] = [];
    const fetch = (async (url: string | URL | Request) => {
      sent.push(String(url));
      return new Response(JSON.stringify({ Code: 'OK', BizId: 'b-1', RequestId: 'r-1', Message: 'OK' }), {
        status: 200,
        headers: { 'content-type': 'application/json' },
      });
    }) as typeof globalThis.fetch;
    const provider = createSmsProvider(
      { ...aliyun, SMS_TEMPLATE_PROMISE_CHANGED: 'SMS_300', SMS_ENDPOINT: 'http://127.0.0.1:9' },
      { fetch },
    );
    const result = await provider.send({
      phone: '13800138001',
      template: 'promise-changed',
      params: { order: 'SO-1', from: '3月3日', to: '3月9日18:00前' },
      text: '…',
      outId: 'k',
    });
    expect(result).toMatchObject({ ok: true });
    expect(new URL(sent[0]!).searchParams.get('TemplateCode')).toBe('SMS_300');

    expect(() => createSmsProvider({ ...tencent, SMS_TEMPLATE_CONFIRMED: '200' })).toThrow(
      /SMS_TEMPLATE_CONFIRMED_PARAMS/,
    );
    expect(
      createSmsProvider({ ...tencent, SMS_TEMPLATE_CONFIRMED: '200', SMS_TEMPLATE_CONFIRMED_PARAMS: 'order,when,link' })
        .name,
    ).toBe('tencent');
  });
});
