import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DeliveryError } from '../../core/errors';
import { createLogger } from '../../bot/logger';
import { backoffMs, OutboxSender } from '../../bot/outbox-sender';
import type { DatabaseHandle } from '../../db/client';
import { migrate } from '../../db/migrate';
import { outbox, platformTokens, replyWindows } from '../../db/schema';
import { deliveryRecord, type RecordWriter } from '../../bot/adapter';
import type { Effect } from '../../core/effects';
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

  it('retries a retryable failure after its backoff, and records a permanent one without retrying', async () => {
    await enqueue(2);
    const calls: string[] = [];
    const sender = new OutboxSender({
      db: database.db,
      clock: clock.now,
      log,
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
    const senders = Array.from(
      { length: 3 },
      () =>
        new OutboxSender({
          db: database.db,
          clock: clock.now,
          log,
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

  it('takes over a row whose sender died holding its lease, once the lease runs out', async () => {
    await enqueue(1);
    const dead = new OutboxSender({
      db: database.db,
      clock: clock.now,
      log,
      leaseMs: 30_000,
      deliver: () => new Promise(() => {}),
    });
    void dead.runOnce();
    await new Promise((r) => setTimeout(r, 100));
    const delivered: string[] = [];
    const alive = new OutboxSender({
      db: database.db,
      clock: clock.now,
      log,
      deliver: async (row) => void delivered.push(row.idempotencyKey),
    });
    expect(await alive.runOnce()).toBe(0);
    clock.advance(31_000);
    expect(await alive.runOnce()).toBe(1);
    expect(delivered).toEqual(['k0']);
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
      new OutboxSender({
        db: database.db,
        clock: clock.now,
        log,
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
    const sender = new OutboxSender({
      db: database.db,
      clock: clock.now,
      log,
      deliver: async (row) => {
        seen[row.idempotencyKey] = row.replyWindow;
      },
    });
    await sender.runOnce();
    expect(seen).toEqual({
      open: true,
      unlimited: true,
      expired: false,
      used: false,
      elsewhere: false,
      person: false,
      update: true,
    });
  });
});
