import { count, eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadBusinessConfig } from '../../config/business-config';
import { approvalTasks, inboundMessages, orderEvents, orderItems, orders, outbox } from '../../db/schema';
import { TestApp, type PlaygroundCard, type PlaygroundState } from '../support/app';
import { backends, useTestDatabase } from '../support/databases';

const APPROVERS = ['wanggong', 'liugong', 'chenjie', 'zhoushifu'];
const firstCard = (state: PlaygroundState, userId: string): PlaygroundCard | undefined => state.inbox[userId]?.[0];

describe.each(backends)('playground intake and approval on %s', (backend) => {
  const database = useTestDatabase(backend);
  let t: TestApp;
  beforeEach(async () => {
    t = await TestApp.start(backend, { database: database(), fresh: true });
  });
  afterEach(async () => {
    await t.close();
  });

  async function createOrder(text = '需要BRK-2026-01样品5件,3月5日前到') {
    await t.say(text);
    return t.waitFor((s) => APPROVERS.every((id) => firstCard(s, id)) && s, 'four approval cards');
  }

  it('turns a Chinese request into an order, cards for every lead, and a confirmation once all approve', async () => {
    await t.say('需要BRK-2026-01样品5件,3月5日前到');
    const reply = await t.waitFor(
      (s) => t.botMessages(s).find((m) => m.includes('SO-20260224-0001')),
      'the order reply',
    );
    expect(reply).toContain('BRK-2026-01 × 5件（样品）');
    expect(reply).toContain('3月5日');
    expect(reply).toContain('待审批');

    const state = await t.waitFor((s) => APPROVERS.every((id) => firstCard(s, id)) && s, 'cards');
    for (const id of APPROVERS) {
      const card = firstCard(state, id)!;
      expect(card.buttons.map((b) => b.key)).toEqual(['approve', 'reject', 'transfer']);
      expect(card.fields).toContainEqual({ key: 'order', label: '订单号', value: 'SO-20260224-0001' });
    }
    expect(firstCard(state, 'zhaozong')).toBeUndefined();

    for (const id of ['wanggong', 'chenjie', 'zhoushifu']) {
      expect((await t.tap(firstCard(state, id)!.id, id, 'approve')).status).toBe(202);
    }
    const done = await t.waitFor((s) => t.botMessages(s).some((m) => m.includes('已确认')) && s, 'the confirmation');
    expect(t.botMessages(done).find((m) => m.includes('已确认'))).toContain('承诺交期：3月5日');
    await t.settle();
    const final = await t.state();
    expect(firstCard(final, 'wanggong')!.resolved).toEqual({ status: 'approved', text: '已同意 · 王工 10:00' });
    expect(firstCard(final, 'wanggong')!.buttons).toEqual([]);
    // The second tech lead's card shows the same decision.
    expect(firstCard(final, 'liugong')!.resolved?.text).toBe('已同意 · 王工 10:00');

    const [order] = await t.db.select().from(orders);
    expect(order).toMatchObject({
      number: 'SO-20260224-0001',
      status: 'confirmed',
      requestedDate: '2026-03-05',
      promisedDate: '2026-03-05',
      kind: 'sample',
    });
    const items = await t.db.select().from(orderItems);
    expect(items).toMatchObject([{ materialCode: 'BRK-2026-01', quantity: 5, unit: '件', kind: 'sample' }]);
    const events = await t.db.select({ type: orderEvents.type }).from(orderEvents).orderBy(orderEvents.id);
    expect(events.map((e) => e.type)).toEqual([
      'created',
      'promise-checked',
      'task-approved',
      'task-approved',
      'task-approved',
      'confirmed',
      'etd-changed',
    ]);
  });

  it('answers an English request in English', async () => {
    await t.say('BRK-2026-01 samples ×5 by 3/5');
    const reply = await t.waitFor((s) => t.botMessages(s)[0], 'the reply');
    expect(reply).toContain('Requirement order **SO-20260224-0001** created');
    expect(reply).toContain('Mar 5');
    expect(reply).toContain('BRK-2026-01 × 5 pcs (sample)');
    expect(reply).toContain('awaiting approval (Engineering, Purchasing, Production)');
  });

  it('creates one order when the same message id arrives twice', async () => {
    const first = await t.say('BRK-2026-02 ×10 3月9日前', { messageId: 'msg-42' });
    const second = await t.say('BRK-2026-02 ×10 3月9日前', { messageId: 'msg-42' });
    expect(first.duplicate).toBe(false);
    expect(second.duplicate).toBe(true);
    await t.waitFor((s) => t.botMessages(s).length > 0, 'the reply');
    await t.settle();
    expect((await t.db.select({ n: count() }).from(orders))[0]!.n).toBe(1);
    expect(t.botMessages(await t.state())).toHaveLength(1);
  });

  it('numbers concurrent orders uniquely per China day, starting again at 0001 the next day', async () => {
    await Promise.all(Array.from({ length: 12 }, (_, i) => t.say(`BRK-2026-0${(i % 9) + 1} ×${i + 1} 3月20日前`)));
    await t.settle();
    const numbers = (await t.db.select({ number: orders.number }).from(orders)).map((o) => o.number).sort();
    expect(numbers).toEqual(Array.from({ length: 12 }, (_, i) => `SO-20260224-${String(i + 1).padStart(4, '0')}`));
    t.clock.set('2026-02-25T00:01:00+08:00');
    await t.say('BRK-2026-01 ×3 3月20日前');
    await t.settle();
    expect(
      (await t.db.select({ number: orders.number }).from(orders).where(eq(orders.requestedDate, '2026-03-20'))).map(
        (o) => o.number,
      ),
    ).toContain('SO-20260225-0001');
  });

  it('gives one transition when two leads of a department tap at once, and tells the other who decided', async () => {
    const state = await createOrder();
    const [a, b] = await Promise.all([
      t.tap(firstCard(state, 'wanggong')!.id, 'wanggong', 'approve'),
      t.tap(firstCard(state, 'liugong')!.id, 'liugong', 'approve'),
    ]);
    expect([a.status, b.status]).toEqual([202, 202]);
    await t.settle();
    const approvals = await t.db.select().from(orderEvents).where(eq(orderEvents.type, 'task-approved'));
    expect(approvals).toHaveLength(1);
    const winner = approvals[0]!.actorId!;
    const loser = winner === 'wanggong' ? 'liugong' : 'wanggong';
    const notice = (await t.state()).conversations[`dm:${loser}`]?.map((m) => m.text).join('\n');
    expect(notice).toContain(`已由 ${winner === 'wanggong' ? '王工' : '刘工'}`);
    const [task] = await t.db.select().from(approvalTasks).where(eq(approvalTasks.department, 'tech'));
    expect(task).toMatchObject({ status: 'approved', decidedBy: winner, version: 2 });
  });

  it('refuses a tap by someone who is not the assignee and changes nothing', async () => {
    const state = await createOrder();
    const before = await t.db.select().from(approvalTasks).orderBy(approvalTasks.id);
    await t.tap(firstCard(state, 'wanggong')!.id, 'chenjie', 'approve');
    const notice = await t.waitFor((s) => s.conversations['dm:chenjie']?.[0]?.text, 'the refusal');
    expect(notice).toContain('不是技术部这张审批卡的处理人');
    await t.settle();
    expect(await t.db.select().from(approvalTasks).orderBy(approvalTasks.id)).toEqual(before);
    expect(firstCard(await t.state(), 'wanggong')!.resolved).toBeUndefined();
    expect(await t.db.select().from(orderEvents).where(eq(orderEvents.type, 'task-approved'))).toHaveLength(0);
  });

  it('asks for a reason on reject, then rejects the order, closes the other cards and tells the sales chat', async () => {
    const state = await createOrder();
    const card = firstCard(state, 'chenjie')!;
    await t.tap(card.id, 'chenjie', 'reject');
    expect(await t.waitFor((s) => s.conversations['dm:chenjie']?.[0]?.text, 'the question')).toContain('需要填写原因');
    await t.tap(card.id, 'chenjie', 'reject', '原材料缺货，最早3月20日');
    const text = await t.waitFor((s) => t.botMessages(s).find((m) => m.includes('驳回')), 'the rejection');
    expect(text).toContain('原因：原材料缺货，最早3月20日');
    expect(text).toContain('采购部 陈姐');
    await t.settle();
    const final = await t.state();
    expect(firstCard(final, 'chenjie')!.resolved).toMatchObject({ status: 'rejected' });
    expect(firstCard(final, 'wanggong')!.resolved).toMatchObject({ status: 'cancelled' });
    expect(firstCard(final, 'wanggong')!.buttons).toEqual([]);
    const [order] = await t.db.select().from(orders);
    expect(order!.status).toBe('rejected');
    const tasks = await t.db.select().from(approvalTasks);
    expect(tasks.map((x) => x.status).sort()).toEqual(['cancelled', 'cancelled', 'rejected']);
    // A late tap on a closed card is told who decided, not acted on.
    await t.tap(firstCard(final, 'zhoushifu')!.id, 'zhoushifu', 'approve');
    expect(await t.waitFor((s) => s.conversations['dm:zhoushifu']?.[0]?.text, 'the late-tap notice')).toContain(
      '无需再处理',
    );
  });

  it("asks for what is missing and completes the draft from the same sender's next message", async () => {
    await t.say('BRK-2026-03 10件');
    expect(await t.waitFor((s) => t.botMessages(s)[0], 'the question')).toContain('还缺：交期');
    await t.say('3月20日前', { senderId: 'lisi' });
    await t.settle();
    expect(await t.db.select().from(orders)).toHaveLength(0);
    await t.say('3月20日前');
    const reply = await t.waitFor((s) => t.botMessages(s).find((m) => m.includes('SO-')), 'the order');
    expect(reply).toContain('3月20日');
    const [order] = await t.db.select().from(orders);
    expect(order).toMatchObject({ requestedDate: '2026-03-20', requesterId: 'zhangsan' });
    expect(order!.sourceText).toBe('BRK-2026-03 10件\n3月20日前');
  });

  it('lets a draft expire after 30 minutes', async () => {
    await t.say('BRK-2026-03 10件');
    await t.waitFor((s) => t.botMessages(s)[0], 'the question');
    t.clock.advance(31 * 60_000);
    await t.say('3月20日前');
    await t.settle();
    expect(await t.db.select().from(orders)).toHaveLength(0);
  });

  it('suggests the closest known code for an unknown one and creates nothing', async () => {
    await t.say('BRK-2026-1 5件 月底前');
    const reply = await t.waitFor((s) => t.botMessages(s)[0], 'the reply');
    expect(reply).toContain('BRK-2026-1 不在物料主数据中');
    expect(reply).toContain('BRK-2026-01');
    expect(await t.db.select().from(orders)).toHaveLength(0);
  });

  it('flags a spec outside the qualified range and shows the last three inspection reports on the tech card', async () => {
    await t.say('BRK-2026-01 ×5 Ra≤0.4μm 3月5日前');
    const reply = await t.waitFor((s) => t.botMessages(s)[0], 'the reply');
    expect(reply).toContain('超出历史合格范围');
    const state = await t.waitFor((s) => APPROVERS.every((id) => firstCard(s, id)) && s, 'cards');
    const tech = firstCard(state, 'wanggong')!;
    expect(tech.fields.find((f) => f.label === '技术要求')).toMatchObject({ tone: 'red' });
    expect(tech.notes!.filter((n) => n.startsWith('检验报告'))).toHaveLength(3);
    expect(firstCard(state, 'chenjie')!.notes!.filter((n) => n.startsWith('检验报告'))).toHaveLength(0);
  });

  it('answers a status question in the chat', async () => {
    await createOrder();
    await t.say('SO-20260224-0001 到哪了？');
    const reply = await t.waitFor((s) => t.botMessages(s).find((m) => m.startsWith('SO-20260224-0001')), 'the answer');
    expect(reply).toContain('待审批');
    expect(reply).toContain('技术部（王工/刘工');
  });

  it('stays quiet on chit-chat and price questions, and answers help when addressed', async () => {
    await t.say('大家好');
    await t.say('BRK-2026-01 多少钱？');
    await t.settle();
    expect(t.botMessages(await t.state())).toEqual([]);
    await t.say('@订单助手 你好');
    expect(await t.waitFor((s) => t.botMessages(s)[0], 'help')).toContain('发需求给我');
    expect(await t.db.select().from(orders)).toHaveLength(0);
  });

  it("sends a department's card to its approvers' group when configured, where only its leads may decide", async () => {
    await t.close();
    const config = loadBusinessConfig();
    config.conversations.push({ id: 'approvals', name: '审批群' });
    config.departments.find((d) => d.key === 'production')!.approvalGroup = 'approvals';
    t = await TestApp.start(backend, { database: database(), fresh: true, config });
    await t.say('需要BRK-2026-01样品5件,3月5日前到');
    const state = await t.waitFor((s) => s.conversations.approvals?.[0]?.card && s, 'the group card');
    const card = state.conversations.approvals![0]!.card!;
    expect(card.title).toBe('需求单审批 · 生产部');
    expect(state.inbox.zhoushifu).toBeUndefined();
    await t.tap(card.id, 'lisi', 'approve');
    expect(await t.waitFor((s) => s.conversations['dm:lisi']?.[0]?.text, 'the refusal')).toContain(
      '不是生产部这张审批卡的处理人',
    );
    await t.tap(card.id, 'zhoushifu', 'approve');
    const resolved = await t.waitFor((s) => s.conversations.approvals![0]!.card!.resolved, 'the decision');
    expect(resolved).toEqual({ status: 'approved', text: '已同意 · 周师傅 10:00' });
  });

  it('refuses bad requests with a clear 400 and stores nothing', async () => {
    const malformed = await t.request(
      'POST',
      '/api/playground/messages',
      undefined,
      '{"conversationId": "sales-east",',
    );
    expect(malformed).toMatchObject({ status: 400, json: { error: 'malformed JSON body' } });
    const missing = await t.request('POST', '/api/playground/messages', { conversationId: 'sales-east', text: 'hi' });
    expect(missing.status).toBe(400);
    expect(missing.json.error).toMatch(/^senderId: /);
    const unknownSender = await t.request('POST', '/api/playground/messages', {
      conversationId: 'sales-east',
      senderId: 'nobody',
      text: 'hi',
    });
    expect(unknownSender).toMatchObject({ status: 400, json: { error: 'senderId: unknown person "nobody"' } });
    const noKey = await t.request('POST', '/api/playground/cards/c_x/actions', { userId: 'wanggong' });
    expect(noKey.status).toBe(400);
    expect(noKey.json.error).toMatch(/^key: /);
    const unknownCard = await t.request('POST', '/api/playground/cards/c_nope/actions', {
      userId: 'wanggong',
      key: 'approve',
    });
    expect(unknownCard).toMatchObject({ status: 404, json: { error: 'unknown card "c_nope"' } });
    expect((await t.db.select({ n: count() }).from(inboundMessages))[0]!.n).toBe(0);
    expect((await t.db.select({ n: count() }).from(outbox))[0]!.n).toBe(0);
  });

  it('reports its database on /healthz and serves the page', async () => {
    expect(await t.request('GET', '/healthz')).toMatchObject({ status: 200, json: { ok: true, database: backend } });
    const page = await fetch(`${t.url}/`);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(await page.text()).toContain('message-input');
  });
});

describe.each(backends)('a request handled on %s', (backend) => {
  it("sends a request's reply and cards from the process that handled it, without waiting for the outbox's poll", async () => {
    // A sender that polls once an hour: only the handler's own leased effects can go out within the test.
    const slow = await TestApp.start(backend, { outboxPollMs: 3_600_000 });
    try {
      await slow.say('需要BRK-2026-01样品5件,3月5日前到');
      await slow.waitFor(
        (s) => APPROVERS.every((id) => firstCard(s, id)) && slow.botMessages(s).length > 0,
        'reply and cards',
      );
      // Their sent marks follow the deliveries; a claim would count a second attempt.
      await slow.settle();
      const rows = await slow.db.select().from(outbox);
      expect(rows.length).toBeGreaterThanOrEqual(6);
      expect(rows.map((r) => [r.status, r.attempts])).toEqual(rows.map(() => ['sent', 1]));
    } finally {
      await slow.close();
    }
  });
});
