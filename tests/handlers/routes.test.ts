import { recheckPlantChanges } from '../../handlers/repromise';
import { describe, expect, it } from 'vitest';
import type { CardActionEvent, MessageEvent } from '../../core/events';
import { cards, drafts, orders } from '../../db/schema';
import {
  cardActions,
  chatCommands,
  chatInput,
  handlingErrorText,
  otherEvents,
  unknownCardTapped,
} from '../../handlers/routes';
import { backends } from '../support/databases';
import { FIRST, HAN, PLATFORM, SALES, START, useHandlerHarness } from './harness';

const message = (text: string, addressedToBot = false): MessageEvent => ({
  kind: 'message',
  platform: PLATFORM,
  conversationId: SALES,
  senderId: 'zhangsan',
  senderName: '张三',
  text,
  messageId: 'm1',
  receivedAt: new Date(START).toISOString(),
  addressedToBot,
});

/**
 * The first command whose `match` takes the text: the one routeEvent tries first. held-choice takes any
 * short text that is no request and passes it on unless the sender has a held request: it is left out
 * here and tested on its own.
 */
const firstMatch = (text: string, addressedToBot = false) => {
  const input = chatInput(message(text, addressedToBot));
  return chatCommands.find((c) => c.name !== 'held-choice' && c.match(input) !== null)?.name;
};

describe('the route tables', () => {
  it('try the chat commands in the documented order', () => {
    expect(chatCommands.map((c) => c.name)).toEqual([
      'mould-status',
      'stage-report',
      'complaint',
      'risk-query',
      'repromise',
      'approval',
      'latency-pause',
      'kpi',
      'buyer-link',
      'customer-contact',
      'held-choice',
      'blocked-choice',
      'new-request',
      'draft-reply',
      'status',
      'help',
    ]);
  });

  it.each([
    // A mould report carries a date, and would read as a request if the mould command came later.
    ['#3模具 维修至3月9日', 'mould-status'],
    ['M-12 恢复使用', 'mould-status'],
    [`${FIRST} 质检通过`, 'stage-report'],
    [`${FIRST} 已发货 顺丰 SF1234567890`, 'stage-report'],
    ['等客户图纸', 'latency-pause'],
    [`${FIRST} 客户已回复`, 'latency-pause'],
    ['/kpi', 'kpi'],
    ['本周指标', 'kpi'],
    ["this week's kpis", 'kpi'],
    ['采埃孚 联系人 周工 13800138003', 'customer-contact'],
    ['ZF contact Zhou 13800138003', 'customer-contact'],
    // A request that carries a phone is a request, not a contact.
    ['需要BRK-2026-01样品5件，3月5日前到，客户电话13912345678', 'new-request'],
    ['按最早交期下单', 'blocked-choice'],
    ['escalate', 'blocked-choice'],
    ['需要BRK-2026-01样品5件，3月5日前到', 'new-request'],
    ['BRK-2026-01 samples ×5 by 3/5', 'new-request'],
    // Anything not a new request is first offered to the sender's open draft…
    ['3月5日前', 'draft-reply'],
    [`${FIRST} 到哪了`, 'draft-reply'],
    ['大家好', 'draft-reply'],
  ])('give "%s" to %s first', (text, name) => {
    expect(firstMatch(text)).toBe(name);
  });

  it('offer held-choice the short texts that are no request, and never a request', () => {
    const held = chatCommands.find((c) => c.name === 'held-choice')!;
    expect(held.match(chatInput(message('新需求')))).toBe('新需求');
    expect(held.match(chatInput(message('博世')))).toBe('博世');
    expect(held.match(chatInput(message('需要BRK-2026-01样品5件，3月5日前到')))).toBeNull();
    expect(held.match(chatInput(message('好的'.repeat(30))))).toBeNull();
  });

  it('match status and help only after the draft reply, and help only when the bot is addressed', () => {
    const status = chatCommands.find((c) => c.name === 'status')!;
    const help = chatCommands.find((c) => c.name === 'help')!;
    expect(status.match(chatInput(message(`${FIRST} 到哪了`)))).not.toBeNull();
    expect(status.match(chatInput(message('大家好')))).toBeNull();
    expect(help.match(chatInput(message('大家好', true)))).toBe('zh');
    expect(help.match(chatInput(message('hello', true)))).toBe('en');
    expect(help.match(chatInput(message('大家好', false)))).toBeNull();
  });

  it('have a route for every card purpose, and one for SMS outcomes', () => {
    expect(Object.keys(cardActions).sort()).toEqual([
      'add-customer',
      'approval',
      'blocked-request',
      'customer-choice',
      'etd',
      'expedite',
      'pending-list',
      'repromise',
      'same-need',
      'stacking-review',
      'stage',
    ]);
    for (const route of Object.values(cardActions)) expect(route).toBeTypeOf('function');
    expect(Object.keys(otherEvents)).toEqual(['sms-outcome', 'mes-stage-report']);
    expect(unknownCardTapped).toBeTypeOf('function');
  });

  it('say a handling error in the language of the message, and in Chinese for a tap', () => {
    expect(handlingErrorText(message('需要BRK-2026-01样品5件'))).toMatch(HAN);
    expect(handlingErrorText(message('BRK-2026-01 samples ×5 by 3/5'))).not.toMatch(HAN);
    const tap: CardActionEvent = {
      kind: 'card-action',
      platform: PLATFORM,
      cardId: 'c_1',
      actionKey: 'approve',
      actorId: 'wanggong',
      receivedAt: START,
    };
    expect(handlingErrorText(tap)).toMatch(HAN);
  });
});

describe.each(backends)('routeEvent with the route tables on %s', (backend) => {
  const { scenario } = useHandlerHarness(backend);

  it('passes a typed "offer" with no blocked request on: said to the bot it gets help, in a group nothing', async () => {
    await scenario(async (s) => {
      const addressed = await s.say('@订单助手 offer');
      // blocked-choice declined (no blocked request), nothing else took it: the last command, help, answered.
      expect(addressed.kinds).toEqual(['post']);
      expect(addressed.reply).toContain('订单助手');
      expect(addressed.reply).toContain('BRK-2026-01');
      const group = await s.say('offer');
      expect(group.effects).toEqual([]);
      expect(await s.orders()).toEqual([]);
    });
  });

  it('passes a typed "offer" of someone else on to their own blocked request only', async () => {
    await scenario(async (s) => {
      await s.say('BRK-2026-01 ×500 3月5日前');
      // lisi has no blocked request: declined, passed on, and said in the group it gets no answer.
      const other = await s.say('按最早交期下单', { senderId: 'lisi' });
      expect(other.effects).toEqual([]);
      expect(await s.orders()).toEqual([]);
      const [draft] = await s.drafts();
      expect(draft!.status).toBe('blocked');
      // The sender's own typed answer is taken by blocked-choice: the order is created.
      const mine = await s.say('按最早交期下单');
      expect(mine.textsIn(SALES).join('\n')).toContain(FIRST);
      expect(await s.orders()).toHaveLength(1);
    });
  });

  it('passes a date with no open draft on to help when addressed', async () => {
    await scenario(async (s) => {
      const step = await s.say('@订单助手 3月20日前');
      expect(step.reply).toContain('订单助手');
      expect(await s.tx.select().from(drafts)).toEqual([]);
      expect(await s.orders()).toEqual([]);
    });
  });

  it('routes a tap by the purpose of the tapped card, and answers a card it does not know', async () => {
    await scenario(async (s) => {
      const order = await s.pendingOrder();
      const etd = (await s.cardsOf(order.id, 'etd'))[0]!;
      // The same action key means different things on different cards: "pause" is an etd-card action.
      const paused = await s.tap(etd.id, 'zhangsan', 'pause');
      expect(paused.textsIn(SALES).join('\n')).toContain(FIRST);
      expect((await s.order(FIRST)).pausedSince).not.toBeNull();
      const approval = await s.approvalCard(order.id, 'wanggong');
      const refused = await s.tap(approval.id, 'wanggong', 'pause');
      expect(refused.notice).toContain('pause');
      expect((await s.task(order.id, 'tech')).status).toBe('pending');

      const unknown = await s.tap('c_not_a_card', 'wanggong', 'approve');
      expect(unknown.kinds).toEqual(['post']);
      expect(unknown.notice).toMatch(HAN);
    });
  });

  it('makes cards of every purpose in a full flow, and each purpose has its route', async () => {
    await scenario(async (s) => {
      await s.confirmedOrder();
      await s.say('BRK-2026-01 ×500 3月8日前', { senderId: 'lisi' });
      await s.tap((await s.blockedCard('lisi')).id, 'lisi', 'escalate');
      await s.say('大陆集团 要BRK-2026-06样品20件，3月3日前到', { senderId: 'lisi', conversationId: 'sales-south' });
      await s.say('大陆集团和博世都要BRK-2026-01样品5件，12月20日前到');
      await s.say('客户：新能科技 需要BRK-2026-03样品2件，12月20日前到');
      await s.say('待办', { senderId: 'zhoushifu', conversationId: 'dm:zhoushifu' });
      await s.say('M-4 维修 至 3/2', { senderId: 'zhoushifu' });
      await s.run('repromise', (ctx) => recheckPlantChanges(ctx));
      const purposes = new Set((await s.tx.select({ purpose: cards.purpose }).from(cards)).map((c) => c.purpose));
      // A rule-stacking review card needs channel orders on two platforms: tests/handlers/stacking-review.test.ts.
      const chatPurposes = Object.keys(cardActions).filter((p) => p !== 'stacking-review');
      expect([...purposes].sort()).toEqual(chatPurposes.sort());
      for (const purpose of purposes) expect(cardActions[purpose]).toBeTypeOf('function');
      expect(await s.tx.select().from(orders)).toHaveLength(2);
    });
  });
});
