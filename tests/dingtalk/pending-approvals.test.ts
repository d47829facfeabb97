import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { approvalTasks, orderEvents } from '../../db/schema';
import { backends } from '../support/databases';
import { orderWithCards, settle, STAFF, useDingtalkApp } from './harness';

describe.each(backends)('DingTalk: the pending approvals list on %s', (backend) => {
  const h = useDingtalkApp(backend);

  it('answers "待办" in the 1:1 chat with the list card; "approve all" on it decides the step as its own card would', async () => {
    const { fake } = h;
    const cards = await orderWithCards(h);
    await settle(h);

    fake.say({ staffId: STAFF.wanggong, text: '待办', nick: '王工' });
    const list = await fake.waitFor(
      () => fake.cardsOf(STAFF.wanggong).find((c) => c.params.title === '我的待办'),
      "王工's list card",
    );
    expect(list).toMatchObject({ callbackType: 'STREAM', spaceType: 'IM_ROBOT' });
    expect(list.params.content).toBe(
      '**1 技术部**：SO-20260224-0001 BRK-2026-01×5件 交3月5日 等0分钟\n\n> “全部同意”只同意本页无警告的1项，与逐张同意相同。',
    );
    const buttons = JSON.parse(list.params.buttons!) as Array<{ key: string; label: string }>;
    expect(buttons.map((b) => b.label)).toEqual(['全部同意(1)', '刷新待办']);
    await settle(h);

    fake.tap({ staffId: STAFF.wanggong, outTrackId: list.outTrackId, action: buttons[0]!.key });
    await settle(h);
    const [approved] = await h.t.db.select().from(orderEvents).where(eq(orderEvents.type, 'task-approved'));
    expect(approved).toMatchObject({ actorId: 'wanggong', data: { department: 'tech', via: 'pending-list' } });
    const [tech] = await h.t.db.select().from(approvalTasks).where(eq(approvalTasks.department, 'tech'));
    expect(tech).toMatchObject({ status: 'approved', decidedBy: 'wanggong', version: 2 });

    // The list card answers the tap with the outcome; both tech leads' approval cards show the decision.
    expect(list.updates).toEqual(['callback']);
    expect(list.params).toMatchObject({ title: '我的待办 · 批量同意结果', status: 'pending', showActions: 'true' });
    expect(list.params.content).toContain('**1 技术部**：SO-20260224-0001 ✓ 已同意 10:00');
    for (const id of [STAFF.wanggong, STAFF.liugong]) {
      expect(cards[id]!.params).toMatchObject({
        status: 'approved',
        statusText: '已同意 · 王工 10:00',
        showActions: 'false',
      });
    }
    expect(fake.gateway.violations).toEqual([]);
  });
});
