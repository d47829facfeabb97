import { eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { approvalTasks, cards, inboundMessages, orderEvents, orders, replyWindows } from '../../db/schema';
import { backends, useTestDatabase } from '../support/databases';
import { EAST, LEADS, WecomWorld } from './harness';

const REQUEST = '@订单助手 BRK-2026-01 样品5件 3月5日前到';
const buttons = (card: Record<string, unknown>) => (card.button_list as Array<{ key: string }>).map((b) => b.key);
const fields = (card: Record<string, unknown>) =>
  Object.fromEntries(
    (card.horizontal_content_list as Array<{ keyname: string; value: string }>).map((f) => [f.keyname, f.value]),
  );

describe.each(backends)('WeCom intake and approvals on %s', (backend) => {
  const database = useTestDatabase(backend);
  let w: WecomWorld;
  afterEach(async () => {
    await w.close();
  });

  const groupTexts = () => w.fake.chat(EAST.chatId).map((m) => m.content);

  it('turns an @-mention in a sales group into an order, cards for the leads, and tells the group once all approve', async () => {
    w = await WecomWorld.start(backend, database());
    const { fake } = w;
    await fake.mentionAibot({ chatId: EAST.chatId, fromUser: 'ZhangSan', text: REQUEST });
    const reply = await w.waitFor(() => fake.chat(EAST.chatId)[0], 'the answer in the group');
    // The text goes through the webhook robot: the @-mention's one reply window carries the order's card.
    expect(reply).toMatchObject({ via: 'webhook', msgtype: 'markdown' });
    expect(reply.content).toContain('已创建需求单 **SO-20260224-0001**');
    expect(reply.content).toContain('状态：待审批（技术部、采购部、生产部）');

    const leadCards = await w.leadCards();
    const rows = await w.db.select().from(cards);
    for (const userid of LEADS) {
      const view = leadCards[userid]!;
      expect(view.card).toMatchObject({ card_type: 'button_interaction', main_title: { desc: 'SO-20260224-0001' } });
      expect(buttons(view.card)).toEqual(['approve', 'reject', 'transfer']);
      expect(fields(view.card)).toMatchObject({ 订单号: 'SO-20260224-0001', 销售: '张三', 要求交期: '3月5日' });
      // Each card went out under its own task_id: the card's id.
      expect(rows.map((r) => r.id)).toContain(view.taskId);
    }
    expect(new Set(Object.values(leadCards).map((v) => v.taskId)).size).toBe(4);
    expect(fake.cardsOf('ZhaoZong')).toEqual([]);

    for (const userid of ['WangGong', 'ChenJie', 'ZhouShiFu'])
      await fake.tap(userid, leadCards[userid]!.taskId, 'approve');
    const confirmed = await w.waitFor(
      () => groupTexts().find((t) => t.includes('已确认')),
      'the confirmation in the group',
    );
    expect(confirmed).toContain('承诺交期：3月5日');
    await w.app.settle();
    // The order's card went in as a template card through the @-mention's reply window. Later news comes
    // through the webhook robot, and the card's state after the confirmation (an update answering no tap)
    // as markdown with the ETD and the latency.
    expect(fake.chat(EAST.chatId).map((m) => [m.via, m.msgtype])).toEqual([
      ['webhook', 'markdown'],
      ['response_url', 'template_card'],
      ['webhook', 'markdown'],
      ['webhook', 'markdown'],
    ]);
    expect(fake.groupCard('etd-SO-20260224-0001')).toMatchObject({ updates: 0 });
    const cardPosts = groupTexts().flatMap((m, i) => (m.includes('交期跟踪 · SO-20260224-0001') ? [i] : []));
    expect(cardPosts).toHaveLength(1);
    expect(groupTexts()[cardPosts[0]!]).toContain('客户时延');
    expect(cardPosts[0]).toBeGreaterThan(groupTexts().findIndex((m) => m.includes('已确认')));

    const after = Object.fromEntries(LEADS.map((u) => [u, fake.cardsOf(u)]));
    expect(after.WangGong).toHaveLength(1);
    expect(after.WangGong![0]).toMatchObject({ greyed: '已同意 · 王工 10:00', updates: 1 });
    expect(after.LiuGong![0]).toMatchObject({ greyed: '已同意 · 王工 10:00', updates: 1 });
    expect(after.ChenJie![0]).toMatchObject({ greyed: '已同意 · 陈姐 10:00', updates: 1 });
    // Decided cards take the documented button update: the buttons greyed, showing the outcome.
    const updates = fake.calls('message/update_template_card');
    expect(updates).toHaveLength(4);
    for (const call of updates) {
      expect(call.body).toMatchObject({
        atall: 1,
        agentid: fake.secrets.agentId,
        button: { replace_name: /^已同意 · / },
      });
      expect(call.body).not.toHaveProperty('template_card');
      expect(call.reply).toMatchObject({ errcode: 0 });
    }
    const [order] = await w.db.select().from(orders);
    expect(order).toMatchObject({
      status: 'confirmed',
      conversationId: 'sales-east',
      requesterId: 'zhangsan',
      platform: 'wecom',
    });
  });

  it('takes the same request written to the app in a 1:1 chat, and answers there', async () => {
    w = await WecomWorld.start(backend, database());
    const { fake } = w;
    await fake.sendAppText('LiSi', 'BRK-2026-02 ×10 3月9日前');
    const reply = await w.waitFor(() => fake.textsOf('LiSi').find((t) => t.includes('SO-')), 'the answer to LiSi');
    expect(reply).toContain('BRK-2026-02 × 10');
    const leadCards = await w.leadCards();
    for (const userid of ['WangGong', 'ChenJie', 'ZhouShiFu'])
      await fake.tap(userid, leadCards[userid]!.taskId, 'approve');
    await w.waitFor(() => fake.textsOf('LiSi').find((t) => t.includes('已确认')), 'the confirmation to LiSi');
    const [order] = await w.db.select().from(orders);
    expect(order).toMatchObject({ conversationId: 'dm:lisi', requesterName: '李四', status: 'confirmed' });
    expect(fake.chat(EAST.chatId)).toEqual([]);
  });

  it('without the AI bot set up, answers through the app and spends no reply window left from when it was', async () => {
    w = await WecomWorld.start(backend, database(), {
      env: { WECOM_AIBOT_TOKEN: '', WECOM_AIBOT_ENCODING_AES_KEY: '' },
    });
    const { fake } = w;
    const now = w.clock.now();
    await w.db.insert(replyWindows).values({
      platform: 'wecom',
      conversationId: 'dm:lisi',
      url: fake.groups.mintResponseUrl(fake.url, 'LiSi'),
      usesLeft: 1,
      expiresAt: new Date(now.getTime() + 30 * 60_000),
      createdAt: now,
    });
    await fake.sendAppText('LiSi', 'BRK-2026-02 ×10 3月9日前');
    const reply = await w.waitFor(() => fake.textsOf('LiSi').find((t) => t.includes('SO-')), 'the answer to LiSi');
    expect(reply).toContain('BRK-2026-02 × 10');
    await w.app.settle();
    const [window] = await w.db.select().from(replyWindows).where(eq(replyWindows.conversationId, 'dm:lisi'));
    expect(window?.usesLeft).toBe(1);
  });

  it('creates one order when WeCom delivers the same callback four times, in turn or at once', async () => {
    w = await WecomWorld.start(backend, database());
    const { fake } = w;
    const { delivery } = await fake.mentionAibot({
      chatId: EAST.chatId,
      fromUser: 'ZhangSan',
      text: REQUEST,
      attempts: 4,
    });
    expect(delivery.attempts.map((a) => a.status)).toEqual([200, 200, 200, 200]);
    const app = await fake.sendAppText('LiSi', 'BRK-2026-03 ×20 3月20日前', {
      msgId: '7340032000000000001',
      attempts: 4,
    });
    expect(app.attempts.map((a) => a.status)).toEqual([200, 200, 200, 200]);
    const prepared = fake.callbacks.prepare(
      'aibot',
      JSON.stringify({
        msgid: 'same-at-once',
        chatid: EAST.chatId,
        chattype: 'group',
        from: { userid: 'LiSi' },
        msgtype: 'text',
        text: { content: '@订单助手 BRK-2026-04 ×3 3月30日前' },
      }),
    );
    const together = await Promise.all([1, 2, 3, 4].map(() => fake.callbacks.post(prepared)));
    expect(together.map((a) => a.status)).toEqual([200, 200, 200, 200]);
    await w.app.settle();
    expect(await w.count('inbound_messages')).toBe(3);
    expect(await w.count('orders')).toBe(3);
    expect(LEADS.map((u) => fake.cardsOf(u).length)).toEqual([3, 3, 3, 3]);
    // Both answers went through the webhook robot (the reply windows carry the orders' cards), so they
    // may arrive as one message: each is counted where it shows.
    expect(groupTexts().join('\n').split('已创建需求单').length - 1).toBe(2);
    expect(fake.textsOf('LiSi').filter((t) => t.includes('已创建需求单'))).toHaveLength(1);
  });

  it('gives one decision when two tech leads tap at once; both cards show it and the other lead is told who decided', async () => {
    w = await WecomWorld.start(backend, database());
    const { fake } = w;
    await fake.mentionAibot({ chatId: EAST.chatId, fromUser: 'ZhangSan', text: REQUEST });
    const leadCards = await w.leadCards();
    const taps = await Promise.all([
      fake.tap('WangGong', leadCards.WangGong!.taskId, 'approve'),
      fake.tap('LiuGong', leadCards.LiuGong!.taskId, 'approve'),
    ]);
    expect(taps.map((t) => t.acked)).toEqual([true, true]);
    await w.app.settle();
    const approvals = await w.db.select().from(orderEvents).where(eq(orderEvents.type, 'task-approved'));
    expect(approvals).toHaveLength(1);
    const winner =
      approvals[0]!.actorId === 'wanggong' ? { id: 'WangGong', name: '王工' } : { id: 'LiuGong', name: '刘工' };
    const loser = winner.id === 'WangGong' ? 'LiuGong' : 'WangGong';
    expect(fake.textsOf(loser).join('\n')).toContain(`已由 ${winner.name}`);
    expect(fake.textsOf(winner.id)).toEqual([]);
    // The loser's card shows the decision too: once from the decision, once more answering the late tap.
    for (const [userid, updates] of [
      [winner.id, 1],
      [loser, 2],
    ] as const) {
      expect(fake.cardsOf(userid)).toHaveLength(1);
      expect(fake.cardsOf(userid)[0]).toMatchObject({ greyed: `已同意 · ${winner.name} 10:00`, updates });
    }
    const [task] = await w.db.select().from(approvalTasks).where(eq(approvalTasks.department, 'tech'));
    expect(task).toMatchObject({ status: 'approved', version: 2 });
  });

  it("takes the reject reason from the card's dropdown, closes the other cards and tells the group why", async () => {
    w = await WecomWorld.start(backend, database());
    const { fake } = w;
    await fake.mentionAibot({ chatId: EAST.chatId, fromUser: 'ZhangSan', text: REQUEST });
    const leadCards = await w.leadCards();
    const chenjie = leadCards.ChenJie!;
    expect(chenjie.card.button_selection).toMatchObject({ question_key: 'reject_reason', title: '驳回原因' });

    await fake.tap('ChenJie', chenjie.taskId, 'reject');
    expect(await w.waitFor(() => fake.textsOf('ChenJie')[0], 'the question')).toContain('需要填写原因');
    await w.app.settle();
    expect(fake.cardsOf('ChenJie')[0]!.greyed).toBeUndefined();

    w.clock.advance(1000);
    await fake.tap('ChenJie', chenjie.taskId, 'reject', { reason: 'material' });
    const rejected = await w.waitFor(
      () =>
        fake
          .chat(EAST.chatId)
          .map((m) => m.content)
          .find((t) => t.includes('驳回')),
      'the rejection',
    );
    expect(rejected).toContain('被采购部 陈姐 驳回');
    expect(rejected).toContain('原因：原材料短缺');
    await w.app.settle();
    expect(fake.cardsOf('ChenJie')[0]!.greyed).toBe('已驳回 · 陈姐 10:00：原材料短缺');
    for (const userid of ['WangGong', 'LiuGong', 'ZhouShiFu']) {
      expect(fake.cardsOf(userid)[0]!.greyed).toBe('订单已被采购部 陈姐驳回，无需处理');
    }
    // A greyed card cannot be tapped any more.
    await expect(fake.tap('ZhouShiFu', leadCards.ZhouShiFu!.taskId, 'approve')).rejects.toThrow(/greyed out/);
    const [order] = await w.db.select().from(orders);
    expect(order!.status).toBe('rejected');
    const keys = (await w.db.select({ id: inboundMessages.externalId }).from(inboundMessages)).map((r) => r.id);
    expect(keys.filter((k) => k.startsWith('click:ChenJie:'))).toHaveLength(2);
  });

  it("refuses the demo config's board password once a real chat platform runs", async () => {
    w = await WecomWorld.start(backend, database());
    const login = await fetch(`${w.app.url}/board/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ username: 'ops', password: 'orderbot' }),
    });
    expect(login.status).toBe(403);
    expect(login.headers.get('set-cookie')).toBeNull();
    expect(await login.text()).toContain('演示密码只能在本地演练场使用');
  });
});
