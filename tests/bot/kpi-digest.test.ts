import { afterEach, describe, expect, it } from 'vitest';
import { TestApp } from '../support/app';
import { backends } from '../support/databases';
import { confirmedOrder, travelTo } from '../support/lifecycle';

async function lastReply(t: TestApp, text: string, conversationId = 'sales-east') {
  await t.say(text, { conversationId });
  await t.settle();
  return t.botMessages(await t.state(), conversationId).at(-1) ?? '';
}

const digests = async (t: TestApp) => t.botMessages(await t.state(), 'ops').filter((m) => m.startsWith('📊'));

describe.each(backends)('KPI digest (%s)', (backend) => {
  let t: TestApp;
  afterEach(async () => t?.close());

  it('"/kpi" and "本周指标" answer with this week against last week, in the writer\'s language', async () => {
    t = await TestApp.start(backend);
    await confirmedOrder(t); // asked and confirmed at 10:00 on Tuesday, Feb 24
    await t.say('需要BRK-2026-01样品5件，3月5日前到');
    await travelTo(t, '2026-02-24T11:30:00');
    const zh = await lastReply(t, '/kpi');
    expect(zh).toContain('📊 华东精密制造有限公司 指标周报（2026-W09');
    expect(zh).toMatch(/客户感知时延：中位 0分钟/);
    expect(zh).toContain('已确认 1 单');
    expect(zh).toContain('1. SO-20260224-0002 已等 1小时30分钟，待技术部、采购部、生产部审批');
    expect(zh).toContain('1小时30分钟');
    expect(await lastReply(t, '本周指标')).toBe(zh);
    const en = await lastReply(t, "this week's kpis");
    expect(en).toContain('Customer-perceived latency');
    expect(en).toContain('SO-20260224-0002');
  });

  it('goes to the ops conversation every Monday at 09:00, once, with the week that ended', async () => {
    t = await TestApp.start(backend);
    await confirmedOrder(t);
    await travelTo(t, '2026-03-02T08:59:00');
    expect(await digests(t)).toEqual([]);
    await travelTo(t, '2026-03-02T09:00:00');
    await travelTo(t, '2026-03-02T09:30:00');
    const [first, ...more] = await digests(t);
    expect(more).toEqual([]);
    expect(first).toContain('2026-W09');
    expect(first).toContain('已确认 1 单');
    await travelTo(t, '2026-03-09T10:00:00');
    const all = await digests(t);
    expect(all).toHaveLength(2);
    expect(all[1]).toContain('2026-W10');
    expect(all[1]).toContain('已确认 0 单');
  });
});
