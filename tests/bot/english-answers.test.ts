import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type PlaygroundState, TestApp } from '../support/app';
import { backends, useTestDatabase } from '../support/databases';

/** A Han character: an English writer should see none but the names in the data (people, departments' leads). */
const HAN = /[\u4e00-\u9fff]/;
const NAMES = /张三|李四|王工|刘工|陈姐|周师傅|大陆集团/g;
const english = (text: string | undefined) => expect(text?.replace(NAMES, '')).not.toMatch(HAN);

const blockedCard = (s: PlaygroundState) =>
  s.conversations['sales-east']?.find((m) => m.card?.title === 'Date not possible')?.card;
const dm = (s: PlaygroundState, who: string) => (s.conversations[`dm:${who}`] ?? []).map((m) => m.text ?? '');

/**
 * Requests written in English get English answers throughout, including the notices that used to be
 * Chinese only: the choices on a blocked request, and taps on the order's own card.
 */
describe.each(backends)('English answers on %s', (backend) => {
  const database = useTestDatabase(backend);
  let t: TestApp;
  beforeEach(async () => {
    t = await TestApp.start(backend, { database: database(), fresh: true });
  });
  afterEach(async () => {
    await t.close();
  });

  it('a blocked request: its card, its line-load field, the choices and their refusals', async () => {
    await t.say('BRK-2026-01 ×500 by 3/5');
    const refusal = await t.waitFor((s) => t.botMessages(s).find((m) => m.includes('not possible')), 'the refusal');
    expect(refusal.split('\n')[0]).toBe(
      '⛔ Mar 5 is not possible: earliest Mar 19 — mould M-3 in repair until Mar 2; line A is 92% loaded until Mar 6; line A free capacity from Mar 2, done Mar 16',
    );
    const card = (await t.waitFor(blockedCard, 'the card'))!;
    expect(card.fields.map((f) => f.label)).toEqual(['Item', 'Requested', 'Earliest', 'Why', 'Line A load']);
    expect(card.fields[0]!.value).toBe('BRK-2026-01 × 500 (batch)');
    expect(card.fields.find((f) => f.label === 'Line A load')).toMatchObject({
      value: '92% (until Mar 6)',
      tone: 'red',
    });

    await t.tap(card.id, 'lisi', 'offer');
    const onlyRequester = await t.waitFor((s) => dm(s, 'lisi')[0], 'the refusal to lisi');
    expect(onlyRequester).toBe('Only 张三, who made the request, can choose.');

    await t.tap(card.id, 'zhangsan', 'escalate');
    const escalated = await t.waitFor((s) => t.botMessages(s).find((m) => m.startsWith('Escalated')), 'the escalation');
    expect(escalated).toBe('Escalated to Engineering (王工/刘工); the answer will be posted here.');
    await t.settle();
    expect(blockedCard(await t.state())!.notes).toEqual([
      'BRK-2026-01 300 by Mar 5, the rest (BRK-2026-01 200) on Mar 13',
      'Sent to Engineering (王工/刘工) for an expedite',
    ]);

    await t.say('escalate');
    const again = await t.waitFor((s) => dm(s, 'zhangsan').find((m) => m.includes('already')), 'the second ask');
    expect(again).toBe('An expedite was asked for already; please wait for tech to answer.');

    const expedite = await t.waitFor((s) => s.inbox.liugong?.[0], 'the expedite card');
    expect(expedite.title).toBe('加急评估 · 技术部');
    await t.tap(expedite.id, 'liugong', 'reject', 'the mould will not be ready');
    const refused = await t.waitFor((s) => t.botMessages(s).find((m) => m.includes('no expedite')), 'the answer');
    expect(refused).toBe('刘工: no expedite (the mould will not be ready). You can still take the earliest date.');

    await t.tap(card.id, 'zhangsan', 'bogus');
    expect(await t.waitFor((s) => dm(s, 'zhangsan').find((m) => m.startsWith('Unknown')), 'the notice')).toBe(
      'Unknown action "bogus".',
    );
    await t.tap(card.id, 'zhangsan', 'offer');
    const created = await t.waitFor((s) => t.botMessages(s).find((m) => m.includes('created')), 'the order');
    expect(created).toContain('Requested date: Mar 19');
    await t.tap(card.id, 'zhangsan', 'offer', 'a copy that still showed the buttons');
    const taken = await t.waitFor((s) => dm(s, 'zhangsan').find((m) => m.includes('dealt with')), 'the late tap');
    expect(taken).toBe('This request has been dealt with already.');

    const state = await t.state();
    for (const text of [...t.botMessages(state), ...dm(state, 'zhangsan'), ...dm(state, 'lisi')]) english(text);
  });

  it("the order's card: its clock, a pause and a resume, a tap it does not know, all in English", async () => {
    await t.say('BRK-2026-01 samples ×5 by 3/5');
    const card = await t.waitFor(
      (s) => s.conversations['sales-east']?.find((m) => m.card?.id === 'etd-SO-20260224-0001')?.card,
      "the order's card",
    );
    expect(card.title).toBe('Delivery tracking · SO-20260224-0001');
    expect(card.buttons).toEqual([
      expect.objectContaining({ key: 'pause', label: 'Waiting on customer' }),
      expect.objectContaining({ key: 'nudge', label: 'Nudge approvers' }),
    ]);
    await t.tap(card.id, 'zhangsan', 'bogus');
    expect(await t.waitFor((s) => dm(s, 'zhangsan')[0], 'the notice')).toBe('Unknown action "bogus".');
    await t.tap(card.id, 'zhangsan', 'pause');
    const paused = await t.waitFor((s) => t.botMessages(s).find((m) => m.startsWith('⏸')), 'the pause');
    expect(paused).toContain('is waiting on the customer; the latency clock is paused');
    await t.say('SO-20260224-0001 customer replied');
    const resumed = await t.waitFor((s) => t.botMessages(s).find((m) => m.startsWith('▶️')), 'the resume');
    expect(resumed).toContain('the customer replied; the clock runs again');
    const state = await t.state();
    for (const text of [...t.botMessages(state), ...dm(state, 'zhangsan')]) english(text);
  });

  it('a rejection with a reason picked from the card reads the reason in English', async () => {
    await t.say('BRK-2026-01 samples ×5 by 3/5');
    const purchasing = await t.waitFor((s) => s.inbox.chenjie?.[0], 'the purchasing card');
    expect(purchasing.title).toBe('需求单审批 · 采购部');
    const res = await t.request('POST', `/api/playground/cards/${purchasing.id}/actions`, {
      userId: 'chenjie',
      key: 'reject',
      reasonId: 'capacity',
    });
    expect(res.status).toBe(202);
    const rejected = await t.waitFor((s) => t.botMessages(s).find((m) => m.includes('rejected')), 'the rejection');
    expect(rejected).toBe(
      '❌ Order **SO-20260224-0001** was rejected by 陈姐 (Purchasing).\nReason: Not enough capacity',
    );
    await t.settle();
    const decided = (await t.state()).inbox.chenjie![0]!;
    expect(decided.resolved?.text).toMatch(/^已驳回 · 陈姐 10:00：产能不足$/);
  });
});
