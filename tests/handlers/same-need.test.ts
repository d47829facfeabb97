import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { orderFollowers } from '../../db/schema';
import { backends } from '../support/databases';
import { FIRST, SECOND, SALES, useHandlerHarness } from './harness';

const SOUTH = 'sales-south';
const ASK = '大陆集团要BRK-2026-01样品5件，12月20日前到';

describe.each(backends)('one need asked twice on %s', (backend) => {
  const { scenario } = useHandlerHarness(backend);

  it('tells the same sales person the need is open already, and makes no second order', async () => {
    await scenario(async (s) => {
      await s.pendingOrder(ASK);
      s.at('2026-02-25T09:00');
      const step = await s.say('大陆集团 BRK-2026-01 样品5件 12月22日前');
      expect(step.reply).toBe(
        `您已有相同的订单 ${FIRST}（要求交期 12月20日），未重复下单。查进度请说“${FIRST} 到哪了”。`,
      );
      expect(await s.orders()).toHaveLength(1);
    });
  });

  it("shows another sales person's open order and holds the request: same need, or new need", async () => {
    await scenario(async (s) => {
      await s.pendingOrder(ASK);
      const step = await s.say('Conti wants BRK-2026-01 samples ×10 by 12/22', {
        senderId: 'lisi',
        conversationId: SOUTH,
      });
      expect(await s.orders()).toHaveLength(1);
      expect(step.textsIn(SOUTH)[0]).toBe(
        `🔁 大陆集团 already has ${FIRST} from 张三 for this material. Is it the same need? Tap the card, or reply "same need" / "new need".`,
      );
      const card = step.sentCards[0]!.card;
      expect(card.fields.map((f) => [f.key, f.value])).toEqual([
        ['order', FIRST],
        ['sales', '张三'],
        ['items', 'BRK-2026-01 × 5 pcs (sample)'],
        ['date', 'Dec 20'],
        ['status', 'awaiting approval'],
      ]);
      expect(card.buttons.map((b) => b.key)).toEqual(['follow', 'separate']);
    });
  });

  it('"same need": no new order; the second sales person follows it and gets its news in their chat', async () => {
    await scenario(async (s) => {
      const first = await s.pendingOrder(ASK);
      const held = await s.say('大陆集团 要 BRK-2026-01 10件 12月22日前', { senderId: 'lisi', conversationId: SOUTH });
      const card = held.sentCards[0]!.card;
      const follow = await s.tap(card.id, 'lisi', 'follow');
      expect(follow.textsIn(SOUTH)).toEqual([`✅ 已关注 ${FIRST}，它的进展会同步到本群，未另下单。`]);
      expect(await s.orders()).toHaveLength(1);
      expect(await s.tx.select().from(orderFollowers).where(eq(orderFollowers.orderId, first.id))).toMatchObject([
        { personId: 'lisi', conversationId: SOUTH },
      ]);
      expect(follow.updatedCards[0]!.card.resolved?.text).toBe(`已关注 ${FIRST}`);
    });
  });

  it("news of a followed order reaches the follower's chat", async () => {
    await scenario(async (s) => {
      const first = await s.pendingOrder(ASK);
      const held = await s.say('大陆集团 要 BRK-2026-01 10件 12月22日前', { senderId: 'lisi', conversationId: SOUTH });
      await s.tap(held.sentCards[0]!.card.id, 'lisi', 'follow');
      await s.tap((await s.approvalCard(first.id, 'wanggong')).id, 'wanggong', 'approve');
      await s.tap((await s.approvalCard(first.id, 'chenjie')).id, 'chenjie', 'approve');
      const done = await s.tap((await s.approvalCard(first.id, 'zhoushifu')).id, 'zhoushifu', 'approve');
      const own = done.textsIn(SALES).find((t) => t.includes('已确认'));
      const followed = done.textsIn(SOUTH).find((t) => t.includes('已确认'));
      expect(own).toBeDefined();
      expect(followed).toBe(own);
    });
  });

  it('"new need": the order is made and linked to the open one; typed answers work as taps', async () => {
    await scenario(async (s) => {
      const first = await s.pendingOrder(ASK);
      await s.say('大陆集团 要 BRK-2026-01 10件 12月22日前', { senderId: 'lisi', conversationId: SOUTH });
      const step = await s.say('新需求', { senderId: 'lisi', conversationId: SOUTH });
      const second = await s.order(SECOND);
      expect(second).toMatchObject({ requesterId: 'lisi', relatedOrderId: first.id, customerName: '大陆集团' });
      expect(step.textsIn(SOUTH).some((t) => t.includes(SECOND))).toBe(true);
    });
  });

  it('an open order older than the window, or for another material, is another need', async () => {
    await scenario(async (s) => {
      await s.pendingOrder(ASK);
      await s.pendingOrder('大陆集团要BRK-2026-03样品5件，12月20日前到', { senderId: 'lisi', conversationId: SOUTH });
      s.at('2026-03-12T10:00');
      await s.pendingOrder('大陆集团要BRK-2026-01样品5件，12月20日前到', { senderId: 'lisi', conversationId: SOUTH });
      expect(await s.orders()).toHaveLength(3);
    });
  });
});
