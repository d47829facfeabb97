import { describe, expect, it } from 'vitest';
import { backends } from '../support/databases';
import { FIRST, HAN, SALES, useHandlerHarness } from './harness';

describe.each(backends)('sms-outcome on %s', (backend) => {
  const { scenario } = useHandlerHarness(backend);

  it("records a refused SMS in the order's history and asks the sales chat to call", async () => {
    await scenario(async (s) => {
      const order = await s.confirmedOrder();
      s.at('2026-03-02T09:05');
      const step = await s.smsOutcome({
        status: 'rejected',
        reason: '[sms:aliyun] isv.MOBILE_NUMBER_ILLEGAL: 号码格式错误',
        phoneMasked: '138****8001',
        notify: { platform: 'wecom', conversationId: SALES, orderId: order.id, orderNumber: FIRST, language: 'zh' },
      });
      const event = (await s.events(order.id)).at(-1);
      expect(event).toMatchObject({
        type: 'sms-rejected',
        at: s.clock.now(),
        data: { phone: '138****8001', reason: '[sms:aliyun] isv.MOBILE_NUMBER_ILLEGAL: 号码格式错误' },
      });
      // To the order's chat on its own platform, not to the SMS platform the outcome came from.
      expect(step.rows).toMatchObject([{ kind: 'post', platform: 'wecom', orderId: order.id }]);
      const [text] = step.textsIn(SALES);
      expect(text).toContain(FIRST);
      expect(text).toContain('138****8001');
      expect(text).toContain('号码格式错误');
      expect(text).not.toContain('[sms:');
      expect(text).toContain('电话');
    });
  });

  it('asks to make sure when an SMS may not have arrived, in English for an English order', async () => {
    await scenario(async (s) => {
      const order = await s.confirmedOrder('customer Continental needs BRK-2026-06 samples x20 by 3/3');
      const step = await s.smsOutcome({
        status: 'unknown',
        reason: 'attempt cut off',
        phoneMasked: '138****8001',
        notify: {
          platform: 'playground',
          conversationId: SALES,
          orderId: order.id,
          orderNumber: FIRST,
          language: 'en',
        },
      });
      expect((await s.events(order.id)).at(-1)).toMatchObject({
        type: 'sms-uncertain',
        data: { reason: 'attempt cut off' },
      });
      const [text] = step.textsIn(SALES);
      expect(text).toContain(FIRST);
      expect(text).toContain('138****8001');
      expect(text).toContain('call');
      expect(text).not.toMatch(HAN);
    });
  });
});
