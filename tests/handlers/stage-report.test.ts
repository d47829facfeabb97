import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { reservations, stock } from '../../db/schema';
import { backends } from '../support/databases';
import { FIRST, HAN, SALES, type Scenario, useHandlerHarness } from './harness';

const completed = async (s: Scenario, orderId: number) =>
  (await s.events(orderId))
    .filter((e) => e.type === 'stage-completed')
    .map((e) => [e.data.stage, e.actorId, e.data.via]);

describe.each(backends)('stage-report on %s', (backend) => {
  const { scenario } = useHandlerHarness(backend);

  it("records a stage its owner reports, resolves the stage's card and sends the next stage's", async () => {
    await scenario(async (s) => {
      const order = await s.confirmedOrder();
      const card = await s.stageCard(order.id, 'in_production', 'zhoushifu');
      s.at('2026-02-24T11:00');
      const step = await s.say(`${FIRST} 开始生产`, { senderId: 'zhoushifu' });

      const after = await s.order(FIRST);
      expect(after).toMatchObject({ stage: 'in_production', stageAt: s.clock.now(), version: order.version + 1 });
      expect(await completed(s, order.id)).toEqual([['in_production', 'zhoushifu', 'chat']]);
      expect((await s.card(card.id)).content.resolved).toMatchObject({ status: 'approved' });
      expect((await s.card(card.id)).content.resolved!.text).toContain('周师傅');

      expect(step.reply).toContain(FIRST);
      expect(step.updatedCards.map((u) => u.cardId)).toContain(card.id);
      // QC is next: its lead gets the card.
      const next = step.sentCards.find((c) => 'userId' in c.to && c.to.userId === 'zhenggong');
      expect(next?.card.buttons.map((b) => b.key)).toEqual(['done:qc_passed']);
      expect(await s.stageCard(order.id, 'qc_passed', 'zhenggong')).toBeDefined();
    });
  });

  it('answers in English when the report is in English', async () => {
    await scenario(async (s) => {
      await s.confirmedOrder();
      const step = await s.say(`${FIRST} in production`, { senderId: 'zhoushifu' });
      expect((await s.order(FIRST)).stage).toBe('in_production');
      expect(step.reply).toContain(FIRST);
      expect(step.reply).toContain('Recorded');
      expect(step.reply).not.toMatch(HAN);
    });
  });

  it('refuses a stage marked by someone who does not own it, naming who does, and changes nothing', async () => {
    await scenario(async (s) => {
      const order = await s.confirmedOrder();
      const step = await s.say(`${FIRST} 已发货`, { senderId: 'zhenggong' });
      expect(step.kinds).toEqual(['post']);
      expect(step.reply).toContain(FIRST);
      expect(step.reply).toContain('吴师傅');
      const after = await s.order(FIRST);
      expect(after).toMatchObject({ stage: 'confirmed', version: order.version, waybill: null });
      expect(await completed(s, order.id)).toEqual([]);
    });
  });

  it('says a second report of the same stage is not needed, recording it once', async () => {
    await scenario(async (s) => {
      const order = await s.confirmedOrder();
      await s.say(`${FIRST} 开始生产`, { senderId: 'zhoushifu' });
      const again = await s.say(`${FIRST} 生产中`, { senderId: 'sunzong' });
      expect(again.kinds).toEqual(['post']);
      expect(again.reply).toContain('周师傅');
      expect(await completed(s, order.id)).toEqual([['in_production', 'zhoushifu', 'chat']]);
    });
  });

  it('refuses a stage on an order not confirmed yet, and answers an unknown number', async () => {
    await scenario(async (s) => {
      const order = await s.pendingOrder();
      const pending = await s.say(`${FIRST} 开始生产`, { senderId: 'zhoushifu' });
      expect(pending.reply).toContain(FIRST);
      expect((await s.order(FIRST)).stage).toBeNull();
      expect(await completed(s, order.id)).toEqual([]);

      const unknown = await s.say('SO-20260224-0099 开始生产', { senderId: 'zhoushifu' });
      expect(unknown.reply).toContain('SO-20260224-0099');
    });
  });

  it('frees what a shipped order held: its stock pieces leave the count at once, so no other order counts on them', async () => {
    await scenario(async (s) => {
      const order = await s.confirmedOrder('客户：大陆集团 需要BRK-2026-01样品250件，3月3日前到');
      const held = () => s.tx.select().from(reservations).where(eq(reservations.orderId, order.id));
      const onHand = async () =>
        (await s.tx.select().from(stock).where(eq(stock.materialCode, 'BRK-2026-01')))[0]!.onHand;
      expect(await held()).toEqual([expect.objectContaining({ kind: 'stock', quantity: 250 })]);
      expect(await onHand()).toBe(300);
      s.at('2026-02-25T15:00');
      await s.say(`${FIRST} 已发货 顺丰 SF1234567890`, { senderId: 'wushifu' });
      expect(await held()).toEqual([]);
      expect(await onHand()).toBe(50);
      // 50 left: a request for 60 is made, not shipped from stock.
      const next = await s.pendingOrder('客户：博世 需要BRK-2026-01样品60件，3月20日前到');
      expect(next.status).toBe('pending_approval');
      const created = (await s.events(next.id)).find((e) => e.type === 'promise-checked')!;
      expect((created.data.binding as Array<{ kind: string }>).map((b) => b.kind)).not.toContain('stock');
    });
  });

  it('records a shipment with its waybill, completing the stages in between, and starts tracking', async () => {
    await scenario(async (s) => {
      const order = await s.confirmedOrder();
      s.at('2026-02-26T15:00');
      const step = await s.say(`${FIRST} 已发货 顺丰 SF1234567890`, { senderId: 'wushifu' });
      expect(await s.order(FIRST)).toMatchObject({
        stage: 'shipped',
        carrier: 'shunfeng',
        waybill: 'SF1234567890',
        nextTrackAt: s.clock.now(),
      });
      expect((await completed(s, order.id)).map(([stage]) => stage)).toEqual([
        'in_production',
        'qc_passed',
        'packed',
        'shipped',
      ]);
      expect(step.reply).toContain('SF1234567890');
      // The chat's order card shows the shipment.
      const etd = step.updatedCards.find((u) => u.cardId === `etd-${FIRST}`);
      expect(JSON.stringify(etd?.card.fields)).toContain('SF1234567890');
    });
  });

  it('adds a waybill reported after the shipment', async () => {
    await scenario(async (s) => {
      const order = await s.confirmedOrder();
      await s.say(`${FIRST} 已发货`, { senderId: 'zhangsan' });
      expect((await s.order(FIRST)).waybill).toBeNull();
      const step = await s.say(`${FIRST} 已发货 SF1234567890`, { senderId: 'wushifu' });
      expect(await s.order(FIRST)).toMatchObject({ stage: 'shipped', waybill: 'SF1234567890' });
      expect(await s.eventTypes(order.id)).toContain('waybill-added');
      expect(step.reply).toContain('SF1234567890');
    });
  });

  it('closes the order when the sales person reports delivery, the notice being the only answer', async () => {
    await scenario(async (s) => {
      await s.confirmedOrder();
      await s.say(`${FIRST} 已发货 SF1234567890`, { senderId: 'wushifu' });
      s.at('2026-02-27T09:00');
      const step = await s.say(`${FIRST} 已签收`);
      expect(await s.order(FIRST)).toMatchObject({
        status: 'delivered',
        stage: 'delivered',
        deliveredAt: s.clock.now(),
        nextTrackAt: null,
      });
      const texts = step.textsIn(SALES);
      expect(texts).toHaveLength(1);
      expect(texts[0]).toContain(FIRST);
      expect(texts[0]).toContain('张三');
      expect(step.updatedCards.find((u) => u.cardId === `etd-${FIRST}`)?.card.resolved).toBeDefined();
    });
  });
});
