import { describe, expect, it } from 'vitest';
import { backends } from '../support/databases';
import { FIRST, SALES, type Scenario, useHandlerHarness } from './harness';

const completed = async (s: Scenario, orderId: number) =>
  (await s.events(orderId))
    .filter((e) => e.type === 'stage-completed')
    .map((e) => [e.data.stage, e.actorId, e.data.via]);

describe.each(backends)('the stage card route on %s', (backend) => {
  const { scenario } = useHandlerHarness(backend);

  it("marks the card's stage done, resolves it, and sends the next stage's card", async () => {
    await scenario(async (s) => {
      const order = await s.confirmedOrder();
      const card = await s.stageCard(order.id, 'in_production', 'zhoushifu');
      expect(card.content.buttons.map((b) => b.key)).toEqual(['done:in_production']);
      s.at('2026-02-24T10:40');
      const step = await s.tap(card.id, 'zhoushifu', 'done:in_production');

      expect(await s.order(FIRST)).toMatchObject({ stage: 'in_production', stageAt: s.clock.now() });
      expect(await completed(s, order.id)).toEqual([['in_production', 'zhoushifu', 'card']]);
      const resolved = (await s.card(card.id)).content.resolved;
      expect(resolved).toMatchObject({ status: 'approved' });
      expect(resolved!.text).toContain('周师傅');
      expect(resolved!.text).toContain('10:40');
      expect(step.updatedCards.map((u) => u.cardId)).toEqual(expect.arrayContaining([card.id, `etd-${FIRST}`]));
      expect(step.sentCards.map((c) => c.to)).toEqual([{ userId: 'zhenggong' }]);
      // A tap answers on the cards, not with a message in the sales chat.
      expect(step.textsIn(SALES)).toEqual([]);
    });
  });

  it('lets the production director mark it too', async () => {
    await scenario(async (s) => {
      const order = await s.confirmedOrder();
      const card = await s.stageCard(order.id, 'in_production', 'zhoushifu');
      await s.tap(card.id, 'sunzong', 'done:in_production');
      expect(await completed(s, order.id)).toEqual([['in_production', 'sunzong', 'card']]);
    });
  });

  it('refuses a tap by someone who does not own the stage, and changes nothing', async () => {
    await scenario(async (s) => {
      const order = await s.confirmedOrder();
      const card = await s.stageCard(order.id, 'in_production', 'zhoushifu');
      const step = await s.tap(card.id, 'lisi', 'done:in_production');
      expect(step.kinds).toEqual(['post']);
      expect(step.notice).toContain('周师傅');
      expect(step.notice).toContain(FIRST);
      expect(await s.order(FIRST)).toMatchObject({ stage: 'confirmed', version: order.version });
      expect((await s.card(card.id)).content.resolved).toBeUndefined();
      expect(await completed(s, order.id)).toEqual([]);
    });
  });

  it('tells a second tap who did it, and refreshes the tapped copy', async () => {
    await scenario(async (s) => {
      const order = await s.confirmedOrder();
      const card = await s.stageCard(order.id, 'in_production', 'zhoushifu');
      await s.tap(card.id, 'zhoushifu', 'done:in_production');
      const again = await s.tap(card.id, 'zhoushifu', 'done:in_production', { callbackRef: 'cb-2' });
      expect(again.notice).toContain('周师傅');
      expect(again.updatedCards).toEqual([
        { kind: 'update-card', cardId: card.id, card: (await s.card(card.id)).content, callbackRef: 'cb-2' },
      ]);
      expect(again.updatedCards[0]!.card.resolved).toBeDefined();
      expect(await completed(s, order.id)).toHaveLength(1);
      expect(again.sentCards).toEqual([]);
    });
  });

  it("refuses an action that is not the card's own", async () => {
    await scenario(async (s) => {
      const order = await s.confirmedOrder();
      const card = await s.stageCard(order.id, 'in_production', 'zhoushifu');
      const step = await s.tap(card.id, 'zhoushifu', 'done:qc_passed');
      expect(step.notice).toContain('done:qc_passed');
      expect((await s.order(FIRST)).stage).toBe('confirmed');
    });
  });
});
