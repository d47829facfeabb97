import { count, eq, sql } from 'drizzle-orm';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { GatewayStreamClient } from '../../bot/dingtalk/stream-client';
import { inboundMessages, orderEvents, orders } from '../../db/schema';
import { TOPIC_ROBOT } from '../fakes/dingtalk/fake-dingtalk';
import { TestApp } from '../support/app';
import { backends } from '../support/databases';
import { approveAll, EAST, orderWithCards, settle, STAFF, useDingtalkApp, type Harness } from './harness';

const ORDER_TEXT = 'BRK-2026-02 ×10 3月9日前';

async function orderCount(h: Harness): Promise<number> {
  return (await h.t.db.select({ n: count() }).from(orders))[0]!.n;
}

async function confirmed(h: Harness): Promise<string> {
  return h.fake.waitFor(() => h.fake.groupTexts(EAST).find((m) => m.includes('已确认')), 'the confirmation');
}

describe.each(backends)('DingTalk Stream reliability on %s', (backend) => {
  const h = useDingtalkApp(backend, { fake: { gateway: { pick: 'round-robin' } } });

  it('creates one order when the same robot message arrives twice', async () => {
    const { fake } = h;
    const first = fake.say({ staffId: STAFF.zhangsan, group: EAST, text: ORDER_TEXT, msgId: 'msgTwice==' });
    const second = fake.say({ staffId: STAFF.zhangsan, group: EAST, text: ORDER_TEXT, msgId: 'msgTwice==' });
    await settle(h);
    expect(fake.gateway.acks.map((a) => a.messageId).sort()).toEqual([first.messageId, second.messageId].sort());
    expect(await orderCount(h)).toBe(1);
    expect(fake.groupTexts(EAST).filter((m) => m.includes('SO-'))).toHaveLength(1);
  });

  it('redelivers a frame whose process died before committing it, and handles it once', async () => {
    const { fake } = h;
    // Another bot process takes the frame, then dies before its commit: it never answers.
    let taken = false;
    const doomed = new GatewayStreamClient({
      clientId: fake.clientId,
      clientSecret: fake.clientSecret,
      gatewayUrl: `${fake.url}/v1.0/gateway/connections/open`,
      log: pino({ level: 'silent' }),
    });
    doomed.registerCallbackListener(TOPIC_ROBOT, () => {
      taken = true;
    });
    await doomed.connect();
    await fake.waitFor(() => fake.gateway.liveConnections().length === 2, 'the second process');
    const doomedConnection = fake.gateway.liveConnections()[1]!;
    const { messageId } = fake.say({
      staffId: STAFF.zhangsan,
      group: EAST,
      text: ORDER_TEXT,
      connectionId: doomedConnection,
    });
    await fake.waitFor(() => taken, 'the doomed process to take the frame');
    await doomed.shutdown();

    await fake.waitFor(
      () => fake.groupTexts(EAST).find((m) => m.includes('SO-')),
      'the order reply from the surviving process',
    );
    await settle(h);
    const deliveries = fake.gateway.frames.filter((f) => f.messageId === messageId);
    expect(deliveries[0]!.connectionId).toBe(doomedConnection);
    expect(deliveries.length).toBeGreaterThanOrEqual(2);
    expect(fake.gateway.acks.filter((a) => a.messageId === messageId)).toEqual([
      expect.objectContaining({ connectionId: deliveries[1]!.connectionId }),
    ]);
    expect(await orderCount(h)).toBe(1);
  });

  it('leaves a frame unanswered while its row cannot be committed, and handles it once it is sent again', async () => {
    const { fake } = h;
    await h.t.db.execute(sql`alter table inbound_messages rename to inbound_messages_away`);
    const { messageId } = fake.say({ staffId: STAFF.zhangsan, group: EAST, text: ORDER_TEXT });
    await fake.waitFor(() => fake.gateway.frames.some((f) => f.messageId === messageId), 'the first delivery');
    await new Promise((r) => setTimeout(r, 150));
    expect(fake.gateway.acks).toEqual([]);
    await h.t.db.execute(sql`alter table inbound_messages_away rename to inbound_messages`);

    await fake.waitFor(() => fake.groupTexts(EAST).find((m) => m.includes('SO-')), 'the order reply');
    await settle(h);
    expect(fake.gateway.frames.filter((f) => f.messageId === messageId).length).toBeGreaterThanOrEqual(2);
    expect(await orderCount(h)).toBe(1);
  });

  it('reconnects after the socket drops mid-flow and loses no tap', async () => {
    const { fake } = h;
    const cards = await orderWithCards(h);
    // One tap is in flight when the socket dies; the others arrive while the bot is reconnecting.
    fake.tap({ staffId: STAFF.wanggong, outTrackId: cards[STAFF.wanggong]!.outTrackId, action: 'approve' });
    fake.gateway.drop();
    fake.tap({ staffId: STAFF.chenjie, outTrackId: cards[STAFF.chenjie]!.outTrackId, action: 'approve' });
    fake.tap({ staffId: STAFF.zhoushifu, outTrackId: cards[STAFF.zhoushifu]!.outTrackId, action: 'approve' });
    await confirmed(h);
    await settle(h);
    expect(fake.gateway.opens.length).toBe(2);
    expect(await h.t.db.select().from(orderEvents).where(eq(orderEvents.type, 'task-approved'))).toHaveLength(3);
    expect(fake.gateway.violations).toEqual([]);
  });

  it('reconnects on a SYSTEM disconnect frame without losing what was sent around it', async () => {
    const { fake } = h;
    const cards = await orderWithCards(h);
    fake.gateway.sendDisconnect();
    approveAll(h, cards);
    await confirmed(h);
    await settle(h);
    expect(fake.gateway.opens.length).toBe(2);
    expect(await h.t.db.select().from(orderEvents).where(eq(orderEvents.type, 'task-approved'))).toHaveLength(3);
  });

  it('runs two processes on one database with one Stream connection between them: each frame handled once', async () => {
    const { fake } = h;
    const second = await TestApp.start(backend, { database: h.database, env: fake.env(), clock: h.clock });
    try {
      // The second process stands by: the first holds the app's Stream lease (DingTalk wants one connection).
      await new Promise((r) => setTimeout(r, 300));
      expect(fake.gateway.liveConnections()).toHaveLength(1);
      const cards = await orderWithCards(h);
      fake.say({ staffId: STAFF.zhangsan, group: EAST, text: ORDER_TEXT, msgId: 'msgShared==' });
      fake.say({ staffId: STAFF.zhangsan, group: EAST, text: ORDER_TEXT, msgId: 'msgShared==' });
      approveAll(h, cards);
      await confirmed(h);
      await settle(h);
      expect(new Set(fake.gateway.frames.map((f) => f.connectionId)).size).toBe(1);
      expect(await orderCount(h)).toBe(2);
      expect(fake.groupTexts(EAST).filter((m) => m.includes('已确认'))).toHaveLength(1);
      expect((await h.t.db.select({ n: count() }).from(inboundMessages))[0]!.n).toBe(5);
    } finally {
      await second.close();
    }
  });
});
