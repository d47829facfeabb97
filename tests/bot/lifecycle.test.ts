import { eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { customers, orderEvents, orders, outbox } from '../../db/schema';
import { TestApp, type PlaygroundCard } from '../support/app';
import { confirmedOrder, etdCard, travelTo } from '../support/lifecycle';
import { backends, useTestDatabase } from '../support/databases';

const NUMBER = 'SO-20260224-0001';
const ETD_CARD = `etd-${NUMBER}`;
const field = (card: PlaygroundCard | undefined, label: string) => card?.fields.find((f) => f.label === label)?.value;

describe.each(backends)('order lifecycle on %s', (backend) => {
  const database = useTestDatabase(backend);
  const apps: TestApp[] = [];
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((a) => a.close()));
  });
  const start = async (options: Parameters<typeof TestApp.start>[1] = {}) => {
    const app = await TestApp.start(backend, { database: database(), fresh: true, ...options });
    apps.push(app);
    return app;
  };

  it('takes an order from confirmation to delivery: stage cards, chat commands, one ETD card, a delay SMS, the status answer', async () => {
    const t = await start();
    const productionCard = await confirmedOrder(t);
    let state = await t.state();
    expect(etdCard(state)).toMatchObject({ title: `交期跟踪 · ${NUMBER}`, subtitle: '大陆集团' });
    expect(field(etdCard(state), '预计签收')).toBe('2月28日14:30前签收');
    expect(field(etdCard(state), '承诺交期')).toBe('3月3日 18:00前');
    expect(productionCard.buttons).toEqual([{ key: 'done:in_production', label: '开始生产', style: 'primary' }]);

    expect((await t.tap(productionCard.id, 'lisi', 'done:in_production')).status).toBe(202);
    await t.settle();
    expect((await t.state()).conversations['dm:lisi']?.at(-1)?.text).toBe(
      '“生产中”由生产部（周师傅）标记，SO-20260224-0001 未改动。',
    );
    await t.tap(productionCard.id, 'zhoushifu', 'done:in_production');
    state = await t.waitFor(
      (s) =>
        s.inbox.zhenggong?.[0] &&
        s.inbox.zhoushifu?.find((c) => c.id === productionCard.id)?.resolved &&
        field(etdCard(s), '当前阶段')?.startsWith('生产中') &&
        s,
      'the QC card and the production card marked done',
    );
    expect(state.inbox.zhoushifu!.find((c) => c.id === productionCard.id)!.resolved?.text).toBe(
      '生产中 · 周师傅 10:00',
    );
    expect(field(etdCard(state), '当前阶段')).toBe('生产中（2月24日 10:00）');

    await t.say(`${NUMBER} 质检通过`, { senderId: 'zhenggong' });
    state = await t.waitFor(
      (s) =>
        s.inbox.wushifu?.[0] && s.inbox.zhenggong?.[0]?.resolved && t.botMessages(s).at(-1)?.includes('质检通过') && s,
      'the packing card, the QC card marked done and the answer',
    );
    expect(t.botMessages(state).at(-1)).toBe(`已记录：${NUMBER} 质检通过，交期卡片已更新。`);
    expect(state.inbox.zhenggong![0]!.resolved?.text).toBe('质检通过 · 郑工 10:00');
    expect(field(etdCard(state), '预计签收')).toBe('2月26日16:00前签收');

    // Nobody packs for a week: the ETD slips past the promise by more than 4 hours.
    await travelTo(t, '2026-03-02T09:00:00');
    state = await t.waitFor((s) => s.sms.length > 0 && s, 'the delay SMS');
    const alert = t.botMessages(state).find((m) => m.startsWith('⚠️'));
    expect(alert).toBe(
      `⚠️ ${NUMBER} 交期延误：预计3月4日11:00前签收，承诺3月3日 18:00前，晚17小时。原因：包装完成晚于计划。\n已短信通知刘经理（138****8001）。`,
    );
    expect(state.sms).toEqual([
      expect.objectContaining({
        phone: '13800138001',
        text: `【华东精密制造有限公司】您的订单${NUMBER}预计3月4日11:00前签收，晚于约定时间，原因：包装完成晚于计划。给您带来不便，敬请谅解。`,
      }),
    ]);
    expect(etdCard(state)!.fields.find((f) => f.label === '预计签收')).toMatchObject({
      value: '3月4日11:00前签收',
      tone: 'red',
    });

    await t.say(`${NUMBER} 包装完成`, { senderId: 'wushifu' });
    await t.settle();
    await t.say(`${NUMBER} 已发货 顺丰 SF1234567890`, { senderId: 'wushifu' });
    state = await t.waitFor(
      (s) =>
        field(etdCard(s), '物流')?.includes('SF1234567890') && t.botMessages(s).at(-1)?.includes('已发货')
          ? s
          : undefined,
      'the waybill on the card',
    );
    expect(t.botMessages(state).at(-1)).toBe(`已记录：${NUMBER} 已发货（SF1234567890），交期卡片已更新。`);
    expect(field(etdCard(state), '物流')).toBe('顺丰速运 SF1234567890');

    await t.say(`${NUMBER} 到哪了`, { senderId: 'lisi' });
    state = await t.waitFor(
      (s) => (t.botMessages(s).at(-1)?.startsWith(`${NUMBER}：已发货`) ? s : undefined),
      'the status answer',
    );
    expect(t.botMessages(state).at(-1)).toBe(
      `${NUMBER}：已发货，运单 SF1234567890，预计3月4日09:00前签收（承诺 3月3日）。\n等待：客户签收，已等 0m`,
    );

    await t.say(`${NUMBER} 已签收`);
    state = await t.waitFor((s) => (t.botMessages(s).at(-1)?.startsWith('✅') ? s : undefined), 'the delivery notice');
    expect(t.botMessages(state).at(-1)).toBe(`✅ ${NUMBER} 已签收（张三 09:00），订单完成。`);
    expect(etdCard(state)!.resolved).toEqual({ status: 'approved', text: '已签收，订单完成' });
    const [order] = await t.db.select().from(orders);
    expect(order).toMatchObject({ status: 'delivered', stage: 'delivered' });
    expect(state.sms).toHaveLength(1);
    // One ETD card in the chat, updated in place.
    expect(state.conversations['sales-east']!.filter((m) => m.card?.id === ETD_CARD)).toHaveLength(1);
  });

  it('sends one SMS per slip: again only when the ETD slips by another 4 hours', async () => {
    const t = await start();
    await confirmedOrder(t);
    await travelTo(t, '2026-03-02T09:00:00');
    await t.waitFor((s) => s.sms.length === 1, 'the first SMS');
    await travelTo(t, '2026-03-02T11:00:00');
    await t.app.scheduler.tick();
    await t.settle();
    expect((await t.state()).sms).toHaveLength(1);
    await travelTo(t, '2026-03-02T15:00:00');
    const state = await t.waitFor((s) => s.sms.length === 2 && s, 'the second SMS');
    expect(t.botMessages(state).filter((m) => m.startsWith('⚠️'))).toHaveLength(2);
    expect(await t.db.select().from(orderEvents).where(eq(orderEvents.type, 'delay-alert'))).toHaveLength(2);
  });

  it('holds the SMS during quiet hours and sends it at 08:00; the chat hears at once', async () => {
    const t = await start();
    await confirmedOrder(t);
    await travelTo(t, '2026-03-01T22:00:00');
    let state = await t.waitFor(
      (s) => (t.botMessages(s).some((m) => m.startsWith('⚠️')) ? s : undefined),
      'the chat alert',
    );
    expect(t.botMessages(state).find((m) => m.startsWith('⚠️'))).toContain(
      '短信将于3月2日08:00发给刘经理（138****8001）（夜间不发短信）。',
    );
    expect(state.sms).toHaveLength(0);
    await travelTo(t, '2026-03-02T07:59:00');
    expect((await t.state()).sms).toHaveLength(0);
    await travelTo(t, '2026-03-02T08:00:00');
    state = await t.waitFor((s) => s.sms.length === 1 && s, 'the morning SMS');
    expect(state.sms).toHaveLength(1);
  });

  it('tells the chat, and sends no SMS, when the customer has no phone number', async () => {
    const t = await start();
    await t.db.update(customers).set({ contactPhone: null }).where(eq(customers.name, '大陆集团'));
    await confirmedOrder(t);
    await travelTo(t, '2026-03-02T09:00:00');
    const state = await t.waitFor(
      (s) => (t.botMessages(s).some((m) => m.startsWith('⚠️')) ? s : undefined),
      'the chat alert',
    );
    expect(t.botMessages(state).find((m) => m.startsWith('⚠️'))).toContain(
      '客户没有登记手机号，未发短信，请张三直接联系刘经理。',
    );
    expect(await t.db.select().from(outbox).where(eq(outbox.kind, 'sms'))).toHaveLength(0);
  });

  it('answers status questions in English with the stage, ETD and whom it waits on', async () => {
    const t = await start();
    await confirmedOrder(t, 'customer Continental needs BRK-2026-06 samples x20 by 3/3');
    t.clock.advance(90 * 60_000);
    await t.say(`where is ${NUMBER}?`, { senderId: 'lisi' });
    const state = await t.waitFor(
      (s) => (t.botMessages(s).at(-1)?.startsWith(`${NUMBER}:`) ? s : undefined),
      'the answer',
    );
    expect(t.botMessages(state).at(-1)).toBe(
      `${NUMBER}: confirmed; signed for by Feb 28, 14:30 (promised Mar 3).\nWaiting on: Production (周师傅), start production, for 1h30m`,
    );
    expect(field(etdCard(state), 'ETD')).toBe('signed for by Feb 28, 14:30');
  });

  it('refuses stage reports from people who do not own the stage, and double reports change nothing', async () => {
    const t = await start();
    const card = await confirmedOrder(t);
    await t.say(`${NUMBER} 已发货`, { senderId: 'zhenggong' });
    let state = await t.waitFor((s) => (t.botMessages(s).at(-1)?.includes('未改动') ? s : undefined), 'the refusal');
    expect(t.botMessages(state).at(-1)).toBe('“已发货”由仓储物流部（吴师傅）标记，SO-20260224-0001 未改动。');
    await t.tap(card.id, 'zhoushifu', 'done:in_production');
    await t.tap(card.id, 'zhoushifu', 'done:in_production');
    await t.say(`${NUMBER} 开始生产`, { senderId: 'zhoushifu' });
    state = await t.waitFor(
      (s) => (t.botMessages(s).at(-1)?.includes('无需再标记') ? s : undefined),
      'the answer to the double report',
    );
    expect(t.botMessages(state).at(-1)).toBe(`${NUMBER} 已经是“生产中”（周师傅 10:00），无需再标记“生产中”。`);
    expect(await t.db.select().from(orderEvents).where(eq(orderEvents.type, 'stage-completed'))).toHaveLength(1);
    expect(state.inbox.zhenggong).toHaveLength(1);
  });

  it('ships a stock order without production or QC stages', async () => {
    const t = await start();
    await t.say('客户：博世 需要BRK-2026-01样品5件，3月5日前到');
    const s = await t.waitFor(
      (s) => (['wanggong', 'chenjie', 'zhoushifu'].every((who) => s.inbox[who]?.length) ? s : undefined),
      'the approval cards',
    );
    for (const who of ['wanggong', 'chenjie', 'zhoushifu']) await t.tap(s.inbox[who]![0]!.id, who, 'approve');
    const state = await t.waitFor(
      (s) => (s.inbox.wushifu?.[0] && field(etdCard(s), '预计签收') ? s : undefined),
      'the packing card',
    );
    expect(state.inbox.zhenggong).toBeUndefined();
    expect(state.inbox.wushifu![0]!.title).toBe(`包装完成 · ${NUMBER}`);
    expect(etdCard(state)!.notes).toEqual([
      '包装完成（仓储物流部） 预计2月24日 14:00',
      '已发货（仓储物流部） 预计2月24日 16:00',
    ]);
    await t.say(`${NUMBER} 质检通过`, { senderId: 'zhenggong' });
    await t.waitFor((s) => t.botMessages(s).at(-1)?.includes('从库存发货'), 'the answer');
  });
});
