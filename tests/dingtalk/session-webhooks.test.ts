import { asc } from 'drizzle-orm';
import { beforeEach, describe, expect, it } from 'vitest';
import { openSessionWebhook, rememberSessionWebhook } from '../../bot/dingtalk/reply-windows';
import { replyWindows } from '../../db/schema';
import { backends, resetDatabase, useTestDatabase } from '../support/databases';

const now = new Date('2026-02-24T02:00:00.000Z');
const hours = (n: number) => new Date(now.getTime() + n * 3600_000);

describe.each(backends)('DingTalk session webhooks kept (%s)', (backend) => {
  const database = useTestDatabase(backend);
  beforeEach(() => resetDatabase(database().db));

  it("keeps a message's webhook once and drops the conversation's windows closed for a day, by one statement", async () => {
    const { db } = database();
    const keep = (conversationId: string, url: string, expiresAt: Date, at = now) =>
      rememberSessionWebhook(db, { conversationId, url, expiresAt, now: at });
    await keep('cid-east', 'https://oapi.dingtalk.com/robot/sendBySession?session=old', hours(-30), hours(-32));
    await keep('cid-east', 'https://oapi.dingtalk.com/robot/sendBySession?session=recent', hours(-2), hours(-4));
    await keep('cid-south', 'https://oapi.dingtalk.com/robot/sendBySession?session=south-old', hours(-30), hours(-32));
    await keep('cid-east', 'https://oapi.dingtalk.com/robot/sendBySession?session=new', hours(1.5));
    // The same message again (DingTalk resent the frame): the window is kept once.
    await keep('cid-east', 'https://oapi.dingtalk.com/robot/sendBySession?session=new', hours(1.5));
    const rows = await db.select().from(replyWindows).orderBy(asc(replyWindows.conversationId), asc(replyWindows.url));
    expect(rows.map((r) => [r.conversationId, r.url.split('=')[1], r.usesLeft])).toEqual([
      ['cid-east', 'new', null],
      ['cid-east', 'recent', null],
      ['cid-south', 'south-old', null],
    ]);
    expect(await openSessionWebhook(db, 'cid-east', now)).toBe(
      'https://oapi.dingtalk.com/robot/sendBySession?session=new',
    );
  });
});
