import { eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { loadBusinessConfig } from '../../config/business-config';
import { approvalTasks, orderEvents } from '../../db/schema';
import { type PlaygroundState, TestApp } from '../support/app';
import { TestClock } from '../support/clock';
import { backends, useTestDatabase } from '../support/databases';

const REQUEST = '需要BRK-2026-01样品5件,3月20日前到';
const LEADS = ['wanggong', 'liugong', 'chenjie', 'zhoushifu'];
const china = (local: string) => `${local}:00+08:00`;
const inboxTitles = (s: PlaygroundState, userId: string) => (s.inbox[userId] ?? []).map((c) => c.title);

describe.each(backends)('approvals over time in the playground on %s', (backend) => {
  const database = useTestDatabase(backend);
  let t: TestApp;
  afterEach(async () => {
    await t.close();
  });

  /** The app on a plant day of 09:00–17:30, its clock at `local` (China time). */
  const start = async (local: string) => {
    const config = loadBusinessConfig();
    config.lifecycle.workday = { start: '09:00', end: '17:30' };
    t = await TestApp.start(backend, { database: database(), fresh: true, config, clock: new TestClock(china(local)) });
    return t;
  };
  /** The order is asked for in the east sales chat; every lead has its card. */
  const order = async () => {
    await t.say(REQUEST);
    const state = await t.waitFor((s) => LEADS.every((id) => s.inbox[id]?.[0]) && s, "the leads' cards");
    await t.settle();
    return state;
  };
  const tick = async (local: string) => {
    t.clock.set(china(local));
    await t.app.scheduler.tick();
    await t.settle();
  };
  const tech = async () => (await t.db.select().from(approvalTasks).where(eq(approvalTasks.department, 'tech')))[0]!;
  const act = (cardId: string, body: { userId: string; key: string; reasonId?: string }) =>
    t.request('POST', `/api/playground/cards/${cardId}/actions`, body);

  it('a Friday 17:00 request on a 09:00–17:30 day falls due on Monday at 10:30, and escalates then, not before', async () => {
    await start('2026-03-06T17:00');
    await order();
    // 30 minutes on Friday, 1h30 from 09:00 on Monday; the halfway reminder an hour before.
    expect(await tech()).toMatchObject({
      dueAt: new Date(china('2026-03-09T10:30')),
      remindAt: new Date(china('2026-03-09T09:30')),
    });

    await tick('2026-03-06T19:00');
    await tick('2026-03-07T11:00');
    let state = await t.state();
    for (const id of LEADS) expect(inboxTitles(state, id)).toHaveLength(1);

    await tick('2026-03-09T10:29');
    state = await t.state();
    expect(state.inbox.zhaozong).toBeUndefined();
    expect(inboxTitles(state, 'wanggong')).toEqual(['需求单审批 · 技术部', '⏰ 审批提醒 · 技术部']);
    expect(await t.db.select().from(orderEvents).where(eq(orderEvents.type, 'task-escalated'))).toEqual([]);

    await tick('2026-03-09T10:30');
    state = await t.waitFor((s) => s.inbox.zhaozong?.[0] && s, "the director's card");
    expect(state.inbox.zhaozong![0]!.title).toBe('升级审批 · 技术部');
    expect(await tech()).toMatchObject({ escalationLevel: 1, escalatedTo: 'zhaozong' });
    const notice = await t.waitFor(
      (s) => t.botMessages(s).find((m) => m.includes('已升级给赵总') && m.includes('技术部')),
      'the escalation notice',
    );
    expect(notice).toContain('SO-20260306-0001');
  });

  it("the 催办 button on the order's card in the chat reminds the holders and says so in the chat", async () => {
    await start('2026-03-03T10:00');
    const cards = await order();
    await t.tap(cards.inbox.chenjie![0]!.id, 'chenjie', 'approve');
    await t.settle();
    t.clock.set(china('2026-03-03T10:20'));
    const etd = (await t.state()).conversations['sales-east']!.find((m) =>
      m.card?.buttons.some((b) => b.key === 'nudge'),
    )!;
    expect(etd.card!.buttons.map((b) => b.key)).toEqual(['pause', 'nudge']);
    expect((await act(etd.card!.id, { userId: 'zhangsan', key: 'nudge' })).status).toBe(202);
    const said = await t.waitFor((s) => t.botMessages(s).find((m) => m.includes('已催办')), 'the nudge in the chat');
    expect(said).toBe('🔔 已催办 SO-20260303-0001：技术部 王工、刘工；生产部 周师傅。');
    await t.settle();
    const state = await t.state();
    for (const id of ['wanggong', 'liugong', 'zhoushifu']) {
      expect(inboxTitles(state, id)).toEqual([
        expect.stringMatching(/^需求单审批 · /),
        expect.stringMatching(/^🔔 催办 · /),
      ]);
      expect(state.inbox[id]![1]!.notes![0]).toContain('张三在销售群催办');
    }
    expect(inboxTitles(state, 'chenjie')).toHaveLength(1);

    // Tapped again within 30 minutes: the chat hears when the last one went, and nobody gets a card.
    t.clock.set(china('2026-03-03T10:30'));
    await act(etd.card!.id, { userId: 'lisi', key: 'nudge' });
    const again = await t.waitFor((s) => t.botMessages(s).find((m) => m.includes('催过')), 'the second answer');
    expect(again).toContain('技术部已于 10:20 催过，30分钟内只催一次。');
    await t.settle();
    const after = await t.state();
    for (const id of [...LEADS, 'zhaozong']) expect(after.inbox[id]?.length).toBe(state.inbox[id]?.length);
  });

  it('转交 through the playground API: a transfer to the sales person is refused and changes nothing, one to 赵总 goes through', async () => {
    await start('2026-03-03T10:00');
    const cards = await order();
    const mine = cards.inbox.wanggong![0]!;
    await act(mine.id, { userId: 'wanggong', key: 'transfer' });
    await t.settle();
    const picker = (await t.state()).inbox.wanggong![0]!;
    expect(picker.id).toBe(mine.id);
    expect(picker.buttons.map((b) => [b.key, b.label])).toEqual([
      ['transfer-to', '确认转交'],
      ['transfer-back', '返回'],
    ]);
    expect(picker.notes![0]).toBe('选择同事后点“确认转交”；可转交给：赵总、周总。');

    // 张三 asked for the order: he may not take its step, whatever the tap carries.
    const before = await tech();
    await act(mine.id, { userId: 'wanggong', key: 'transfer-to', reasonId: 'zhangsan' });
    const refusal = await t.waitFor((s) => s.conversations['dm:wanggong']?.[0]?.text, 'the refusal');
    expect(refusal).toBe('张三是这张订单的销售，不能审批自己的订单，未转交。');
    await t.settle();
    expect(await tech()).toEqual(before);
    let state = await t.state();
    expect(state.inbox.zhangsan).toBeUndefined();
    expect(state.inbox.wanggong![0]!.resolved).toBeUndefined();
    expect(state.inbox.wanggong![0]!.buttons.map((b) => b.key)).toEqual(['transfer-to', 'transfer-back']);
    expect(t.botMessages(state).some((m) => m.includes('转交'))).toBe(false);
    expect(await t.db.select().from(orderEvents).where(eq(orderEvents.type, 'task-transferred'))).toEqual([]);

    t.clock.set(china('2026-03-03T10:05'));
    expect((await act(mine.id, { userId: 'wanggong', key: 'transfer-to', reasonId: 'zhaozong' })).status).toBe(202);
    state = await t.waitFor((s) => s.inbox.zhaozong?.[0] && s, "赵总's card");
    await t.settle();
    state = await t.state();
    const zhao = state.inbox.zhaozong![0]!;
    expect(zhao.title).toBe('需求单审批 · 技术部');
    expect(zhao.notes![0]).toBe('由王工转交给您。');
    expect(zhao.buttons.map((b) => b.key)).toEqual(['approve', 'reject', 'transfer']);
    expect(state.inbox.wanggong![0]!.resolved).toEqual({ status: 'info', text: '已转交给赵总 · 10:05' });
    expect(t.botMessages(state)).toContain('🔁 SO-20260303-0001：技术部审批已由王工转交给赵总。');
    expect(state.conversations['dm:wanggong']!.map((m) => m.text)).toContain(
      '已将 SO-20260303-0001 的技术部审批转交给赵总。',
    );
    expect((await tech()).assignees.sort()).toEqual(['liugong', 'zhaozong']);

    // The old holder can no longer decide; 赵总 can.
    await t.tap(zhao.id, 'zhaozong', 'approve');
    await t.settle();
    expect(await tech()).toMatchObject({ status: 'approved', decidedBy: 'zhaozong' });
  });
});
