import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { Bot } from '../../bot/bot';
import { createLogger } from '../../bot/logger';
import { fixedConfig, loadBusinessConfig } from '../../config/business-config';
import { inboundMessages, outbox } from '../../db/schema';
import { seedDemoDataIfEmpty } from '../../integrations/import/demo-seed';
import { salesMessage } from '../support/chat-message';
import { TestClock } from '../support/clock';
import { backends, resetDatabase, useTestDatabase } from '../support/databases';

const config = loadBusinessConfig();
const log = createLogger('silent');

describe.each(backends)('an inbound event that loses a transaction conflict on %s', (backend) => {
  const database = useTestDatabase(backend);
  const bots: Bot[] = [];
  afterEach(async () => {
    await Promise.all(bots.splice(0).map((b) => b.stop()));
    await database().db.execute(sql`drop trigger if exists deadlock_once on outbox`);
  });

  it('is left to the sweep and handled again, not marked failed: one reply, no apology', async () => {
    const { db } = database();
    await resetDatabase(db);
    const clock = new TestClock();
    await seedDemoDataIfEmpty(db, clock.now());
    // Its first reply loses a deadlock (as against another transaction holding a row it needs).
    await db.execute(sql`create sequence if not exists deadlock_seq`);
    await db.execute(sql`select setval('deadlock_seq', 1, false)`);
    await db.execute(sql`create or replace function deadlock_once() returns trigger language plpgsql as $$
      begin if new.payload::text like '%LOCK-7%' and nextval('deadlock_seq') = 1 then
        raise exception 'deadlock detected' using errcode = '40P01'; end if; return new; end $$`);
    await db.execute(
      sql`create trigger deadlock_once before insert on outbox for each row execute function deadlock_once()`,
    );
    const bot = new Bot({ db, config: fixedConfig(config), log, clock: clock.now, sweepMs: 200 });
    bots.push(bot);
    await bot.start();
    const event = salesMessage('需要LOCK-7样品5件，3月5日前到', 'm1', clock.now());
    const { handled, inboundId } = await bot.ingest(event, 'm1');
    await handled;
    const deadline = Date.now() + 5000;
    let status = '';
    while (Date.now() < deadline) {
      [{ status = '' } = { status: '' }] = await db
        .select({ status: inboundMessages.status })
        .from(inboundMessages)
        .where(sql`${inboundMessages.id} = ${inboundId}`);
      if (status !== 'received') break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(status).toBe('processed');
    const keys = (await db.select({ key: outbox.idempotencyKey }).from(outbox)).map((r) => r.key);
    expect(keys).toEqual([`in:${inboundId}:reply`]);
  }, 30_000);
});
