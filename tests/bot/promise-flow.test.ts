import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { readEnv } from '../../config/env';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { orderEvents, orders, reservations } from '../../db/schema';
import { TestApp, type PlaygroundState } from '../support/app';
import { TestClock } from '../support/clock';
import { backends, useTestDatabase } from '../support/databases';

const blockedCard = (s: PlaygroundState) =>
  s.conversations['sales-east']?.find((m) => m.card?.title === '交期不可行')?.card;

describe.each(backends)('delivery promises through the playground on %s', (backend) => {
  const database = useTestDatabase(backend);
  let t: TestApp;
  beforeEach(async () => {
    t = await TestApp.start(backend, { database: database(), fresh: true });
  });
  afterEach(async () => {
    await t.close();
  });

  it('blocks a date the plant cannot meet, says why, and creates the order at the earliest date on "offer"', async () => {
    await t.say('BRK-2026-01 ×500 3月5日前');
    const text = await t.waitFor((s) => t.botMessages(s).find((m) => m.includes('无法交付')), 'the refusal');
    // 300 in stock, so production on line A: mould M-3 back 3/2, line A 92% loaded until 3/6, then 60%.
    expect(text.split('\n')[0]).toBe(
      '⛔ 3月5日无法交付：最早3月19日 —— 模具M-3维修至3月2日；A线负荷92%至3月6日；A线3月2日起有空余产能，3月16日完工',
    );
    const card = (await t.waitFor(blockedCard, 'the card'))!;
    expect(card.buttons.map((b) => [b.key, b.label])).toEqual([
      ['escalate', '升级技术部加急'],
      ['offer', '按3月19日下单'],
      ['split', '拆分交付'],
    ]);
    expect(card.fields.find((f) => f.label === 'A线负荷')).toMatchObject({ tone: 'red' });
    expect(await t.db.select().from(orders)).toHaveLength(0);

    await t.tap(card.id, 'lisi', 'offer');
    expect(await t.waitFor((s) => s.conversations['dm:lisi']?.[0]?.text, 'the refusal')).toContain(
      '只有提出需求的张三可以选择',
    );
    await t.tap(card.id, 'zhangsan', 'offer');
    const reply = await t.waitFor((s) => t.botMessages(s).find((m) => m.includes('SO-20260224-0001')), 'the order');
    expect(reply).toContain('要求交期：3月19日');
    await t.settle();
    expect(blockedCard(await t.state())!.resolved).toEqual({
      status: 'approved',
      text: '已按最早交期下单 · SO-20260224-0001',
    });
    const [order] = await t.db.select().from(orders);
    expect(order).toMatchObject({ requestedDate: '2026-03-19', status: 'pending_approval' });
    const history = await t.db
      .select()
      .from(orderEvents)
      .where(eq(orderEvents.orderId, order!.id))
      .orderBy(orderEvents.id);
    expect(history.map((e) => e.type)).toEqual(['created', 'promise-checked', 'promise-blocked']);
    expect(history[2]!.data).toMatchObject({
      requested: '2026-03-05',
      earliest: '2026-03-19',
      explanation: expect.stringContaining('模具M-3维修至3月2日'),
    });
    const tech = (await t.state()).inbox.wanggong![0]!;
    expect(tech.fields.find((f) => f.label === '最早可交')?.value).toBe('3月19日');
    expect(tech.fields.find((f) => f.label === 'A线负荷')).toMatchObject({ value: '92%（至3月6日）', tone: 'red' });
  });

  it('escalates to tech; an approved expedite re-runs the check and creates the order at the requested date', async () => {
    await t.say('BRK-2026-01 ×500 3月8日前');
    const card = (await t.waitFor(blockedCard, 'the card'))!;
    await t.tap(card.id, 'zhangsan', 'escalate');
    const state = await t.waitFor((s) => s.inbox.wanggong?.[0] && s.inbox.liugong?.[0] && s, 'the expedite cards');
    const expedite = state.inbox.wanggong![0]!;
    expect(expedite.title).toBe('加急评估 · 技术部');
    expect(expedite.fields.filter((f) => f.label === '约束').map((f) => f.value)).toContain('模具M-3维修至3月2日');
    // The chat's notice is delivered on its own, maybe after the cards.
    await t.waitFor((s) => t.botMessages(s).some((m) => m.includes('已提交技术部（王工/刘工）评估加急')), 'the notice');
    // A stale copy of the card tapped again later (not a double tap, which is dropped as a duplicate).
    await t.tap(card.id, 'zhangsan', 'escalate', 'stale copy');
    expect(await t.waitFor((s) => s.conversations['dm:zhangsan']?.[0]?.text, 'the notice')).toContain(
      '已经提交过加急评估',
    );
    expect((await t.state()).inbox.wanggong).toHaveLength(1);

    await t.tap(expedite.id, 'chenjie', 'approve');
    expect(await t.waitFor((s) => s.conversations['dm:chenjie']?.[0]?.text, 'refusal')).toContain(
      '不是技术部的加急评估人',
    );
    await t.tap(expedite.id, 'wanggong', 'approve');
    // Expedited: line A at full capacity from 3/2 (mould) → done 3/4, packed 3/5, delivered 3/7.
    const reply = await t.waitFor((s) => t.botMessages(s).find((m) => m.includes('SO-20260224-0001')), 'the order');
    expect(reply).toContain('要求交期：3月8日（加急）');
    await t.settle();
    const final = await t.state();
    expect(final.inbox.liugong![0]!.resolved?.text).toBe('已同意加急 · 王工 10:00');
    expect(final.inbox.wanggong!.find((c) => c.title.startsWith('需求单审批'))).toBeDefined();
  });

  it('takes a typed answer where buttons cannot be tapped', async () => {
    await t.say('BRK-2026-01 ×500 3月5日前');
    await t.waitFor(blockedCard, 'the card');
    await t.say('按最早交期下单', { senderId: 'lisi' });
    await t.say('@订单助手 按最早交期下单');
    const reply = await t.waitFor((s) => t.botMessages(s).find((m) => m.includes('SO-20260224-0001')), 'the order');
    expect(reply).toContain('要求交期：3月19日');
    expect(await t.db.select().from(orders)).toHaveLength(1);
  });

  it('tells the sales chat when tech refuses the expedite', async () => {
    await t.say('BRK-2026-01 ×500 3月5日前');
    const card = (await t.waitFor(blockedCard, 'the card'))!;
    await t.tap(card.id, 'zhangsan', 'escalate');
    const expedite = (await t.waitFor((s) => s.inbox.liugong?.[0], 'the expedite card'))!;
    await t.tap(expedite.id, 'liugong', 'reject', '模具修不完');
    expect(await t.waitFor((s) => t.botMessages(s).find((m) => m.includes('不能加急')), 'the answer')).toContain(
      '刘工：不能加急（模具修不完）',
    );
    expect(await t.db.select().from(orders)).toHaveLength(0);
  });

  it('blocks production on a mould in repair with no end date, and says so', async () => {
    await t.say('#3模具 维修', { senderId: 'zhoushifu' });
    await t.waitFor((s) => t.botMessages(s).length > 0, 'the mould update');
    await t.say('BRK-2026-01 ×500 3月20日前');
    const text = await t.waitFor((s) => t.botMessages(s).find((m) => m.includes('无法交付')), 'the refusal');
    expect(text).toContain('模具M-3维修中，修好日期未定');
    expect(await t.db.select().from(orders)).toHaveLength(0);
  });

  it('reports a broken Excel export to the ops conversation once', async () => {
    await t.close();
    const dir = mkdtempSync(join(tmpdir(), 'bridge-'));
    try {
      writeFileSync(join(dir, '现存量.xlsx'), Buffer.from('not a workbook'));
      const clock = new TestClock(new Date(Date.now() + 60_000).toISOString());
      t = await TestApp.start(backend, {
        database: database(),
        fresh: true,
        clock,
        env: readEnv({ EXCEL_BRIDGE_DIR: dir }),
      });
      const text = await t.waitFor((s) => t.botMessages(s, 'ops')[0], 'the report');
      expect(text).toContain('Excel 导出文件 现存量.xlsx 无法导入，沿用之前的数据');
      clock.advance(16 * 60_000);
      await t.app.scheduler.tick();
      await t.settle();
      expect(t.botMessages(await t.state(), 'ops')).toHaveLength(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('gives the last stock to one of two orders confirmed at once, and production to the other', async () => {
    // BRK-2026-10: 150 in stock; two requests of 100 each both look fine from stock when they arrive.
    await t.say('BRK-2026-10 ×100 3月20日前');
    await t.say('BRK-2026-10 ×100 3月20日前', { senderId: 'lisi' });
    const leads = ['wanggong', 'chenjie', 'zhoushifu'];
    // Every lead's two cards, not only the production lead's: they are delivered in parallel.
    const state = await t.waitFor((s) => leads.every((id) => (s.inbox[id]?.length ?? 0) === 2) && s, 'both orders');
    const cardsOf = (n: number) =>
      leads.map((id) => ({
        id,
        card: state.inbox[id]!.find((c) => c.fields.some((f) => f.value === `SO-20260224-000${n}`))!,
      }));
    for (const { id, card } of [...cardsOf(1), ...cardsOf(2)].filter((x) => x.id !== 'zhoushifu'))
      await t.tap(card.id, id, 'approve');
    await t.settle();
    const last = [cardsOf(1), cardsOf(2)].map((c) => c.find((x) => x.id === 'zhoushifu')!.card.id);
    await Promise.all(last.map((id) => t.tap(id, 'zhoushifu', 'approve')));
    await t.settle();
    const confirmed = await t.db.select().from(orders).where(eq(orders.status, 'confirmed'));
    expect(confirmed).toHaveLength(2);
    const held = await t.db.select().from(reservations);
    expect(held.filter((r) => r.kind === 'stock')).toEqual([
      expect.objectContaining({ quantity: 100, materialCode: 'BRK-2026-10' }),
    ]);
    const production = held.filter((r) => r.kind === 'production');
    expect(production.reduce((sum, r) => sum + r.quantity, 0)).toBe(100);
    expect(new Set(held.map((r) => r.orderId)).size).toBe(2);
    expect(production.every((r) => r.line === 'B')).toBe(true);
  });

  it("holds a confirmed order's production days on its line: the next request there is promised after them", async () => {
    // BRK-2026-10 on line B (150 a day, 75% loaded for two weeks): 150 in stock, the rest to make.
    const earliestFor = async (conversationId: string, senderId: string) => {
      await t.say('BRK-2026-10 ×450 2月25日前', { conversationId, senderId });
      const text = await t.waitFor(
        (s) => t.botMessages(s, conversationId).find((m) => m.includes('无法交付')),
        'the refusal',
      );
      return text.split('\n')[0];
    };
    expect(await earliestFor('sales-east', 'zhangsan')).toBe(
      '⛔ 2月25日无法交付：最早3月14日 —— B线负荷75%至3月10日；B线2月25日起有空余产能，3月11日完工',
    );
    const card = (await t.waitFor(blockedCard, 'the card'))!;
    await t.tap(card.id, 'zhangsan', 'offer');
    const leads = ['wanggong', 'chenjie', 'zhoushifu'];
    const state = await t.waitFor((s) => leads.every((id) => (s.inbox[id]?.length ?? 0) === 1) && s, 'the cards');
    for (const id of leads) await t.tap(state.inbox[id]![0]!.id, id, 'approve');
    await t.settle();
    expect(await t.db.select().from(orders).where(eq(orders.status, 'confirmed'))).toHaveLength(1);
    // The first order took the stock and holds its production days on line B: the second's 450 are all made,
    // in what those days leave, and finish five days later.
    expect(await earliestFor('sales-south', 'lisi')).toBe(
      '⛔ 2月25日无法交付：最早3月19日 —— B线负荷75%至3月10日；B线2月26日起有空余产能，3月16日完工',
    );
  });
});
