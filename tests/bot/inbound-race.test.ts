import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Bot } from '../../bot/bot';
import { fixedConfig, loadBusinessConfig } from '../../config/business-config';
import type { DatabaseHandle } from '../../db/client';
import { inboundMessages, orders, outbox } from '../../db/schema';
import { seedDemoDataIfEmpty } from '../../integrations/import/demo-seed';
import { TestClock } from '../support/clock';
import { backends, createTestDatabase, resetDatabase, useTestDatabase } from '../support/databases';
import { captureLog } from '../support/log-capture';
import { salesMessage } from '../support/chat-message';

// Two processes at once need two connections: the real PostgreSQL only.
describe.skipIf(!process.env.TEST_DATABASE_URL)('a message handled by another process meanwhile', () => {
  let database: DatabaseHandle & { url?: string };
  let other: postgres.Sql;
  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    other = postgres(database.url!, { max: 1, onnotice: () => {} });
  });
  afterAll(async () => {
    await other?.end();
    await database?.close();
  });

  it('is not handled twice: the process that handled it from memory finds the mark taken and keeps nothing', async () => {
    const { db } = database;
    const clock = new TestClock();
    await seedDemoDataIfEmpty(db, clock.now());
    // The order's insert waits on a lock the test holds, so the test can act as the other process in between.
    await db.execute(sql`create or replace function hold_orders() returns trigger language plpgsql as $$
      begin perform pg_advisory_xact_lock(4242); return new; end $$`);
    await db.execute(
      sql`create trigger hold_orders before insert on orders for each row execute function hold_orders()`,
    );
    await other`select pg_advisory_lock(4242)`;
    const logs = captureLog();
    const bot = new Bot({ db, config: fixedConfig(loadBusinessConfig()), log: logs.log, clock: clock.now });
    await bot.start();
    try {
      const event = salesMessage('需要BRK-2026-01样品5件，3月5日前到', 'm1', clock.now());
      const { handled, inboundId } = await bot.ingest(event, 'm1');
      // Another process's sweep handles the row meanwhile (its order and effects aside: only its mark matters).
      await other`update inbound_messages set status = 'processed', processed_at = now() where id = ${inboundId!}`;
      await other`select pg_advisory_unlock(4242)`;
      await handled;
      const [row] = await db.select().from(inboundMessages);
      expect(row).toMatchObject({ id: inboundId, status: 'processed', error: null });
      expect(await db.$count(orders)).toBe(0);
      expect(await db.$count(outbox)).toBe(0);
      expect(logs.text()).toContain('was handled by another process');
    } finally {
      await bot.stop();
    }
  }, 30_000);
});

describe.each(backends)('the sweep of another process (%s)', (backend) => {
  const database = useTestDatabase(backend);

  it.each([
    ['the clock', 0],
    ["the playground's clock moved a day ahead", 24 * 3600_000],
  ])(
    'leaves a message received less than 10 s ago to the process that stored it, and takes it after (%s)',
    async (_, aheadMs) => {
      const { db } = database();
      await resetDatabase(db);
      await seedDemoDataIfEmpty(db, new Date());
      const config = fixedConfig(loadBusinessConfig());
      const log = captureLog().log;
      let offsetMs = aheadMs;
      const clock = () => new Date(Date.now() + offsetMs);
      // Stopped: stores the message and handles nothing, as a process that died right after storing it.
      const storing = new Bot({ db, config, log, clock });
      const sweeping = new Bot({ db, config, log, clock });
      const event = salesMessage('你好', 'm2', new Date());
      const { inboundId } = await storing.ingest(event, 'm2');
      expect(await sweeping.sweep()).toBe(0);
      offsetMs += 11_000;
      expect(await sweeping.sweep()).toBe(1);
      const [row] = await db.select().from(inboundMessages);
      expect(row).toMatchObject({ id: inboundId, status: 'processed' });
    },
  );
});
