import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { cards } from '../../db/schema';
import { backends } from '../support/databases';
import { FIRST, HAN, SALES, type Scenario, useHandlerHarness } from './harness';

/** 500 of BRK-2026-01 by 3/5: 300 in stock, the rest waits for mould M-3; the earliest is 3/19. */
const BLOCKED = 'BRK-2026-01 ×500 3月5日前';

const expediteCards = (s: Scenario, draftId: number) =>
  s.tx
    .select()
    .from(cards)
    .where(and(eq(cards.draftId, draftId), eq(cards.purpose, 'expedite')));

describe.each(backends)('the blocked-request card route on %s', (backend) => {
  const { scenario } = useHandlerHarness(backend);

  it('creates the order at the earliest date on "offer", with the blocked check in its history', async () => {
    await scenario(async (s) => {
      await s.say(BLOCKED);
      const card = await s.blockedCard();
      s.at('2026-02-24T10:05');
      const step = await s.tap(card.id, 'zhangsan', 'offer', { callbackRef: 'cb-offer' });

      const [order] = await s.orders();
      expect(order).toMatchObject({
        number: FIRST,
        requestedDate: '2026-03-19',
        status: 'pending_approval',
        requesterId: 'zhangsan',
        conversationId: SALES,
        sourceText: BLOCKED,
        // The customer asked when the request first came, not when the date was taken.
        requestedAt: new Date('2026-02-24T02:00:00.000Z'),
      });
      const [draft] = await s.drafts();
      expect(draft!.status).toBe('completed');
      const history = await s.events(order!.id);
      expect(history.map((e) => e.type)).toEqual(['created', 'promise-checked', 'promise-blocked']);
      expect(history[2]!.data).toMatchObject({ requested: '2026-03-05', earliest: '2026-03-19', expedite: false });

      // The order's reply and approval cards, and the blocked card resolved in place through the tap's callback.
      expect(step.textsIn(SALES).join('\n')).toContain(FIRST);
      expect(step.sentCards.filter((c) => 'userId' in c.to)).toHaveLength(4);
      const update = step.updatedCards.find((u) => u.cardId === card.id)!;
      expect(update.callbackRef).toBe('cb-offer');
      expect(update.card.resolved).toMatchObject({ status: 'approved', text: expect.stringContaining(FIRST) });
      expect((await s.card(card.id)).content.resolved?.text).toContain(FIRST);
    });
  });

  it('lets only the requester choose', async () => {
    await scenario(async (s) => {
      await s.say(BLOCKED);
      const card = await s.blockedCard();
      const step = await s.tap(card.id, 'lisi', 'offer');
      expect(step.kinds).toEqual(['post']);
      expect(step.notice).toContain('张三');
      expect(await s.orders()).toEqual([]);
      expect((await s.drafts())[0]!.status).toBe('blocked');
      expect((await s.card(card.id)).content.buttons).toHaveLength(3);
    });
  });

  it('asks tech for an expedite on "escalate": a card per tech lead, the button gone, the chat told', async () => {
    await scenario(async (s) => {
      await s.say(BLOCKED);
      const card = await s.blockedCard();
      const [draft] = await s.drafts();
      const step = await s.tap(card.id, 'zhangsan', 'escalate');

      const sent = await expediteCards(s, draft!.id);
      expect(sent.map((c) => c.recipientId).sort()).toEqual(['liugong', 'wanggong']);
      expect(step.sentCards.map((c) => c.to)).toEqual([{ userId: 'wanggong' }, { userId: 'liugong' }]);
      for (const { card: expedite } of step.sentCards) {
        expect(expedite.buttons.map((b) => b.key)).toEqual(['approve', 'reject']);
        expect(expedite.fields.map((f) => f.value).join(' ')).toContain('M-3');
      }
      expect((await s.card(card.id)).content.buttons.map((b) => b.key)).toEqual(['offer', 'split']);
      expect(step.updatedCards.map((u) => u.cardId)).toEqual([card.id]);
      const [text] = step.textsIn(SALES);
      expect(text).toContain('王工');
      expect(text).toContain('刘工');
      expect(await s.orders()).toEqual([]);
      expect((await s.drafts())[0]!.status).toBe('blocked');
    });
  });

  it('asks only once: a stale copy tapped again is told it was asked already', async () => {
    await scenario(async (s) => {
      await s.say(BLOCKED);
      const card = await s.blockedCard();
      const [draft] = await s.drafts();
      await s.tap(card.id, 'zhangsan', 'escalate');
      const again = await s.tap(card.id, 'zhangsan', 'escalate');
      expect(again.kinds).toEqual(['post']);
      expect(again.notice).toMatch(HAN);
      expect(await expediteCards(s, draft!.id)).toHaveLength(2);
    });
  });

  it('tells the tapper the choice was made once the order exists, and refuses an unknown action', async () => {
    await scenario(async (s) => {
      await s.say(BLOCKED);
      const card = await s.blockedCard();
      const unknown = await s.tap(card.id, 'zhangsan', 'later');
      expect(unknown.notice).toContain('later');
      expect((await s.drafts())[0]!.status).toBe('blocked');

      await s.tap(card.id, 'zhangsan', 'offer');
      const late = await s.tap(card.id, 'zhangsan', 'offer');
      expect(late.kinds).toEqual(['post']);
      expect(late.notice).toMatch(HAN);
      expect(await s.orders()).toHaveLength(1);
    });
  });

  it('speaks English to an English request', async () => {
    await scenario(async (s) => {
      const blocked = await s.say('BRK-2026-01 x500 by 3/5');
      expect(blocked.reply).toContain('Mar 19');
      expect(blocked.reply).not.toMatch(HAN);
      const step = await s.tap((await s.blockedCard()).id, 'zhangsan', 'escalate');
      const [text] = step.textsIn(SALES);
      expect(text).toContain('Engineering');
      expect(text).not.toMatch(/已提交|评估/);
      // The tech leads' cards stay Chinese.
      expect(step.sentCards[0]!.card.title).toMatch(HAN);
    });
  });
});
