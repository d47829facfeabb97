import { eq, inArray } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { approvalTasks, orderEvents, orders } from '../../db/schema';
import { TestApp } from '../support/app';
import { backends } from '../support/databases';
import { travelTo } from '../support/lifecycle';

const HOUR = 3_600_000;

async function approveAll(t: TestApp, number: string) {
  const approvers = ['wanggong', 'chenjie', 'zhoushifu'];
  const s = await t.waitFor(
    (s) =>
      approvers.every((who) => s.inbox[who]?.some((c) => c.buttons.length > 0 && JSON.stringify(c).includes(number)))
        ? s
        : undefined,
    `the cards of ${number}`,
  );
  for (const who of approvers)
    await t.tap(
      s.inbox[who]!.find((c) => c.buttons.length > 0 && JSON.stringify(c).includes(number))!.id,
      who,
      'approve',
    );
  await t.waitFor((s) => t.botMessages(s).some((m) => m.includes(number) && m.includes('已确认')), 'the confirmation');
}

async function lastReply(t: TestApp, text: string, senderId = 'zhangsan') {
  await t.say(text, { senderId });
  await t.settle();
  return t.botMessages(await t.state()).at(-1) ?? '';
}

describe.each(backends)('customer-perceived latency clock (%s)', (backend) => {
  let t: TestApp;
  afterEach(async () => t?.close());

  it('starts at the stated request time, pauses while waiting on the customer, and stops at the confirmed promise', async () => {
    t = await TestApp.start(backend);
    const created = await lastReply(t, '客户 9:30 提的，需要BRK-2026-06样品20件，3月3日前到');
    expect(created).toContain('SO-20260224-0001');
    expect(created).toContain('客户提出时间：09:30');

    await travelTo(t, '2026-02-24T10:30:00');
    expect(await lastReply(t, '等客户图纸')).toBe(
      '⏸ SO-20260224-0001 等客户（图纸），客户时延暂停计时。客户回复后请说“SO-20260224-0001 客户已回复”。',
    );
    expect(await lastReply(t, '等客户图纸')).toContain('已在等客户（10:30 起）');

    await travelTo(t, '2026-02-24T12:30:00');
    expect(await lastReply(t, '客户已回复')).toContain('本次等待2小时');
    await travelTo(t, '2026-02-24T13:00:00');
    await approveAll(t, 'SO-20260224-0001');

    const [order] = await t.db.select().from(orders).where(eq(orders.number, 'SO-20260224-0001'));
    expect(order!.requestedAt.toISOString()).toBe('2026-02-24T01:30:00.000Z');
    expect(order!.latencyMs).toBe(1.5 * HOUR);
    expect(order!.pausedMs).toBe(2 * HOUR);
    expect(order!.confirmedAt?.toISOString()).toBe('2026-02-24T05:00:00.000Z');
    expect(order!.promisedAt?.toISOString()).toBe('2026-03-03T10:00:00.000Z');
    expect(await lastReply(t, 'SO-20260224-0001 等客户确认')).toBe(
      'SO-20260224-0001 已确认交期，客户时延已停止计时（1小时30分钟）。',
    );
  });

  // Chat and clock logic only: the locking these share with the tests above is checked on both databases there.
  it.runIf(backend === 'pglite')(
    'a pause still open at confirmation counts up to the confirmation; a second order is paused by its number',
    async () => {
      t = await TestApp.start(backend);
      await lastReply(t, '需要BRK-2026-06样品20件，3月3日前到');
      await lastReply(t, '需要BRK-2026-01样品5件，3月5日前到');
      expect(await lastReply(t, 'SO-20260224-0001 waiting on customer', 'zhangsan')).toContain(
        '⏸ SO-20260224-0001 is waiting on the customer',
      );
      await travelTo(t, '2026-02-24T11:00:00');
      await approveAll(t, 'SO-20260224-0001');
      await approveAll(t, 'SO-20260224-0002');
      const rows = await t.db.select().from(orders).orderBy(orders.id);
      expect(rows.map((o) => [o.latencyMs, o.pausedMs, o.pausedSince])).toEqual([
        [0, HOUR, null],
        [HOUR, 0, null],
      ]);
    },
  );

  it("the order's card in the chat pauses and resumes the clock with one tap, and a second tap changes nothing", async () => {
    t = await TestApp.start(backend);
    await lastReply(t, '需要BRK-2026-06样品20件，3月3日前到');
    const card = () =>
      t.waitFor(
        (s) => s.conversations['sales-east']?.find((m) => m.card?.id === 'etd-SO-20260224-0001')?.card,
        'the order card',
      );
    const before = await card();
    expect(before.fields.find((f) => f.label === '客户时延')?.value).toBe('计时中，10:00起');
    expect(before.buttons.map((b) => b.label)).toEqual(['等客户回复', '催办']);

    await travelTo(t, '2026-02-24T10:20:00');
    await t.tap(before.id, 'zhangsan', 'pause');
    await t.tap(before.id, 'zhangsan', 'pause');
    await t.settle();
    const paused = await card();
    expect(paused.fields.find((f) => f.label === '客户时延')).toMatchObject({
      value: '已暂停：等客户，10:20起',
      tone: 'yellow',
    });
    expect(paused.buttons.map((b) => b.key)).toEqual(['resume']);
    const texts = t.botMessages(await t.state());
    // The double tap is the same click twice: handled once.
    expect(texts.filter((m) => m.startsWith('⏸ SO-20260224-0001'))).toHaveLength(1);
    expect(texts.at(-1)).toBe(
      '⏸ SO-20260224-0001 等客户，客户时延暂停计时。客户回复后请说“SO-20260224-0001 客户已回复”。',
    );

    await travelTo(t, '2026-02-24T11:50:00');
    await t.tap(before.id, 'lisi', 'resume');
    await t.settle();
    expect((await card()).buttons.map((b) => b.key)).toEqual(['pause', 'nudge']);
    await approveAll(t, 'SO-20260224-0001');
    await t.settle();
    const confirmed = await card();
    expect(confirmed.fields.find((f) => f.label === '客户时延')?.value).toBe('20分钟（不含等客户1小时30分钟）');
    expect(confirmed.buttons).toEqual([]);
    const events = await t.db
      .select()
      .from(orderEvents)
      .where(inArray(orderEvents.type, ['paused', 'resumed']))
      .orderBy(orderEvents.id);
    expect(events.map((e) => [e.type, e.actorId, e.data.via])).toEqual([
      ['paused', 'zhangsan', 'card'],
      ['resumed', 'lisi', 'card'],
    ]);
    // A tap on a stale copy after confirmation is answered in private and changes nothing.
    await t.tap(before.id, 'zhangsan', 'pause');
    await t.settle();
    const [order] = await t.db.select().from(orders);
    expect(order!.pausedSince).toBeNull();
  });

  it.runIf(backend === 'pglite')(
    "holds the approvals' escalation while the order waits on the customer, and moves their deadline by the wait",
    async () => {
      t = await TestApp.start(backend);
      await lastReply(t, '需要BRK-2026-06样品20件，3月3日前到');
      await travelTo(t, '2026-02-24T11:00:00');
      await lastReply(t, '等客户图纸');
      await travelTo(t, '2026-02-24T15:00:00');
      expect(t.botMessages(await t.state()).filter((m) => m.startsWith('⏰'))).toEqual([]);
      await lastReply(t, '客户已回复');
      const tasks = await t.db.select().from(approvalTasks);
      expect(tasks.map((task) => task.dueAt.toISOString())).toEqual(Array(3).fill('2026-02-24T08:00:00.000Z'));
      await travelTo(t, '2026-02-24T15:59:00');
      expect(t.botMessages(await t.state()).filter((m) => m.startsWith('⏰'))).toEqual([]);
      await travelTo(t, '2026-02-24T16:00:00');
      expect(t.botMessages(await t.state()).filter((m) => m.startsWith('⏰'))).toHaveLength(3);
    },
  );

  it.runIf(backend === 'pglite')('refuses what it cannot do, changing nothing', async () => {
    t = await TestApp.start(backend);
    expect(await lastReply(t, '客户已回复')).toContain('您在本群没有等客户的订单');
    expect(await lastReply(t, '等客户图纸')).toContain('您在本群没有待审批的订单');
    await lastReply(t, '需要BRK-2026-06样品20件，3月3日前到');
    expect(await lastReply(t, '客户已回复')).toContain('您在本群没有等客户的订单');
    expect(await lastReply(t, 'SO-20260224-0001 客户已回复')).toBe('SO-20260224-0001 没有在等客户，计时照常。');
    expect(await lastReply(t, 'SO-20260224-0099 等客户图纸')).toBe('本群没有单号 SO-20260224-0099，请核对。');
    expect(await lastReply(t, 'SO-20260224-0001 等客户图纸', 'lisi')).toContain('⏸ SO-20260224-0001');
    const [order] = await t.db.select().from(orders);
    expect(order!.pausedSince?.toISOString()).toBe('2026-02-24T02:00:00.000Z');
    expect(await lastReply(t, 'SO-20260224-0001 等客户图纸', 'lisi')).toContain('已在等客户');
    // another chat cannot touch it
    await t.say('SO-20260224-0001 客户已回复', { conversationId: 'sales-south' });
    await t.settle();
    expect(t.botMessages(await t.state(), 'sales-south').at(-1)).toBe('本群没有单号 SO-20260224-0001，请核对。');
    const [still] = await t.db.select().from(orders);
    expect(still!.pausedSince).not.toBeNull();
  });
});
