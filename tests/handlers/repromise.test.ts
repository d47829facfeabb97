import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { applyStock } from '../../db/plant-sync';
import { plantChanges, repromises, reservations } from '../../db/schema';
import { recheckPlantChanges } from '../../handlers/repromise';
import { backends } from '../support/databases';
import { SALES, type Scenario, useHandlerHarness } from './harness';

const holds = (s: Scenario, orderId: number) =>
  s.tx.select().from(reservations).where(eq(reservations.orderId, orderId)).orderBy(reservations.day);
const openRepromises = (s: Scenario) => s.tx.select().from(repromises).where(eq(repromises.status, 'open'));

describe.each(backends)('re-promise on %s', (backend) => {
  const { scenario } = useHandlerHarness(backend);

  it('re-promises exactly the orders on a mould whose promise no longer holds, once each, with the options', async () => {
    await scenario(async (s) => {
      const late = await s.confirmedOrder('客户：大陆集团 需要BRK-2026-06样品20件，3月3日前到');
      const roomy = await s.confirmedOrder('客户：博世 需要BRK-2026-06样品20件，3月20日前到');
      const other = await s.confirmedOrder('客户：采埃孚 需要CAL-3310-A样品30件，3月20日前到');
      const before = { roomy: await holds(s, roomy.id), other: await holds(s, other.id) };
      expect(before.roomy[0]).toMatchObject({ kind: 'production', line: 'B', day: '2026-02-25' });

      s.at('2026-02-24T11:00');
      await s.say('M-4 维修 至 3/2', { senderId: 'zhoushifu' });
      const step = await s.run('repromise', (ctx) => recheckPlantChanges(ctx));

      expect(step.sentCards).toHaveLength(1);
      const { to, card } = step.sentCards[0]!;
      expect(to).toEqual({ conversationId: SALES });
      expect(card.buttons.map((b) => b.key)).toEqual(['expedite', 'move']);
      expect(card.fields.find((f) => f.key === 'cause')?.value).toContain('M-4');
      expect(card.fields.find((f) => f.key === 'earliest')?.value).toContain('3月5日');
      const open = await openRepromises(s);
      expect(open.map((r) => r.orderId)).toEqual([late.id]);
      expect(open[0]).toMatchObject({ promisedDate: '2026-03-03', earliest: '2026-03-05' });
      // The roomy order moved past the repair without breaking its promise; the order on another mould kept its days.
      expect((await holds(s, roomy.id))[0]).toMatchObject({ day: '2026-03-02' });
      expect(await holds(s, other.id)).toEqual(before.other);
      expect(await s.eventTypes(roomy.id)).toContain('replanned');
      expect(await s.eventTypes(other.id)).not.toContain('replanned');
      // No delay alert besides the card: the slip is announced by it.
      expect(step.posts).toEqual([]);
      expect((await s.order(late.number)).etd?.getTime()).toBeGreaterThan(late.etd!.getTime());

      const again = await s.run('repromise', (ctx) => recheckPlantChanges(ctx));
      expect(again.effects).toEqual([]);
      expect(await s.tx.select().from(plantChanges)).toEqual([
        expect.objectContaining({ processedAt: expect.any(Date) }),
      ]);
    });
  });

  it('moves the promise when the sales person chooses the new date', async () => {
    await scenario(async (s) => {
      const order = await s.confirmedOrder();
      s.at('2026-02-24T11:00');
      await s.say('M-4 维修 至 3/2', { senderId: 'zhoushifu' });
      const step = await s.run('repromise', (ctx) => recheckPlantChanges(ctx));
      const cardId = step.sentCards[0]!.card.id;

      const refused = await s.tap(cardId, 'lisi', 'move');
      expect(refused.notice).toContain('张三');
      const moved = await s.tap(cardId, 'zhangsan', 'move');
      expect(moved.textsIn(SALES).join()).toContain('3月5日');
      expect(await s.order(order.number)).toMatchObject({ promisedDate: '2026-03-05' });
      expect((await s.items(order.id)).map((i) => i.promisedDate)).toEqual(['2026-03-05']);
      expect(moved.updatedCards.at(-1)?.card.buttons).toEqual([]);
      const twice = await s.tap(cardId, 'zhangsan', 'move');
      expect(twice.notice).toContain(order.number);
      expect(await s.eventTypes(order.id)).toContain('promise-moved');
    });
  });

  it('splits: what stock still covers keeps the promise, the rest becomes a delivery of its own', async () => {
    await scenario(async (s) => {
      const order = await s.confirmedOrder('客户：大陆集团 需要BRK-2026-01样品250件，3月3日前到');
      expect(await holds(s, order.id)).toEqual([expect.objectContaining({ kind: 'stock', quantity: 250 })]);
      s.at('2026-02-24T11:00');
      await applyStock(s.tx, [{ materialCode: 'BRK-2026-01', onHand: 100 }], 'erp', s.clock.now());
      const step = await s.run('repromise', (ctx) => recheckPlantChanges(ctx));
      const { card } = step.sentCards[0]!;
      expect(card.buttons.map((b) => b.key)).toEqual(['expedite', 'move', 'split']);
      expect(card.fields.find((f) => f.key === 'split')?.value).toContain('BRK-2026-01 100件');

      const split = await s.tap(card.id, 'zhangsan', 'split');
      expect(split.textsIn(SALES).join()).toContain(`${order.number}-2`);
      const parent = await s.order(order.number);
      const child = await s.order(`${order.number}-2`);
      expect(parent).toMatchObject({ promisedDate: '2026-03-03', status: 'confirmed' });
      expect(child).toMatchObject({ status: 'confirmed', stage: 'confirmed', splitOf: parent.id, latencyMs: null });
      expect(child.promisedDate! > '2026-03-03').toBe(true);
      expect(child.etd).not.toBeNull();
      expect((await s.items(parent.id)).map((i) => i.quantity)).toEqual([100]);
      expect((await s.items(child.id)).map((i) => [i.quantity, i.promisedDate])).toEqual([[150, child.promisedDate]]);
      expect(await holds(s, parent.id)).toEqual([expect.objectContaining({ kind: 'stock', quantity: 100 })]);
      const rest = await holds(s, child.id);
      expect(rest.every((h) => h.kind === 'production')).toBe(true);
      expect(rest.reduce((n, h) => n + h.quantity, 0)).toBe(150);
      // The delivery has its own ETD card and its first stage's card.
      expect((await s.cardsOf(child.id, 'etd')).length).toBe(1);
      expect((await s.cardsOf(child.id, 'stage')).length).toBeGreaterThan(0);
    });
  });

  it('gives a chat one summary for many late orders, and takes typed answers', async () => {
    await scenario(async (s) => {
      const first = await s.confirmedOrder('客户：大陆集团 需要BRK-2026-06样品20件，3月3日前到');
      const second = await s.confirmedOrder('客户：博世 需要BRK-2026-06样品10件，3月3日前到');
      s.at('2026-02-24T11:00');
      await s.say('M-4 维修 至 3/2', { senderId: 'zhoushifu' });
      const step = await s.run('repromise', (ctx) => recheckPlantChanges(ctx));
      expect(step.sentCards).toHaveLength(1);
      expect(step.sentCards[0]!.card.fields.map((f) => f.label)).toEqual(
        expect.arrayContaining([first.number, second.number]),
      );
      const typed = await s.say(`${second.number} 改期`);
      expect(typed.reply).toContain(second.number);
      expect((await s.order(second.number)).promisedDate).toBe('2026-03-05');
      expect((await s.order(first.number)).promisedDate).toBe('2026-03-03');
      expect(typed.updatedCards).toHaveLength(1);
    });
  });

  it('asks tech to expedite a confirmed order and keeps the promise when they approve and it fits', async () => {
    await scenario(async (s) => {
      const order = await s.confirmedOrder('客户：大陆集团 需要BRK-2026-06样品60件，3月5日前到');
      s.at('2026-02-24T11:00');
      await s.say('M-4 维修 至 3/2', { senderId: 'zhoushifu' });
      const step = await s.run('repromise', (ctx) => recheckPlantChanges(ctx));
      const cardId = step.sentCards[0]!.card.id;
      const asked = await s.tap(cardId, 'zhangsan', 'expedite');
      const techCards = asked.sentCards;
      expect(techCards.length).toBeGreaterThan(0);
      expect(asked.textsIn(SALES).join()).toContain(order.number);
      const lead = techCards[0]!.to as { userId: string };
      const approved = await s.tap(techCards[0]!.card.id, lead.userId, 'approve');
      expect(approved.textsIn(SALES).join()).toContain('保持原承诺3月5日');
      expect(await s.eventTypes(order.id)).toContain('expedited');
      expect(await openRepromises(s)).toEqual([]);
      expect((await holds(s, order.id)).map((h) => [h.day, h.quantity])).toEqual([['2026-03-02', 60]]);
      expect(approved.updatedCards.some((u) => u.card.buttons.length === 0 && u.card.title.includes('交期'))).toBe(
        true,
      );
    });
  });

  it('takes the buttons off a card a newer change superseded', async () => {
    await scenario(async (s) => {
      await s.confirmedOrder();
      s.at('2026-02-24T11:00');
      await s.say('M-4 维修 至 3/2', { senderId: 'zhoushifu' });
      const first = (await s.run('repromise', (ctx) => recheckPlantChanges(ctx))).sentCards[0]!.card;
      await s.say('M-4 维修 至 3/5', { senderId: 'zhoushifu' });
      const step = await s.run('repromise', (ctx) => recheckPlantChanges(ctx));
      expect(step.sentCards).toHaveLength(1);
      expect(step.sentCards[0]!.card.fields.find((f) => f.key === 'earliest')?.value).toBe('3月8日');
      const old = step.updatedCards.find((u) => u.cardId === first.id)!.card;
      expect(old.buttons).toEqual([]);
      expect(old.resolved).toEqual({ status: 'cancelled', text: '已被新的变更取代' });
      expect((await openRepromises(s)).map((r) => r.earliest)).toEqual(['2026-03-08']);
    });
  });

  it('checks the same change reported twice before the job ran once', async () => {
    await scenario(async (s) => {
      await s.confirmedOrder('客户：大陆集团 需要BRK-2026-01样品250件，3月3日前到');
      s.at('2026-02-24T11:00');
      await applyStock(s.tx, [{ materialCode: 'BRK-2026-01', onHand: 120 }], 'erp', s.clock.now());
      await applyStock(s.tx, [{ materialCode: 'BRK-2026-01', onHand: 100 }], 'erp', s.clock.now());
      const step = await s.run('repromise', (ctx) => recheckPlantChanges(ctx));
      expect(step.sentCards).toHaveLength(1);
      expect(step.sentCards[0]!.card.fields.find((f) => f.key === 'split')?.value).toContain('BRK-2026-01 100件');
      const changes = await s.tx.select().from(plantChanges);
      expect(changes.map((c) => c.processedAt !== null)).toEqual([true, true]);
      expect((await s.run('repromise', (ctx) => recheckPlantChanges(ctx))).effects).toEqual([]);
    });
  });

  it('offers no new date when the mould has no end date, and says why to a typed move', async () => {
    await scenario(async (s) => {
      const order = await s.confirmedOrder();
      s.at('2026-02-24T11:00');
      await s.say('M-4 维修', { senderId: 'zhoushifu' });
      const step = await s.run('repromise', (ctx) => recheckPlantChanges(ctx));
      const { card } = step.sentCards[0]!;
      expect(card.buttons.map((b) => b.key)).toEqual(['expedite']);
      expect(card.fields.find((f) => f.key === 'earliest')?.value).toBe('排产期内排不上');
      expect(card.fields.find((f) => f.key === 'cause')?.value).toBe('模具M-4维修，恢复日期未定');
      const typed = await s.say(`${order.number} 改期`);
      expect(typed.reply).toContain('无法改期');
      expect((await s.order(order.number)).promisedDate).toBe('2026-03-03');
    });
  });
});
