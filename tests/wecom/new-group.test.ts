import { afterEach, describe, expect, it } from 'vitest';
import { orders, seenGroups } from '../../db/schema';
import { backends, useTestDatabase } from '../support/databases';
import { adminSession } from '../support/admin-session';
import { WecomWorld } from './harness';

// biome-ignore lint/suspicious/noExplicitAny: tests read whatever JSON the product answered
const json = async (res: Response): Promise<any> => res.json();

describe.each(backends)('a WeCom group the config does not know, on %s', (backend) => {
  const database = useTestDatabase(backend);
  let w: WecomWorld;
  afterEach(async () => {
    await w.close();
  });

  it('shows up in the console as a new group; once named there, its messages belong to it, with no id typed and no restart', async () => {
    w = await WecomWorld.start(backend, database());
    const { fake } = w;
    const chatId = 'wrkNEWGROUP0001';
    await fake.mentionAibot({ chatId, fromUser: 'ZhangSan', text: '@订单助手 BRK-2026-01 样品5件 3月5日前到' });
    await w.waitFor(() => fake.chat(chatId)[0], 'the answer in the group');
    await w.app.settle();
    expect(await w.db.select().from(seenGroups)).toMatchObject([
      { conversationId: `wecom:${chatId}`, platform: 'wecom', messages: 1, lastSender: '张三' },
    ]);

    const { url } = w.app;
    const admin = await adminSession(w.app);
    const headers = { cookie: admin.cookie, 'x-csrf-token': admin.csrf, 'content-type': 'application/json' };
    const listed = await json(await fetch(`${url}/api/admin/groups/new`, { headers }));
    expect(listed.groups.map((g: { conversationId: string }) => g.conversationId)).toEqual([`wecom:${chatId}`]);

    const badId = await fetch(`${url}/api/admin/groups`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ conversationId: `wecom:${chatId}`, id: 'Sales North!', name: '华北销售群' }),
    });
    expect(badId.status).toBe(400);
    const taken = await fetch(`${url}/api/admin/groups`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ conversationId: `wecom:${chatId}`, id: 'sales-north', name: '华北销售群' }),
    });
    expect(taken.status).toBe(200);
    expect((await json(taken)).changes).toEqual([
      `conversations.${w.app.app.config.current.conversations.length - 1}: + {"id":"sales-north","name":"华北销售群","wecom":{"chatId":"${chatId}"}}`,
    ]);
    const after = await json(await fetch(`${url}/api/admin/groups/new`, { headers }));
    expect(after.groups).toEqual([]);

    await fake.mentionAibot({ chatId, fromUser: 'ZhangSan', text: '@订单助手 BRK-2026-02 样品3件 3月6日前到' });
    await w.waitFor(() => fake.chat(chatId).find((m) => m.content.includes('SO-20260224-0002')), 'the second order');
    const conversations = (await w.db.select().from(orders)).map((o) => o.conversationId).sort();
    expect(conversations).toEqual(['sales-north', `wecom:${chatId}`]);
  });
});
