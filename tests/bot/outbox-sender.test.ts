import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DeliveryError } from '../../core/errors';
import { createLogger } from '../../bot/logger';
import { backoffMs, OutboxSender, type OutboxSenderOptions } from '../../bot/outbox-sender';
import type { DatabaseHandle } from '../../db/client';
import { migrate } from '../../db/migrate';
import { outbox, platformTokens, replyWindows } from '../../db/schema';
import { deliveryRecord, type RecordWriter } from '../../bot/adapter';
import type { Effect } from '../../core/effects';
import { type LeasedRow, startEffects } from '../../core/outbox';
import { TestClock } from '../support/clock';
import { backends, createTestDatabase, resetDatabase } from '../support/databases';

const log = createLogger('silent');

describe('backoff', () => {
  it('grows, stays within ±25% of the base, and is capped at 10 minutes', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.double({ min: 0, max: 0.999, noNaN: true }), (attempt, r) => {
        const base = Math.min(600_000, 1000 * 2 ** (attempt - 1));
        const wait = backoffMs(attempt, () => r);
        return wait >= base * 0.75 - 1 && wait <= base * 1.25 + 1;
      }),
    );
  });
});

describe.each(backends)('outbox sender on %s', (backend) => {
  let database: DatabaseHandle;
  let clock: TestClock;
  beforeAll(async () => {
    database = await createTestDatabase(backend, { poolSize: 4 });
    await migrate(database.db);
  });
  afterAll(async () => {
    await database.close();
  });
  beforeEach(async () => {
    clock = new TestClock();
    await resetDatabase(database.db);
  });

  async function enqueue(n: number) {
    const effect: Effect = { kind: 'post', to: { conversationId: 'c' }, text: 'hello' };
    await database.db.insert(outbox).values(
      Array.from({ length: n }, (_, i) => ({
        idempotencyKey: `k${i}`,
        platform: 'fake',
        kind: effect.kind,
        payload: { ...effect, text: `hello ${i}` },
        nextAttemptAt: clock.now(),
        createdAt: clock.now(),
      })),
    );
  }

  /** A sender on the test's database and clock. */
  const senderWith = (options: Omit<OutboxSenderOptions, 'db' | 'clock' | 'log'>) =>
    new OutboxSender({ db: database.db, clock: clock.now, log, ...options });

  /** Row k0, held by a process that died under a 30 s lease: another sender takes it only after the lease, once. */
  async function expectTakenOverAfterLease() {
    const delivered: string[] = [];
    const alive = senderWith({
      deliver: async (row) => void delivered.push(row.idempotencyKey),
    });
    expect(await alive.runOnce()).toBe(0);
    clock.advance(31_000);
    expect(await alive.runOnce()).toBe(1);
    expect(await alive.runOnce()).toBe(0);
    expect(delivered).toEqual(['k0']);
  }

  it('retries a retryable failure after its backoff, and records a permanent one without retrying', async () => {
    await enqueue(2);
    const calls: string[] = [];
    const sender = senderWith({
      deliver: async (row) => {
        calls.push(row.idempotencyKey);
        if (row.idempotencyKey === 'k0' && row.attempts === 1) throw DeliveryError.retry('503 from platform');
        if (row.idempotencyKey === 'k1') throw DeliveryError.permanent('invalid recipient');
      },
    });
    expect(await sender.runOnce()).toBe(2);
    expect(await sender.runOnce()).toBe(0); // k0 waits for its backoff
    clock.advance(5_000);
    expect(await sender.runOnce()).toBe(1);
    const rows = await database.db.select().from(outbox).orderBy(outbox.id);
    expect(rows.map((r) => [r.idempotencyKey, r.status, r.attempts])).toEqual([
      ['k0', 'sent', 2],
      ['k1', 'failed', 1],
    ]);
    expect(rows[1]!.lastError).toBe('invalid recipient');
    expect(calls).toEqual(['k0', 'k1', 'k0']);
  });

  it('delivers each row exactly once when several senders run at the same time', async () => {
    await enqueue(60);
    const delivered: string[] = [];
    const senders = Array.from({ length: 3 }, () =>
      senderWith({
        batchSize: 7,
        deliver: async (row) => {
          delivered.push(row.idempotencyKey);
          await new Promise((r) => setTimeout(r, 1));
        },
      }),
    );
    const drain = async (s: OutboxSender) => {
      while ((await s.runOnce()) > 0);
    };
    await Promise.all(senders.map(drain));
    expect(delivered).toHaveLength(60);
    expect(new Set(delivered).size).toBe(60);
    const left = await database.db.select().from(outbox).where(eq(outbox.status, 'pending'));
    expect(left).toHaveLength(0);
  });

  /**
   * A sender whose delivery of k0 hangs until the test lets it go, run once; then the clock jumps an hour (the
   * playground's time travel) past the lease and the sender claims again, while k0 is still under way. Answers the two
   * runs' counts, what was delivered, and the rows.
   */
  async function claimAgainWhileK0IsUnderWay() {
    let open: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const delivered: string[] = [];
    const sender = senderWith({
      deliver: async (row) => {
        delivered.push(row.idempotencyKey);
        if (row.idempotencyKey === 'k0') await gate;
      },
    });
    const first = sender.runOnce();
    while (delivered.length === 0) await new Promise((r) => setTimeout(r, 5));
    clock.advance(3600_000);
    const second = sender.runOnce();
    const attempts = async () => (await database.db.select().from(outbox)).map((r) => r.attempts);
    while ((await attempts()).some((n) => n < 2)) await new Promise((r) => setTimeout(r, 5));
    open();
    const runs = [await first, await second];
    return { runs, delivered, rows: await database.db.select().from(outbox).orderBy(outbox.id) };
  }

  it('does not deliver again a row it is delivering when a claim takes it back after the clock jumped past its lease', async () => {
    await enqueue(1);
    const { runs, delivered, rows } = await claimAgainWhileK0IsUnderWay();
    expect(runs).toEqual([1, 1]);
    expect(delivered).toEqual(['k0']);
    expect(rows.map((r) => [r.status, r.attempts])).toEqual([['sent', 2]]);
  });

  it('goes on with a queued row a claim took back after the clock jumped, under the new lease, once', async () => {
    await enqueue(2); // one chat: k1 waits for k0
    const { runs, delivered, rows } = await claimAgainWhileK0IsUnderWay();
    expect(runs).toEqual([2, 2]);
    expect(delivered).toEqual(['k0', 'k1']);
    expect(rows.map((r) => r.status)).toEqual(['sent', 'sent']);
  });

  it('takes over a row whose sender died holding its lease, once the lease runs out', async () => {
    await enqueue(1);
    const dead = senderWith({
      leaseMs: 30_000,
      deliver: () => new Promise(() => {}),
    });
    void dead.runOnce();
    await new Promise((r) => setTimeout(r, 100));
    await expectTakenOverAfterLease();
  });

  it("writes each delivery's record with the rows' sent marks; a record the database refuses holds back no mark", async () => {
    await enqueue(4);
    const tokens: RecordWriter<string> = {
      statement: (keys) => sql`insert into ${platformTokens} (key, token, expires_at, refreshed_at)
        select k, 'delivered', now(), now() from jsonb_array_elements_text(${JSON.stringify(keys)}::jsonb) k`,
    };
    // Refused by the database: a token's key cannot be null.
    const refused: RecordWriter<string> = {
      statement: () => sql`insert into ${platformTokens} (key, token, expires_at, refreshed_at)
        values (null, 'x', now(), now())`,
    };
    const sender = (writerOf: (key: string) => RecordWriter<string> | undefined) =>
      senderWith({
        deliver: async (row) => {
          const writer = writerOf(row.idempotencyKey);
          return writer && deliveryRecord(writer, `token:${row.idempotencyKey}`);
        },
      });
    await sender((key) => (key === 'k3' ? undefined : tokens)).runOnce();
    const keys = async () => (await database.db.select().from(platformTokens)).map((t) => t.key).sort();
    expect(await keys()).toEqual(['token:k0', 'token:k1', 'token:k2']);
    expect((await database.db.select().from(outbox)).map((r) => r.status)).toEqual(['sent', 'sent', 'sent', 'sent']);

    await resetDatabase(database.db);
    await enqueue(3);
    // Each to its own chat, so the three are delivered at once and marked by one statement.
    await database.db.execute(
      sql`update ${outbox} set payload = jsonb_set(payload, '{to,conversationId}', to_jsonb(idempotency_key))`,
    );
    await sender((key) => (key === 'k0' ? refused : tokens)).runOnce();
    // k0's record is refused; its row is marked all the same, and the other rows' records are written.
    expect((await database.db.select().from(outbox)).map((r) => r.status)).toEqual(['sent', 'sent', 'sent']);
    expect(await keys()).toEqual(['token:k1', 'token:k2']);
  });

  /** Effects written as a handler writes them, leased until `until`; the rows leased, once committed. */
  async function writeLeased(
    effects: Array<{ key: string; effect: Effect; notBefore?: Date }>,
    until: Date,
  ): Promise<LeasedRow[]> {
    let last: Promise<LeasedRow[]> | undefined;
    await database.db.transaction(async (tx) => {
      last = (await startEffects(tx, effects, { platform: 'fake', now: clock.now() }, undefined, until)).last;
    });
    return last!;
  }

  const post = (conversationId: string, text: string): Effect => ({ kind: 'post', to: { conversationId }, text });

  it("delivers a handler's leased effects in order once committed, which no other process's claim takes", async () => {
    const delivered: string[] = [];
    const sender = senderWith({
      deliver: async (row) => {
        delivered.push(row.idempotencyKey);
        await new Promise((r) => setTimeout(r, 5));
        delivered.push(`${row.idempotencyKey} done`);
      },
    });
    sender.start();
    const until = sender.leaseUntil(clock.now())!;
    const later = new Date(clock.now().getTime() + 3_600_000);
    const leased = await writeLeased(
      [
        { key: 'c1', effect: post('c', '1') },
        { key: 'd1', effect: post('d', '1') },
        { key: 'c2', effect: post('c', '2') },
        { key: 'c3', effect: post('c', '3') },
        { key: 'tomorrow', effect: post('c', 'later'), notBefore: later },
        // A key given twice: inserted once, from its first effect.
        { key: 'c1', effect: post('c', 'again') },
      ],
      until,
    );
    expect(leased.map((r) => [r.idempotencyKey, r.attempts, r.lockedUntil])).toEqual([
      ['c1', 1, until],
      ['d1', 1, until],
      ['c2', 1, until],
      ['c3', 1, until],
    ]);
    expect(leased[0]!.payload).toEqual(post('c', '1'));
    const other = senderWith({
      deliver: async () => {},
    });
    expect(await other.runOnce()).toBe(0);
    sender.deliverLeased(leased);
    await sender.stop();
    // One chat's deliveries one after another; another chat's beside them.
    expect(delivered.filter((k) => k.startsWith('c'))).toEqual(['c1', 'c1 done', 'c2', 'c2 done', 'c3', 'c3 done']);
    expect(delivered.indexOf('d1')).toBeLessThan(delivered.indexOf('c1 done'));
    const rows = await database.db.select().from(outbox).orderBy(outbox.id);
    expect(rows.map((r) => [r.idempotencyKey, r.status, r.attempts, r.lockedUntil])).toEqual([
      ['c1', 'sent', 1, null],
      ['d1', 'sent', 1, null],
      ['c2', 'sent', 1, null],
      ['c3', 'sent', 1, null],
      ['tomorrow', 'pending', 0, null],
    ]);
    // The same event handled again writes nothing new, and leases nothing to deliver.
    expect(await writeLeased([{ key: 'c1', effect: post('c', '1') }], until)).toEqual([]);
    // Not leased while the sender is stopped: a claim takes the effects then.
    expect(sender.leaseUntil(clock.now())).toBeUndefined();
  });

  it('delivers the leased rows of a process that died before delivering them once their lease runs out, once', async () => {
    await writeLeased([{ key: 'k0', effect: post('c', 'hello') }], new Date(clock.now().getTime() + 30_000));
    await expectTakenOverAfterLease();
  });

  it('leaves a leased row that waited for its turn past half its lease to a claim after the lease, and sends it once', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const delivered: string[] = [];
    const sender = senderWith({
      leaseMs: 60_000,
      deliver: async (row) => {
        delivered.push(row.idempotencyKey);
        if (row.idempotencyKey === 'slow') await gate;
      },
    });
    sender.start();
    const leased = await writeLeased(
      [
        { key: 'slow', effect: post('c', '1') },
        { key: 'queued', effect: post('c', '2') },
      ],
      sender.leaseUntil(clock.now())!,
    );
    sender.deliverLeased(leased);
    await new Promise((r) => setTimeout(r, 50));
    clock.advance(31_000);
    release();
    await sender.stop();
    expect(delivered).toEqual(['slow']);
    const [queued] = await database.db.select().from(outbox).where(eq(outbox.idempotencyKey, 'queued'));
    expect(queued).toMatchObject({ status: 'pending', attempts: 1 });
    expect(await sender.runOnce()).toBe(0);
    clock.advance(30_000);
    expect(await sender.runOnce()).toBe(1);
    expect(delivered).toEqual(['slow', 'queued']);
  });

  it("tells the adapter whether the row's conversation had an open reply window on its platform when claimed", async () => {
    const now = clock.now();
    const later = new Date(now.getTime() + 60_000);
    const earlier = new Date(now.getTime() - 1);
    const window = (platform: string, conversationId: string, expiresAt: Date, usesLeft: number | null) => ({
      platform,
      conversationId,
      url: `https://example.com/${platform}/${conversationId}/${usesLeft}`,
      usesLeft,
      expiresAt,
      createdAt: now,
    });
    await database.db
      .insert(replyWindows)
      .values([
        window('fake', 'open', later, 1),
        window('fake', 'unlimited', later, null),
        window('fake', 'expired', earlier, 1),
        window('fake', 'used', later, 0),
        window('other', 'elsewhere', later, 1),
      ]);
    const rows: Array<{ key: string; effect: Effect }> = [
      { key: 'open', effect: { kind: 'post', to: { conversationId: 'open' }, text: 'a' } },
      { key: 'unlimited', effect: { kind: 'post', to: { conversationId: 'unlimited' }, text: 'b' } },
      { key: 'expired', effect: { kind: 'post', to: { conversationId: 'expired' }, text: 'c' } },
      { key: 'used', effect: { kind: 'post', to: { conversationId: 'used' }, text: 'd' } },
      { key: 'elsewhere', effect: { kind: 'post', to: { conversationId: 'elsewhere' }, text: 'e' } },
      { key: 'person', effect: { kind: 'post', to: { userId: 'open' }, text: 'f' } },
      {
        key: 'update',
        effect: { kind: 'update-card', cardId: 'card-1', conversationId: 'open', card: { id: 'card-1' } as never },
      },
    ];
    await database.db.insert(outbox).values(
      rows.map(({ key, effect }) => ({
        idempotencyKey: key,
        platform: 'fake',
        kind: effect.kind,
        payload: effect,
        nextAttemptAt: now,
        createdAt: now,
      })),
    );
    const seen: Record<string, boolean | undefined> = {};
    const sender = senderWith({
      deliver: async (row) => {
        seen[row.idempotencyKey] = row.replyWindow;
      },
    });
    await sender.runOnce();
    const expected = {
      open: true,
      unlimited: true,
      expired: false,
      used: false,
      elsewhere: false,
      person: false,
      update: true,
    };
    expect(seen).toEqual(expected);
    // A handler's effects written leased carry the same hint, read by the insert.
    const leased = await writeLeased(
      rows.map(({ key, effect }) => ({ key: `leased:${key}`, effect })),
      new Date(now.getTime() + 60_000),
    );
    expect(Object.fromEntries(leased.map((r) => [r.idempotencyKey.slice('leased:'.length), r.replyWindow]))).toEqual(
      expected,
    );
  });
});
