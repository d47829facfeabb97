import { describe, expect, it } from 'vitest';
import { cards, drafts, orderSpecs, orders } from '../../db/schema';
import { backends } from '../support/databases';
import { china, FIRST, HAN, SALES, SECOND, useHandlerHarness } from './harness';

const LEADS = ['wanggong', 'liugong', 'chenjie', 'zhoushifu'];

describe.each(backends)('new-request on %s', (backend) => {
  const { scenario } = useHandlerHarness(backend);

  it('turns a Chinese request into an order, one task per routed department and a card per lead', async () => {
    await scenario(async (s) => {
      const step = await s.say('需要BRK-2026-01样品5件，3月5日前到');
      const [order] = await s.orders();
      expect(order).toMatchObject({
        number: FIRST,
        status: 'pending_approval',
        kind: 'sample',
        language: 'zh',
        requestedDate: '2026-03-05',
        requesterId: 'zhangsan',
        requesterName: '张三',
        conversationId: SALES,
        sourceText: '需要BRK-2026-01样品5件，3月5日前到',
        requestedAt: s.clock.now(),
        promisedDate: null,
      });
      expect(await s.items(order!.id)).toMatchObject([
        { lineNo: 1, materialCode: 'BRK-2026-01', quantity: 5, unit: '件', kind: 'sample' },
      ]);
      const tasks = await s.tasks(order!.id);
      expect(tasks.map((t) => [t.department, t.assignees, t.status])).toEqual([
        ['tech', ['wanggong', 'liugong'], 'pending'],
        ['purchasing', ['chenjie'], 'pending'],
        ['production', ['zhoushifu'], 'pending'],
      ]);
      // Due after the escalation threshold (2h).
      expect(tasks.every((t) => t.dueAt.getTime() === china('2026-02-24T12:00').getTime())).toBe(true);
      expect(await s.eventTypes(order!.id)).toEqual(['created', 'promise-checked']);

      const approvalCards = await s.cardsOf(order!.id, 'approval');
      expect(approvalCards.map((c) => c.recipientId).sort()).toEqual([...LEADS].sort());
      const techTask = tasks.find((t) => t.department === 'tech')!;
      expect(
        approvalCards
          .filter((c) => c.taskId === techTask.id)
          .map((c) => c.recipientId)
          .sort(),
      ).toEqual(['liugong', 'wanggong']);

      // Effects: a card to each lead's 1:1 chat, the reply, the order's own card in the chat.
      expect(
        step.sentCards
          .filter((c) => 'userId' in c.to)
          .map((c) => (c.to as { userId: string }).userId)
          .sort(),
      ).toEqual([...LEADS].sort());
      for (const { card } of step.sentCards.filter((c) => 'userId' in c.to)) {
        expect(card.buttons.map((b) => b.key)).toEqual(['approve', 'reject', 'transfer']);
        expect(card.fields.map((f) => f.value)).toContain(FIRST);
      }
      expect(step.reply).toContain(FIRST);
      expect(step.reply).toContain('BRK-2026-01');
      expect(step.reply).toContain('3月5日');
      expect(step.reply).toContain('待审批');
      const etd = step.sentCards.find((c) => 'conversationId' in c.to);
      expect(etd?.card.id).toBe(`etd-${FIRST}`);
      expect(step.rows.every((r) => r.orderId === order!.id)).toBe(true);
    });
  });

  it('answers an English request in English, with the departments by their English names', async () => {
    await scenario(async (s) => {
      const step = await s.say('BRK-2026-01 samples ×5 by 3/5');
      expect((await s.order(FIRST)).language).toBe('en');
      expect(step.reply).toContain(FIRST);
      expect(step.reply).toContain('created');
      expect(step.reply).toContain('Engineering');
      expect(step.reply).toContain('Mar 5');
      expect(step.reply).not.toMatch(HAN);
      // Approvers are in the plant: their cards stay Chinese.
      expect(step.sentCards.find((c) => 'userId' in c.to)?.card.title).toMatch(HAN);
    });
  });

  it('asks for what is missing and keeps a draft for 30 minutes, creating no order', async () => {
    await scenario(async (s) => {
      const step = await s.say('BRK-2026-03 10件');
      expect(step.reply).toContain('BRK-2026-03');
      expect(step.reply).toContain('交期');
      const [draft] = await s.drafts();
      expect(draft).toMatchObject({ status: 'open', senderId: 'zhangsan', conversationId: SALES });
      expect(draft!.expiresAt.getTime() - s.clock.now().getTime()).toBe(30 * 60_000);
      expect(await s.orders()).toEqual([]);

      const en = await s.say('BRK-2026-03 x10', { senderId: 'lisi' });
      expect(en.reply).toContain('due date');
      expect(en.reply).not.toMatch(HAN);
    });
  });

  it("drops the sender's open draft when a new complete request comes", async () => {
    await scenario(async (s) => {
      await s.say('BRK-2026-03 10件');
      await s.say('需要BRK-2026-02样品8件，3月9日前到');
      const [draft] = await s.tx.select().from(drafts);
      expect(draft!.status).toBe('superseded');
      const [order] = await s.orders();
      expect(order).toMatchObject({ number: FIRST, requestedDate: '2026-03-09' });
      expect(await s.items(order!.id)).toMatchObject([{ materialCode: 'BRK-2026-02', quantity: 8 }]);
    });
  });

  it('suggests the closest known code for an unknown one and creates nothing', async () => {
    await scenario(async (s) => {
      const step = await s.say('BRK-2026-1 5件 月底前');
      expect(step.kinds).toEqual(['post']);
      expect(step.reply).toContain('BRK-2026-1 ');
      expect(step.reply).toContain('BRK-2026-01');
      expect(await s.orders()).toEqual([]);
      expect(await s.tx.select().from(drafts)).toEqual([]);
    });
  });

  it('flags a spec outside the qualified range, and gives the tech leads the latest inspection reports', async () => {
    await scenario(async (s) => {
      const step = await s.say('BRK-2026-01 ×5 Ra≤0.4μm 3月5日前');
      expect(step.reply).toContain('Ra');
      expect(step.reply).toContain('⚠️');
      const [order] = await s.orders();
      expect(await s.tx.select().from(orderSpecs)).toMatchObject([{ orderId: order!.id, param: 'Ra', value: 0.4 }]);
      const reports = (userId: string) =>
        step.sentCards
          .find((c) => 'userId' in c.to && c.to.userId === userId)!
          .card.notes!.filter((n) => n.includes('QC-'));
      expect(reports('wanggong')).toHaveLength(3);
      expect(reports('liugong')).toHaveLength(3);
      expect(reports('chenjie')).toHaveLength(0);
    });
  });

  it('starts the latency clock at the request time the sales person states', async () => {
    await scenario(async (s) => {
      const step = await s.say('客户 9:30 提的，需要BRK-2026-06样品20件，3月3日前到');
      const order = await s.order(FIRST);
      expect(order.requestedAt).toEqual(china('2026-02-24T09:30'));
      expect(order.createdAt).toEqual(s.clock.now());
      expect(step.reply).toContain('09:30');
    });
  });

  it('recognises a customer of the master data by alias', async () => {
    await scenario(async (s) => {
      await s.say('customer Continental needs BRK-2026-06 samples x20 by 3/3');
      expect(await s.order(FIRST)).toMatchObject({ customerName: '大陆集团', language: 'en' });
      expect((await s.order(FIRST)).customerId).not.toBeNull();
    });
  });

  it('takes a batch request as a batch order', async () => {
    await scenario(async (s) => {
      const step = await s.say('BRK-2026-03 批量1000件 3月20日前');
      const order = await s.order(FIRST);
      expect(order.kind).toBe('batch');
      expect(await s.items(order.id)).toMatchObject([{ materialCode: 'BRK-2026-03', quantity: 1000, kind: 'batch' }]);
      expect(step.reply).toContain('批量');
      expect((await s.tasks(order.id)).map((t) => t.department)).toEqual(s.config.routing.batch);
    });
  });

  it('numbers the orders of a day in sequence', async () => {
    await scenario(async (s) => {
      await s.say('需要BRK-2026-01样品5件，3月5日前到');
      await s.say('BRK-2026-02 ×10 3月9日前', { senderId: 'lisi' });
      expect((await s.orders()).map((o) => o.number)).toEqual([FIRST, SECOND]);
    });
  });

  it('blocks a date the plant cannot meet: says why, offers a card, keeps the request, creates no order', async () => {
    await scenario(async (s) => {
      const step = await s.say('BRK-2026-01 ×500 3月5日前');
      expect(await s.orders()).toEqual([]);
      // 300 in stock, the rest made on line A once mould M-3 is back: earliest 3/19.
      expect(step.reply).toContain('3月5日');
      expect(step.reply).toContain('3月19日');
      expect(step.reply).toContain('M-3');
      const [draft] = await s.drafts();
      expect(draft).toMatchObject({ status: 'blocked', sourceText: 'BRK-2026-01 ×500 3月5日前' });
      const [card] = await s.tx.select().from(cards);
      expect(card).toMatchObject({ purpose: 'blocked-request', draftId: draft!.id, recipientId: SALES, orderId: null });
      const sent = step.sentCards;
      expect(sent).toHaveLength(1);
      expect(sent[0]!.to).toEqual({ conversationId: SALES });
      expect(sent[0]!.card.buttons.map((b) => b.key)).toEqual(['escalate', 'offer', 'split']);
      expect(step.kinds).toEqual(['post', 'send-card']);
      expect(await s.tx.select().from(orders)).toEqual([]);
    });
  });
});
