import { describe, expect, it } from 'vitest';
import { remindDueTasks } from '../../handlers/approval-reminders';
import { escalateOverdueTasks } from '../../handlers/escalation';
import { backends } from '../support/databases';
import { demoConfig, SALES, type Scenario, type Step, useHandlerHarness } from './harness';

const REQUEST = '需要BRK-2026-01样品5件，4月20日前到';
const cardTo = (step: Step) => step.sentCards.map((c) => ('userId' in c.to ? c.to.userId : c.to.conversationId)).sort();
const remind = (s: Scenario) => s.run('reminders', (ctx) => remindDueTasks(ctx));
const escalate = (s: Scenario) => s.run('escalation', (ctx) => escalateOverdueTasks(ctx));

describe.each(backends)('催办, transfers and stand-ins on %s', (backend) => {
  const { scenario } = useHandlerHarness(backend);

  describe('催办', () => {
    it('reminds every pending step once, tells the chat who, and answers a second nudge with when the last went', async () => {
      await scenario(async (s) => {
        s.at('2026-03-03T10:00');
        const order = await s.pendingOrder(REQUEST);
        await s.tap((await s.approvalCard(order.id, 'chenjie')).id, 'chenjie', 'approve');
        s.at('2026-03-03T10:20');
        const nudged = await s.say(`催一下 ${order.number}`);
        expect(cardTo(nudged)).toEqual(['liugong', 'wanggong', 'zhoushifu']);
        expect(nudged.sentCards[0]!.card.title).toMatch(/^🔔 催办 · /);
        expect(nudged.sentCards[0]!.card.notes![0]).toContain('张三在销售群催办');
        expect(nudged.reply).toBe(`🔔 已催办 ${order.number}：技术部 王工、刘工；生产部 周师傅。`);

        s.at('2026-03-03T10:35');
        const again = await s.say(`${order.number} 催办`);
        expect(again.sentCards).toEqual([]);
        expect(again.reply).toContain('技术部已于 10:20 催过，30分钟内只催一次。');

        s.at('2026-03-03T10:50');
        const english = await s.say(`nudge ${order.number}`);
        expect(cardTo(english)).toEqual(['liugong', 'wanggong', 'zhoushifu']);
        expect(english.reply).toBe(`🔔 Nudged for ${order.number}: Engineering 王工, 刘工; Production 周师傅.`);
      });
    });

    it('tapping 催办 on the order card in the chat does the same; another chat and a decided order are refused', async () => {
      await scenario(async (s) => {
        s.at('2026-03-03T10:00');
        const order = await s.pendingOrder(REQUEST);
        const etd = (await s.cardsOf(order.id, 'etd'))[0]!;
        expect(etd.content.buttons.map((b) => b.key)).toEqual(['pause', 'nudge']);
        const tapped = await s.tap(etd.id, 'lisi', 'nudge');
        expect(cardTo(tapped)).toEqual(['chenjie', 'liugong', 'wanggong', 'zhoushifu']);
        expect(tapped.textsIn(SALES)[0]).toContain(`已催办 ${order.number}`);

        const elsewhere = await s.say(`催一下 ${order.number}`, { conversationId: 'sales-south', senderId: 'lisi' });
        expect(elsewhere.sentCards).toEqual([]);
        expect(elsewhere.reply).toContain('不是这个群的订单');

        await s.approveAll(order);
        const done = await s.say(`催一下 ${order.number}`);
        expect(done.sentCards).toEqual([]);
        expect(done.reply).toContain('没有待审批的步骤');
        expect((await s.say('催一下 SO-20260303-0099')).reply).toContain('没有找到订单');
      });
    });
  });

  describe('transfer', () => {
    it('转交 on the card: a picker of colleagues, then the step goes over; the old card closes, the timeline and chat say so', async () => {
      await scenario(async (s) => {
        s.at('2026-03-03T10:00');
        const order = await s.pendingOrder(REQUEST);
        const mine = await s.approvalCard(order.id, 'zhoushifu');
        const opened = await s.tap(mine.id, 'zhoushifu', 'transfer', { callbackRef: 'cb-1' });
        const picker = opened.updatedCards[0]!;
        expect(picker.callbackRef).toBe('cb-1');
        expect(picker.card.buttons.map((b) => b.key)).toEqual(['transfer-to', 'transfer-back']);
        expect(picker.card.reasons).toMatchObject({ title: '转交给' });
        expect(picker.card.reasons!.options.map((o) => o.id)).toEqual(['sunzong', 'zhouzong']);

        const back = await s.tap(mine.id, 'zhoushifu', 'transfer-back');
        expect(back.updatedCards[0]!.card.buttons.map((b) => b.key)).toEqual(['approve', 'reject', 'transfer']);
        expect(back.updatedCards[0]!.card.reasons!.title).toBe('驳回原因');

        await s.tap(mine.id, 'zhoushifu', 'transfer');
        expect((await s.tap(mine.id, 'zhoushifu', 'transfer-to')).notice).toContain('请先在“转交给”里选一位同事');
        s.at('2026-03-03T10:10');
        const moved = await s.tap(mine.id, 'zhoushifu', 'transfer-to', { reasonId: 'sunzong' });
        expect(moved.notice).toBe(`已将 ${order.number} 的生产部审批转交给孙总。`);
        expect(cardTo(moved)).toEqual(['sunzong']);
        expect(moved.sentCards[0]!.card.notes![0]).toBe('由周师傅转交给您。');
        expect((await s.card(mine.id)).content.resolved).toEqual({ status: 'info', text: '已转交给孙总 · 10:10' });
        expect(moved.textsIn(SALES)).toEqual([`🔁 ${order.number}：生产部审批已由周师傅转交给孙总。`]);
        const task = await s.task(order.id, 'production');
        expect(task.assignees).toEqual(['sunzong']);
        const [event] = (await s.events(order.id)).filter((e) => e.type === 'task-transferred');
        expect(event).toMatchObject({
          actorId: 'zhoushifu',
          data: { from: 'zhoushifu', to: 'sunzong', via: 'transfer' },
        });

        // The old holder can no longer decide; the new one can, on the card they got.
        const refused = await s.tap(mine.id, 'zhoushifu', 'approve');
        expect((await s.task(order.id, 'production')).status).toBe('pending');
        expect(refused.kinds).toContain('post');
        await s.tap(moved.sentCards[0]!.card.id, 'sunzong', 'approve');
        expect((await s.task(order.id, 'production')).status).toBe('approved');
      });
    });

    it('"SO-… 转交 赵总" in the chat; someone not allowed, the requester, or a non-holder is refused and nothing changes', async () => {
      await scenario(async (s) => {
        s.at('2026-03-03T10:00');
        const order = await s.pendingOrder(REQUEST);
        const dm = { senderId: 'wanggong', conversationId: 'dm:wanggong' };
        const notAllowed = await s.say(`${order.number} 转交 陈姐`, dm);
        expect(notAllowed.reply).toBe('陈姐不能处理技术部的审批，未转交。可转交给：赵总、周总。');
        expect((await s.say(`${order.number} 转交 张三`, dm)).reply).toContain('张三是这张订单的销售');
        expect((await s.say(`${order.number} 转交 小明`, dm)).reply).toContain('不认识“小明”');
        expect(
          (await s.say(`${order.number} 转交 赵总`, { senderId: 'lisi', conversationId: 'dm:lisi' })).reply,
        ).toContain('不是');
        expect((await s.task(order.id, 'tech')).assignees.sort()).toEqual(['liugong', 'wanggong']);

        const done = await s.say('转交给赵总', dm);
        expect(done.reply).toBe(`已将 ${order.number} 的技术部审批转交给赵总。`);
        expect((await s.task(order.id, 'tech')).assignees.sort()).toEqual(['liugong', 'zhaozong']);
        expect(cardTo(done)).toEqual(['zhaozong']);

        // The director holds it now: the step goes past him, to the general manager.
        s.at('2026-03-03T11:00');
        const reminded = await remind(s);
        const his = reminded.sentCards.find((c) => 'userId' in c.to && c.to.userId === 'zhaozong')!;
        expect(his.card.notes![0]).toBe('已等 1h00m；12:00 前未处理将升级给周总。');
        s.at('2026-03-03T12:00');
        const escalated = await escalate(s);
        expect(cardTo(escalated)).toEqual(['qianzong', 'sunzong', 'zhouzong']);
        expect(await s.task(order.id, 'tech')).toMatchObject({ escalationLevel: 2, escalatedTo: 'zhouzong' });
        // 周总 holds it and nobody is above him: it stays with him, reminded no more.
        s.at('2026-03-03T14:00');
        await escalate(s);
        expect(await s.task(order.id, 'tech')).toMatchObject({ escalationLevel: 2, escalatedTo: 'zhouzong' });
      });
    });
  });

  describe('stand-ins', () => {
    it('a period set from the chat routes new cards, reminders and escalations to the stand-in, and ends', async () => {
      await scenario(async (s) => {
        // Due 3/4 10:00 (30 minutes today, 1h30 tomorrow): its halfway reminder falls on the first day away.
        s.at('2026-03-03T17:00');
        const before = await s.pendingOrder(REQUEST);
        const set = await s.say('3月4日到3月5日休假，孙总代', {
          senderId: 'zhoushifu',
          conversationId: 'dm:zhoushifu',
        });
        expect(set.reply).toContain('2026-03-04 至 2026-03-05 您休假');
        expect(set.reply).toContain('您手上 1 项待审批');

        // During the period: a new order's production card goes to the stand-in, and the chat is told.
        s.at('2026-03-04T09:00');
        const during = await s.pendingOrder(REQUEST);
        expect((await s.task(during.id, 'production')).assignees).toEqual(['sunzong']);
        expect((await s.cardsOf(during.id, 'approval')).map((c) => c.recipientId)).not.toContain('zhoushifu');
        // The older step's reminder hands it to the stand-in first.
        s.at('2026-03-04T09:30');
        const reminded = await remind(s);
        expect(cardTo(reminded)).toContain('sunzong');
        expect(cardTo(reminded)).not.toContain('zhoushifu');
        expect((await s.task(before.id, 'production')).assignees).toEqual(['sunzong']);
        expect(reminded.textsIn(SALES).join('\n')).toContain('生产部的周师傅休假中，由孙总代为审批');

        // After the period: cards go to the lead again.
        s.at('2026-03-06T09:00');
        const after = await s.pendingOrder(REQUEST);
        expect((await s.task(after.id, 'production')).assignees).toEqual(['zhoushifu']);
      });
    });

    it('a stand-in in the config takes the escalation of a director on leave; cancel, past dates and bad stand-ins', async () => {
      const config = demoConfig();
      config.approvals.standIns = [
        { person: 'zhaozong', standIn: 'zhouzong', from: '2026-03-03', until: '2026-03-03' },
      ];
      await scenario(
        async (s) => {
          s.at('2026-03-03T10:00');
          const order = await s.pendingOrder(REQUEST);
          s.at('2026-03-03T12:00');
          const escalated = await escalate(s);
          expect(cardTo(escalated)).toEqual(['qianzong', 'sunzong', 'zhouzong']);
          expect((await s.task(order.id, 'tech')).escalatedTo).toBe('zhouzong');
          expect(escalated.textsIn(SALES).join('\n')).toContain('技术部的赵总休假中，由周总代为审批');

          const dm = { senderId: 'wanggong', conversationId: 'dm:wanggong' };
          expect((await s.say('3月1日到3月2日休假，刘工代', dm)).reply).toContain('已经过去了');
          expect((await s.say('3月4日休假，王工代', dm)).reply).toBe('代理人不能是您自己。');
          expect((await s.say('3月4日休假，张三代', dm)).reply).toBe('张三不能代您处理技术部的审批，未设置。');
          await s.say('3月4日休假，刘工代', dm);
          expect((await s.say('取消休假', dm)).reply).toBe('已取消您的休假代理，审批卡照常发给您。');
          s.at('2026-03-04T10:00');
          const next = await s.pendingOrder(REQUEST);
          expect((await s.task(next.id, 'tech')).assignees.sort()).toEqual(['liugong', 'wanggong']);
        },
        { config },
      );
    });
  });
});
