import { eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { approvalTasks, orderEvents } from '../../db/schema';
import type { CardView } from '../fakes/wecom/app-api';
import { TestClock } from '../support/clock';
import { backends, useTestDatabase } from '../support/databases';
import { EAST, LEADS, WecomWorld } from './harness';

type Obj = Record<string, unknown>;
const title = (card: Obj) => (card.main_title as { title: string }).title;
const buttons = (card: Obj) => (card.button_list as Array<{ key: string; text: string }>).map((b) => [b.key, b.text]);
const quote = (card: Obj) => (card.quote_area as { quote_text: string } | undefined)?.quote_text ?? '';
const china = (local: string) => `${local}:00+08:00`;
const NUMBER = 'SO-20260306-0001';

describe.each(backends)('WeCom: an approval over a weekend, its reminder, a transfer and 催办 on %s', (backend) => {
  const database = useTestDatabase(backend);
  let w: WecomWorld;
  afterEach(async () => {
    await w.close();
  });

  /** Every job due now runs (escalation, reminders…), and what they sent is delivered. */
  const tick = async (local: string) => {
    w.clock.set(china(local));
    await w.app.app.scheduler.tick();
    await w.app.settle();
  };
  const cardCounts = (users: string[]) => Object.fromEntries(users.map((u) => [u, w.fake.cardsOf(u).length]));
  const groupTexts = () => w.fake.chat(EAST.chatId).map((m) => m.content);
  const newGroupText = async (before: number, what: string, includes: string) =>
    w.waitFor(
      () =>
        groupTexts()
          .slice(before)
          .find((t) => t.includes(includes)),
      what,
    );

  it('a Friday 17:00 request waits out the weekend, is reminded on Monday, transferred on the card and nudged from the group', async () => {
    w = await WecomWorld.start(backend, database(), { clock: new TestClock(china('2026-03-06T17:00')) });
    const { fake } = w;
    await fake.mentionAibot({
      chatId: EAST.chatId,
      fromUser: 'ZhangSan',
      text: '@订单助手 BRK-2026-01 样品5件 3月20日前到',
    });
    const first = await w.leadCards();
    expect(first.WangGong!.card).toMatchObject({ main_title: { desc: NUMBER } });
    await w.app.settle();
    const [tech] = await w.db.select().from(approvalTasks).where(eq(approvalTasks.department, 'tech'));
    // 30 minutes on Friday, the other 1h30 from 08:30 on Monday; reminded halfway, 1h before.
    expect(tech).toMatchObject({
      dueAt: new Date(china('2026-03-09T10:00')),
      remindAt: new Date(china('2026-03-09T09:00')),
    });

    // Friday evening and Saturday: the plant is not at work, nobody is reminded and nothing escalates.
    for (const night of ['2026-03-06T19:00', '2026-03-07T10:30', '2026-03-09T08:59']) {
      await tick(night);
      expect(cardCounts([...LEADS, 'ZhaoZong', 'QianZong', 'SunZong', 'ZhouZong'])).toEqual({
        WangGong: 1,
        LiuGong: 1,
        ChenJie: 1,
        ZhouShiFu: 1,
        ZhaoZong: 0,
        QianZong: 0,
        SunZong: 0,
        ZhouZong: 0,
      });
    }
    expect(await w.db.select().from(orderEvents).where(eq(orderEvents.type, 'task-escalated'))).toEqual([]);

    // Monday at the halfway point: each lead gets a reminder card they can decide on.
    await tick('2026-03-09T09:00');
    const reminders = await w.waitFor(() => {
      const cards = Object.fromEntries(LEADS.map((u) => [u, fake.cardsOf(u)[1]]));
      return LEADS.every((u) => cards[u]) && (cards as Record<string, CardView>);
    }, 'a reminder card for each lead');
    for (const userid of LEADS) {
      expect(title(reminders[userid]!.card)).toMatch(/^⏰ 审批提醒 · /);
      expect(buttons(reminders[userid]!.card).map(([key]) => key)).toEqual(['approve', 'reject', 'transfer']);
    }
    expect(title(reminders.WangGong!.card)).toBe('⏰ 审批提醒 · 技术部');
    expect(quote(reminders.WangGong!.card)).toContain('10:00 前未处理将升级给赵总');
    expect(cardCounts(['ZhaoZong'])).toEqual({ ZhaoZong: 0 });

    // 转交 on the reminder card: the card becomes a picker of colleagues, updated in place.
    const reminder = reminders.WangGong!;
    const updatesBefore = fake.calls('message/update_template_card').length;
    await fake.tap('WangGong', reminder.taskId, 'transfer');
    await w.app.settle();
    const pickerCall = await w.waitFor(
      () => fake.calls('message/update_template_card').slice(updatesBefore)[0],
      'the picker update',
    );
    expect(pickerCall.reply).toMatchObject({ errcode: 0 });
    const picker = (pickerCall.body as Obj).template_card as Obj;
    expect(picker.task_id).toBe(reminder.taskId);
    expect(picker.button_selection).toMatchObject({
      question_key: 'reject_reason',
      title: '转交给',
      option_list: [
        { id: 'zhaozong', text: '赵总' },
        { id: 'zhouzong', text: '周总' },
      ],
    });
    expect(buttons(picker)).toEqual([
      ['transfer-to', '确认转交'],
      ['transfer-back', '返回'],
    ]);
    expect(fake.cardsOf('WangGong')[1]).toMatchObject({ card: picker, updates: 1, greyed: undefined });

    // 确认转交 with 赵总 picked: 赵总 gets the card, both of 王工's cards close, the group is told.
    w.clock.set(china('2026-03-09T09:01'));
    const beforeTransfer = groupTexts().length;
    await fake.tap('WangGong', reminder.taskId, 'transfer-to', { reason: 'zhaozong' });
    const zhao = await w.waitFor(() => fake.cardsOf('ZhaoZong')[0], "赵总's card");
    expect(title(zhao.card)).toBe('需求单审批 · 技术部');
    expect(quote(zhao.card)).toContain('由王工转交给您。');
    expect(buttons(zhao.card).map(([key]) => key)).toEqual(['approve', 'reject', 'transfer']);
    expect(await newGroupText(beforeTransfer, 'the transfer in the group', '转交')).toContain(
      `🔁 ${NUMBER}：技术部审批已由王工转交给赵总。`,
    );
    await w.app.settle();
    for (const view of fake.cardsOf('WangGong')) expect(view.greyed).toBe('已转交给赵总 · 09:01');
    expect(fake.textsOf('WangGong').join('\n')).toContain(`已将 ${NUMBER} 的技术部审批转交给赵总。`);
    // 刘工 still holds the step with 赵总; his cards stay open.
    expect(fake.cardsOf('LiuGong').map((v) => v.greyed)).toEqual([undefined, undefined]);
    const [moved] = await w.db.select().from(approvalTasks).where(eq(approvalTasks.department, 'tech'));
    expect(moved!.assignees.sort()).toEqual(['liugong', 'zhaozong']);
    expect(moved).toMatchObject({ status: 'pending', escalationLevel: 0 });
    const [event] = await w.db.select().from(orderEvents).where(eq(orderEvents.type, 'task-transferred'));
    expect(event).toMatchObject({ actorId: 'wanggong', data: { from: 'wanggong', to: 'zhaozong', via: 'transfer' } });

    // 催一下 in the sales group: each step's holders get a 🔔 card, the group hears who.
    w.clock.set(china('2026-03-09T09:10'));
    const holders = ['ZhaoZong', 'LiuGong', 'ChenJie', 'ZhouShiFu'];
    const counts = cardCounts([...holders, 'WangGong']);
    const beforeNudge = groupTexts().length;
    await fake.mentionAibot({ chatId: EAST.chatId, fromUser: 'ZhangSan', text: `@订单助手 催一下 ${NUMBER}` });
    const nudged = await newGroupText(beforeNudge, 'the nudge answer', '催办');
    // 王工 handed his part on: the step's holders now are 赵总 and 刘工.
    expect(nudged).toBe(`🔔 已催办 ${NUMBER}：技术部 赵总、刘工；采购部 陈姐；生产部 周师傅。`);
    await w.app.settle();
    for (const userid of holders) {
      const cards = fake.cardsOf(userid);
      expect(cards).toHaveLength(counts[userid]! + 1);
      expect(title(cards.at(-1)!.card)).toMatch(/^🔔 催办 · /);
      expect(quote(cards.at(-1)!.card)).toContain('张三在销售群催办');
    }
    expect(fake.cardsOf('WangGong')).toHaveLength(counts.WangGong!);

    // A second nudge within 30 minutes says when the last went, and sends no card.
    w.clock.set(china('2026-03-09T09:20'));
    const after = cardCounts([...holders, 'WangGong']);
    const beforeAgain = groupTexts().length;
    await fake.mentionAibot({ chatId: EAST.chatId, fromUser: 'ZhangSan', text: `@订单助手 催一下 ${NUMBER}` });
    const again = await newGroupText(beforeAgain, 'the second nudge answer', '催过');
    expect(again).toContain('技术部已于 09:10 催过，30分钟内只催一次。');
    expect(again).not.toContain('已催办');
    await w.app.settle();
    expect(cardCounts([...holders, 'WangGong'])).toEqual(after);
    expect(fake.calls('message/send').every((c) => (c.reply as Obj).errcode === 0)).toBe(true);
    expect(fake.calls('message/update_template_card').every((c) => (c.reply as Obj).errcode === 0)).toBe(true);
  });
});
