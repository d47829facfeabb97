import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { approvalTasks, orderEvents, orders } from '../../db/schema';
import type { FakeCard } from '../fakes/dingtalk/openapi';
import { backends } from '../support/databases';
import { EAST, orderWithCards, settle, STAFF, useDingtalkApp } from './harness';

const ZHAOZONG = '0212000';
const china = (local: string) => `${local}:00+08:00`;
const buttonKeys = (card: FakeCard) => (JSON.parse(card.params.buttons!) as Array<{ key: string }>).map((b) => b.key);
const options = (card: FakeCard) => JSON.parse(card.params.reasons!) as Array<{ id: string; text: string }>;

describe.each(backends)('DingTalk: reminders, transfer and stand-ins over time on %s', (backend) => {
  const h = useDingtalkApp(backend);

  /** Every job due at `local` (China time) runs, and what it sent is delivered. */
  const tick = async (local: string) => {
    h.clock.set(china(local));
    await h.t.app.scheduler.tick();
    await settle(h);
  };

  it('reminds the leads at the halfway point after the weekend; 转交 on the reminder card hands the step to 赵总', async () => {
    const { fake } = h;
    h.clock.set(china('2026-03-06T17:00'));
    const first = await orderWithCards(h, { text: 'BRK-2026-01 样品5件 3月20日前到' });
    await settle(h);
    const [order] = await h.t.db.select().from(orders);
    expect(order!.number).toBe('SO-20260306-0001');

    // Due Monday 10:00 (30 minutes on Friday, 1h30 from 08:30), reminded at 09:00: not a minute before.
    await tick('2026-03-07T10:00');
    await tick('2026-03-09T08:59');
    expect(fake.cardsOf(STAFF.wanggong)).toHaveLength(1);
    await tick('2026-03-09T09:00');
    const reminder = await fake.waitFor(() => fake.cardsOf(STAFF.wanggong)[1], "王工's reminder card");
    expect(reminder).toMatchObject({ callbackType: 'STREAM', spaceType: 'IM_ROBOT' });
    expect(reminder.params).toMatchObject({ title: '⏰ 审批提醒 · 技术部', status: 'pending', showActions: 'true' });
    expect(reminder.params.content).toContain('10:00 前未处理将升级给赵总');
    expect(buttonKeys(reminder)).toEqual(['approve', 'reject', 'transfer']);
    for (const id of [STAFF.liugong, STAFF.chenjie, STAFF.zhoushifu]) {
      expect(fake.cardsOf(id).map((c) => c.params.title)).toEqual([
        first[id]!.params.title,
        expect.stringMatching(/^⏰ 审批提醒 · /),
      ]);
    }
    expect(fake.cardsOf(ZHAOZONG)).toEqual([]);

    // 转交: the tapped card turns into a picker of colleagues, in the answer to the callback.
    fake.tap({ staffId: STAFF.wanggong, outTrackId: reminder.outTrackId, action: 'transfer' });
    await settle(h);
    expect(reminder.updates).toEqual(['callback']);
    expect(buttonKeys(reminder)).toEqual(['transfer-to', 'transfer-back']);
    expect(reminder.params.reasonTitle).toBe('转交给');
    expect(options(reminder)).toEqual([
      { id: 'zhaozong', text: '赵总' },
      { id: 'zhouzong', text: '周总' },
    ]);
    expect(reminder.params.showActions).toBe('true');

    // 确认转交 with 赵总 picked in the select (the callback's `reason` param).
    h.clock.set(china('2026-03-09T09:01'));
    fake.tap({ staffId: STAFF.wanggong, outTrackId: reminder.outTrackId, action: 'transfer-to', reason: 'zhaozong' });
    const zhao = await fake.waitFor(() => fake.cardsOf(ZHAOZONG)[0], "赵总's card");
    await settle(h);
    expect(zhao.params).toMatchObject({ title: '需求单审批 · 技术部', status: 'pending', showActions: 'true' });
    expect(zhao.params.content).toContain('由王工转交给您。');
    expect(buttonKeys(zhao)).toEqual(['approve', 'reject', 'transfer']);
    for (const card of [reminder, first[STAFF.wanggong]!]) {
      expect(card.params).toMatchObject({ statusText: '已转交给赵总 · 09:01', showActions: 'false' });
    }
    expect(fake.groupTexts(EAST)).toContain('🔁 SO-20260306-0001：技术部审批已由王工转交给赵总。');
    expect(fake.userTexts(STAFF.wanggong).join('\n')).toContain('已将 SO-20260306-0001 的技术部审批转交给赵总。');
    const [tech] = await h.t.db.select().from(approvalTasks).where(eq(approvalTasks.department, 'tech'));
    expect(tech!.assignees.sort()).toEqual(['liugong', 'zhaozong']);
    expect(await h.t.db.select().from(orderEvents).where(eq(orderEvents.type, 'task-transferred'))).toMatchObject([
      { actorId: 'wanggong', data: { from: 'wanggong', to: 'zhaozong', via: 'transfer' } },
    ]);

    // 赵总 decides on the card he got.
    fake.tap({ staffId: ZHAOZONG, outTrackId: zhao.outTrackId, action: 'approve' });
    await settle(h);
    const [decided] = await h.t.db.select().from(approvalTasks).where(eq(approvalTasks.department, 'tech'));
    expect(decided).toMatchObject({ status: 'approved', decidedBy: 'zhaozong' });
    expect(fake.gateway.violations).toEqual([]);
  });

  it("a lead on leave from the 1:1 chat: the next order's card goes to the stand-in and the group is told", async () => {
    const { fake } = h;
    h.clock.set(china('2026-03-09T10:00'));
    fake.say({ staffId: STAFF.wanggong, text: '3月10日到3月12日休假，刘工代', nick: '王工' });
    const set = await fake.waitFor(() => fake.userTexts(STAFF.wanggong)[0], 'the answer to the leave');
    expect(set).toContain('已记下：2026-03-10 至 2026-03-12 您休假');
    expect(set).toContain('交给刘工处理');
    await settle(h);

    // Still at work today: an order now goes to both tech leads.
    await orderWithCards(h, { text: 'BRK-2026-01 样品5件 3月20日前到' });
    await settle(h);

    h.clock.set(china('2026-03-10T10:00'));
    const before = { wanggong: fake.cardsOf(STAFF.wanggong).length, liugong: fake.cardsOf(STAFF.liugong).length };
    fake.say({ staffId: STAFF.zhangsan, group: EAST, text: 'BRK-2026-02 ×10 3月25日前', nick: '张三' });
    const told = await fake.waitFor(
      () => fake.groupTexts(EAST).find((m) => m.includes('代为审批')),
      'the stand-in line in the group',
    );
    expect(told).toBe('👤 SO-20260310-0001：技术部的王工休假中，由刘工代为审批。');
    await fake.waitFor(() => fake.cardsOf(STAFF.liugong).length === before.liugong + 1, "刘工's card");
    await settle(h);
    expect(fake.cardsOf(STAFF.wanggong)).toHaveLength(before.wanggong);
    const card = fake.cardsOf(STAFF.liugong).at(-1)!;
    expect(card.params).toMatchObject({ title: '需求单审批 · 技术部', subtitle: 'SO-20260310-0001' });
    const [order] = await h.t.db.select().from(orders).where(eq(orders.number, 'SO-20260310-0001'));
    const techTask = (await h.t.db.select().from(approvalTasks).where(eq(approvalTasks.orderId, order!.id))).find(
      (t) => t.department === 'tech',
    );
    expect(techTask!.assignees).toEqual(['liugong']);

    // The stand-in decides the step.
    fake.tap({ staffId: STAFF.liugong, outTrackId: card.outTrackId, action: 'approve' });
    await settle(h);
    expect((await h.t.db.select().from(approvalTasks).where(eq(approvalTasks.id, techTask!.id)))[0]).toMatchObject({
      status: 'approved',
      decidedBy: 'liugong',
    });
    expect(fake.gateway.violations).toEqual([]);
  });
});
