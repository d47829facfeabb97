import { and, eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { renderDingtalkCardParams } from '../../cards/dingtalk';
import type { Card } from '../../cards/model';
import { renderWecomCard, WECOM_CARD_LIMITS } from '../../cards/wecom';
import { approvalTasks, orderEvents, orders } from '../../db/schema';
import { TestApp, type PlaygroundState } from '../support/app';
import { backends, useTestDatabase } from '../support/databases';
import { demoConfig, FIRST, HAN, SALES, type Scenario, useHandlerHarness } from './harness';

const dm = (id: string) => ({ senderId: id, conversationId: `dm:${id}` });
const approveAllKey = (card: Card) => card.buttons.find((b) => b.key.startsWith('approve-all:'))?.key;
const number = (n: number) => `SO-20260224-${String(n).padStart(4, '0')}`;

/** The demo plant, with 王工 a lead of purchasing too: every order gives him two steps (tech, purchasing). */
function twoHatConfig() {
  const config = demoConfig();
  config.departments.find((d) => d.key === 'purchasing')!.leads.push('wanggong');
  return config;
}

/**
 * 15 orders from the sales chat, a minute apart from 10:01: 30 open steps for 王工. Order 2 has a spec
 * outside its range, order 4 is urgent, order 5 a spec with no record, order 6 waits on the customer.
 */
async function thirtySteps(s: Scenario) {
  const texts: Record<number, string> = {
    2: 'BRK-2026-01 ×5 Ra≤0.4μm 3月5日前',
    4: '加急 需要BRK-2026-02样品5件，3月5日前到',
    5: '客户：大陆集团 需要BRK-2026-01样品5件 Rz≤3.2μm，3月5日前到',
  };
  for (let n = 1; n <= 15; n++) {
    s.at(`2026-02-24T10:${String(n).padStart(2, '0')}`);
    await s.pendingOrder(texts[n] ?? `需要BRK-2026-0${(n % 3) + 1}样品${n}件，3月9日前到`);
  }
  await s.say(`${number(6)} waiting on customer`);
}

async function taskApprovals(s: Scenario) {
  return s.tx.select().from(orderEvents).where(eq(orderEvents.type, 'task-approved')).orderBy(orderEvents.id);
}

describe.each(backends)('the pending approvals list on %s', (backend) => {
  const { scenario } = useHandlerHarness(backend);

  it('lists 30 open steps oldest first, six a page that WeCom shows whole, with their flags', async () => {
    await scenario(
      async (s) => {
        await thirtySteps(s);
        s.at('2026-02-24T11:00');
        const step = await s.say('待办', dm('wanggong'));
        expect(step.kinds).toEqual(['send-card']);
        const [{ to, card }] = step.sentCards as [{ to: unknown; card: Card }];
        expect(to).toEqual({ userId: 'wanggong' });
        expect(await s.card(card.id)).toMatchObject({
          purpose: 'pending-list',
          recipientId: 'wanggong',
          platform: 'playground',
          orderId: null,
          taskId: null,
        });
        expect(card.title).toBe('我的待办 · 第1/5页');
        expect(card.subtitle).toBe('共30项待审批，最早的在前');
        expect(card.fields.map((f) => f.label)).toEqual([
          '1 技术部',
          '2 采购部',
          '3 技术部',
          '4 采购部',
          '5 技术部',
          '6 采购部',
        ]);
        expect(card.fields.map((f) => [f.value, f.tone])).toEqual([
          [`${number(1)} BRK-2026-02×1件 交3月9日 等59分钟`, undefined],
          [`${number(1)} BRK-2026-02×1件 交3月9日 等59分钟`, undefined],
          [`${number(2)} BRK-2026-01×5件 交3月5日 等58分钟 规格超范围`, 'red'],
          [`${number(2)} BRK-2026-01×5件 交3月5日 等58分钟 规格超范围`, 'red'],
          [`${number(3)} BRK-2026-01×3件 交3月9日 等57分钟`, undefined],
          [`${number(3)} BRK-2026-01×3件 交3月9日 等57分钟`, undefined],
        ]);
        // "Approve all" holds the unflagged steps' task ids; the flagged order is named for its own cards.
        const tasks = [1, 3].map(async (n) => (await s.tasks((await s.order(number(n))).id)).slice(0, 2));
        const ids = (await Promise.all(tasks)).flat().map((t) => t.id);
        expect(card.buttons.map((b) => [b.key, b.label])).toEqual([
          [`approve-all:${ids.join('.')}`, '全部同意(4)'],
          ['page:2', '下一页'],
          ['page:1', '刷新待办'],
        ]);
        expect(card.notes).toEqual([
          '“全部同意”只同意本页无警告的4项，与逐张同意相同。',
          `有规格警告、加急或等客户的事项请在各自的审批卡上单独处理：${number(2)}`,
        ]);
        expectWholeOnWecom(card);
        expect(renderDingtalkCardParams(card).content).toContain(`**1 技术部**：${number(1)}`);

        // Page 2 in place of page 1: the urgent order, the customer, the spec with no record, the paused order.
        const page2 = await s.tap(card.id, 'wanggong', 'page:2', { callbackRef: 'cb-2' });
        expect(page2.updatedCards.map((u) => [u.cardId, u.callbackRef])).toEqual([[card.id, 'cb-2']]);
        const second = page2.updatedCards[0]!.card;
        expect(second.title).toBe('我的待办 · 第2/5页');
        expect(second.fields.map((f) => f.label)[0]).toBe('7 技术部');
        expect(second.fields.map((f) => [f.value, f.tone])).toEqual([
          [`${number(4)} BRK-2026-02×5件 交3月5日 等56分钟 加急`, 'yellow'],
          [`${number(4)} BRK-2026-02×5件 交3月5日 等56分钟 加急`, 'yellow'],
          [`${number(5)} 大陆集团 BRK-2026-01×5件 交3月5日 等55分钟 规格无记录`, 'yellow'],
          [`${number(5)} 大陆集团 BRK-2026-01×5件 交3月5日 等55分钟 规格无记录`, 'yellow'],
          [`${number(6)} BRK-2026-01×6件 交3月9日 等54分钟 等客户`, 'yellow'],
          [`${number(6)} BRK-2026-01×6件 交3月9日 等54分钟 等客户`, 'yellow'],
        ]);
        // Nothing here for "approve all".
        expect(second.buttons.map((b) => b.key)).toEqual(['page:1', 'page:3', 'page:2']);
        expect((await s.card(card.id)).content).toEqual(second);
        expectWholeOnWecom(second);

        // The last page; a page past it gives the last.
        const last = (await s.tap(card.id, 'wanggong', 'page:9')).updatedCards[0]!.card;
        expect(last.title).toBe('我的待办 · 第5/5页');
        expect(last.fields.map((f) => f.label)).toEqual([
          '25 技术部',
          '26 采购部',
          '27 技术部',
          '28 采购部',
          '29 技术部',
          '30 采购部',
        ]);
        expect(last.fields.at(-1)!.value).toContain(number(15));
        expect(last.buttons.map((b) => b.key)).toEqual([expect.stringMatching(/^approve-all:/), 'page:4', 'page:5']);
        expect(await taskApprovals(s)).toEqual([]);
      },
      { config: twoHatConfig() },
    );
  });

  it('approves the unflagged steps shown as single decisions would; reports the others; a second tap changes nothing', async () => {
    await scenario(
      async (s) => {
        await thirtySteps(s);
        const first = await s.order(number(1));
        const third = await s.order(number(3));
        // Production approves order 1 on its card: once tech and purchasing approve, the order is confirmed.
        await s.tap((await s.approvalCard(first.id, 'zhoushifu')).id, 'zhoushifu', 'approve');
        s.at('2026-02-24T11:00');
        const list = (await s.say('待办', dm('wanggong'))).sentCards[0]!.card;
        const key = approveAllKey(list)!;

        // Meanwhile: 刘工 approves order 1 for tech on his own card, and order 3's purchasing step goes to 陈姐.
        s.at('2026-02-24T11:05');
        await s.tap((await s.approvalCard(first.id, 'liugong')).id, 'liugong', 'approve');
        await s.tx
          .update(approvalTasks)
          .set({ assignees: ['chenjie'] })
          .where(and(eq(approvalTasks.orderId, third.id), eq(approvalTasks.department, 'purchasing')));

        // Someone else tapping 王工's list decides nothing.
        const stranger = await s.tap(list.id, 'chenjie', key);
        expect(stranger.notice).toBe('这是王工的待办列表，操作未生效。');
        expect(stranger.updatedCards).toEqual([]);

        const before = await taskApprovals(s);
        s.at('2026-02-24T11:10');
        const step = await s.tap(list.id, 'wanggong', key, { callbackRef: 'cb-all' });
        const approvals = (await taskApprovals(s)).slice(before.length);
        const purchasing1 = await s.task(first.id, 'purchasing');
        const tech3 = await s.task(third.id, 'tech');
        expect(approvals.map((e) => [e.orderId, e.actorId, e.data])).toEqual([
          [
            first.id,
            'wanggong',
            expect.objectContaining({ taskId: purchasing1.id, department: 'purchasing', via: 'pending-list' }),
          ],
          [
            third.id,
            'wanggong',
            expect.objectContaining({ taskId: tech3.id, department: 'tech', via: 'pending-list' }),
          ],
        ]);
        expect(purchasing1).toMatchObject({ status: 'approved', decidedBy: 'wanggong', version: 2 });
        expect(tech3).toMatchObject({ status: 'approved', decidedBy: 'wanggong', version: 2 });
        // Tech of order 1 stays 刘工's decision; order 1 is confirmed once, and the sales chat told.
        expect(await s.task(first.id, 'tech')).toMatchObject({ decidedBy: 'liugong', version: 2 });
        expect((await s.order(number(1))).status).toBe('confirmed');
        expect((await s.eventTypes(first.id)).filter((t) => t === 'confirmed')).toHaveLength(1);
        expect(step.textsIn(SALES).filter((t) => t.includes('已确认'))).toHaveLength(1);
        // Flagged and no-longer-his steps are untouched.
        for (const task of await s.tasks((await s.order(number(2))).id)) expect(task.status).toBe('pending');
        expect(await s.task(third.id, 'purchasing')).toMatchObject({ status: 'pending', version: 1 });

        // The decided steps' own cards show the decision, like any decision's.
        const purchasingCards = (await s.cardsOf(first.id, 'approval')).filter((c) => c.taskId === purchasing1.id);
        expect(purchasingCards.map((c) => c.recipientId).sort()).toEqual(['chenjie', 'wanggong']);
        for (const { content } of purchasingCards) {
          expect(content.resolved).toEqual({ status: 'approved', text: '已同意 · 王工 11:10' });
        }
        const updated = step.updatedCards.map((u) => u.cardId);
        expect(updated).toContain((await s.approvalCard(third.id, 'liugong')).id);

        // The list card says line by line what happened, answered through the tap's callback.
        const own = step.updatedCards.filter((u) => u.cardId === list.id);
        expect(own.map((u) => u.callbackRef)).toEqual(['cb-all']);
        const result = own[0]!.card;
        expect(result.title).toBe('我的待办 · 批量同意结果');
        expect(result.subtitle).toBe('已同意2项，4项未处理（见各行）');
        expect(result.fields.map((f) => [f.label, f.value])).toEqual([
          ['1 技术部', `${number(1)} 的这项审批已由 刘工 于 11:05 同意，无需再处理。`],
          ['2 采购部', `${number(1)} ✓ 已同意 11:10`],
          ['3 技术部', `${number(2)} 规格超范围，请在其审批卡上单独处理`],
          ['4 采购部', `${number(2)} 规格超范围，请在其审批卡上单独处理`],
          ['5 技术部', `${number(3)} ✓ 已同意 11:10`],
          ['6 采购部', `${number(3)} 已不归您处理（现由陈姐处理）`],
        ]);
        expect(result.buttons.map((b) => b.key)).toEqual(['page:1']);
        expect((await s.card(list.id)).content).toEqual(result);
        expectWholeOnWecom(result);

        // The same "approve all" again (a second tap, a stale copy): nothing changes, the tap is told.
        const again = await s.tap(list.id, 'wanggong', key, { callbackRef: 'cb-again' });
        expect(again.notice).toContain('已处理过');
        expect(await taskApprovals(s)).toHaveLength(before.length + 2);
        expect(again.updatedCards.map((u) => [u.cardId, u.callbackRef, u.card])).toEqual([
          [list.id, 'cb-again', result],
        ]);
        expect(again.kinds).toEqual(['post', 'update-card']);

        // What is left: 26 steps.
        const refreshed = (await s.tap(list.id, 'wanggong', 'page:1')).updatedCards[0]!.card;
        expect(refreshed.subtitle).toBe('共26项待审批，最早的在前');
        expect(refreshed.fields[0]!.value).toContain(number(2));
      },
      { config: twoHatConfig() },
    );
  });

  it('answers "my approvals" in English with the card, and no steps with a friendly word in the writer\'s language', async () => {
    await scenario(async (s) => {
      await s.pendingOrder();
      const step = await s.say('my approvals', dm('wanggong'));
      expect(step.sentCards.map((c) => c.card.title)).toEqual(['我的待办']);
      expect(step.sentCards[0]!.card.fields.map((f) => f.value)).toEqual([`${FIRST} BRK-2026-01×5件 交3月5日 等0分钟`]);
      expect(step.sentCards[0]!.card.buttons.map((b) => b.label)).toEqual(['全部同意(1)', '刷新待办']);

      const none = await s.say('my approvals', dm('lisi'));
      expect(none.reply).toBe('You have no approvals waiting. Nice work!');
      expect(none.reply).not.toMatch(HAN);
      expect(none.sentCards).toEqual([]);
      expect((await s.say('我的审批', dm('lisi'))).reply).toBe('您目前没有待审批的事项，辛苦了！');
    });
  });

  it('lists nothing in a group: the sender is asked to ask 1:1', async () => {
    await scenario(async (s) => {
      await s.pendingOrder();
      const step = await s.say('@订单助手 待办', { senderId: 'wanggong' });
      expect(step.reply).toBe('待办列表只在单聊中查看：请私聊订单助手发送“待办”。');
      expect(step.sentCards).toEqual([]);
      const english = await s.say('@订单助手 my approvals', { senderId: 'wanggong' });
      expect(english.reply).toContain('message 订单助手 1:1');
    });
  });

  it('shows the director the steps escalated to him, and the leads still theirs', async () => {
    await scenario(async (s) => {
      const order = await s.pendingOrder();
      await s.tx
        .update(approvalTasks)
        .set({ escalatedTo: 'zhaozong', escalationLevel: 1 })
        .where(and(eq(approvalTasks.orderId, order.id), eq(approvalTasks.department, 'tech')));
      const director = await s.say('待办', dm('zhaozong'));
      expect(director.sentCards[0]!.card.fields.map((f) => f.label)).toEqual(['1 技术部']);
      const key = approveAllKey(director.sentCards[0]!.card)!;
      await s.tap(director.sentCards[0]!.card.id, 'zhaozong', key);
      expect(await s.task(order.id, 'tech')).toMatchObject({ status: 'approved', decidedBy: 'zhaozong' });
      // Nothing left for him: a page asked for shows so, without buttons.
      const empty = (await s.tap(director.sentCards[0]!.card.id, 'zhaozong', 'page:1')).updatedCards[0]!.card;
      expect(empty).toMatchObject({ buttons: [], resolved: { status: 'info', text: '暂无待审批事项' } });
      expect((await s.say('待办', dm('wanggong'))).reply).toBe('您目前没有待审批的事项，辛苦了！');
    });
  });
});

/** Every line a horizontal field (no overflow into the subtitle), nothing clipped, keys within WeCom's limits. */
function expectWholeOnWecom(card: Card) {
  const wecom = renderWecomCard(card, card.id);
  expect(wecom.horizontal_content_list).toHaveLength(card.fields.length);
  expect(wecom.sub_title_text).toBeUndefined();
  expect(wecom.horizontal_content_list.map((f) => f.value)).toEqual(
    card.fields.map((f) => `${f.tone === 'red' ? '❗' : f.tone === 'yellow' ? '⚠️' : ''}${f.value}`),
  );
  for (const f of wecom.horizontal_content_list) {
    expect([...f.value].length).toBeLessThanOrEqual(WECOM_CARD_LIMITS.valueChars);
    expect([...f.keyname].length).toBeLessThanOrEqual(WECOM_CARD_LIMITS.keynameChars);
  }
  expect(wecom.button_list.map((b) => b.key)).toEqual(card.buttons.map((b) => b.key));
  for (const b of wecom.button_list) {
    expect(Buffer.byteLength(b.key)).toBeLessThanOrEqual(WECOM_CARD_LIMITS.keyBytes);
    expect([...b.text].length).toBeLessThanOrEqual(WECOM_CARD_LIMITS.buttonTextChars);
  }
  expect(wecom.main_title.title).toBe(card.title);
  if (card.subtitle) expect(wecom.main_title.desc).toBe(card.subtitle);
}

describe.each(backends)('the pending list racing a single decision, through the playground on %s', (backend) => {
  const database = useTestDatabase(backend);
  let t: TestApp;
  beforeEach(async () => {
    t = await TestApp.start(backend, { database: database(), fresh: true });
  });
  afterEach(async () => {
    await t.close();
  });

  const inbox = (s: PlaygroundState, who: string) => s.inbox[who] ?? [];

  it('decides the step once when "approve all" and its own card are tapped at once; the order is confirmed once', async () => {
    await t.say('需要BRK-2026-01样品5件,3月5日前到');
    const cards = await t.waitFor((s) => {
      const found = ['wanggong', 'liugong', 'chenjie', 'zhoushifu'].map((who) => inbox(s, who)[0]);
      return found.every(Boolean) && found;
    }, 'the approval cards');
    const [, liugong, chenjie, zhoushifu] = cards as [unknown, { id: string }, { id: string }, { id: string }];
    await t.tap(chenjie.id, 'chenjie', 'approve');
    await t.tap(zhoushifu.id, 'zhoushifu', 'approve');
    await t.say('待办', { senderId: 'wanggong', conversationId: 'dm:wanggong' });
    const list = await t.waitFor((s) => inbox(s, 'wanggong').find((c) => c.title === '我的待办'), 'the list card');
    const key = list.buttons.find((b) => b.key.startsWith('approve-all:'))!.key;
    await t.settle();

    const taps = await Promise.all([t.tap(list.id, 'wanggong', key), t.tap(liugong.id, 'liugong', 'approve')]);
    expect(taps.map((r) => r.status)).toEqual([202, 202]);
    await t.settle();

    const approvals = await t.db.select().from(orderEvents).where(eq(orderEvents.type, 'task-approved'));
    const tech = approvals.filter((e) => (e.data as { department: string }).department === 'tech');
    expect(tech).toHaveLength(1);
    const confirmed = await t.db.select().from(orderEvents).where(eq(orderEvents.type, 'confirmed'));
    expect(confirmed).toHaveLength(1);
    const [order] = await t.db.select().from(orders);
    expect(order).toMatchObject({ status: 'confirmed' });
    const [task] = await t.db.select().from(approvalTasks).where(eq(approvalTasks.department, 'tech'));
    expect(task).toMatchObject({ status: 'approved', version: 2, decidedBy: tech[0]!.actorId });
    // The loser is told who decided: on the list card, or in 刘工's chat.
    const state = await t.state();
    const after = inbox(state, 'wanggong').find((c) => c.id === list.id)!;
    if (tech[0]!.actorId === 'wanggong') {
      expect(tech[0]!.data).toMatchObject({ via: 'pending-list' });
      expect(after.fields[0]!.value).toContain('✓ 已同意');
      expect(state.conversations['dm:liugong']?.map((m) => m.text).join('\n')).toContain('已由 王工');
    } else {
      expect(after.fields[0]!.value).toContain('已由 刘工');
    }
  });
});
