import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, queryRows, type DatabaseHandle } from '../../db/client';
import { TestApp } from '../support/app';
import { backends, createTestDatabase } from '../support/databases';

/** ORDERBOT_DB_STATS=1: the e2e bench's statement and round-trip counts, read from the product. */
describe.each(backends)('database statistics (%s)', (backend) => {
  const opened: Array<{ close(): Promise<void> }> = [];
  afterEach(async () => {
    delete process.env.ORDERBOT_DB_STATS;
    for (const o of opened.reverse()) await o.close();
    opened.length = 0;
  });

  it('are neither counted nor served without ORDERBOT_DB_STATS=1', async () => {
    const database = await createTestDatabase(backend);
    opened.push(database);
    expect(database.stats).toBeUndefined();
    const app = await TestApp.start(backend, { database });
    opened.push(app);
    expect((await fetch(`${app.url}/internal/db-stats`)).status).toBe(404);
  });

  it.runIf(backend === 'postgres')('count each statement and each write to the socket on PostgreSQL', async () => {
    const database = await createTestDatabase(backend);
    opened.push(database);
    process.env.ORDERBOT_DB_STATS = '1';
    const counted: DatabaseHandle = await openDatabase({ url: database.url, poolSize: 1 });
    opened.push(counted);
    const stats = counted.stats!;
    await counted.db.execute(sql`select 1`);
    const delta = async (work: () => Promise<unknown>) => {
      const before = stats();
      await work();
      const after = stats();
      return { statements: after.statements - before.statements, roundTrips: after.roundTrips - before.roundTrips };
    };
    expect(await delta(() => counted.db.execute(sql`select 1`))).toEqual({ statements: 1, roundTrips: 1 });
    // Sent together on the one connection: three statements, one write.
    expect(await delta(() => Promise.all([1, 2, 3].map((n) => counted.db.execute(sql.raw(`select ${n}`)))))).toEqual({
      statements: 3,
      roundTrips: 1,
    });
    // begin goes out with the transaction's first statement (patches/postgres+3.4.9.patch); commit waits for it.
    expect(await delta(() => counted.db.transaction((tx) => tx.execute(sql`select 1`)))).toEqual({
      statements: 3,
      roundTrips: 2,
    });
    // A last statement not waited for goes out with the COMMIT.
    let last: Promise<unknown> | undefined;
    expect(
      await delta(async () => {
        await counted.db.transaction(async (tx) => {
          await tx.execute(sql`select 1`);
          last = queryRows(tx, sql`select 2`);
        });
        await last;
      }),
    ).toEqual({ statements: 4, roundTrips: 2 });

    const app = await TestApp.start(backend, { database: counted });
    opened.push(app);
    const read = async () => {
      const res = await fetch(`${app.url}/internal/db-stats`);
      expect(res.status).toBe(200);
      return (await res.json()) as {
        statements: number;
        roundTrips: number;
        gc: { minor: number; pausedMs: number };
        loop: { p99: number; max: number };
        answers: { count: number; p99: number; max: number };
      };
    };
    const first = await read();
    expect((await fetch(`${app.url}/healthz`)).status).toBe(200);
    // A POST (a callback's method) is timed, whatever it is answered.
    expect((await fetch(`${app.url}/healthz`, { method: 'POST' })).status).toBe(405);
    // Garbage enough for young-generation collections (the app runs in this process).
    let length = 0;
    for (let i = 0; i < 1_000_000; i++) length += String(i).padStart(64, 'x').length;
    expect(length).toBe(64_000_000);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const second = await read();
    expect(second.statements).toBeGreaterThan(first.statements);
    expect(second.roundTrips).toBeGreaterThan(first.roundTrips);
    expect(second.gc.minor).toBeGreaterThan(first.gc.minor);
    expect(second.gc.pausedMs).toBeGreaterThan(first.gc.pausedMs);
    // The loop above held the event loop far longer than 20 ms; each reading starts a new period.
    expect(second.loop.max).toBeGreaterThan(20);
    expect(second.answers.count).toBe(1);
    expect(second.answers.max).toBeGreaterThan(0);
    const third = await read();
    expect(third.answers.count).toBe(0);
    expect(third.loop.max).toBeLessThan(second.loop.max);
  });
});
