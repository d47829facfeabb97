import { and, asc, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import type { Card } from '../../cards/model';
import { cards } from '../../db/schema';
import { backends } from '../support/databases';
import { FIRST, HAN, SALES, type Scenario, useHandlerHarness } from './harness';

/** A blocked request escalated to tech: the expedite cards of wanggong and liugong. */
async function escalated(s: Scenario, text: string) {
  await s.say(text);
  await s.tap((await s.blockedCard()).id, 'zhangsan', 'escalate');
  const [draft] = await s.drafts();
  const rows = await s.tx
    .select()
    .from(cards)
    .where(and(eq(cards.draftId, draft!.id), eq(cards.purpose, 'expedite')))
    .orderBy(asc(cards.recipientId));
  const card = (who: string) => rows.find((r) => r.recipientId === who)!;
  return { draftId: draft!.id, liugong: card('liugong'), wanggong: card('wanggong') };
}

const parsedOf = async (s: Scenario) => (await s.drafts())[0]!.parsed as { expediteGranted?: boolean };

describe.each(backends)('the expedite card route on %s', (backend) => {
  const { scenario } = useHandlerHarness(backend);

  it('creates the urgent order at the requested date once a tech lead grants the expedite', async () => {
    await scenario(async (s) => {
      // 500 by 3/8: 3/19 at normal load; expedited, line A at full capacity once M-3 is back makes it.
      const { wanggong, liugong } = await escalated(s, 'BRK-2026-01 ×500 3月8日前');
      s.at('2026-02-24T10:30');
      const step = await s.tap(wanggong.id, 'wanggong', 'approve', { callbackRef: 'cb-x' });

      const [order] = await s.orders();
      expect(order).toMatchObject({
        number: FIRST,
        requestedDate: '2026-03-08',
        urgent: true,
        requesterId: 'zhangsan',
      });
      expect((await s.drafts())[0]).toMatchObject({ status: 'completed', parsed: { expediteGranted: true } });
      const blocked = (await s.events(order!.id)).find((e) => e.type === 'promise-blocked');
      expect(blocked?.data).toMatchObject({ requested: '2026-03-08', expedite: true });

      for (const id of [wanggong.id, liugong.id]) {
        const resolved = (await s.card(id)).content.resolved;
        expect(resolved).toMatchObject({ status: 'approved', text: expect.stringContaining('王工') });
        expect(resolved!.text).toContain('10:30');
      }
      expect(step.updatedCards.find((u) => u.cardId === wanggong.id)?.callbackRef).toBe('cb-x');
      expect(step.updatedCards.find((u) => u.cardId === liugong.id)?.callbackRef).toBeUndefined();
      const reply = step.textsIn(SALES).find((t) => t.includes(FIRST));
      expect(reply).toContain('3月8日');
      expect(step.sentCards.filter((c) => 'userId' in c.to)).toHaveLength(4);
    });
  });

  it('tells the chat when even the expedite cannot make the date, and keeps the request open', async () => {
    await scenario(async (s) => {
      const { liugong } = await escalated(s, 'BRK-2026-01 ×500 3月5日前');
      const step = await s.tap(liugong.id, 'liugong', 'approve');
      expect(await s.orders()).toEqual([]);
      expect((await s.drafts())[0]).toMatchObject({ status: 'blocked', parsed: { expediteGranted: true } });
      const [text] = step.textsIn(SALES);
      expect(text).toContain('刘工');
      expect(text).toContain('3月');
      expect(step.sentCards).toEqual([]);
    });
  });

  it('refuses anyone outside tech and changes nothing', async () => {
    await scenario(async (s) => {
      const { wanggong } = await escalated(s, 'BRK-2026-01 ×500 3月8日前');
      const step = await s.tap(wanggong.id, 'chenjie', 'approve');
      expect(step.kinds).toEqual(['post']);
      expect(step.notice).toContain('技术部');
      expect((await parsedOf(s)).expediteGranted).toBeUndefined();
      expect((await s.card(wanggong.id)).content.resolved).toBeUndefined();
      expect(await s.orders()).toEqual([]);
    });
  });

  it('needs a reason to refuse; with one, the chat hears it and may still take the earliest date', async () => {
    await scenario(async (s) => {
      const { liugong, wanggong } = await escalated(s, 'BRK-2026-01 ×500 3月5日前');
      const bare = await s.tap(liugong.id, 'liugong', 'reject');
      expect(bare.kinds).toEqual(['post']);
      expect(bare.notice).toContain('原因');
      expect((await parsedOf(s)).expediteGranted).toBeUndefined();

      const step = await s.tap(liugong.id, 'liugong', 'reject', { note: '模具修不完' });
      expect((await parsedOf(s)).expediteGranted).toBe(false);
      expect((await s.drafts())[0]!.status).toBe('blocked');
      const [text] = step.textsIn(SALES);
      expect(text).toContain('刘工');
      expect(text).toContain('模具修不完');
      for (const id of [liugong.id, wanggong.id]) {
        expect((await s.card(id)).content.resolved).toMatchObject({
          status: 'rejected',
          text: expect.stringContaining('模具修不完'),
        });
      }
      expect(await s.orders()).toEqual([]);

      // The other lead's late answer changes nothing.
      const late = await s.tap(wanggong.id, 'wanggong', 'approve');
      expect(late.kinds).toEqual(['post']);
      expect(late.notice).toMatch(HAN);
      expect((await parsedOf(s)).expediteGranted).toBe(false);
      expect(await s.orders()).toEqual([]);

      // The earliest date can still be taken.
      await s.tap((await s.blockedCard()).id, 'zhangsan', 'offer');
      expect((await s.orders())[0]).toMatchObject({ requestedDate: '2026-03-19', urgent: false });
    });
  });

  it("takes a reason picked from the card's list", async () => {
    await scenario(async (s) => {
      const { wanggong } = await escalated(s, 'BRK-2026-01 ×500 3月5日前');
      const options = ((await s.card(wanggong.id)).content as Card).reasons?.options ?? [];
      expect(options.length).toBeGreaterThan(0);
      const step = await s.tap(wanggong.id, 'wanggong', 'reject', { reasonId: options[0]!.id });
      expect((await parsedOf(s)).expediteGranted).toBe(false);
      expect(step.textsIn(SALES)[0]).toContain(options[0]!.text);
    });
  });

  it('answers the English sales chat in English', async () => {
    await scenario(async (s) => {
      const { wanggong } = await escalated(s, 'BRK-2026-01 x500 by 3/5');
      const step = await s.tap(wanggong.id, 'wanggong', 'reject', { note: 'mould M-3 not ready' });
      const [text] = step.textsIn(SALES);
      expect(text).toContain('mould M-3 not ready');
      expect(text).not.toMatch(/不能加急|仍可/);
    });
  });

  it('refuses an unknown action', async () => {
    await scenario(async (s) => {
      const { wanggong } = await escalated(s, 'BRK-2026-01 ×500 3月8日前');
      const step = await s.tap(wanggong.id, 'wanggong', 'maybe');
      expect(step.notice).toContain('maybe');
      expect((await parsedOf(s)).expediteGranted).toBeUndefined();
    });
  });
});
