import { eq, inArray } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { orderEvents, orders } from '../../db/schema';
import { backends, useTestDatabase } from '../support/databases';
import { EAST, WecomWorld } from './harness';

const REQUEST = '@订单助手 BRK-2026-01 样品5件 3月5日前到';
const NUMBER = 'SO-20260224-0001';
const TASK = `etd-${NUMBER}`;
const keys = (card: Record<string, unknown>) => (card.button_list as Array<{ key: string }>).map((b) => b.key);

describe.each(backends)("the order's card in a WeCom group, on %s", (backend) => {
  const database = useTestDatabase(backend);
  let w: WecomWorld;
  afterEach(async () => {
    await w.close();
  });

  const clockEvents = () =>
    w.db
      .select({ type: orderEvents.type, actorId: orderEvents.actorId })
      .from(orderEvents)
      .where(inArray(orderEvents.type, ['paused', 'resumed']))
      .orderBy(orderEvents.id);

  it('answers the @-mention with the card and its pause button; a tap (delivered twice) pauses once and the card changes in the reply to the tap', async () => {
    w = await WecomWorld.start(backend, database());
    const { fake } = w;
    await fake.mentionAibot({ chatId: EAST.chatId, fromUser: 'ZhangSan', text: REQUEST });
    const card = await w.waitFor(() => fake.groupCard(TASK), 'the card in the group');
    await w.app.settle();
    // The answer's text takes the webhook robot, so the @-mention's one reply window carries the card.
    const messages = fake.chat(EAST.chatId);
    expect(messages.map((m) => [m.via, m.msgtype])).toEqual([
      ['webhook', 'markdown'],
      ['response_url', 'template_card'],
    ]);
    expect(messages[0]!.content).toContain(`已创建需求单 **${NUMBER}**`);
    expect(card.card).toMatchObject({ card_type: 'button_interaction', task_id: TASK });
    expect(keys(card.card)).toEqual(['pause', 'nudge']);

    // WeCom delivers the tap twice (its answer lost the first time): handled once, answered once.
    const pause = await fake.tapGroupCard('ZhangSan', TASK, 'pause', { attempts: 2 });
    expect(pause.delivery.attempts.map((a) => a.status)).toEqual([200, 200]);
    expect(pause.replies).toEqual([{ applied: true }]);
    expect(fake.groupCard(TASK)).toMatchObject({ updates: 1 });
    expect(keys(fake.groupCard(TASK)!.card)).toEqual(['resume']);
    await w.app.settle();
    expect(await clockEvents()).toEqual([{ type: 'paused', actorId: 'zhangsan' }]);
    expect((await w.db.select().from(orders))[0]!.pausedSince).not.toBeNull();
    // The text answer to the tap goes through the tap's own response_url.
    const told = fake.chat(EAST.chatId).slice(2);
    expect(told.map((m) => m.via)).toEqual(['response_url']);
    expect(told[0]!.content).toContain(NUMBER);

    w.clock.advance(60_000);
    const resume = await fake.tapGroupCard('LiSi', TASK, 'resume');
    expect(resume.replies).toEqual([{ applied: true }]);
    expect(keys(fake.groupCard(TASK)!.card)).toEqual(['pause', 'nudge']);
    await w.app.settle();
    expect(await clockEvents()).toEqual([
      { type: 'paused', actorId: 'zhangsan' },
      { type: 'resumed', actorId: 'lisi' },
    ]);
    // No markdown copy of the card: each change went into the card itself.
    expect(fake.chat(EAST.chatId).filter((m) => m.content.includes(`交期跟踪 · ${NUMBER}`))).toEqual([]);
  });

  it('falls back to markdown naming the chat commands when no reply window is left, and the commands work', async () => {
    w = await WecomWorld.start(backend, database());
    const { fake } = w;
    fake.fail('aibot/response', { errcode: 40029 }, { times: 100 }); // every reply window turns out spent
    await fake.mentionAibot({ chatId: EAST.chatId, fromUser: 'ZhangSan', text: REQUEST });
    await w.app.settle();
    expect(fake.groupCard(TASK)).toBeUndefined();
    const posted = fake.chat(EAST.chatId).map((m) => [m.via, m.content] as const);
    const card = posted.find(([, c]) => c.includes(`交期跟踪 · ${NUMBER}`));
    expect(card?.[0]).toBe('webhook');
    expect(card?.[1]).toContain(`\`@订单助手 ${NUMBER} 等客户回复\``);

    fake.failures.clear();
    await fake.mentionAibot({ chatId: EAST.chatId, fromUser: 'ZhangSan', text: `@订单助手 ${NUMBER} 等客户回复` });
    await w.app.settle();
    expect(await clockEvents()).toEqual([{ type: 'paused', actorId: 'zhangsan' }]);
    // The card's new state, as markdown again (not answering a tap, so no card update), names the resume command.
    const latest = fake
      .chat(EAST.chatId)
      .map((m) => m.content)
      .filter((c) => c.includes(`交期跟踪 · ${NUMBER}`))
      .at(-1);
    expect(latest).toContain(`\`@订单助手 ${NUMBER} 客户已回复\``);
    expect(fake.chat(EAST.chatId).every((m) => m.msgtype !== 'template_card')).toBe(true);
  });

  it('posts an update that answers no tap as markdown, and leaves the card as it was', async () => {
    w = await WecomWorld.start(backend, database());
    const { fake } = w;
    await fake.mentionAibot({ chatId: EAST.chatId, fromUser: 'ZhangSan', text: REQUEST });
    await w.waitFor(() => fake.groupCard(TASK), 'the card in the group');
    await w.app.settle();
    // Paused by a chat command: the card's update has no tap to answer, so it is posted.
    await fake.mentionAibot({ chatId: EAST.chatId, fromUser: 'ZhangSan', text: `@订单助手 ${NUMBER} 等客户回复` });
    await w.app.settle();
    expect(await clockEvents()).toEqual([{ type: 'paused', actorId: 'zhangsan' }]);
    expect(fake.groupCard(TASK)).toMatchObject({ updates: 0 });
    const markdown = fake
      .chat(EAST.chatId)
      .filter((m) => m.content.includes(`交期跟踪 · ${NUMBER}`))
      .map((m) => m.content);
    expect(markdown).toHaveLength(1);
    expect(markdown[0]).toContain(`\`@订单助手 ${NUMBER} 客户已回复\``);
    // The old card's button still reaches the bot; the tap is answered in the card, which catches up.
    const late = await fake.tapGroupCard('ZhangSan', TASK, 'pause');
    expect(late.replies).toEqual([{ applied: true }]);
    expect(keys(fake.groupCard(TASK)!.card)).toEqual(['resume']);
    await w.app.settle();
    expect(await clockEvents()).toHaveLength(1);
    const [order] = await w.db.select().from(orders).where(eq(orders.number, NUMBER));
    expect(order!.pausedSince).not.toBeNull();
  });
});
