import { eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { cards, orders, outbox } from '../../db/schema';
import { backends, useTestDatabase } from '../support/databases';
import { DEMO_USERS, EAST, LEADS, WecomWorld } from './harness';

const REQUEST = '@订单助手 BRK-2026-01 样品5件 3月5日前到';

describe.each(backends)('WeCom delivery failures on %s', (backend) => {
  const database = useTestDatabase(backend);
  let w: WecomWorld;
  afterEach(async () => {
    await w.close();
  });

  async function order() {
    await w.fake.mentionAibot({ chatId: EAST.chatId, fromUser: 'ZhangSan', text: REQUEST });
    return w.leadCards();
  }

  async function outboxRows() {
    return w.db.select().from(outbox).orderBy(outbox.id);
  }

  it('refreshes a revoked token once and loses no card', async () => {
    w = await WecomWorld.start(backend, database());
    // The first card goes out; WeCom then revokes the token; the cards sent alongside meet 40014.
    w.fake.fail('message/send', { revokeTokens: true }, { skip: 1 });
    await order();
    await w.app.settle();
    expect(w.fake.app.gettokenCalls).toBe(2);
    const errcodes = w.fake.calls('message/send').map((s) => (s.reply as { errcode: number }).errcode);
    expect(errcodes.filter((e) => e === 40014).length).toBeGreaterThanOrEqual(1);
    expect(errcodes.filter((e) => e === 0)).toHaveLength(4);
    expect(LEADS.map((u) => w.fake.cardsOf(u).length)).toEqual([1, 1, 1, 1]);
    expect((await outboxRows()).every((r) => r.status === 'sent')).toBe(true);
  });

  it('retries -1, a 502 and a lost answer without sending any card twice', async () => {
    w = await WecomWorld.start(backend, database());
    const { fake } = w;
    fake.fail('message/send', { errcode: -1 });
    fake.fail('message/send', { status: 502 });
    fake.fail('message/send', { hangup: 'after' });
    fake.fail('message/send', { hangup: 'before' });
    await fake.mentionAibot({ chatId: EAST.chatId, fromUser: 'ZhangSan', text: REQUEST });
    await w.drain();
    expect(LEADS.map((u) => fake.cardsOf(u).length)).toEqual([1, 1, 1, 1]);
    // The send whose answer was lost is retried under the same task_id, which WeCom already has.
    const refused = fake.calls('message/send').filter((c) => (c.reply as { errcode?: number }).errcode === 42014);
    expect(refused).toHaveLength(1);
    expect((await outboxRows()).every((r) => r.status === 'sent')).toBe(true);

    // That card's response code was lost with the answer: the tap's own code still updates it.
    const chenjieTask = (refused[0]!.body as { template_card: { task_id: string } }).template_card.task_id;
    const user = LEADS.find((u) => fake.cardsOf(u)[0]!.taskId === chenjieTask)!;
    await fake.tap(user, chenjieTask, 'approve');
    await w.app.settle();
    expect(fake.cardsOf(user)).toHaveLength(1);
    expect(fake.cardsOf(user)[0]!.greyed).toMatch(/^已同意/);
  });

  it('sends a 1:1 notice once even when the answer to its send was lost', async () => {
    w = await WecomWorld.start(backend, database());
    const { fake } = w;
    fake.fail('message/send', { hangup: 'after' });
    await fake.sendAppText('LiSi', '你好');
    await w.drain();
    expect(fake.calls('message/send')).toHaveLength(2);
    expect(fake.textsOf('LiSi')).toHaveLength(1);
  });

  it('does not retry a send to someone WeCom does not know (81013), and delivers the other cards', async () => {
    w = await WecomWorld.start(backend, database(), { fake: { users: DEMO_USERS.filter((u) => u !== 'ZhouShiFu') } });
    const { fake } = w;
    await fake.mentionAibot({ chatId: EAST.chatId, fromUser: 'ZhangSan', text: REQUEST });
    await w.app.settle();
    expect(['WangGong', 'LiuGong', 'ChenJie'].map((u) => fake.cardsOf(u).length)).toEqual([1, 1, 1]);
    const failed = (await outboxRows()).filter((r) => r.status === 'failed');
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ kind: 'send-card', attempts: 1 });
    expect(failed[0]!.lastError).toContain('81013');
  });

  it('reports 60020 as a deployment problem and backs off on 45009, then delivers once it clears', async () => {
    w = await WecomWorld.start(backend, database());
    const { fake, clock } = w;
    fake.fail('gettoken', { errcode: 60020, errmsg: 'not allow to access from your ip' }, { times: 100 });
    await fake.mentionAibot({ chatId: EAST.chatId, fromUser: 'ZhangSan', text: REQUEST });
    const blocked = await w.waitFor(async () => {
      // The four lead cards (the order's card in the group goes through the webhook robot, no token needed).
      const rows = (await outboxRows()).filter(
        (r) => r.kind === 'send-card' && (r.payload as { to?: { userId?: string } }).to?.userId,
      );
      return rows.length === 4 && rows.every((r) => r.lastError?.includes('企业可信IP')) && rows;
    }, 'the 60020 reports');
    for (const row of blocked)
      expect(row.nextAttemptAt.getTime() - clock.now().getTime()).toBeGreaterThanOrEqual(9 * 60_000);
    fake.failures.clear();
    clock.advance(10 * 60_000);
    await w.waitFor(() => LEADS.every((u) => fake.cardsOf(u).length === 1), 'the cards once the IP is trusted');

    fake.fail('message/send', { errcode: 45009 });
    await fake.sendAppText('LiSi', '你好');
    const limited = await w.waitFor(
      async () => (await outboxRows()).find((r) => r.lastError?.includes('45009')),
      'the 45009 back-off',
    );
    expect(limited.nextAttemptAt.getTime() - clock.now().getTime()).toBeGreaterThanOrEqual(60_000);
    await w.drain(30_000);
    expect(fake.textsOf('LiSi')).toHaveLength(1);
    expect(LEADS.map((u) => fake.cardsOf(u).length)).toEqual([1, 1, 1, 1]);
  });

  it('holds group news while the webhook robot is rate limited, then sends it once, the waiting posts together', async () => {
    w = await WecomWorld.start(backend, database(), { fake: { webhookPerMinute: 2 } });
    const { fake, clock } = w;
    fake.fail('aibot/response', { errcode: 40029 }, { times: 100 }); // every reply window turns out spent
    const ask = (n: number) =>
      fake.mentionAibot({ chatId: EAST.chatId, fromUser: 'ZhangSan', text: `@订单助手 SO-20260224-00${n} 到哪了` });
    // Held: pending, not being delivered, due later.
    const held = async () =>
      (await outboxRows()).filter(
        (r) => r.status === 'pending' && r.lockedUntil === null && r.nextAttemptAt > clock.now(),
      ).length;
    await ask(11);
    await w.waitFor(() => fake.chat(EAST.chatId).length === 1, 'the first answer');
    await ask(12);
    await w.waitFor(() => fake.chat(EAST.chatId).length === 2, 'the second answer');
    await ask(13);
    await w.waitFor(
      async () => fake.calls('webhook/send').length === 3 && (await held()) === 1,
      'the third refused and held',
    );
    expect((fake.calls('webhook/send')[2]!.reply as { errcode: number }).errcode).toBe(45009);
    await ask(14);
    // The robot's minute is known to be used up: the fourth waits without asking WeCom.
    await w.waitFor(async () => (await held()) === 2, 'the fourth held');
    expect(fake.calls('webhook/send')).toHaveLength(3);

    clock.advance(60_000);
    await w.waitFor(async () => (await w.pending()) === 0, 'the held posts to go out');
    const messages = fake.chat(EAST.chatId).map((m) => m.content);
    expect(messages).toHaveLength(3);
    for (const n of [11, 12, 13, 14]) expect(messages.filter((m) => m.includes(`SO-20260224-00${n}`))).toHaveLength(1);
    expect(messages[2]).toBe('没有找到 SO-20260224-0013 的订单。\n\n没有找到 SO-20260224-0014 的订单。');
    expect(fake.calls('webhook/send')).toHaveLength(4);
    expect((await outboxRows()).every((r) => r.status === 'sent')).toBe(true);
  });

  it("updates a card 72 hours on with the tap's fresh code, and sends the other lead a fresh card", async () => {
    w = await WecomWorld.start(backend, database());
    const { fake, clock } = w;
    const leadCards = await order();
    await w.app.settle();
    clock.advance(73 * 3600_000);
    await fake.tap('WangGong', leadCards.WangGong!.taskId, 'approve');
    await w.app.settle();
    expect(fake.cardsOf('WangGong')).toHaveLength(1);
    expect(fake.cardsOf('WangGong')[0]!.greyed).toBe('已同意 · 王工 11:00');
    // Liu's only code (from the send) is past 72 h: a fresh card with a new task_id shows the decision.
    const liu = fake.cardsOf('LiuGong');
    expect(liu).toHaveLength(2);
    expect(liu[0]!.greyed).toBeUndefined();
    expect(liu[1]).toMatchObject({ taskId: `${leadCards.LiuGong!.taskId}-r1`, greyed: '已同意 · 王工 11:00' });
    const [row] = await w.db.select().from(cards).where(eq(cards.id, leadCards.LiuGong!.taskId));
    expect(row!.platformRef).toBe(`${leadCards.LiuGong!.taskId}-r1`);
    // Liu can still tap the old card; he is told who decided.
    await fake.tap('LiuGong', leadCards.LiuGong!.taskId, 'approve');
    expect(await w.waitFor(() => fake.textsOf('LiuGong')[0], 'the notice')).toContain('已由 王工');
  });

  it('tries the next code when WeCom refuses one, whatever errcode it uses, and sends a fresh card when none is left', async () => {
    w = await WecomWorld.start(backend, database(), { fake: { responseCodeUsedErrcode: 40099 } });
    const { fake } = w;
    const leadCards = await order();
    fake.fail('message/update_template_card', { errcode: 40099 }, { times: 2 });
    await fake.tap('ChenJie', leadCards.ChenJie!.taskId, 'approve');
    await w.app.settle();
    const chenjie = fake.cardsOf('ChenJie');
    // Two codes refused; the fresh copy goes out with one button and is greyed with its own send's code.
    const updates = fake.calls('message/update_template_card');
    expect(updates).toHaveLength(3);
    expect(updates[2]!.body).toMatchObject({ button: { replace_name: '已同意 · 陈姐 10:00' } });
    expect(chenjie).toHaveLength(2);
    expect(chenjie[1]).toMatchObject({ taskId: `${leadCards.ChenJie!.taskId}-r1`, greyed: '已同意 · 陈姐 10:00' });
  });

  it('sends no fresh card when WeCom refuses the update itself (40058): the delivery fails where it shows', async () => {
    w = await WecomWorld.start(backend, database());
    const { fake } = w;
    const leadCards = await order();
    fake.fail('message/update_template_card', { errcode: 40058, errmsg: 'invalid parameter' }, { times: 100 });
    await fake.tap('ChenJie', leadCards.ChenJie!.taskId, 'approve');
    await w.app.settle();
    expect(fake.calls('message/update_template_card')).toHaveLength(1);
    expect(fake.cardsOf('ChenJie')).toHaveLength(1);
    const failed = (await outboxRows()).filter((r) => r.status === 'failed');
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ kind: 'update-card', attempts: 1 });
    expect(failed[0]!.lastError).toContain('40058');
  });

  it('refuses a full update that drops every button, so the product cannot quietly rely on it', async () => {
    w = await WecomWorld.start(backend, database());
    const { fake } = w;
    const leadCards = await order();
    await w.app.settle();
    const code = [...fake.app.codes.entries()].find(([, c]) => c.taskId === leadCards.ChenJie!.taskId)![0];
    const body = (patch: Record<string, unknown>) => ({
      atall: 1,
      agentid: fake.secrets.agentId,
      response_code: code,
      ...patch,
    });
    const buttonless = { ...leadCards.ChenJie!.card, button_list: [], replace_text: '已同意' };
    expect(fake.app.update(body({ template_card: buttonless }))).toMatchObject({ errcode: 40058 });
    expect(fake.app.update(body({ button: { replace_name: '' } }))).toMatchObject({ errcode: 40058 });
    // Refused bodies leave the code unspent: the documented form then goes through.
    expect(fake.app.update(body({ button: { replace_name: '已同意 · 陈姐 10:00' } }))).toMatchObject({ errcode: 0 });
    expect(fake.cardsOf('ChenJie')[0]).toMatchObject({ greyed: '已同意 · 陈姐 10:00', updates: 1 });
  });

  it('does not update a card twice when the answer to an update was lost', async () => {
    w = await WecomWorld.start(backend, database());
    const { fake } = w;
    const leadCards = await order();
    fake.fail('message/update_template_card', { hangup: 'after' });
    await fake.tap('ChenJie', leadCards.ChenJie!.taskId, 'approve');
    await w.drain();
    const updates = fake.calls('message/update_template_card');
    expect(updates).toHaveLength(2);
    expect((updates[1]!.reply as { errcode: number }).errcode).toBe(40029);
    expect(fake.cardsOf('ChenJie')).toHaveLength(1);
    expect(fake.cardsOf('ChenJie')[0]).toMatchObject({ greyed: '已同意 · 陈姐 10:00', updates: 1 });
    expect((await w.db.select().from(orders))[0]!.status).toBe('pending_approval');
  });
});
