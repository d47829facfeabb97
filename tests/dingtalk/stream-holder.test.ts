import { count, sql } from 'drizzle-orm';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { DingtalkAdapter } from '../../bot/dingtalk/dingtalk-adapter';
import { GatewayStreamClient } from '../../bot/dingtalk/stream-client';
import { StreamHolder, streamLeaseName } from '../../bot/dingtalk/stream-holder';
import { queryRows, type DatabaseHandle } from '../../db/client';
import { migrate } from '../../db/migrate';
import { inboundMessages, orders } from '../../db/schema';
import { FakeDingtalk, TOPIC_ROBOT } from '../fakes/dingtalk/fake-dingtalk';
import { TestApp } from '../support/app';
import { TestClock } from '../support/clock';
import { backends, createTestDatabase } from '../support/databases';
import { EAST, settle, STAFF, type Harness } from './harness';

/** Short leases keep the file fast: 600 ms, renewed (and tried by the others) every 150 ms. */
const LEASE_MS = 600;
const LEASE_ENV = { DINGTALK_STREAM_LEASE_MS: String(LEASE_MS) };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.each(backends)('DingTalk Stream lease on %s', (backend) => {
  const clock = new TestClock();
  let database: DatabaseHandle;
  let fake: FakeDingtalk;
  let apps: TestApp[] = [];
  /** The most live Stream connections the fake saw at once during the test. */
  let mostLive = 0;
  /** Orders in the database when the test began. */
  let ordersBefore = 0;
  let monitor: NodeJS.Timeout | undefined;

  beforeAll(async () => {
    vi.spyOn(console, 'info').mockImplementation(() => {});
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    database = await createTestDatabase(backend);
    await migrate(database.db);
    fake = await FakeDingtalk.start({
      clock: clock.now,
      gateway: { redeliverAfterMs: 500, disconnectGraceMs: 500 },
    });
  });
  afterAll(async () => {
    await fake.close();
    await database.close();
    vi.restoreAllMocks();
  });
  beforeEach(async () => {
    clock.set('2026-02-24T10:00:00+08:00');
    fake.reset();
    // The data stays from test to test (loading the demo master data again would cost a second each time).
    await database.db.execute(sql`delete from leases`);
    ordersBefore = await orderCount();
    mostLive = 0;
    monitor = setInterval(() => {
      mostLive = Math.max(mostLive, fake.gateway.liveConnections().length);
    }, 5);
  });
  afterEach(async () => {
    clearInterval(monitor);
    // A test that failed while the leases table was away leaves it back for the next.
    await database.db.execute(sql`alter table if exists leases_away rename to leases`);
    await Promise.all(apps.map((t) => t.close()));
    apps = [];
  });

  /**
   * `n` orderbot processes on the one database, each with DingTalk configured; returns once one of them
   * holds the lease and is connected. The first starts alone: it loads the demo master data, which holds
   * up the event loop (all processes share it here) for longer than a 600 ms lease.
   */
  async function startProcesses(n: number): Promise<TestApp[]> {
    expect(fake.gateway.liveConnections()).toEqual([]);
    const start = () => TestApp.start(backend, { database, env: fake.env(LEASE_ENV), clock });
    const first = await start();
    const started = [first, ...(await Promise.all(Array.from({ length: n - 1 }, start)))];
    apps.push(...started);
    await fake.waitFor(() => holders().length === 1 && fake.gateway.liveConnections().length === 1, 'a holder');
    mostLive = 1;
    return started;
  }

  function lease(t: TestApp): StreamHolder {
    const adapter = t.app.bot.listAdapters().find((a) => a.platform === 'dingtalk') as DingtalkAdapter;
    return adapter.streamLease;
  }

  function holders(among: TestApp[] = apps): TestApp[] {
    return among.filter((t) => lease(t).holding());
  }

  const harness = (): Harness => ({ fake, database, clock, t: apps[0]! }) as Harness;

  async function orderCount(): Promise<number> {
    return (await database.db.select({ n: count() }).from(orders))[0]!.n;
  }

  async function inboundCount(): Promise<number> {
    return (await database.db.select({ n: count() }).from(inboundMessages))[0]!.n;
  }

  async function newOrders(): Promise<number> {
    return (await orderCount()) - ordersBefore;
  }

  async function leaseRow() {
    const [row] = await queryRows<{ holder: string; fence: string | number }>(
      database.db,
      sql`select holder, fence from leases where name = ${streamLeaseName(fake.clientId)}`,
    );
    return row && { holder: row.holder, fence: Number(row.fence) };
  }

  function say(n: number) {
    return fake.say({ staffId: STAFF.zhangsan, group: EAST, text: `BRK-2026-02 ×${10 + n} 3月9日前` });
  }

  it('three processes keep one Stream connection; when the holder dies another connects within 5 s and each message becomes one order', async () => {
    const inboundBefore = await inboundCount();
    await startProcesses(3);
    await sleep(3 * 150);
    expect(fake.gateway.liveConnections()).toHaveLength(1);
    expect(mostLive).toBe(1);
    const [dead] = holders();
    expect(holders()).toHaveLength(1);
    expect((await leaseRow())?.holder).toBe(lease(dead!).holder);

    say(1);
    await fake.waitFor(() => fake.groupTexts(EAST).some((m) => m.includes('SO-')), 'the first order reply');
    // The holder dies right after DingTalk pushed it a frame: it may or may not have taken it.
    say(2);
    lease(dead!).abandon();
    const diedAt = Date.now();
    say(3);
    const next = await fake.waitFor(
      () => fake.gateway.liveConnections().length === 1 && holders()[0],
      'another process to take over',
    );
    const tookOverMs = Date.now() - diedAt;
    expect(next).not.toBe(dead);
    expect(tookOverMs).toBeLessThan(5000);
    say(4);

    await settle(harness());
    await fake.waitFor(
      () => fake.groupTexts(EAST).filter((m) => m.includes('SO-')).length >= 4 || undefined,
      'four order replies',
    );
    expect(await newOrders()).toBe(4);
    expect((await inboundCount()) - inboundBefore).toBe(4);
    expect(fake.gateway.unanswered()).toEqual([]);
    expect(mostLive).toBe(1);
  });

  it('hands the connection over within a second when the holder stops gracefully', async () => {
    await startProcesses(3);
    const leaving = holders()[0]!;
    const stoppedAt = Date.now();
    // What the adapter's stop() does when its process shuts down: close the connection, release the lease.
    await lease(leaving).stop();
    await fake.waitFor(
      () => fake.gateway.liveConnections().length === 1 && holders().length === 1,
      'another process to connect',
    );
    expect(Date.now() - stoppedAt).toBeLessThan(1000);
    expect(holders()[0]).not.toBe(leaving);
    say(1);
    await settle(harness());
    expect(await newOrders()).toBe(1);
    expect(mostLive).toBe(1);
  });

  // Timing-sensitive: on a loaded 2-core machine running the whole suite it timed out twice in a day (once per
  // database), never alone. Retried while the cause is looked into (see the stop's note).
  it('drops the connection of a holder that cannot renew before its lease runs out; frames wait for the next holder', {
    retry: 2,
  }, async () => {
    const [only] = await startProcesses(1);
    const { fence } = (await leaseRow())!;
    // Renewals fail from now on: the holder's lease runs out by its own clock.
    const blockedAt = Date.now();
    await database.db.execute(sql`alter table leases rename to leases_away`);
    await fake.waitFor(() => fake.gateway.liveConnections().length === 0, 'the holder to drop its connection');
    expect(Date.now() - blockedAt).toBeLessThan(LEASE_MS + 400);
    expect(lease(only!).holding()).toBe(false);
    const { messageId } = say(1);
    await sleep(200);
    expect(fake.gateway.frames.filter((f) => f.messageId === messageId)).toEqual([]);
    expect(await newOrders()).toBe(0);

    await database.db.execute(sql`alter table leases_away rename to leases`);
    await fake.waitFor(() => fake.gateway.liveConnections().length === 1, 'the process to connect again');
    await settle(harness());
    expect(await newOrders()).toBe(1);
    expect(await leaseRow()).toEqual({ holder: lease(only!).holder, fence: fence + 1 });
  });

  it('drops the connection at once when another holder moves in with a higher fence', async () => {
    await startProcesses(2);
    const before = (await leaseRow())!;
    const movedAt = Date.now();
    await database.db.execute(
      sql`update leases set holder = 'elsewhere/1/intruder', fence = fence + 1, expires_at = now() + interval '700 milliseconds'`,
    );
    await fake.waitFor(() => fake.gateway.liveConnections().length === 0, 'the moved-out holder to disconnect');
    // On its next renewal (every 150 ms), well before its own lease would have run out.
    expect(Date.now() - movedAt).toBeLessThan(LEASE_MS);
    expect(holders()).toEqual([]);
    const { messageId } = say(1);

    // Once the intruder's lease runs out, one of the two takes it with a fence above the intruder's.
    await fake.waitFor(() => fake.gateway.liveConnections().length === 1 && holders().length === 1, 'a new holder');
    await settle(harness());
    expect(await newOrders()).toBe(1);
    expect(fake.gateway.acks.filter((a) => a.messageId === messageId)).toHaveLength(1);
    expect((await leaseRow())?.fence).toBe(before.fence + 2);
    expect(mostLive).toBe(1);
  });

  it('neither handles nor answers a frame that reaches a holder after its local deadline', async () => {
    const log = pino({ level: 'silent' });
    const taken: string[] = [];
    let holder!: StreamHolder;
    const client = new GatewayStreamClient({
      clientId: fake.clientId,
      clientSecret: fake.clientSecret,
      gatewayUrl: `${fake.url}/v1.0/gateway/connections/open`,
      log,
      mayAct: () => holder.holding(),
    });
    client.registerCallbackListener(TOPIC_ROBOT, (frame) => {
      taken.push(frame.headers.messageId);
      client.answer(frame.headers.messageId, null);
    });
    holder = new StreamHolder({
      db: database.db,
      name: streamLeaseName(fake.clientId),
      leaseMs: LEASE_MS,
      log,
      open: () => client.open(),
      // A holder too busy to close its socket in time: only the deadline check on each frame is left.
      close: () => {},
      shutdown: () => client.shutdown(),
    });
    try {
      await holder.start();
      await fake.waitFor(() => fake.gateway.liveConnections().length === 1, 'the holder to connect');
      const early = say(1).messageId;
      await fake.waitFor(() => fake.gateway.acks.some((a) => a.messageId === early), 'the answer in time');

      await database.db.execute(sql`alter table leases rename to leases_away`);
      await fake.waitFor(() => !holder.holding(), 'the local deadline');
      expect(fake.gateway.liveConnections()).toHaveLength(1);
      const late = say(2).messageId;
      await fake.waitFor(() => fake.gateway.frames.some((f) => f.messageId === late), 'the late frame');
      await sleep(100);
      expect(taken).toEqual([early]);
      expect(fake.gateway.unanswered()).toEqual([late]);
    } finally {
      await database.db.execute(sql`alter table if exists leases_away rename to leases`);
      await holder.stop();
    }
  });
});
