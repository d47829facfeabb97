import { describe, expect, it } from 'vitest';
import { backends } from '../support/databases';
import { FIRST, HAN, SALES, SECOND, useHandlerHarness } from './harness';

describe.each(backends)('status on %s', (backend) => {
  const { scenario } = useHandlerHarness(backend);

  it('answers an order awaiting approval with the departments it waits on', async () => {
    await scenario(async (s) => {
      await s.pendingOrder();
      s.at('2026-02-24T11:30');
      const step = await s.say(`${FIRST} 到哪了`, { senderId: 'lisi' });
      expect(step.kinds).toEqual(['post']);
      expect(step.reply).toContain(FIRST);
      expect(step.reply).toContain('待审批');
      expect(step.reply).toContain('技术部');
      expect(step.reply).toContain('王工/刘工');
      expect(step.reply).toContain('陈姐');
    });
  });

  it('leaves out the departments that approved', async () => {
    await scenario(async (s) => {
      const order = await s.pendingOrder();
      await s.tap((await s.approvalCard(order.id, 'wanggong')).id, 'wanggong', 'approve');
      const step = await s.say(`${FIRST} 进度`);
      expect(step.reply).toContain('陈姐');
      expect(step.reply).not.toContain('王工');
    });
  });

  it('finds the orders of this chat by material code', async () => {
    await scenario(async (s) => {
      await s.pendingOrder();
      await s.pendingOrder('需要BRK-2026-02样品5件，3月5日前到');
      const step = await s.say('BRK-2026-02 进度');
      expect(step.reply).toContain(SECOND);
      expect(step.reply).not.toContain(FIRST);
      // Another chat has no order of that material.
      const elsewhere = await s.say('BRK-2026-02 进度', { conversationId: 'sales-south' });
      expect(elsewhere.textsIn('sales-south')[0]).not.toContain(SECOND);
    });
  });

  it('answers in English when asked in English', async () => {
    await scenario(async (s) => {
      await s.pendingOrder();
      const step = await s.say(`where is ${FIRST}?`);
      expect(step.reply).toContain(FIRST);
      expect(step.reply).toContain('awaiting approval');
      expect(step.reply).toContain('Engineering');
      expect(step.reply).not.toContain('待审批');
    });
  });

  it('answers a confirmed order with its stage, ETD, promise and who is next', async () => {
    await scenario(async (s) => {
      await s.confirmedOrder();
      const step = await s.say(`${FIRST} 到哪了`);
      expect(step.reply).toContain(FIRST);
      expect(step.reply).toContain('3月3日');
      expect(step.reply).toContain('周师傅');
      const en = await s.say(`where is ${FIRST}?`);
      expect(en.reply).toContain('promised Mar 3');
      expect(en.reply).toContain('Production');
    });
  });

  it('says when it finds no order, and changes nothing', async () => {
    await scenario(async (s) => {
      const step = await s.say('SO-20260224-0042 到哪了');
      expect(step.textsIn(SALES)).toEqual([step.reply]);
      expect(step.reply).toContain('SO-20260224-0042');
      expect(step.reply).toMatch(HAN);
      expect(await s.orders()).toEqual([]);
    });
  });
});
