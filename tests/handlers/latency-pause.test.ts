import { describe, expect, it } from 'vitest';
import { backends } from '../support/databases';
import { china, FIRST, HAN, SECOND, useHandlerHarness } from './harness';

const HOUR = 3_600_000;

describe.each(backends)('latency-pause on %s', (backend) => {
  const { scenario } = useHandlerHarness(backend);

  it("pauses the sender's open order while it waits on the customer, once", async () => {
    await scenario(async (s) => {
      const order = await s.pendingOrder();
      s.at('2026-02-24T10:30');
      const step = await s.say('等客户图纸');
      expect(await s.order(FIRST)).toMatchObject({
        pausedSince: s.clock.now(),
        pauseReason: '图纸',
        version: order.version + 1,
      });
      const [paused] = (await s.events(order.id)).filter((e) => e.type === 'paused');
      expect(paused).toMatchObject({ actorId: 'zhangsan', data: { reason: '图纸', via: 'chat' } });
      expect(step.reply).toContain(FIRST);
      expect(step.reply).toContain('⏸');
      expect(step.rows.find((r) => r.kind === 'post')?.orderId).toBe(order.id);
      // The order's card in the chat now offers "resume".
      const card = step.updatedCards.find((u) => u.cardId === `etd-${FIRST}`)!;
      expect(card.card.buttons.map((b) => b.key)).toEqual(['resume']);

      s.at('2026-02-24T11:00');
      const again = await s.say('等客户图纸');
      expect(again.reply).toContain('10:30');
      expect(again.updatedCards).toEqual([]);
      expect((await s.order(FIRST)).pausedSince).toEqual(china('2026-02-24T10:30'));
      expect((await s.events(order.id)).filter((e) => e.type === 'paused')).toHaveLength(1);
    });
  });

  it('resumes the clock, counting the wait, and moves the approvals deadline by as much', async () => {
    await scenario(async (s) => {
      const order = await s.pendingOrder();
      const due = (await s.tasks(order.id)).map((t) => t.dueAt.getTime());
      s.at('2026-02-24T10:30');
      await s.say('等客户图纸');
      s.at('2026-02-24T12:30');
      const step = await s.say('客户已回复');
      expect(await s.order(FIRST)).toMatchObject({ pausedSince: null, pauseReason: null, pausedMs: 2 * HOUR });
      const resumed = (await s.events(order.id)).find((e) => e.type === 'resumed');
      expect(resumed).toMatchObject({ actorId: 'zhangsan', data: { waitedMs: 2 * HOUR, via: 'chat' } });
      expect((await s.tasks(order.id)).map((t) => t.dueAt.getTime())).toEqual(due.map((d) => d + 2 * HOUR));
      expect(step.reply).toContain(FIRST);
      expect(step.reply).toContain('2小时');
    });
  });

  it('pauses an order named by its number, answering in English', async () => {
    await scenario(async (s) => {
      await s.pendingOrder();
      await s.pendingOrder('需要BRK-2026-02样品5件，3月5日前到');
      const step = await s.say(`${FIRST} waiting on customer`);
      expect((await s.order(FIRST)).pausedSince).toEqual(s.clock.now());
      expect((await s.order(SECOND)).pausedSince).toBeNull();
      expect(step.reply).toContain(FIRST);
      expect(step.reply).not.toMatch(HAN);
    });
  });

  it('refuses what it cannot do and changes nothing', async () => {
    await scenario(async (s) => {
      const none = await s.say('等客户图纸');
      expect(none.kinds).toEqual(['post']);
      expect(none.reply).toMatch(HAN);
      await s.pendingOrder();
      const notPaused = await s.say('客户已回复');
      expect(notPaused.reply).toMatch(HAN);
      const notWaiting = await s.say(`${FIRST} 客户已回复`);
      expect(notWaiting.reply).toContain(FIRST);
      const unknown = await s.say('SO-20260224-0099 等客户图纸');
      expect(unknown.reply).toContain('SO-20260224-0099');
      // Another chat cannot pause this chat's order.
      const elsewhere = await s.say(`${FIRST} 等客户图纸`, { conversationId: 'sales-south' });
      expect(elsewhere.textsIn('sales-south')[0]).toContain(FIRST);
      const order = await s.order(FIRST);
      expect(order).toMatchObject({ pausedSince: null, pausedMs: 0, version: 1 });
      expect(await s.eventTypes(order.id)).toEqual(['created', 'promise-checked']);
    });
  });

  it('says the clock stopped once the order is confirmed, and leaves it stopped', async () => {
    await scenario(async (s) => {
      const order = await s.confirmedOrder();
      const step = await s.say(`${FIRST} 等客户确认`);
      expect(step.reply).toContain(FIRST);
      expect(await s.order(FIRST)).toMatchObject({ pausedSince: null, latencyMs: order.latencyMs });
      expect((await s.events(order.id)).filter((e) => e.type === 'paused')).toEqual([]);
    });
  });
});
