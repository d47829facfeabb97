import { sql } from 'drizzle-orm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { queryRows, type DatabaseHandle } from '../../db/client';
import { FakeDingtalk } from '../fakes/dingtalk/fake-dingtalk';
import { TestApp } from '../support/app';
import { TestClock } from '../support/clock';
import { createTestDatabase } from '../support/databases';
import { EAST_GROUP, shotArb, type Shot } from './stream-frame-shapes';
import { captureLog } from '../support/log-capture';

/**
 * Generated DingTalk Stream frames through the fake gateway into the real `dingtalk-stream` client inside
 * the product: well-formed robot messages and card callbacks with odd text, and frames broken in every
 * way the wire allows. FUZZ_RUNS sets how many (300 under `npm test`, 5,000 under `npm run fuzz`).
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 300);
/** Generous: a frame takes about 30 ms on two idle cores, and three times that when they are busy. */
const TIMEOUT = 30_000 + RUNS * 100;
const STACK = /\n\s+at |node_modules|\.ts:\d+|\bat Object\.|TypeError|ReferenceError/;
const GENUINE = 'BRK-2026-02 ×10 3月9日前';
const AFTER_RECONNECT = 'BRK-2026-03 ×20 3月12日前';

/** Unhandled rejections and uncaught exceptions while the fuzz runs: there must be none. */
function watchProcess() {
  const seen: string[] = [];
  const onRejection = (reason: unknown) =>
    seen.push(`unhandled rejection: ${String((reason as Error)?.stack ?? reason)}`);
  const onException = (err: Error) => seen.push(`uncaught exception: ${err.stack ?? err.message}`);
  process.on('unhandledRejection', onRejection);
  process.on('uncaughtException', onException);
  return {
    seen,
    stop() {
      process.off('unhandledRejection', onRejection);
      process.off('uncaughtException', onException);
    },
  };
}

/**
 * Polls a check until it gives a value (not undefined/false), or fails after `timeoutMs` with `what`.
 * The first polls come quickly (most answers take a few ms), then every 20 ms.
 */
async function until<T>(
  check: () => T | undefined | false | Promise<T | undefined | false>,
  what: string,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (let pause = 1; ; pause = Math.min(20, pause * 2)) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, pause));
  }
}

describe('front door fuzz: DingTalk Stream frames', () => {
  const clock = new TestClock();
  let fake: FakeDingtalk;
  let database: DatabaseHandle;
  let t: TestApp;
  let captured: ReturnType<typeof captureLog>;
  let watch: ReturnType<typeof watchProcess>;
  let serial = 0;

  beforeAll(async () => {
    vi.spyOn(console, 'info').mockImplementation(() => {});
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    vi.spyOn(console, 'error').mockImplementation(() => {});
    clock.set('2026-02-24T10:00:00+08:00');
    watch = watchProcess();
    captured = captureLog();
    // The fuzz's own frames are sent once (sendRaw); a genuine frame lost with a socket is sent again after 1 s.
    // The east group takes every reply at once: its throttling would only queue the genuine order's reply.
    fake = await FakeDingtalk.start({
      clock: clock.now,
      gateway: { redeliverAfterMs: 1000 },
      api: { groupLimitPerMinute: 100_000 },
    });
    database = await createTestDatabase('pglite');
    t = await TestApp.start('pglite', { database, env: fake.env(), clock, log: captured.log });
    await fake.waitFor(() => fake.gateway.liveConnections().length === 1, 'the bot to connect');
  });
  afterAll(async () => {
    watch?.stop();
    await t?.close();
    await fake?.close();
    await database?.close();
    vi.restoreAllMocks();
  });

  const inbound = async (status?: string) => {
    const where = status ? sql` where status = ${status}` : sql``;
    const [row] = await queryRows<{ n: string | number }>(
      database.db,
      sql`select count(*) as n from inbound_messages${where}`,
    );
    return Number(row?.n);
  };
  const answersTo = (messageId: string) => fake.gateway.rawAcks.filter((a) => a.messageId === messageId).length;

  /** Every frame sent before it has been read by the product once a ping sent after it comes back. */
  async function roundTrip(): Promise<void> {
    const echoes = fake.gateway.pingEchoes.length;
    fake.gateway.pingNow();
    await until(() => fake.gateway.pingEchoes.length > echoes, 'the ping echo', 3000);
  }

  /** Zhang San asks for `text` in the east sales group: an order, and the reply naming it. */
  async function genuineOrder(text: string): Promise<void> {
    fake.say({ staffId: '0211001', group: EAST_GROUP, text, nick: '张三' });
    const order = await until(async () => {
      const [row] = await queryRows<{ number: string; status: string }>(
        database.db,
        sql`select number, status from orders where source_text = ${text}`,
      );
      return row;
    }, `the order for "${text}"`);
    expect(order.status).toBe('pending_approval');
    // The reply may queue behind the fuzz's replies to the same group and their retries: time moves on.
    await fake.waitFor(
      () => fake.groupTexts(EAST_GROUP).find((m) => m.includes(order.number)),
      'the order reply',
      () => clock.advance(1000),
    );
  }

  async function fire(shot: Shot): Promise<void> {
    const before = await inbound();
    for (const text of shot.texts) {
      const sentTo = fake.gateway.sendRaw(text, shot.messageId !== undefined ? { messageId: shot.messageId } : {});
      expect(sentTo, 'the bot is connected').toBeDefined();
    }
    if (shot.outcome === 'ignored') {
      await roundTrip();
      if (shot.messageId !== undefined) expect(answersTo(shot.messageId), `${shot.what}: answered`).toBe(0);
    } else {
      // The product answers only after the inbound row is committed (or on refusing the frame).
      await until(() => answersTo(shot.messageId!) === shot.texts.length, `${shot.what}: the answer`, 5000);
    }
    const after = await inbound();
    expect(after - before, `${shot.what}: inbound rows`).toBe(shot.outcome === 'stored' ? 1 : 0);
  }

  it(
    `handles ${RUNS} generated frames: answered or not as the protocol says, stored once or not at all, and stays connected`,
    async () => {
      const counts = { stored: 0, refused: 0, ignored: 0 };
      const world = {
        robotCode: fake.clientId,
        sessionWebhook: (chat: string) => fake.api.openSessionWebhook(chat),
        now: () => clock.now().getTime(),
      };
      const arb = shotArb(world, () => ++serial);
      await fc.assert(
        fc.asyncProperty(arb, async (shot) => {
          await fire(shot);
          counts[shot.outcome] += 1;
        }),
        // No shrinking: a failing frame may wait seconds for its answer. The seed printed replays it (FUZZ_SEED).
        {
          numRuns: RUNS,
          endOnFailure: true,
          ...(process.env.FUZZ_SEED ? { seed: Number(process.env.FUZZ_SEED) } : {}),
        },
      );
      // Each kind of outcome was really exercised.
      for (const outcome of ['stored', 'refused', 'ignored'] as const)
        expect(counts[outcome], outcome).toBeGreaterThan(RUNS / 8);
      // Also catches a frame stored too late to be seen in its own run.
      expect(await inbound()).toBe(counts.stored);

      // Everything stored gets handled; then one genuine message still becomes an order.
      await until(async () => (await inbound('received')) === 0, 'the fuzzed frames to be handled');
      expect(fake.gateway.liveConnections()).toHaveLength(1);
      expect(fake.gateway.opens, 'the connection stayed up').toHaveLength(1);
      await genuineOrder(GENUINE);

      expect(watch.seen).toEqual([]);
      for (const message of fake.api.messages)
        expect(message.text, 'a stack trace sent to DingTalk').not.toMatch(STACK);
      // Bad input is logged as a warning in words; an error line (with its stack) means something broke.
      const troubled = captured.lines.filter(
        (line) => (JSON.parse(line) as { level: number }).level >= 50 || line.includes('"stack":'),
      );
      expect(troubled, 'error lines or stack traces in the log').toEqual([]);
    },
    TIMEOUT,
  );

  it('reconnects after a frame that is not UTF-8 (the socket closes on it) and loses no message sent meanwhile', async () => {
    const opens = fake.gateway.opens.length;
    expect(fake.gateway.sendRaw(Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]))).toBeDefined();
    await genuineOrder(AFTER_RECONNECT);
    expect(fake.gateway.opens.length).toBe(opens + 1);
    expect(fake.gateway.liveConnections()).toHaveLength(1);
    expect(watch.seen).toEqual([]);
  });
});
