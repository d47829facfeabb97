import { describe, expect, it } from 'vitest';
import { remindDueTasks } from '../../handlers/approval-reminders';
import { escalateOverdueTasks } from '../../handlers/escalation';
import { backends } from '../support/databases';
import { china, demoConfig, SALES, type Scenario, useHandlerHarness } from './harness';

const REQUEST = '需要BRK-2026-01样品5件，4月20日前到';
const TECH_LEADS = ['liugong', 'wanggong'];

const remind = (s: Scenario) => s.run('reminders', (ctx) => remindDueTasks(ctx));
const escalate = (s: Scenario) => s.run('escalation', (ctx) => escalateOverdueTasks(ctx));
/** Who got a card in this step, sorted. */
const cardTo = (step: Awaited<ReturnType<Scenario['send']>>) =>
  step.sentCards.map((c) => ('userId' in c.to ? c.to.userId : c.to.conversationId)).sort();

describe.each(backends)('approval deadlines and reminders in working time on %s', (backend) => {
  const { scenario } = useHandlerHarness(backend);

  it('a request at 17:00 on Friday with 2h falls due on Monday at 10:30 on a 09:00–17:30 day, and escalates then', async () => {
    const config = demoConfig();
    config.lifecycle.workday = { start: '09:00', end: '17:30' };
    await scenario(
      async (s) => {
        s.at('2026-03-06T17:00');
        const order = await s.pendingOrder(REQUEST);
        const tech = await s.task(order.id, 'tech');
        // 30 minutes on Friday, the other 1h30 from 09:00 on Monday.
        expect(tech.dueAt).toEqual(china('2026-03-09T10:30'));
        // Halfway (1h of working time before the deadline) and 15 minutes before it, both on Monday.
        expect(tech.remindAt).toEqual(china('2026-03-09T09:30'));

        for (const night of ['2026-03-06T19:00', '2026-03-07T10:30', '2026-03-09T08:59']) {
          s.at(night);
          expect((await escalate(s)).effects).toEqual([]);
          expect((await remind(s)).effects).toEqual([]);
        }
        s.at('2026-03-09T09:30');
        expect(cardTo(await remind(s))).toEqual(['chenjie', ...TECH_LEADS, 'zhoushifu']);
        s.at('2026-03-09T10:29');
        expect((await escalate(s)).effects).toEqual([]);
        s.at('2026-03-09T10:30');
        const escalated = await escalate(s);
        expect(cardTo(escalated)).toEqual(['qianzong', 'sunzong', 'zhaozong']);
        expect(escalated.textsIn(SALES).join('\n')).toContain('赵总');
      },
      { config },
    );
  });

  it("the demo's 08:30–17:30 day: a Friday 17:00 request is due on the make-up Saturday at 10:00", async () => {
    await scenario(async (s) => {
      // 2026-02-28 is a Saturday worked to make up for the Spring Festival (调休上班).
      s.at('2026-02-27T17:00');
      const order = await s.pendingOrder(REQUEST);
      expect((await s.task(order.id, 'tech')).dueAt).toEqual(china('2026-02-28T10:00'));
    });
  });

  it('reminds the holders at halfway and 15 minutes before, not before the points, and not once decided', async () => {
    await scenario(async (s) => {
      s.at('2026-03-03T10:00');
      const order = await s.pendingOrder(REQUEST);
      s.at('2026-03-03T10:59');
      expect((await remind(s)).effects).toEqual([]);

      s.at('2026-03-03T11:00');
      const first = await remind(s);
      expect(cardTo(first)).toEqual(['chenjie', 'liugong', 'wanggong', 'zhoushifu']);
      const card = first.sentCards.find((c) => 'userId' in c.to && c.to.userId === 'wanggong')!.card;
      expect(card.title).toBe('⏰ 审批提醒 · 技术部');
      expect(card.notes![0]).toBe('已等 1h00m；12:00 前未处理将升级给赵总。');
      expect(card.buttons.map((b) => b.key)).toEqual(['approve', 'reject', 'transfer']);
      // The same point does not remind twice.
      expect((await remind(s)).effects).toEqual([]);

      // Purchasing decides on the reminder card itself; production stays open.
      await s.tap(
        first.sentCards.find((c) => 'userId' in c.to && c.to.userId === 'chenjie')!.card.id,
        'chenjie',
        'approve',
      );
      expect((await s.task(order.id, 'purchasing')).status).toBe('approved');

      s.at('2026-03-03T11:45');
      expect(cardTo(await remind(s))).toEqual(['liugong', 'wanggong', 'zhoushifu']);
      s.at('2026-03-03T11:59');
      expect((await remind(s)).effects).toEqual([]);
      expect((await s.task(order.id, 'tech')).remindAt).toBeNull();
    });
  });

  it('a step escalated to the director gets reminders of its own on the way to the next rung', async () => {
    await scenario(async (s) => {
      s.at('2026-03-03T10:00');
      const order = await s.pendingOrder(REQUEST);
      s.at('2026-03-03T12:00');
      await escalate(s);
      const tech = await s.task(order.id, 'tech');
      // The ladder's next rung (周总) is 4h after the card: 2h of working time after the director's deadline.
      expect(tech).toMatchObject({ escalationLevel: 1, escalatedTo: 'zhaozong' });
      expect(tech.dueAt).toEqual(china('2026-03-03T14:00'));
      expect(tech.remindAt).toEqual(china('2026-03-03T13:00'));
      s.at('2026-03-03T13:00');
      expect(cardTo(await remind(s))).toEqual(['qianzong', 'sunzong', 'zhaozong']);
    });
  });

  it("a department on a wall clock keeps today's deadlines and is reminded at night", async () => {
    const config = demoConfig();
    config.departments.find((d) => d.key === 'production')!.clock = 'wall';
    await scenario(
      async (s) => {
        s.at('2026-03-06T17:00');
        const order = await s.pendingOrder(REQUEST);
        expect((await s.task(order.id, 'production')).dueAt).toEqual(china('2026-03-06T19:00'));
        expect((await s.task(order.id, 'tech')).dueAt).toEqual(china('2026-03-09T10:00'));
        s.at('2026-03-06T18:00');
        expect(cardTo(await remind(s))).toEqual(['zhoushifu']);
        s.at('2026-03-06T19:00');
        expect(cardTo(await escalate(s))).toEqual(['sunzong']);
      },
      { config },
    );
  });

  it('waiting on the customer keeps the working time left, and the reminders follow', async () => {
    await scenario(async (s) => {
      s.at('2026-03-03T10:00');
      const order = await s.pendingOrder(REQUEST);
      s.at('2026-03-03T11:30');
      await s.say(`${order.number} 等客户图纸`);
      s.at('2026-03-04T09:00');
      await s.say(`${order.number} 客户已回复`);
      const tech = await s.task(order.id, 'tech');
      // 30 minutes were left at 11:30; counted from 09:00 the next day.
      expect(tech.dueAt).toEqual(china('2026-03-04T09:30'));
      expect(tech.remindAt).toEqual(china('2026-03-04T09:15'));
    });
  });
});
