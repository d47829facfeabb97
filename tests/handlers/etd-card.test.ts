import { describe, expect, it } from 'vitest';
import { backends } from '../support/databases';
import { FIRST, HAN, SALES, useHandlerHarness } from './harness';

const HOUR = 3_600_000;
const ETD = `etd-${FIRST}`;

describe.each(backends)('the etd card route on %s', (backend) => {
  const { scenario } = useHandlerHarness(backend);

  it('pauses the clock on "waiting on customer" and resumes it on "customer replied"', async () => {
    await scenario(async (s) => {
      const order = await s.pendingOrder();
      s.at('2026-02-24T10:20');
      const paused = await s.tap(ETD, 'zhangsan', 'pause');
      expect(await s.order(FIRST)).toMatchObject({ pausedSince: s.clock.now(), pauseReason: null });
      expect(paused.textsIn(SALES)).toHaveLength(1);
      expect(paused.textsIn(SALES)[0]).toContain(FIRST);
      expect(paused.rows.find((r) => r.kind === 'post')).toMatchObject({ orderId: order.id, platform: order.platform });
      const card = paused.updatedCards.find((u) => u.cardId === ETD)!;
      expect(card.card.buttons.map((b) => b.key)).toEqual(['resume']);
      expect((await s.card(ETD)).content.buttons.map((b) => b.key)).toEqual(['resume']);

      s.at('2026-02-24T11:50');
      // Anyone in the chat may tap the order's card (here another sales person).
      const resumed = await s.tap(ETD, 'lisi', 'resume');
      expect(await s.order(FIRST)).toMatchObject({ pausedSince: null, pausedMs: 1.5 * HOUR });
      expect(resumed.textsIn(SALES)[0]).toContain(FIRST);
      expect((await s.card(ETD)).content.buttons.map((b) => b.key)).toEqual(['pause', 'nudge']);
      const clock = (await s.events(order.id)).filter((e) => e.type === 'paused' || e.type === 'resumed');
      expect(clock.map((e) => [e.type, e.actorId, e.data.via])).toEqual([
        ['paused', 'zhangsan', 'card'],
        ['resumed', 'lisi', 'card'],
      ]);
    });
  });

  it('answers an English order in English in the chat', async () => {
    await scenario(async (s) => {
      await s.pendingOrder('BRK-2026-01 samples ×5 by 3/5');
      const step = await s.tap(ETD, 'zhangsan', 'pause');
      expect(step.textsIn(SALES)[0]).toContain(FIRST);
      expect(step.textsIn(SALES)[0]).not.toMatch(HAN);
    });
  });

  it('tells the tapper privately that the clock has stopped once the order is confirmed', async () => {
    await scenario(async (s) => {
      const order = await s.confirmedOrder();
      const step = await s.tap(ETD, 'zhangsan', 'pause');
      expect(step.kinds).toEqual(['post']);
      expect(step.notice).toContain(FIRST);
      expect(await s.order(FIRST)).toMatchObject({ pausedSince: null, version: order.version });
    });
  });

  it('tells the tapper when the order was rejected, and refuses an unknown action', async () => {
    await scenario(async (s) => {
      const order = await s.pendingOrder();
      await s.tap((await s.approvalCard(order.id, 'chenjie')).id, 'chenjie', 'reject', { note: '缺料' });
      const rejected = await s.tap(ETD, 'zhangsan', 'pause');
      expect(rejected.notice).toContain(FIRST);
      expect((await s.order(FIRST)).pausedSince).toBeNull();

      const other = await s.pendingOrder('需要BRK-2026-02样品5件，3月5日前到');
      const unknown = await s.tap(`etd-${other.number}`, 'zhangsan', 'approve');
      expect(unknown.kinds).toEqual(['post']);
      expect(unknown.notice).toContain('approve');
      expect((await s.order(other.number)).pausedSince).toBeNull();
    });
  });
});
