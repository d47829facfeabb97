import { afterEach, describe, expect, it } from 'vitest';
import { createSmsProvider } from '../../integrations/sms/sms-config';
import { FakeAliyunSms } from '../fakes/sms/fake-aliyun';
import { TestApp } from '../support/app';
import { TestClock } from '../support/clock';
import { createTestDatabase } from '../support/databases';
import { confirmedOrder, travelTo } from '../support/lifecycle';
import { EAST, WecomWorld } from '../wecom/harness';
import { captureLog } from '../support/log-capture';

// A number standing alone: inside a hex id or token (…a16413195681f…) eleven digits are not a phone.
const FULL_PHONE = /(?<![\dA-Za-z])1[3-9]\d{9}(?![\dA-Za-z])/;

describe('logs keep secrets and phone numbers out', () => {
  const closers: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
  });

  it('through a WeCom order with a revoked token and failing sends, and a delay SMS through Aliyun', async () => {
    const captured = captureLog();

    const w = await WecomWorld.start('pglite', await createTestDatabase('pglite'), { log: captured.log });
    closers.push(() => w.close());
    w.fake.fail('message/send', { revokeTokens: true }, { skip: 1 });
    w.fake.fail('message/send', { status: 502 });
    await w.fake.mentionAibot({
      chatId: EAST.chatId,
      fromUser: 'ZhangSan',
      text: '@订单助手 需要BRK-2026-01样品5件，3月5日前到，客户电话13912345678',
    });
    await w.drain();
    await w.leadCards();

    const clock = new TestClock();
    const smsSecret = 'sms-secret-4f1e9a';
    const aliyun = new FakeAliyunSms({
      signNames: ['华东精密'],
      templates: ['SMS_DELAY_1'],
      clock: clock.now,
      accessKeys: { 'test-ak': smsSecret },
    });
    await aliyun.start();
    closers.push(() => aliyun.stop());
    const t = await TestApp.start('pglite', {
      clock,
      log: captured.log,
      integrations: {
        smsProvider: createSmsProvider(
          {
            SMS_PROVIDER: 'aliyun',
            SMS_ENDPOINT: aliyun.url,
            SMS_ACCESS_KEY_ID: 'test-ak',
            SMS_ACCESS_KEY_SECRET: smsSecret,
            SMS_SIGN_NAME: '华东精密',
            SMS_TEMPLATE_DELAY: 'SMS_DELAY_1',
          },
          { timeoutMs: 300, now: clock.now },
        ),
      },
    });
    closers.push(() => t.close());
    await confirmedOrder(t);
    await travelTo(t, '2026-03-02T09:00:00');
    await t.app.scheduler.tick();
    await t.settle();
    expect(aliyun.delivered).toHaveLength(1);

    const log = captured.text();
    expect(log.length).toBeGreaterThan(1000);
    const s = w.fake.secrets;
    for (const secret of [
      s.secret,
      s.app.token,
      s.app.encodingAesKey,
      s.aibot.token,
      s.aibot.encodingAesKey,
      smsSecret,
    ]) {
      expect(log, 'a secret in the log').not.toContain(secret);
    }
    expect(log.match(FULL_PHONE)?.[0] ?? null, 'a full phone number in the log').toBeNull();
  });
});
