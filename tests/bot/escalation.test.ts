import { eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../db/client';
import { approvalTasks, orderEvents } from '../../db/schema';
import { escalateOverdueTasks } from '../../handlers/escalation';
import { TestApp } from '../support/app';
import { TestClock } from '../support/clock';
import { backends, useTestDatabase } from '../support/databases';

describe.each(backends)('2-hour escalation on %s', (backend) => {
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

  it('sends an unanswered card to the director after 2 hours, tells the chat, and lets the director decide', async () => {
    const t = await start();
    await t.say('需要BRK-2026-01样品5件,3月5日前到');
    const cards = await t.waitFor((s) => s.inbox.zhoushifu?.[0] && s.inbox.chenjie?.[0] && s, 'the cards');
    await t.tap(cards.inbox.chenjie![0]!.id, 'chenjie', 'approve');
    await t.settle();
    t.clock.advance(2 * 3600_000 + 5 * 60_000);
    await t.app.scheduler.tick();
    const text = await t.waitFor(
      (s) => t.botMessages(s).find((m) => m.startsWith('⏰') && m.includes('技术部')),
      'the escalation notice',
    );
    expect(text).toBe('⏰ SO-20260224-0001：技术部审批已等2h05m（王工/刘工），已升级给赵总。');
    const state = await t.waitFor((s) => s.inbox.zhaozong?.[0] && s.inbox.sunzong?.[0] && s, "the directors' cards");
    expect(state.inbox.qianzong).toBeUndefined(); // purchasing had answered
    const card = state.inbox.zhaozong![0]!;
    expect(card.title).toBe('升级审批 · 技术部');
    expect(card.fields[0]).toEqual({ key: 'waited', label: '已等待', value: '2h05m（王工/刘工）', tone: 'red' });

    await t.app.scheduler.tick();
    t.clock.advance(60_000);
    await t.app.scheduler.tick();
    await t.settle();
    expect(await t.db.select().from(orderEvents).where(eq(orderEvents.type, 'task-escalated'))).toHaveLength(2);

    await t.tap(card.id, 'zhaozong', 'approve');
    await t.settle();
    const [tech] = await t.db.select().from(approvalTasks).where(eq(approvalTasks.department, 'tech'));
    expect(tech).toMatchObject({ status: 'approved', decidedBy: 'zhaozong' });
    expect((await t.state()).inbox.wanggong![0]!.resolved?.text).toBe('已同意 · 赵总 12:06');
  });

  it('goes on up the ladder to the general manager after 4 hours; the director may still decide', async () => {
    const t = await start();
    await t.say('BRK-2026-02 ×10 3月9日前');
    await t.waitFor((s) => s.inbox.zhoushifu?.length, 'the cards');
    t.clock.advance(2 * 3600_000 + 60_000);
    await t.app.scheduler.tick();
    await t.waitFor((s) => s.inbox.zhaozong?.[0], "the director's card");
    t.clock.advance(2 * 3600_000);
    await t.app.scheduler.tick();
    const text = await t.waitFor(
      (s) => t.botMessages(s).find((m) => m.includes('已升级给周总') && m.includes('技术部')),
      'the second step',
    );
    expect(text).toBe('⏰ SO-20260224-0001：技术部审批已等4h01m（王工/刘工、赵总），已升级给周总。');
    const state = await t.waitFor(
      (s) => (s.inbox.zhouzong?.length ?? 0) === 3 && s,
      'three cards for the general manager',
    );
    t.clock.advance(3600_000);
    await t.app.scheduler.tick();
    await t.settle();
    expect((await t.state()).inbox.zhouzong).toHaveLength(3); // the ladder ends there
    await t.tap(state.inbox.zhaozong!.find((c) => c.title === '升级审批 · 技术部')!.id, 'zhaozong', 'approve');
    await t.settle();
    const [tech] = await t.db.select().from(approvalTasks).where(eq(approvalTasks.department, 'tech'));
    expect(tech).toMatchObject({
      status: 'approved',
      decidedBy: 'zhaozong',
      escalationLevel: 2,
      escalatedTo: 'zhouzong',
    });
  });

  it('shows an escalation after the playground clock is moved forward', async () => {
    const t = await start();
    await t.say('需要BRK-2026-01样品5件,3月5日前到');
    await t.waitFor((s) => s.inbox.zhoushifu?.length, 'the cards');
    expect(await t.request('POST', '/api/playground/clock', { advanceMinutes: 0 })).toMatchObject({ status: 400 });
    expect(await t.request('GET', '/api/playground/clock')).toMatchObject({ status: 200, json: { offsetMinutes: 0 } });
    const moved = await t.request('POST', '/api/playground/clock', { advanceMinutes: 125 });
    expect(moved).toMatchObject({ status: 200, json: { now: '2026-02-24T04:05:00.000Z', offsetMinutes: 125 } });
    expect(await t.waitFor((s) => s.inbox.sunzong?.[0]?.title, 'the escalation')).toBe('升级审批 · 生产部');
  });

  it('escalates once when two processes tick at the same moment', async () => {
    const clock = new TestClock();
    const first = await start({ clock });
    await first.say('BRK-2026-02 ×10 3月9日前');
    await first.waitFor((s) => s.inbox.zhoushifu?.length, 'the cards');
    const url = (database() as { url?: string }).url;
    const secondDb = url ? await openDatabase({ url, poolSize: 4 }) : database();
    const second = await TestApp.start(backend, { database: secondDb, clock });
    apps.push(second);
    clock.advance(3 * 3600_000);
    // The scheduler gives the turn to one process; the tick itself must also be safe when two run anyway.
    const tick = (app: TestApp) => app.app.bot.runScheduled('escalation', (ctx) => escalateOverdueTasks(ctx));
    await Promise.all([
      tick(first),
      tick(second),
      first.app.scheduler.tick(),
      second.app.scheduler.tick(),
      tick(second),
    ]);
    await first.settle();
    const escalated = await first.db.select().from(orderEvents).where(eq(orderEvents.type, 'task-escalated'));
    expect(escalated).toHaveLength(3);
    expect(t3(await first.state())).toEqual({ zhaozong: 1, qianzong: 1, sunzong: 1 });
    if (url) await secondDb.close();
  });
});

function t3(state: { inbox: Record<string, unknown[]> }) {
  return Object.fromEntries(['zhaozong', 'qianzong', 'sunzong'].map((id) => [id, state.inbox[id]?.length ?? 0]));
}
