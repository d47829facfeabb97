import { and, eq, like } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { DingtalkQuota } from '../../bot/dingtalk/quota';
import { createLogger } from '../../bot/logger';
import { loadBusinessConfig } from '../../config/business-config';
import { apiCallCounts, outbox, quotaNotices } from '../../db/schema';
import type { FakeCard } from '../fakes/dingtalk/openapi';
import { backends } from '../support/databases';
import { APPROVERS, approveAll, EAST, orderWithCards, settle, STAFF, type Harness, useDingtalkApp } from './harness';

const QUOTA = 200;
const OPS = 'cidOpsGroup0003==';
const UPDATE = 'PUT /v1.0/card/instances';
const UNCOUNTED = new Set(['POST /v1.0/oauth2/accessToken', 'POST /robot/sendBySession']);

/** The demo plant with its ops conversation on DingTalk, so quota notices can be read at the fake. */
function configWithOpsGroup() {
  const config = loadBusinessConfig();
  return {
    ...config,
    conversations: config.conversations.map((c) =>
      c.id === config.opsConversation ? { ...c, dingtalk: { openConversationId: OPS } } : c,
    ),
  };
}

async function counts(h: Harness) {
  const rows = await h.t.db.select().from(apiCallCounts).where(eq(apiCallCounts.platform, 'dingtalk'));
  return Object.fromEntries(rows.map((r) => [`${r.month} ${r.api}`, { calls: r.calls, withheld: r.withheld }]));
}

/** Makes the month's count `total` calls (as if made earlier this month) under an API the bot does not call. */
async function seedCalls(h: Harness, month: string, total: number) {
  await h.t.db.insert(apiCallCounts).values({ platform: 'dingtalk', api: 'POST /v1.0/earlier', month, calls: total });
}

/** The tracking card's update (its one refresh, on confirmation). */
async function trackingRefresh(h: Harness) {
  const rows = await h.t.db
    .select()
    .from(outbox)
    .where(and(like(outbox.idempotencyKey, 'card:etd-SO-20260224-0001:%'), eq(outbox.kind, 'update-card')));
  expect(rows.length).toBeLessThanOrEqual(1);
  return rows[0];
}

async function until(check: () => Promise<boolean>, what: string) {
  const deadline = Date.now() + 10_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function statuses(cards: Record<string, FakeCard>): string[] {
  return APPROVERS.map((staffId) => `${staffId} ${cards[staffId]!.params.status}`);
}

function opsTexts(h: Harness): string[] {
  return h.fake.groupTexts(OPS);
}

describe.each(backends)('DingTalk monthly API quota on %s', (backend) => {
  const h = useDingtalkApp(backend, {
    env: { DINGTALK_MONTHLY_QUOTA: String(QUOTA) },
    config: configWithOpsGroup(),
  });

  it('counts every OpenAPI call per API and month, the access-token call excepted', async () => {
    h.fake.api.options.monthlyLimit = undefined;
    await orderWithCards(h);
    await settle(h);
    const made: Record<string, number> = {};
    for (const r of h.fake.api.requests) {
      const route = `${r.method} ${r.path}`;
      if (!UNCOUNTED.has(route)) made[`2026-02 ${route}`] = (made[`2026-02 ${route}`] ?? 0) + 1;
    }
    expect(Object.keys(made).length).toBeGreaterThan(0);
    const counted = await counts(h);
    expect(Object.fromEntries(Object.entries(counted).map(([k, v]) => [k, v.calls]))).toEqual(made);
    expect(Object.values(counted).every((v) => v.withheld === 0)).toBe(true);
    expect(h.fake.api.callsInMonth()).toBe(Object.values(made).reduce((a, b) => a + b, 0));
    expect(await h.t.db.select().from(quotaNotices)).toEqual([]);
  });

  it('tells the ops chat once at 80% of the quota, however many processes count past it', async () => {
    h.fake.api.options.monthlyLimit = undefined;
    await seedCalls(h, '2026-02', QUOTA * 0.8 - 3);
    await orderWithCards(h);
    await settle(h);
    // Two more processes counting at once past the mark, and a second pass of each.
    const config = configWithOpsGroup();
    const processes = [1, 2].map(
      () =>
        new DingtalkQuota({
          db: h.t.db,
          clock: h.clock.now,
          log: createLogger('silent'),
          monthlyQuota: QUOTA,
          config: () => config,
          wake: () => {},
        }),
    );
    await Promise.all(processes.map((p) => p.count('POST /v1.0/robot/groupMessages/send')));
    await Promise.all(processes.map((p) => p.count('POST /v1.0/robot/groupMessages/send')));
    await settle(h);

    const notices = await h.t.db.select().from(quotaNotices);
    expect(notices).toMatchObject([{ platform: 'dingtalk', month: '2026-02', kind: 'warning' }]);
    const warnings = opsTexts(h);
    expect(warnings).toHaveLength(1);
    // 24 February: the 24th to the 28th are left.
    expect(warnings[0]).toMatch(/本月钉钉接口已调用 \d+ 次，达到每月额度 200 次的 8\d%，本月还剩 5 天/);
    expect(warnings[0]).toContain('最先停发的是订单跟踪卡片的刷新');
    expect(warnings[0]).toContain('审批卡片、给销售的回复和升级提醒最后才停');
  });

  it('at the quota withholds the tracking card refresh and still sends approval card updates and replies', async () => {
    h.fake.api.options.monthlyLimit = undefined;
    const cards = await orderWithCards(h);
    await settle(h);
    const tracking = h.fake.api.cards.get('etd-SO-20260224-0001')!;
    const versions = tracking.versions.length;
    const used = Object.values(await counts(h)).reduce((a, v) => a + v.calls, 0);
    await seedCalls(h, '2026-02', QUOTA - used);

    approveAll(h, cards);
    await h.fake.waitFor(() => h.fake.groupTexts(EAST).find((m) => m.includes('已确认')), 'the confirmation');
    await settle(h);

    expect(statuses(cards)).toEqual(APPROVERS.map((s) => `${s} approved`));
    expect(tracking.versions).toHaveLength(versions);
    const refresh = await trackingRefresh(h);
    expect(refresh).toMatchObject({ status: 'failed', kind: 'update-card' });
    expect(refresh!.lastError).toMatch(/^withheld: DingTalk's monthly API quota is used up \(2\d\d of 200 calls/);
    expect((await counts(h))[`2026-02 ${UPDATE}`]!.withheld).toBe(1);
    // Essential calls went on past the quota: the approval cards' updates and the production leads' cards.
    expect(Object.values(await counts(h)).reduce((a, v) => a + v.calls, 0)).toBeGreaterThan(QUOTA);
  });

  it('on ApiCountLimitForOrg withholds the rest, tells ops once, and sends everything again next month', async () => {
    h.fake.api.options.monthlyLimit = undefined;
    const cards = await orderWithCards(h);
    await settle(h);
    // Someone wrote in the ops group a moment ago: its session webhook takes the notice without an API call.
    h.fake.say({ staffId: STAFF.zhoushifu, group: OPS, text: '你好' });
    await settle(h);
    const opsBefore = opsTexts(h).length;
    h.fake.api.options.monthlyLimit = h.fake.api.callsInMonth();

    approveAll(h, cards);
    await h.fake.waitFor(() => h.fake.groupTexts(EAST).find((m) => m.includes('已确认')), 'the confirmation');
    await until(
      async () => (await trackingRefresh(h))?.status === 'failed',
      'the tracking card refresh to be withheld',
    );
    const refresh = await trackingRefresh(h);
    expect(refresh!.lastError).toMatch(/^withheld: DingTalk's monthly API quota is used up/);
    await h.fake.waitFor(() => opsTexts(h).length > opsBefore, 'the exhausted notice');

    // A second refusal (another approval card's update) records and says nothing more.
    const notices = await h.t.db.select().from(quotaNotices).where(eq(quotaNotices.kind, 'exhausted'));
    expect(notices).toMatchObject([{ platform: 'dingtalk', month: '2026-02' }]);
    const told = opsTexts(h).slice(opsBefore);
    expect(told).toHaveLength(1);
    expect(told[0]).toContain('钉钉本月接口调用额度已用完（ApiCountLimitForOrg）');
    expect(told[0]).toMatch(/没能发出：(卡片「.+」的更新|发给.+的卡片「.+」)/);
    expect(told[0]).toContain('本月还剩 5 天');
    // Essential updates wait (not failed, attempts not used up) for more quota or the next month.
    const updates = await h.t.db
      .select()
      .from(outbox)
      .where(and(eq(outbox.kind, 'update-card'), eq(outbox.status, 'pending')));
    expect(updates.length).toBeGreaterThan(0);
    for (const row of updates) expect(row.lastError).toContain('ApiCountLimitForOrg');
    // The other tech lead's copy needs a PUT (a tapped card may be answered in its callback, which costs none).
    expect(cards[STAFF.liugong]!.params.status).toBe('pending');

    // 1 March: a new month, counted from zero at DingTalk and here; the waiting updates go out.
    h.clock.set('2026-03-01T08:00:00+08:00');
    await settle(h, { stepMs: 1000 });
    expect(statuses(cards)).toEqual(APPROVERS.map((s) => `${s} approved`));
    const march = Object.entries(await counts(h)).filter(([k]) => k.startsWith('2026-03 '));
    expect(march.find(([k]) => k === `2026-03 ${UPDATE}`)?.[1]).toMatchObject({ withheld: 0 });
    expect((await h.t.db.select().from(outbox).where(eq(outbox.status, 'pending'))).length).toBe(0);
    expect(opsTexts(h).slice(opsBefore)).toHaveLength(1);
  });

  it('sends non-essential effects again in a new month after the last one ran out', async () => {
    h.fake.api.options.monthlyLimit = undefined;
    await seedCalls(h, '2026-01', QUOTA);
    await h.t.db
      .insert(quotaNotices)
      .values({ platform: 'dingtalk', month: '2026-01', kind: 'exhausted', at: new Date() });
    const cards = await orderWithCards(h);
    approveAll(h, cards);
    await h.fake.waitFor(() => h.fake.groupTexts(EAST).find((m) => m.includes('已确认')), 'the confirmation');
    await settle(h);
    expect(await trackingRefresh(h)).toMatchObject({ status: 'sent', lastError: null });
    expect(h.fake.api.cards.get('etd-SO-20260224-0001')!.versions.length).toBeGreaterThan(1);
    expect((await counts(h))[`2026-02 ${UPDATE}`]).toMatchObject({ withheld: 0 });
  });
});
