import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { cards } from '../../db/schema';
import { backends } from '../support/databases';
import { FIRST, HAN, SALES, useHandlerHarness } from './harness';

describe.each(backends)('blocked-choice (typed answers) on %s', (backend) => {
  const { scenario } = useHandlerHarness(backend);

  it('takes "按最早交期下单" from the requester as a tap on offer', async () => {
    await scenario(async (s) => {
      await s.say('BRK-2026-01 ×500 3月5日前');
      const card = await s.blockedCard();
      const step = await s.say('@订单助手 按最早交期下单');
      const [order] = await s.orders();
      expect(order).toMatchObject({
        number: FIRST,
        requestedDate: '2026-03-19',
        sourceText: 'BRK-2026-01 ×500 3月5日前',
      });
      expect((await s.drafts())[0]!.status).toBe('completed');
      expect(step.textsIn(SALES).find((t) => t.includes(FIRST))).toContain('3月19日');
      // The card in the chat shows the choice as if it had been tapped.
      expect(step.updatedCards.map((u) => u.cardId)).toEqual([card.id]);
      expect((await s.card(card.id)).content.resolved?.text).toContain(FIRST);
    });
  });

  it('takes "升级加急" as a tap on escalate', async () => {
    await scenario(async (s) => {
      await s.say('BRK-2026-01 ×500 3月8日前');
      const [draft] = await s.drafts();
      const step = await s.say('升级加急');
      const expedite = await s.tx
        .select()
        .from(cards)
        .where(and(eq(cards.draftId, draft!.id), eq(cards.purpose, 'expedite')));
      expect(expedite.map((c) => c.recipientId).sort()).toEqual(['liugong', 'wanggong']);
      expect(step.textsIn(SALES)).toHaveLength(1);
      expect(await s.orders()).toEqual([]);
    });
  });

  it("answers the sender's latest blocked request, in its language", async () => {
    await scenario(async (s) => {
      await s.say('BRK-2026-01 ×500 3月5日前');
      await s.say('BRK-2026-01 x500 by 3/6');
      const step = await s.say('offer');
      const [order] = await s.orders();
      expect(order).toMatchObject({ language: 'en', sourceText: 'BRK-2026-01 x500 by 3/6' });
      const reply = step.textsIn(SALES).find((t) => t.includes(FIRST))!;
      expect(reply).toContain('Mar 19');
      expect(reply).not.toMatch(HAN);
      const statuses = (await s.drafts()).map((d) => d.status);
      expect(statuses).toEqual(['completed', 'blocked']);
    });
  });

  it("does not answer another person's blocked request, only the sender's own", async () => {
    await scenario(async (s) => {
      await s.say('BRK-2026-01 ×500 3月5日前');
      const step = await s.say('按最早交期下单', { senderId: 'lisi' });
      expect(step.effects).toEqual([]);
      expect(await s.orders()).toEqual([]);
      expect((await s.drafts())[0]!.status).toBe('blocked');
      await s.say('按最早交期下单');
      expect(await s.orders()).toMatchObject([{ requesterId: 'zhangsan', requestedDate: '2026-03-19' }]);
    });
  });

  it('keeps the customer a blocked request named when the order is created from it', async () => {
    await scenario(async (s) => {
      await s.say('大陆集团要BRK-2026-01 ×500 3月5日前');
      expect(await s.orders()).toEqual([]);
      await s.say('按最早交期下单');
      const [order] = await s.orders();
      expect(order).toMatchObject({ customerName: '大陆集团', requestedDate: '2026-03-19' });
      expect(order!.customerId).not.toBeNull();
    });
  });
});
