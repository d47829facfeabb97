import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TestApp } from '../support/app';
import { backends, useTestDatabase } from '../support/databases';
import { confirmedOrder, travelTo } from '../support/lifecycle';

/** The issue's own example, through the playground as a new user would try it. */
describe.each(backends)('a customer named as sales write it, through the playground on %s', (backend) => {
  const database = useTestDatabase(backend);
  let t: TestApp;
  beforeEach(async () => {
    t = await TestApp.start(backend, { database: database(), fresh: true });
  });
  afterEach(async () => {
    await t.close();
  });

  it("shows 大陆集团 on the order and the board, and sends the order's delay SMS to its contact", async () => {
    await confirmedOrder(t, '大陆集团要BRK-2026-06样品20件，3月3日前到');
    const created = (await t.state()).conversations['sales-east']!.find((m) => m.text?.includes('已创建需求单'));
    expect(created!.text).toContain('客户：大陆集团');

    const login = await fetch(`${t.url}/board/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ username: 'ops', password: 'orderbot' }),
    });
    const cookie = login.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    const board = await (await fetch(`${t.url}/board`, { headers: { cookie } })).text();
    const row = /<tr class="order \w+" data-number="SO-20260224-0001">[\s\S]*?<\/tr>/.exec(board)?.[0] ?? '';
    expect(row).toContain('大陆集团');

    // Nobody starts production for a week: the ETD slips past the promise, and the customer is told.
    await travelTo(t, '2026-03-04T09:00:00');
    const state = await t.waitFor((s) => s.sms.length > 0 && s, 'the delay SMS');
    expect(state.sms).toEqual([expect.objectContaining({ phone: '13800138001' })]);
    expect(t.botMessages(state).find((m) => m.startsWith('⚠️'))).toContain('已短信通知刘经理（138****8001）');
  });
});
