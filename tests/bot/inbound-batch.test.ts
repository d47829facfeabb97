import { asc, sql } from 'drizzle-orm';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Bot } from '../../bot/bot';
import { createLogger } from '../../bot/logger';
import { fixedConfig, loadBusinessConfig } from '../../config/business-config';
import type { MessageEvent } from '../../core/events';
import { inboundMessages, outbox } from '../../db/schema';
import { seedDemoDataIfEmpty } from '../../integrations/import/demo-seed';
import { TestClock } from '../support/clock';
import { backends, resetDatabase, useTestDatabase } from '../support/databases';

const config = loadBusinessConfig();
const log = createLogger('silent');

function message(i: number, text: string, clock: TestClock): MessageEvent {
  return {
    kind: 'message',
    platform: 'playground',
    conversationId: 'sales-east',
    senderId: 'zhangsan',
    senderName: '张三',
    text,
    messageId: `m${i}`,
    receivedAt: clock.now().toISOString(),
    addressedToBot: true,
  };
}

describe.each(backends)('inbound events handled in batches on %s', (backend) => {
  const database = useTestDatabase(backend);
  const bots: Bot[] = [];
  afterEach(async () => {
    await Promise.all(bots.splice(0).map((b) => b.stop()));
    await database().db.execute(sql`drop trigger if exists boom on outbox`);
    await database().db.execute(sql`drop trigger if exists deadlock_once on outbox`);
  });

  it('handles events that queued up together in one transaction, and one failing event rolls back alone', async () => {
    const { db } = database();
    await resetDatabase(db);
    const clock = new TestClock();
    await seedDemoDataIfEmpty(db, clock.now());
    // Any effect mentioning BOOM-9 fails to be written: its event's handler fails, inside the batch.
    await db.execute(sql`create or replace function boom() returns trigger language plpgsql as $$
      begin if new.payload::text like '%BOOM-9%' then raise exception 'boom'; end if; return new; end $$`);
    await db.execute(sql`create trigger boom before insert on outbox for each row execute function boom()`);
    const bot = new Bot({ db, config: fixedConfig(config), log, clock: clock.now, handlerConcurrency: 1 });
    bots.push(bot);
    const batches = vi.spyOn(bot, 'processBatch');
    const alone = vi.spyOn(bot, 'process');
    await bot.start();

    const texts = Array.from({ length: 12 }, (_, i) => (i === 6 ? '需要BOOM-9样品5件，3月5日前到' : `帮助 ${i}`));
    const ingested = await Promise.all(texts.map((text, i) => bot.ingest(message(i, text, clock), `m${i}`)));
    await Promise.all(ingested.map((r) => r.handled));

    expect(batches.mock.calls.some(([ids]) => ids.length > 1)).toBe(true);
    // The failing event rolled back to its savepoint: the batch was not given up and handled again one by one.
    expect(alone).toHaveBeenCalledTimes(batches.mock.calls.filter(([ids]) => ids.length === 1).length);
    const rows = await db.select().from(inboundMessages).orderBy(asc(inboundMessages.id));
    expect(rows.map((r) => r.status)).toEqual(texts.map((_, i) => (i === 6 ? 'failed' : 'processed')));
    const keys = (await db.select({ key: outbox.idempotencyKey }).from(outbox)).map((r) => r.key).sort();
    // One reply per event, and for the failed one only the apology; nothing twice.
    expect(keys).toEqual(rows.map((r, i) => (i === 6 ? `in:${r.id}:error` : `in:${r.id}:reply`)).sort());
    // A platform retry of every event changes nothing.
    const again = await Promise.all(texts.map((text, i) => bot.ingest(message(i, text, clock), `m${i}`)));
    expect(again.every((r) => r.duplicate)).toBe(true);
    expect(await db.select().from(outbox)).toHaveLength(12);
  }, 30_000);

  it('gives up a batch in which an event lost a deadlock, and handles each event again alone: none is lost or failed', async () => {
    const { db } = database();
    await resetDatabase(db);
    const clock = new TestClock();
    await seedDemoDataIfEmpty(db, clock.now());
    // The first effect mentioning LOCK-7 loses a deadlock (as against another batch holding an order it needs).
    await db.execute(sql`create sequence if not exists deadlock_seq`);
    await db.execute(sql`select setval('deadlock_seq', 1, false)`);
    await db.execute(sql`create or replace function deadlock_once() returns trigger language plpgsql as $$
      begin if new.payload::text like '%LOCK-7%' and nextval('deadlock_seq') = 1 then
        raise exception 'deadlock detected' using errcode = '40P01'; end if; return new; end $$`);
    await db.execute(
      sql`create trigger deadlock_once before insert on outbox for each row execute function deadlock_once()`,
    );
    const bot = new Bot({ db, config: fixedConfig(config), log, clock: clock.now, handlerConcurrency: 1 });
    bots.push(bot);
    const alone = vi.spyOn(bot, 'process');
    await bot.start();

    const texts = Array.from({ length: 12 }, (_, i) => (i === 7 ? '需要LOCK-7样品5件，3月5日前到' : `帮助 ${i}`));
    const ingested = await Promise.all(texts.map((text, i) => bot.ingest(message(i, text, clock), `m${i}`)));
    await Promise.all(ingested.map((r) => r.handled));

    const rows = await db.select().from(inboundMessages).orderBy(asc(inboundMessages.id));
    expect(rows.map((r) => r.status)).toEqual(texts.map(() => 'processed'));
    const keys = (await db.select({ key: outbox.idempotencyKey }).from(outbox)).map((r) => r.key).sort();
    expect(keys).toEqual(rows.map((r) => `in:${r.id}:reply`).sort());
    // The batch holding LOCK-7 was handled again one event at a time.
    expect(alone.mock.calls.map(([id]) => id)).toContain(rows[7]!.id);
  }, 30_000);
});
