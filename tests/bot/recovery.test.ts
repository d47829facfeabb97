import { eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { migrate } from '../../db/migrate';
import { inboundMessages, orders } from '../../db/schema';
import { TestApp } from '../support/app';
import { TestClock } from '../support/clock';
import type { DatabaseHandle } from '../../db/client';
import { backends, createTestDatabase } from '../support/databases';

describe.each(backends)('restart recovery on %s', (backend) => {
  let t: TestApp | undefined;
  // The tests make the database themselves (it outlives an app that restarts on it): closed here.
  let database: DatabaseHandle | undefined;
  afterEach(async () => {
    await t?.close();
    await database?.close();
    t = undefined;
    database = undefined;
  });

  it('handles an inbound message that was committed but not handled before a crash', async () => {
    database = await createTestDatabase(backend);
    const clock = new TestClock();
    await migrate(database.db);
    // What a process leaves behind when it dies right after acknowledging the platform.
    await database.db.insert(inboundMessages).values({
      platform: 'playground',
      externalId: 'crash-1',
      kind: 'message',
      receivedAt: clock.now(),
      payload: {
        kind: 'message',
        platform: 'playground',
        conversationId: 'sales-east',
        senderId: 'zhangsan',
        senderName: '张三',
        text: 'BRK-2026-04 ×20 3月9日前',
        messageId: 'crash-1',
        receivedAt: clock.now().toISOString(),
        addressedToBot: false,
      },
    });
    t = await TestApp.start(backend, { database, clock });
    const reply = await t.waitFor((s) => t!.botMessages(s).find((m) => m.includes('SO-')), 'the order after restart');
    expect(reply).toContain('BRK-2026-04 × 20件');
    await t.settle();
    const [row] = await t.db.select().from(inboundMessages).where(eq(inboundMessages.externalId, 'crash-1'));
    expect(row!.status).toBe('processed');
    expect(await t.db.select().from(orders)).toHaveLength(1);
  });

  it('redelivers nothing that was already delivered when the process restarts', async () => {
    database = await createTestDatabase(backend);
    const clock = new TestClock();
    t = await TestApp.start(backend, { database, clock });
    await t.say('需要BRK-2026-01样品5件,3月5日前到');
    await t.waitFor((s) => s.inbox.zhoushifu?.length, 'cards');
    await t.settle();
    const before = await t.state();
    await t.app.close();
    t = await TestApp.start(backend, { database, clock });
    await t.settle();
    expect(await t.state()).toEqual(before);
  });
});
