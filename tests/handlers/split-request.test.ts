import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { reservations } from '../../db/schema';
import { refreshOpenEtds } from '../../handlers/etd';
import { backends } from '../support/databases';
import { DECIDERS, SALES, useHandlerHarness } from './harness';

describe.each(backends)('a split chosen on a blocked request on %s', (backend) => {
  const { scenario } = useHandlerHarness(backend);

  it('offers part by the date and the rest later, and makes one order with two deliveries', async () => {
    await scenario(async (s) => {
      const blocked = await s.say('客户：大陆集团 需要BRK-2026-01样品350件，2月27日前到');
      expect(blocked.reply).toContain('也可拆分交付');
      expect(blocked.reply).toContain('BRK-2026-01 300件');
      const card = await s.blockedCard();
      expect(card.content.buttons.map((b) => b.key)).toEqual(['escalate', 'offer', 'split']);

      const chosen = await s.tap(card.id, 'zhangsan', 'split');
      const [order] = await s.orders();
      expect(order).toMatchObject({ status: 'pending_approval', requestedDate: '2026-02-27' });
      const lines = await s.items(order!.id);
      expect(lines.map((l) => [l.lineNo, l.quantity, l.requestedDate])).toEqual([
        [1, 300, '2026-02-27'],
        [2, 50, expect.stringMatching(/^2026-03-/)],
      ]);
      // The approval cards show the later line's own date.
      const approval = (chosen.sentCards.find((c) => 'userId' in c.to) ?? chosen.sentCards[0])!.card;
      expect(approval.fields.filter((f) => f.key.startsWith('item:')).map((f) => f.value)[1]).toMatch(/3月\d+日交/);

      await s.approveAll(order!, DECIDERS);
      const parent = await s.order(order!.number);
      const delivery = await s.order(`${order!.number}-2`);
      expect(parent).toMatchObject({ status: 'confirmed', promisedDate: '2026-02-27', stage: 'confirmed' });
      expect(delivery).toMatchObject({
        status: 'confirmed',
        splitOf: parent.id,
        promisedDate: lines[1]!.requestedDate,
      });
      expect((await s.items(parent.id)).map((l) => l.quantity)).toEqual([300]);
      expect((await s.items(delivery.id)).map((l) => [l.quantity, l.promisedDate])).toEqual([
        [50, delivery.promisedDate],
      ]);
      const held = async (id: number) => s.tx.select().from(reservations).where(eq(reservations.orderId, id));
      expect(await held(parent.id)).toEqual([expect.objectContaining({ kind: 'stock', quantity: 300 })]);
      expect((await held(delivery.id)).reduce((n, r) => n + r.quantity, 0)).toBe(50);
      // Each delivery has its own ETD card and stage cards; a late stage alerts each on its own.
      expect(await s.cardsOf(delivery.id, 'etd')).toHaveLength(1);
      expect(parent.etd).not.toBeNull();
      expect(delivery.etd!.getTime()).toBeGreaterThan(parent.etd!.getTime());
      s.at('2026-03-20T10:00');
      const late = await s.run('etd-refresh', (ctx) => refreshOpenEtds(ctx));
      const alerts = late.textsIn(SALES).filter((t) => t.includes('延'));
      expect(alerts.some((t) => t.includes(`${order!.number}-2`))).toBe(true);
      expect(alerts.some((t) => t.includes(`${order!.number}（`) || t.includes(`${order!.number} `))).toBe(true);
    });
  });

  it('takes a typed "拆分交付" where the card cannot be tapped', async () => {
    await scenario(async (s) => {
      await s.say('客户：大陆集团 需要BRK-2026-01样品350件，2月27日前到');
      await s.say('拆分交付');
      const [order] = await s.orders();
      expect((await s.items(order!.id)).map((l) => l.quantity)).toEqual([300, 50]);
    });
  });

  it("keeps each line's promise: the order's is its latest line's, and the order card shows a line promised earlier", async () => {
    await scenario(async (s) => {
      const order = await s.pendingOrder('客户：大陆集团 需要BRK-2026-01样品5件和BRK-2026-06样品20件，3月3日前到');
      // Between the request and its approval, the mould of the second line goes into repair.
      await s.say('M-4 维修 至 3/2', { senderId: 'zhoushifu' });
      const confirmed = await s.approveAll(order, DECIDERS);
      expect(confirmed.promisedDate).toBe('2026-03-05');
      expect((await s.items(order.id)).map((l) => [l.materialCode, l.requestedDate, l.promisedDate])).toEqual([
        ['BRK-2026-01', '2026-03-03', '2026-03-03'],
        ['BRK-2026-06', '2026-03-03', '2026-03-05'],
      ]);
      const [card] = await s.cardsOf(order.id, 'etd');
      const lines = card!.content.fields.filter((f) => f.key.startsWith('line:'));
      expect(lines).toEqual([{ key: 'line:1', label: '└ BRK-2026-01', value: '5件 3月3日' }]);
    });
  });
});
