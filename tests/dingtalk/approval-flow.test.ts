import { eq } from 'drizzle-orm';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import type { DingtalkAdapter } from '../../bot/dingtalk/dingtalk-adapter';
import { approvalTasks, inboundMessages, orderEvents, orders, outbox } from '../../db/schema';
import { backends } from '../support/databases';
import { EAST, orderWithCards, settle, STAFF, useDingtalkApp } from './harness';

describe.each(backends)('DingTalk intake and approval on %s', (backend) => {
  const h = useDingtalkApp(backend);

  it('answers an @-mention in the sales group, sends each lead a card, updates every card and tells the group', async () => {
    const { fake } = h;
    const cards = await orderWithCards(h);
    const reply = await fake.waitFor(() => fake.groupTexts(EAST)[0], 'the order reply');
    expect(reply).toContain('SO-20260224-0001');
    expect(reply).toContain('BRK-2026-01 × 5件（样品）');
    expect(fake.api.messages.find((m) => m.chat === `group:${EAST}`)).toMatchObject({
      via: 'sessionWebhook',
      msgKey: 'markdown',
    });

    const tech = cards[STAFF.wanggong]!;
    expect(tech).toMatchObject({ templateId: fake.templateId, callbackType: 'STREAM', spaceType: 'IM_ROBOT' });
    expect(tech.params).toMatchObject({
      title: '需求单审批 · 技术部',
      subtitle: 'SO-20260224-0001',
      status: 'pending',
      showActions: 'true',
    });
    expect(tech.params.content).toContain('**订单号**：SO-20260224-0001');
    expect(JSON.parse(tech.params.buttons!)).toEqual([
      { key: 'approve', label: '同意', style: 'primary', needsReason: false },
      { key: 'reject', label: '驳回', style: 'danger', needsReason: true },
      { key: 'transfer', label: '转交', style: 'default', needsReason: false },
    ]);

    fake.tap({ staffId: STAFF.wanggong, outTrackId: tech.outTrackId, action: 'approve' });
    fake.tap({
      staffId: STAFF.chenjie,
      outTrackId: cards[STAFF.chenjie]!.outTrackId,
      action: 'approve',
      via: 'actionId',
    });
    fake.tap({ staffId: STAFF.zhoushifu, outTrackId: cards[STAFF.zhoushifu]!.outTrackId, action: 'approve' });
    const done = await fake.waitFor(() => fake.groupTexts(EAST).find((m) => m.includes('已确认')), 'the confirmation');
    expect(done).toContain('承诺交期：3月5日');
    await settle(h);

    expect(tech.params).toMatchObject({ status: 'approved', statusText: '已同意 · 王工 10:00', showActions: 'false' });
    // The other tech lead's card shows the same decision, in place.
    expect(cards[STAFF.liugong]!.params).toMatchObject({
      status: 'approved',
      statusText: '已同意 · 王工 10:00',
      showActions: 'false',
    });
    const [order] = await h.t.db.select().from(orders);
    expect(order).toMatchObject({
      status: 'confirmed',
      platform: 'dingtalk',
      conversationId: 'sales-east',
      requesterId: 'zhangsan',
      requesterName: '张三',
    });
    expect(await h.t.db.select().from(inboundMessages)).toHaveLength(4);
    expect(fake.gateway.acks).toHaveLength(4);
    expect(fake.gateway.violations).toEqual([]);
    expect((await h.t.db.select().from(outbox)).every((row) => row.status === 'sent')).toBe(true);
  });

  it('updates the tapped card in the answer to its callback, once and without a PUT; the other copy by PUT', async () => {
    const { fake } = h;
    const cards = await orderWithCards(h);
    await settle(h);
    const tapped = cards[STAFF.wanggong]!;
    const copy = cards[STAFF.liugong]!;
    const messageId = fake.tap({ staffId: STAFF.wanggong, outTrackId: tapped.outTrackId, action: 'approve' });
    await settle(h);
    expect(fake.gateway.cardAnswers).toMatchObject([{ outTrackId: tapped.outTrackId, applied: true, late: false }]);
    expect(tapped.updates).toEqual(['callback']);
    // DingTalk sends the frame again as if the answer was lost: it is answered with the card as it stands.
    fake.gateway.resend(messageId);
    await fake.waitFor(() => fake.gateway.cardAnswers.length === 2, 'the second answer');
    expect(fake.gateway.cardAnswers[1]).toMatchObject({
      applied: true,
      response: fake.gateway.cardAnswers[0]!.response,
    });
    expect(tapped.updates).toEqual(['callback', 'callback']);
    expect(tapped.params).toMatchObject({
      status: 'approved',
      statusText: '已同意 · 王工 10:00',
      showActions: 'false',
    });
    expect(copy.updates).toEqual(['put']);
    expect(copy.params).toMatchObject({ status: 'approved', showActions: 'false' });
    const puts = fake.api.requests.filter((r) => `${r.method} ${r.path}` === 'PUT /v1.0/card/instances');
    expect(puts.map((r) => (r.body as { outTrackId: string }).outTrackId)).toEqual([copy.outTrackId]);
    const updates = await h.t.db.select().from(outbox).where(eq(outbox.kind, 'update-card'));
    // Claimed by the tap ('answered in the callback'), or handed to it by an outbox sender that took it first:
    // sent either way, and never PUT (above).
    expect(updates.find((row) => (row.payload as { cardId: string }).cardId === tapped.outTrackId)).toMatchObject({
      status: 'sent',
    });
  });

  it('answers a tap empty and PUTs the update once when the handler commits too late for the answer', async () => {
    const { fake } = h;
    const cards = await orderWithCards(h);
    await settle(h);
    const bot = h.t.app.bot;
    const adapter = bot.listAdapters().find((a) => a.platform === 'dingtalk') as DingtalkAdapter;
    adapter.taps.waitMs = 100;
    const process = bot.process.bind(bot);
    const slow = vi.spyOn(bot, 'process').mockImplementation(async (id) => {
      await new Promise((r) => setTimeout(r, 250));
      return process(id);
    });
    try {
      const tapped = cards[STAFF.wanggong]!;
      fake.tap({ staffId: STAFF.wanggong, outTrackId: tapped.outTrackId, action: 'approve' });
      await fake.waitFor(() => tapped.updates.length > 0, 'the card update');
      await settle(h);
      expect(fake.gateway.cardAnswers).toMatchObject([{ outTrackId: tapped.outTrackId, response: {}, applied: false }]);
      expect(tapped.updates).toEqual(['put']);
      expect(tapped.params).toMatchObject({ status: 'approved', showActions: 'false' });
    } finally {
      slow.mockRestore();
    }
  });

  it('PUTs the tapped card after an answer that left too late to be sure DingTalk applied it, once', async () => {
    const { fake } = h;
    const cards = await orderWithCards(h);
    await settle(h);
    const adapter = h.t.app.bot.listAdapters().find((a) => a.platform === 'dingtalk') as DingtalkAdapter;
    // Every answer counts as late on both sides: DingTalk drops it, the bot cannot be sure it arrived.
    adapter.taps.sureWithinMs = -1;
    const timeout = fake.gateway.options.cardAnswerTimeoutMs;
    fake.gateway.options.cardAnswerTimeoutMs = -1;
    onTestFinished(() => {
      fake.gateway.options.cardAnswerTimeoutMs = timeout;
    });
    const tapped = cards[STAFF.wanggong]!;
    const messageId = fake.tap({ staffId: STAFF.wanggong, outTrackId: tapped.outTrackId, action: 'approve' });
    await fake.waitFor(() => tapped.updates.includes('put'), 'the PUT after the late answer');
    await settle(h);
    expect(fake.gateway.cardAnswers).toMatchObject([{ outTrackId: tapped.outTrackId, applied: false, late: true }]);
    expect(fake.gateway.cardAnswers[0]!.response).toHaveProperty('cardData');
    expect(tapped.updates).toEqual(['put']);
    expect(tapped.params).toMatchObject({
      status: 'approved',
      statusText: '已同意 · 王工 10:00',
      showActions: 'false',
    });
    // The frame again (its answer lost): answered with the card as it stands; the PUT is not repeated.
    fake.gateway.resend(messageId);
    await fake.waitFor(() => fake.gateway.cardAnswers.length === 2, 'the second answer');
    await settle(h);
    expect(tapped.updates).toEqual(['put']);
    const rows = await h.t.db.select().from(outbox).where(eq(outbox.kind, 'update-card'));
    expect(rows.filter((row) => row.idempotencyKey.startsWith('tap-answer-unsure:'))).toHaveLength(1);
  });

  it('rejects with the reason typed on the card, closes the other cards and tells a late tapper who decided', async () => {
    const { fake } = h;
    const cards = await orderWithCards(h);
    fake.tap({ staffId: STAFF.chenjie, outTrackId: cards[STAFF.chenjie]!.outTrackId, action: 'reject' });
    expect(await fake.waitFor(() => fake.userTexts(STAFF.chenjie)[0], 'the question')).toContain('需要填写原因');
    fake.tap({
      staffId: STAFF.chenjie,
      outTrackId: cards[STAFF.chenjie]!.outTrackId,
      action: 'reject',
      note: '原材料缺货，最早3月20日',
    });
    const text = await fake.waitFor(() => fake.groupTexts(EAST).find((m) => m.includes('驳回')), 'the rejection');
    expect(text).toContain('原因：原材料缺货，最早3月20日');
    await settle(h);
    expect(cards[STAFF.chenjie]!.params).toMatchObject({ status: 'rejected', showActions: 'false' });
    expect(cards[STAFF.chenjie]!.params.statusText).toContain('原材料缺货');
    expect(cards[STAFF.wanggong]!.params).toMatchObject({
      status: 'cancelled',
      statusText: '订单已被采购部 陈姐驳回，无需处理',
    });

    // Zhou taps the copy he had open before it refreshed.
    fake.tap({
      staffId: STAFF.zhoushifu,
      outTrackId: cards[STAFF.zhoushifu]!.outTrackId,
      action: 'approve',
      unseen: true,
    });
    expect(await fake.waitFor(() => fake.userTexts(STAFF.zhoushifu)[0], 'the late-tap notice')).toContain('无需再处理');
    const [order] = await h.t.db.select().from(orders);
    expect(order!.status).toBe('rejected');
  });

  it("offers the department's reject reasons in the card and rejects with the one picked", async () => {
    const { fake } = h;
    const cards = await orderWithCards(h);
    const card = cards[STAFF.chenjie]!;
    expect(card.params.reasonTitle).toBe('驳回原因');
    const offered = JSON.parse(card.params.reasons!) as Array<{ id: string; text: string }>;
    expect(offered.map((r) => r.id)).toEqual(h.t.app.bot.config.rejectReasons.map((r) => r.id));
    fake.tap({ staffId: STAFF.chenjie, outTrackId: card.outTrackId, action: 'reject', reason: 'capacity' });
    const text = await fake.waitFor(() => fake.groupTexts(EAST).find((m) => m.includes('驳回')), 'the rejection');
    expect(text).toContain('原因：产能不足');
    await settle(h);
    expect(card.params).toMatchObject({ status: 'rejected', showActions: 'false', reasons: '[]' });
  });

  it('gives one decision when two leads of a department tap at once, and tells the other who decided', async () => {
    const { fake } = h;
    const cards = await orderWithCards(h);
    fake.tap({ staffId: STAFF.wanggong, outTrackId: cards[STAFF.wanggong]!.outTrackId, action: 'approve' });
    fake.tap({ staffId: STAFF.liugong, outTrackId: cards[STAFF.liugong]!.outTrackId, action: 'approve' });
    await settle(h);
    const approvals = await h.t.db.select().from(orderEvents).where(eq(orderEvents.type, 'task-approved'));
    expect(approvals).toHaveLength(1);
    const winner = approvals[0]!.actorId!;
    const loserStaff = winner === 'wanggong' ? STAFF.liugong : STAFF.wanggong;
    expect(fake.userTexts(loserStaff).join('\n')).toContain(`已由 ${winner === 'wanggong' ? '王工' : '刘工'}`);
    const [task] = await h.t.db.select().from(approvalTasks).where(eq(approvalTasks.department, 'tech'));
    expect(task).toMatchObject({ status: 'approved', decidedBy: winner, version: 2 });
  });

  it("refuses a tap by someone who is not the card's assignee and changes nothing", async () => {
    const { fake } = h;
    const cards = await orderWithCards(h);
    await settle(h);
    const before = await h.t.db.select().from(approvalTasks).orderBy(approvalTasks.id);
    fake.tap({
      staffId: STAFF.chenjie,
      outTrackId: cards[STAFF.wanggong]!.outTrackId,
      action: 'approve',
      unseen: true,
    });
    expect(await fake.waitFor(() => fake.userTexts(STAFF.chenjie)[0], 'the refusal')).toContain(
      '不是技术部这张审批卡的处理人',
    );
    await settle(h);
    expect(await h.t.db.select().from(approvalTasks).orderBy(approvalTasks.id)).toEqual(before);
    expect(cards[STAFF.wanggong]!.params.status).toBe('pending');
    expect(cards[STAFF.wanggong]!.versions).toHaveLength(1);
  });

  it('answers in the 1:1 chat with the robot, and names people the config does not know by their nick', async () => {
    const { fake } = h;
    fake.say({ staffId: STAFF.lisi, text: '你好' });
    expect(await fake.waitFor(() => fake.userTexts(STAFF.lisi)[0], 'the help text')).toContain('发需求给我');
    fake.say({ staffId: '0299999', nick: '外协小赵', group: EAST, text: 'BRK-2026-02 ×10 3月9日前' });
    await fake.waitFor(() => fake.groupTexts(EAST).find((m) => m.includes('SO-')), 'the order reply');
    const [order] = await h.t.db.select().from(orders);
    expect(order).toMatchObject({
      requesterId: 'dingtalk:0299999',
      requesterName: '外协小赵',
      conversationId: 'sales-east',
    });
  });
});
