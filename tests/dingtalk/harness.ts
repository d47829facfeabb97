import { sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, beforeEach, vi } from 'vitest';
import type { AppOptions } from '../../bot/app';
import type { BusinessConfig } from '../../config/business-config';
import { queryRows, type DatabaseHandle } from '../../db/client';
import { FakeDingtalk, type FakeDingtalkOptions } from '../fakes/dingtalk/fake-dingtalk';
import type { FakeCard } from '../fakes/dingtalk/openapi';
import { TestApp } from '../support/app';
import { TestClock } from '../support/clock';
import { createTestDatabase, type Backend } from '../support/databases';

/** Staff ids of config/demo.yaml's people, and the sales groups' openConversationIds. */
export const STAFF = {
  zhangsan: '0211001',
  lisi: '0211002',
  wanggong: '0212001',
  liugong: '0212002',
  chenjie: '0213001',
  zhoushifu: '0214001',
} as const;
export const EAST = 'cidEastSalesGroup0001==';
export const APPROVERS = [STAFF.wanggong, STAFF.liugong, STAFF.chenjie, STAFF.zhoushifu];

export interface Harness {
  fake: FakeDingtalk;
  t: TestApp;
  clock: TestClock;
  database: DatabaseHandle;
}

/**
 * One database and one fake DingTalk per test file and backend; a fresh app (and empty database and
 * fake) per test. The app's clock is also the fake's, so token and session-webhook expiry move with it.
 */
export function useDingtalkApp(
  backend: Backend,
  options: {
    fake?: FakeDingtalkOptions;
    env?: Record<string, string | undefined>;
    /** The business config instead of the demo's. */
    config?: BusinessConfig;
    /** SMS provider, courier tracker or map instead of the environment's. */
    integrations?: Pick<AppOptions, 'smsProvider' | 'tracker' | 'transit'>;
  } = {},
): Harness {
  const h = { clock: new TestClock() } as Harness;
  beforeAll(async () => {
    vi.spyOn(console, 'info').mockImplementation(() => {});
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    h.database = await createTestDatabase(backend);
    h.fake = await FakeDingtalk.start({
      clock: h.clock.now,
      gateway: { redeliverAfterMs: 500, disconnectGraceMs: 500, ...options.fake?.gateway },
      api: options.fake?.api,
    });
  });
  afterAll(async () => {
    await h.fake.close();
    await h.database.close();
    vi.restoreAllMocks();
  });
  beforeEach(async () => {
    h.clock.set('2026-02-24T10:00:00+08:00');
    h.fake.reset();
    h.t = await TestApp.start(backend, {
      database: h.database,
      fresh: true,
      env: h.fake.env(options.env),
      clock: h.clock,
      ...(options.config ? { config: options.config } : {}),
      ...(options.integrations ? { integrations: options.integrations } : {}),
    });
    await h.fake.waitFor(() => h.fake.gateway.liveConnections().length === 1, 'the bot to connect');
  });
  afterEach(async () => {
    await h.t.close();
  });
  return h;
}

/** Waits until every inbound row is handled and every outbox row settled, moving the clock so retries fall due. */
export async function settle(h: Harness, options: { stepMs?: number } = {}): Promise<void> {
  await h.fake.waitFor(() => h.fake.gateway.unanswered().length === 0, 'every frame to be answered');
  const deadline = Date.now() + 15_000;
  for (;;) {
    const [row] = await queryRows<{ n: string | number }>(
      h.database.db,
      sql`select (select count(*) from inbound_messages where status = 'received') + (select count(*) from outbox where status = 'pending') as n`,
    );
    if (Number(row?.n) === 0) return;
    if (Date.now() > deadline) throw new Error('timed out waiting for the bot to settle');
    h.clock.advance(options.stepMs ?? 0);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Sales person Zhang San @-mentions the robot in the east sales group, and the four approval cards arrive. */
export async function orderWithCards(
  h: Harness,
  options: { text?: string; tickMs?: number } = {},
): Promise<Record<string, FakeCard>> {
  const before = new Set(h.fake.api.cards.keys());
  h.fake.say({
    staffId: STAFF.zhangsan,
    group: EAST,
    text: options.text ?? 'BRK-2026-01 样品5件 3月5日前到',
    nick: '张三',
  });
  return h.fake.waitFor(
    () => {
      const cards = Object.fromEntries(
        APPROVERS.map((id) => [id, h.fake.cardsOf(id).find((c) => !before.has(c.outTrackId))]),
      );
      return APPROVERS.every((id) => cards[id]) && (cards as Record<string, FakeCard>);
    },
    'four approval cards',
    options.tickMs ? () => h.clock.advance(options.tickMs!) : undefined,
  );
}

/** The three approvals that confirm an order (one per department). */
export function approveAll(h: Harness, cards: Record<string, FakeCard>): void {
  for (const staffId of [STAFF.wanggong, STAFF.chenjie, STAFF.zhoushifu]) {
    h.fake.tap({ staffId, outTrackId: cards[staffId]!.outTrackId, action: 'approve' });
  }
}
