import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { bodyParser } from '@koa/bodyparser';
import { asc } from 'drizzle-orm';
import Koa from 'koa';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type BusinessConfig, fixedConfig, loadBusinessConfig } from '../../config/business-config';
import type { DatabaseHandle } from '../../db/client';
import { migrate } from '../../db/migrate';
import { channelMessages } from '../../db/schema';
import { DOUYIN_PUSH_PATH, douyinPushRoutes } from '../../integrations/channels/douyin-push';
import { TestClock } from '../support/clock';
import { backends, createTestDatabase } from '../support/databases';
import { FAKE_APP_SECRET, FakeDouyin, fakeShopConfig } from '../fakes/channels/douyin';

const OTHER_APP = '7099999999999999999';
const oid = (n: number) => `69200000000${String(n).padStart(8, '0')}`;

describe.each(backends)('Douyin message push on %s', (backend) => {
  let database: DatabaseHandle;
  let server: Server;
  let url: string;
  const clock = new TestClock();
  const fake = new FakeDouyin({ clock: clock.now });
  const other = new FakeDouyin({ clock: clock.now, appKey: OTHER_APP, appSecret: 'other-app-secret' });
  let failNext = 0;

  beforeAll(async () => {
    database = await createTestDatabase(backend);
    await migrate(database.db);
    const base = loadBusinessConfig();
    const config: BusinessConfig = {
      ...base,
      channels: {
        ...base.channels,
        shops: [
          fakeShopConfig(fake, { shop: '88880001', baseUrl: undefined }),
          fakeShopConfig(fake, { shop: '88880002', name: '抖店二店', baseUrl: undefined }),
          fakeShopConfig(other, { shop: '77770001', appKey: OTHER_APP, secretEnv: 'DOUYIN_OTHER_SECRET' }),
        ],
      },
    };
    const env = { DOUYIN_TEST_SECRET: FAKE_APP_SECRET, DOUYIN_OTHER_SECRET: 'other-app-secret' };
    const router = douyinPushRoutes({ db: database.db, config: fixedConfig(config), env, clock: clock.now });
    const app = new Koa();
    // the same body parser as bot/server.ts: it keeps ctx.request.rawBody
    app.use(bodyParser({ enableTypes: ['json', 'form'], jsonLimit: '256kb', formLimit: '256kb', encoding: 'utf-8' }));
    app.use(async (ctx, next) => {
      if (failNext > 0) {
        failNext--;
        ctx.status = 503;
        ctx.body = 'busy';
        return;
      }
      await next();
    });
    app.use(router.routes()).use(router.allowedMethods());
    server = app.listen(0, '127.0.0.1');
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${DOUYIN_PUSH_PATH}`;
    for (let i = 1; i <= 3; i++) {
      fake.addOrder({ orderId: oid(i), status: 1, lines: [{ outSkuId: 'BRK-1', unitFen: 1000, quantity: 1 }] });
    }
    fake.addOrder({ orderId: oid(9), shopId: '88880002', lines: [{ outSkuId: 'BRK-1', unitFen: 1, quantity: 1 }] });
    other.addOrder({ orderId: oid(20), shopId: '77770001', lines: [{ outSkuId: 'X', unitFen: 1, quantity: 1 }] });
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server?.close(() => resolve()));
    await database?.close();
  });
  beforeEach(async () => {
    // only channel_messages is written here; emptying it is much faster than resetting every table
    await database.db.delete(channelMessages);
    failNext = 0;
  });

  const rows = () => database.db.select().from(channelMessages).orderBy(asc(channelMessages.id));
  const msg = (tag: string, msgId: string, orderId: string, from = fake) => ({
    tag,
    msgId,
    data: from.messageData(tag, orderId),
  });

  it('stores a signed push once per msg_id, with the full 19-digit order id, and only then answers success', async () => {
    const sent = await fake.push(url, [msg('100', 'm-1', oid(1)), msg('101', 'm-2', oid(1))]);
    expect(sent).toEqual({ attempts: 1, status: 200, reply: { code: 0, msg: 'success' } });
    const stored = await rows();
    expect(stored.map((r) => [r.channel, r.shop, r.messageId, r.orderId, r.topic, r.status])).toEqual([
      ['douyin', '88880001', 'm-1', oid(1), '100', 'received'],
      ['douyin', '88880001', 'm-2', oid(1), '101', 'received'],
    ]);
    // the payload is the parsed data; int64 ids keep every digit (as strings)
    expect(stored[0]!.payload).toMatchObject({ p_id: oid(1), shop_id: 88880001, order_status: 1 });
    expect((stored[1]!.payload as { pay_amount: number }).pay_amount).toBe(1000);
    expect(stored[0]!.receivedAt.toISOString()).toBe(clock.now().toISOString());
  });

  it('refuses a bad, missing or foreign signature, an unknown app-id and a tampered body, storing nothing', async () => {
    const messages = [msg('100', 'm-1', oid(1))];
    const attempts = [
      await fake.push(url, messages, { sign: 'bad', attempts: 1 }),
      await fake.push(url, messages, { sign: 'none', attempts: 1 }),
      await fake.push(url, messages, { appId: '7000000000000000000', attempts: 1 }),
      await fake.push(url, messages, { appId: '', attempts: 1 }),
      // signed by another app's secret, under this app's id
      await other.push(url, messages, { appId: fake.appKey, attempts: 1 }),
    ];
    for (const attempt of attempts) {
      expect(attempt.status).toBe(401);
      expect(attempt.reply).toEqual({ code: 1, msg: 'fail' });
    }
    // the signature covers the raw bytes: the same JSON re-serialized with other spacing no longer matches
    const body = JSON.stringify(messages.map((m) => ({ tag: m.tag, msg_id: m.msgId, data: m.data })));
    const { createHash } = await import('node:crypto');
    const sign = createHash('md5').update(`${fake.appKey}${body}${FAKE_APP_SECRET}`).digest('hex');
    const tampered = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'app-id': fake.appKey, 'event-sign': sign },
      body: JSON.stringify(JSON.parse(body), null, 1),
    });
    expect([tampered.status, await tampered.json()]).toEqual([401, { code: 1, msg: 'fail' }]);
    expect(await rows()).toEqual([]);
    // the untouched bytes with an upper-case hex signature are accepted
    const exact = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'app-id': fake.appKey, 'event-sign': sign.toUpperCase() },
      body,
    });
    expect(exact.status).toBe(200);
    expect((await rows()).map((r) => r.messageId)).toEqual(['m-1']);
  });

  it('a bad push stores nothing: channel_messages stays empty', async () => {
    await fake.push(url, [msg('100', 'm-1', oid(1)), msg('101', 'm-2', oid(2))], { sign: 'bad', attempts: 3 });
    expect(await rows()).toEqual([]);
  });

  it('refuses a body that is not an array of {tag, msg_id, data} with 400, storing nothing of it', async () => {
    const good = { tag: '100', msg_id: 'm-ok', data: fake.messageData('100', oid(1)) };
    const bodies = [
      JSON.stringify({ tag: '100', msg_id: 'm-1', data: fake.messageData('100', oid(1)) }),
      JSON.stringify([good, { tag: '100', data: fake.messageData('100', oid(2)) }]),
      JSON.stringify([good, { tag: '100', msg_id: 'm-3', data: '{not json' }]),
      JSON.stringify([good, { tag: '100', msg_id: 'm-4', data: '[1,2]' }]),
      JSON.stringify([good, null]),
    ];
    for (const body of bodies) {
      const sent = await fake.push(url, [], { body, attempts: 1 });
      expect([sent.status, sent.reply]).toEqual([400, { code: 1, msg: 'fail' }]);
    }
    // JSON that is not an object or array is refused by the app's body parser before the route (400 too)
    const scalar = await fake.push(url, [], { body: JSON.stringify('just a string'), attempts: 1 });
    expect(scalar.status).toBe(400);
    expect(await rows()).toEqual([]);
  });

  it('stores duplicate and out-of-order pushes once each (101 before 100, a repeated msg_id, a 109 amount change)', async () => {
    await fake.push(url, [msg('101', 'm-pay', oid(2))]);
    await fake.push(url, [msg('100', 'm-create', oid(2)), msg('100', 'm-create', oid(2))]);
    await fake.push(url, [msg('101', 'm-pay', oid(2))]);
    fake.changeOrder(oid(2), { pay_amount: 800, modify_amount: -200 });
    await fake.push(url, [msg('109', 'm-amount', oid(2)), msg('100', 'm-create', oid(2))]);
    const stored = await rows();
    expect(stored.map((r) => [r.messageId, r.topic])).toEqual([
      ['m-pay', '101'],
      ['m-create', '100'],
      ['m-amount', '109'],
    ]);
    expect(stored[2]!.payload).toMatchObject({ total_amount: 800, p_id: oid(2) });
  });

  it('retries until {"code":0}: a push answered 503 first is stored once', async () => {
    failNext = 2;
    const sent = await fake.push(url, [msg('100', 'm-r', oid(3))], { attempts: 5 });
    expect(sent).toMatchObject({ attempts: 3, status: 200, reply: { code: 0 } });
    expect((await rows()).map((r) => r.messageId)).toEqual(['m-r']);
  });

  it('picks the shop by data.shop_id when several shops share the app, and refuses a shop not configured', async () => {
    await fake.push(url, [msg('100', 'm-a', oid(1)), msg('100', 'm-b', oid(9))]);
    await other.push(url, [msg('100', 'm-c', oid(20), other)]);
    expect((await rows()).map((r) => [r.messageId, r.shop])).toEqual([
      ['m-a', '88880001'],
      ['m-b', '88880002'],
      ['m-c', '77770001'],
    ]);
    const unknown = {
      tag: '100',
      msgId: 'm-x',
      data: fake.messageData('100', oid(1)).replace('"shop_id":88880001', '"shop_id":12345'),
    };
    const sent = await fake.push(url, [msg('100', 'm-y', oid(1)), unknown], { attempts: 1 });
    expect([sent.status, sent.reply]).toEqual([400, { code: 1, msg: 'fail' }]);
    expect((await rows()).map((r) => r.messageId)).toEqual(['m-a', 'm-b', 'm-c']);
  });

  it('a push replayed a day later is harmless (the push signature has no timestamp): stored once', async () => {
    await fake.push(url, [msg('100', 'm-old', oid(1))]);
    clock.advance(86_400_000);
    const again = await fake.push(url, [msg('100', 'm-old', oid(1))]);
    expect(again.reply).toEqual({ code: 0, msg: 'success' });
    expect((await rows()).map((r) => r.messageId)).toEqual(['m-old']);
  });

  it('verifies the raw bytes when the body was not parsed (another content type), and acknowledges messages about no order', async () => {
    const body = JSON.stringify([
      { tag: '100', msg_id: 'm-t', data: fake.messageData('100', oid(1)) },
      { tag: '0', msg_id: 'm-test', data: '{"hello":"world"}' },
    ]);
    const { createHash } = await import('node:crypto');
    const sign = createHash('md5').update(`${fake.appKey}${body}${FAKE_APP_SECRET}`).digest('hex');
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', 'app-id': fake.appKey, 'event-sign': sign },
      body,
    });
    expect([response.status, await response.json()]).toEqual([200, { code: 0, msg: 'success' }]);
    expect((await rows()).map((r) => r.messageId)).toEqual(['m-t']);
  });
});
