import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { approvalTasks, reservations } from '../../db/schema';
import { backends } from '../support/databases';
import { demoConfig, FIRST, HAN, SALES, useHandlerHarness } from './harness';

describe.each(backends)('the approval card route on %s', (backend) => {
  const { scenario } = useHandlerHarness(backend);

  it("records one lead's approval and shows it on every card of the department", async () => {
    await scenario(async (s) => {
      const order = await s.pendingOrder();
      const mine = await s.approvalCard(order.id, 'wanggong');
      const colleague = await s.approvalCard(order.id, 'liugong');
      s.at('2026-02-24T10:42');
      const step = await s.tap(mine.id, 'wanggong', 'approve', { callbackRef: 'cb-1' });

      expect(await s.task(order.id, 'tech')).toMatchObject({
        status: 'approved',
        decidedBy: 'wanggong',
        decidedAt: s.clock.now(),
        note: null,
        version: 2,
      });
      expect((await s.order(FIRST)).status).toBe('pending_approval');
      const [approved] = (await s.events(order.id)).filter((e) => e.type === 'task-approved');
      expect(approved).toMatchObject({ actorId: 'wanggong', data: { department: 'tech' } });

      // Both tech cards are resolved; the tapped one answers the tap through its callback.
      expect(step.updatedCards.map((u) => [u.cardId, u.callbackRef])).toEqual(
        expect.arrayContaining([
          [mine.id, 'cb-1'],
          [colleague.id, undefined],
        ]),
      );
      for (const id of [mine.id, colleague.id]) {
        const { content } = await s.card(id);
        expect(content.buttons).toEqual([]);
        expect(content.resolved).toMatchObject({ status: 'approved', text: expect.stringContaining('王工') });
        expect(content.resolved!.text).toContain('10:42');
      }
      // Nothing is said in the sales chat until the order is decided.
      expect(step.textsIn(SALES)).toEqual([]);
      expect((await s.card((await s.approvalCard(order.id, 'chenjie')).id)).content.resolved).toBeUndefined();
    });
  });

  it('confirms the order when all departments approved: promise, reservation, stage cards, clock stopped', async () => {
    await scenario(async (s) => {
      const order = await s.pendingOrder();
      await s.tap((await s.approvalCard(order.id, 'wanggong')).id, 'wanggong', 'approve');
      await s.tap((await s.approvalCard(order.id, 'chenjie')).id, 'chenjie', 'approve');
      s.at('2026-02-24T11:00');
      const last = await s.tap((await s.approvalCard(order.id, 'zhoushifu')).id, 'zhoushifu', 'approve');

      const confirmed = await s.order(FIRST);
      expect(confirmed).toMatchObject({
        status: 'confirmed',
        promisedDate: '2026-03-05',
        decidedAt: s.clock.now(),
        confirmedAt: s.clock.now(),
        latencyMs: 3_600_000,
        stage: 'confirmed',
        // 5 pieces from stock: no production, no QC.
        skippedStages: ['in_production', 'qc_passed'],
      });
      expect(confirmed.etd).not.toBeNull();
      const held = await s.tx.select().from(reservations).where(eq(reservations.orderId, order.id));
      expect(held).toMatchObject([{ kind: 'stock', materialCode: 'BRK-2026-01', quantity: 5 }]);
      expect((await s.eventTypes(order.id)).slice(-2)).toEqual(['confirmed', 'etd-changed']);

      const texts = last.textsIn(SALES);
      expect(texts).toHaveLength(1);
      expect(texts[0]).toContain(FIRST);
      expect(texts[0]).toContain('3月5日');
      expect(texts[0]).toContain('已确认');
      // Logistics packs first: its lead gets the stage card.
      expect(last.sentCards.map((c) => c.to)).toEqual([{ userId: 'wushifu' }]);
      expect(last.sentCards[0]!.card.buttons.map((b) => b.key)).toEqual(['done:packed']);
      expect(last.updatedCards.map((u) => u.cardId)).toContain(`etd-${FIRST}`);
    });
  });

  it('tells an English order it was confirmed in English', async () => {
    await scenario(async (s) => {
      const order = await s.pendingOrder('BRK-2026-01 samples ×5 by 3/5');
      await s.tap((await s.approvalCard(order.id, 'wanggong')).id, 'wanggong', 'approve');
      await s.tap((await s.approvalCard(order.id, 'chenjie')).id, 'chenjie', 'approve');
      const last = await s.tap((await s.approvalCard(order.id, 'zhoushifu')).id, 'zhoushifu', 'approve');
      const [text] = last.textsIn(SALES);
      expect(text).toContain(FIRST);
      expect(text).toContain('confirmed');
      expect(text).toContain('Mar 5');
      expect(text).not.toMatch(/已确认|承诺交期/);
    });
  });

  it('asks for a reason on a reject without one, and changes nothing', async () => {
    await scenario(async (s) => {
      const order = await s.pendingOrder();
      const card = await s.approvalCard(order.id, 'chenjie');
      const before = await s.tasks(order.id);
      const step = await s.tap(card.id, 'chenjie', 'reject', { note: '  ' });
      expect(step.kinds).toEqual(['post']);
      expect(step.notice).toContain(FIRST);
      expect(step.notice).toContain('原因');
      expect(await s.tasks(order.id)).toEqual(before);
      expect((await s.order(FIRST)).status).toBe('pending_approval');
      expect((await s.card(card.id)).content.resolved).toBeUndefined();
    });
  });

  it('rejects the order on a reject with a reason: other tasks closed, their cards too, the chat told why', async () => {
    await scenario(async (s) => {
      const order = await s.pendingOrder();
      await s.tap((await s.approvalCard(order.id, 'wanggong')).id, 'wanggong', 'approve');
      const card = await s.approvalCard(order.id, 'chenjie');
      const step = await s.tap(card.id, 'chenjie', 'reject', { note: '原材料缺货，最早3月20日' });

      expect(await s.order(FIRST)).toMatchObject({ status: 'rejected', promisedDate: null, decidedAt: s.clock.now() });
      const tasks = await s.tasks(order.id);
      expect(tasks.map((t) => [t.department, t.status])).toEqual([
        ['tech', 'approved'],
        ['purchasing', 'rejected'],
        ['production', 'cancelled'],
      ]);
      expect(tasks[1]).toMatchObject({ decidedBy: 'chenjie', note: '原材料缺货，最早3月20日' });
      expect((await s.eventTypes(order.id)).slice(-2)).toEqual(['task-rejected', 'rejected']);

      expect((await s.card(card.id)).content.resolved).toMatchObject({ status: 'rejected' });
      const production = await s.approvalCard(order.id, 'zhoushifu');
      expect(production.content.resolved).toMatchObject({ status: 'cancelled' });
      expect(step.updatedCards.map((u) => u.cardId)).toEqual(
        expect.arrayContaining([card.id, production.id, `etd-${FIRST}`]),
      );
      const [text] = step.textsIn(SALES);
      expect(text).toContain(FIRST);
      expect(text).toContain('陈姐');
      expect(text).toContain('原材料缺货，最早3月20日');
      expect((await s.card(`etd-${FIRST}`)).content.resolved).toMatchObject({ status: 'rejected' });
    });
  });

  it("takes a reason picked from the card's list as the rejection's reason", async () => {
    await scenario(async (s) => {
      const order = await s.pendingOrder();
      const card = await s.approvalCard(order.id, 'chenjie');
      const offered = card.content.reasons?.options ?? [];
      expect(offered.length).toBeGreaterThan(0);
      const picked = offered[1] ?? offered[0]!;
      const step = await s.tap(card.id, 'chenjie', 'reject', { reasonId: picked.id });
      expect(await s.task(order.id, 'purchasing')).toMatchObject({ status: 'rejected', note: picked.text });
      expect((await s.order(FIRST)).status).toBe('rejected');
      expect(step.textsIn(SALES)[0]).toContain(picked.text);
      // A reason the card does not offer is no reason.
      const other = await s.pendingOrder('需要BRK-2026-02样品5件，3月5日前到');
      const refused = await s.tap((await s.approvalCard(other.id, 'chenjie')).id, 'chenjie', 'reject', {
        reasonId: 'not-on-the-card',
      });
      expect(refused.notice).toContain(other.number);
      expect((await s.task(other.id, 'purchasing')).status).toBe('pending');
    });
  });

  it('refuses a tap by someone who is not the assignee', async () => {
    await scenario(async (s) => {
      const order = await s.pendingOrder();
      const card = await s.approvalCard(order.id, 'wanggong');
      const before = await s.tasks(order.id);
      const step = await s.tap(card.id, 'chenjie', 'approve');
      expect(step.kinds).toEqual(['post']);
      expect(step.notice).toContain('技术部');
      expect(step.notice).toContain('王工');
      expect(await s.tasks(order.id)).toEqual(before);
      expect((await s.card(card.id)).content.resolved).toBeUndefined();
      expect(await s.eventTypes(order.id)).toEqual(['created', 'promise-checked']);
    });
  });

  it('tells a second tap on a decided task who decided, and refreshes the tapped copy of the card', async () => {
    await scenario(async (s) => {
      const order = await s.pendingOrder();
      await s.tap((await s.approvalCard(order.id, 'wanggong')).id, 'wanggong', 'approve');
      const decided = await s.task(order.id, 'tech');
      const late = await s.approvalCard(order.id, 'liugong');
      const step = await s.tap(late.id, 'liugong', 'reject', { note: '太晚了', callbackRef: 'cb-late' });
      expect(step.notice).toContain(FIRST);
      expect(step.notice).toContain('王工');
      expect(step.updatedCards).toEqual([
        { kind: 'update-card', cardId: late.id, card: (await s.card(late.id)).content, callbackRef: 'cb-late' },
      ]);
      expect(step.updatedCards[0]!.card.resolved?.status).toBe('approved');
      expect(await s.task(order.id, 'tech')).toEqual(decided);
      expect((await s.order(FIRST)).status).toBe('pending_approval');
    });
  });

  it('refuses an unknown action key', async () => {
    await scenario(async (s) => {
      const order = await s.pendingOrder();
      const step = await s.tap((await s.approvalCard(order.id, 'wanggong')).id, 'wanggong', 'maybe');
      expect(step.notice).toContain('maybe');
      expect((await s.task(order.id, 'tech')).status).toBe('pending');
    });
  });

  it('lets the director decide once the task was escalated to them, and only then', async () => {
    await scenario(async (s) => {
      const order = await s.pendingOrder();
      const card = await s.approvalCard(order.id, 'wanggong');
      const early = await s.tap(card.id, 'zhaozong', 'approve');
      expect(early.notice).toContain('技术部');
      expect((await s.task(order.id, 'tech')).status).toBe('pending');
      // What the escalation job does once the task is overdue: the director holds it too.
      await s.tx
        .update(approvalTasks)
        .set({ escalationLevel: 1, escalatedTo: 'zhaozong' })
        .where(eq(approvalTasks.id, card.taskId!));
      const step = await s.tap(card.id, 'zhaozong', 'approve');
      expect(await s.task(order.id, 'tech')).toMatchObject({ status: 'approved', decidedBy: 'zhaozong' });
      expect(step.updatedCards.length).toBeGreaterThan(0);
      expect((await s.card(card.id)).content.resolved?.text).toContain('赵总');
      expect(HAN.test((await s.card(card.id)).content.resolved!.text)).toBe(true);
    });
  });

  it("lets only the department's leads decide on a card sent to its approvers' group", async () => {
    const config = demoConfig();
    config.conversations.push({ id: 'approvals', name: '审批群' });
    config.departments.find((d) => d.key === 'production')!.approvalGroup = 'approvals';
    await scenario(
      async (s) => {
        const created = await s.say('需要BRK-2026-01样品5件，3月5日前到');
        expect(created.sentCards.map((c) => c.to)).toContainEqual({ conversationId: 'approvals' });
        expect(created.sentCards.map((c) => c.to)).not.toContainEqual({ userId: 'zhoushifu' });
        const order = await s.order(FIRST);
        const card = await s.approvalCard(order.id, 'approvals');
        const outsider = await s.tap(card.id, 'lisi', 'approve');
        expect(outsider.notice).toContain('生产部');
        expect((await s.task(order.id, 'production')).status).toBe('pending');
        await s.tap(card.id, 'zhoushifu', 'approve');
        expect(await s.task(order.id, 'production')).toMatchObject({ status: 'approved', decidedBy: 'zhoushifu' });
      },
      { config },
    );
  });
});
