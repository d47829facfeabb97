import { eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { approvalTasks, orderEvents } from '../../db/schema';
import { backends, useTestDatabase } from '../support/databases';
import { EAST, WecomWorld } from './harness';

type Obj = Record<string, unknown>;
const title = (card: Obj) => (card.main_title as { title: string }).title;
const buttons = (card: Obj) => (card.button_list as Array<{ key: string; text: string }>).map((b) => b.key);
const values = (card: Obj) => (card.horizontal_content_list as Array<{ value: string }>).map((f) => f.value);

describe.each(backends)('WeCom: the pending approvals list on %s', (backend) => {
  const database = useTestDatabase(backend);
  let w: WecomWorld;
  afterEach(async () => {
    await w.close();
  });

  it('answers "待办" in the 1:1 chat with the list card; "approve all" on it decides the step as its own card would', async () => {
    w = await WecomWorld.start(backend, database());
    const { fake } = w;
    await fake.mentionAibot({
      chatId: EAST.chatId,
      fromUser: 'ZhangSan',
      text: '@订单助手 BRK-2026-01 样品5件 3月5日前到',
    });
    const own = (await w.leadCards()).WangGong!;

    await fake.sendAppText('WangGong', '待办');
    const list = await w.waitFor(
      () => fake.cardsOf('WangGong').find((v) => title(v.card) === '我的待办'),
      "王工's list card",
    );
    expect(values(list.card)).toEqual(['SO-20260224-0001 BRK-2026-01×5件 交3月5日 等0分钟']);
    const [approveAll] = buttons(list.card);
    expect(approveAll).toMatch(/^approve-all:\d+$/);
    expect(buttons(list.card)).toEqual([approveAll, 'page:1']);

    await fake.tap('WangGong', list.taskId, approveAll!);
    await w.app.settle();
    const [approved] = await w.db.select().from(orderEvents).where(eq(orderEvents.type, 'task-approved'));
    expect(approved).toMatchObject({ actorId: 'wanggong', data: { department: 'tech', via: 'pending-list' } });
    const [tech] = await w.db.select().from(approvalTasks).where(eq(approvalTasks.department, 'tech'));
    expect(tech).toMatchObject({ status: 'approved', decidedBy: 'wanggong', version: 2 });

    // The list card shows the outcome in full (a whole template card, through the tap's response code);
    // the approval cards of both tech leads are greyed with the decision.
    const after = fake.cardsOf('WangGong').find((v) => v.taskId === list.taskId)!;
    expect(after).toMatchObject({ updates: 1, greyed: undefined });
    expect(title(after.card)).toBe('我的待办 · 批量同意结果');
    expect(values(after.card)).toEqual(['SO-20260224-0001 ✓ 已同意 10:00']);
    expect(buttons(after.card)).toEqual(['page:1']);
    expect(fake.cardsOf('WangGong').find((v) => v.taskId === own.taskId)).toMatchObject({
      greyed: '已同意 · 王工 10:00',
    });
    expect(fake.cardsOf('LiuGong')[0]).toMatchObject({ greyed: '已同意 · 王工 10:00' });
    expect(fake.calls('message/send').every((c) => (c.reply as Obj).errcode === 0)).toBe(true);
    expect(fake.calls('message/update_template_card').every((c) => (c.reply as Obj).errcode === 0)).toBe(true);
  });
});
