import { asc } from 'drizzle-orm';
import { beforeEach, describe, expect, it } from 'vitest';
import { Bot } from '../../bot/bot';
import { openSessionWebhook } from '../../bot/dingtalk/reply-windows';
import { createLogger } from '../../bot/logger';
import { fixedConfig, loadBusinessConfig } from '../../config/business-config';
import type { MessageEvent } from '../../core/events';
import { inboundMessages, replyWindows } from '../../db/schema';
import { TestClock } from '../support/clock';
import { backends, resetDatabase, useTestDatabase } from '../support/databases';

const now = new Date('2026-02-24T02:00:00.000Z');
const hours = (n: number) => new Date(now.getTime() + n * 3600_000);

describe.each(backends)('DingTalk session webhooks kept (%s)', (backend) => {
  const database = useTestDatabase(backend);
  beforeEach(() => resetDatabase(database().db));

  it("keeps a message's webhook once and drops the conversation's windows closed for a day, by the message's own statement", async () => {
    const { db } = database();
    const clock = new TestClock();
    // Not started: ingest stores the events and handles none.
    const bot = new Bot({
      db,
      config: fixedConfig(loadBusinessConfig()),
      log: createLogger('silent'),
      clock: clock.now,
    });
    const keep = (messageId: string, conversationId: string, url: string, expiresAt: Date, at = now) => {
      clock.set(at.toISOString());
      const event: MessageEvent = {
        kind: 'message',
        platform: 'dingtalk',
        conversationId,
        senderId: 'zhangsan',
        senderName: '张三',
        text: '你好',
        messageId,
        receivedAt: at.toISOString(),
        addressedToBot: true,
      };
      const window = { platform: 'dingtalk', conversationId, url, usesLeft: null, expiresAt };
      return bot.ingest(event, messageId, { replyWindow: window });
    };
    const session = (name: string) => `https://oapi.dingtalk.com/robot/sendBySession?session=${name}`;
    await keep('m1', 'cid-east', session('old'), hours(-30), hours(-32));
    await keep('m2', 'cid-east', session('recent'), hours(-2), hours(-4));
    await keep('m3', 'cid-south', session('south-old'), hours(-30), hours(-32));
    await keep('m4', 'cid-east', session('new'), hours(1.5));
    // The same message again (DingTalk resent the frame): the event and the window are kept once.
    expect(await keep('m4', 'cid-east', session('new'), hours(1.5))).toMatchObject({ duplicate: true });
    const rows = await db.select().from(replyWindows).orderBy(asc(replyWindows.conversationId), asc(replyWindows.url));
    expect(rows.map((r) => [r.conversationId, r.url.split('=')[1], r.usesLeft])).toEqual([
      ['cid-east', 'new', null],
      ['cid-east', 'recent', null],
      ['cid-south', 'south-old', null],
    ]);
    expect(await db.$count(inboundMessages)).toBe(4);
    expect(await openSessionWebhook(db, 'cid-east', now)).toBe(session('new'));
  });
});
