import { describe, expect, it } from 'vitest';
import { backends } from '../support/databases';
import { china, FIRST, HAN, SALES, useHandlerHarness } from './harness';

describe.each(backends)('draft-reply on %s', (backend) => {
  const { scenario } = useHandlerHarness(backend);

  it("completes the sender's open draft with the missing date", async () => {
    await scenario(async (s) => {
      await s.say('BRK-2026-03 10件');
      s.at('2026-02-24T10:10');
      const step = await s.say('3月20日前');
      const [order] = await s.orders();
      expect(order).toMatchObject({
        number: FIRST,
        requestedDate: '2026-03-20',
        requesterId: 'zhangsan',
        sourceText: 'BRK-2026-03 10件\n3月20日前',
        // The request was made with the first message.
        requestedAt: china('2026-02-24T10:00'),
        createdAt: china('2026-02-24T10:10'),
      });
      expect(await s.items(order!.id)).toMatchObject([{ materialCode: 'BRK-2026-03', quantity: 10 }]);
      expect((await s.drafts())[0]!.status).toBe('completed');
      expect(step.textsIn(SALES).find((t) => t.includes(FIRST))).toContain('3月20日');
      expect(step.sentCards.filter((c) => 'userId' in c.to)).toHaveLength(4);
    });
  });

  it('completes a missing quantity, in English for an English draft', async () => {
    await scenario(async (s) => {
      const ask = await s.say('BRK-2026-03 by 3/20');
      expect(ask.reply).toContain('quantity');
      expect(ask.reply).not.toMatch(HAN);
      const step = await s.say('10 pcs');
      const [order] = await s.orders();
      expect(order).toMatchObject({ requestedDate: '2026-03-20', language: 'en' });
      expect(await s.items(order!.id)).toMatchObject([{ materialCode: 'BRK-2026-03', quantity: 10 }]);
      const reply = step.textsIn(SALES).find((t) => t.includes(FIRST))!;
      expect(reply).toContain('created');
      expect(reply).not.toMatch(HAN);
    });
  });

  it("leaves another sender's draft alone, and says nothing in the group", async () => {
    await scenario(async (s) => {
      await s.say('BRK-2026-03 10件');
      const step = await s.say('3月20日前', { senderId: 'lisi' });
      expect(step.effects).toEqual([]);
      expect(await s.orders()).toEqual([]);
      expect((await s.drafts())[0]!.status).toBe('open');
      // The draft is still there for its own sender.
      await s.say('3月20日前');
      expect(await s.orders()).toMatchObject([{ requesterId: 'zhangsan', requestedDate: '2026-03-20' }]);
    });
  });

  it('leaves the draft open when the reply supplies nothing it lacks', async () => {
    await scenario(async (s) => {
      await s.say('BRK-2026-03 10件');
      const step = await s.say('好的');
      expect(step.effects).toEqual([]);
      expect((await s.drafts())[0]!.status).toBe('open');
      expect(await s.orders()).toEqual([]);
      await s.say('3月20日前');
      expect(await s.orders()).toMatchObject([{ sourceText: 'BRK-2026-03 10件\n3月20日前' }]);
    });
  });

  it('does not complete a draft from another chat', async () => {
    await scenario(async (s) => {
      await s.say('BRK-2026-03 10件');
      await s.say('3月20日前', { conversationId: 'sales-south' });
      expect(await s.orders()).toEqual([]);
      expect((await s.drafts())[0]!.status).toBe('open');
      await s.say('3月20日前', { conversationId: SALES });
      expect(await s.orders()).toMatchObject([{ conversationId: SALES, requestedDate: '2026-03-20' }]);
    });
  });

  it('lets a draft expire after 30 minutes', async () => {
    await scenario(async (s) => {
      await s.say('BRK-2026-03 10件');
      s.at('2026-02-24T10:31');
      const step = await s.say('3月20日前');
      expect(step.effects).toEqual([]);
      expect(await s.orders()).toEqual([]);
      expect((await s.drafts())[0]!.status).toBe('superseded');
    });
  });
});
