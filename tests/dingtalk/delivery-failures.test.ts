import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { cards as cardRows, outbox, platformTokens, replyWindows } from '../../db/schema';
import { TestApp } from '../support/app';
import { backends } from '../support/databases';
import { APPROVERS, approveAll, EAST, orderWithCards, settle, STAFF, useDingtalkApp, type Harness } from './harness';

const CREATE = 'POST /v1.0/card/instances/createAndDeliver';
const UPDATE = 'PUT /v1.0/card/instances';
const GROUP = 'POST /v1.0/robot/groupMessages/send';
const OTO = 'POST /v1.0/robot/oToMessages/batchSend';
const DELIVER = 'POST /v1.0/card/instances/deliver';

async function outboxRows(h: Harness) {
  return h.t.db.select().from(outbox).orderBy(outbox.id);
}

describe.each(backends)('DingTalk sends that fail on %s', (backend) => {
  const h = useDingtalkApp(backend);

  it('creates each card once through a 5xx and an answer lost after the card was made', async () => {
    const { fake } = h;
    fake.api.failures.inject(CREATE, '5xx');
    fake.api.failures.inject(CREATE, 'hangup-after');
    await orderWithCards(h, { tickMs: 500 });
    await settle(h, { stepMs: 1000 });
    // The four lead cards and the order's tracking card in the group.
    expect(fake.api.cards.size).toBe(5);
    const creates = fake.api.requests.filter((r) => `${r.method} ${r.path}` === CREATE);
    // One card: 500, then 200. Another: made but its answer lost (200 on the fake's side), then 400 duplicate.
    expect(creates.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 200, 400, 500]);
    expect((await outboxRows(h)).every((row) => row.status === 'sent')).toBe(true);
  });

  it('retries a space that DingTalk did not reach for a passing cause, and reports one it never will', async () => {
    const { fake } = h;
    fake.api.failDelivery(STAFF.wanggong, 'system busy, please try again later');
    fake.api.failDelivery(STAFF.chenjie, 'user has left the organisation');
    fake.say({ staffId: STAFF.zhangsan, group: EAST, text: 'BRK-2026-01 样品5件 3月5日前到' });
    await fake.waitFor(
      () => fake.cardsOf(STAFF.wanggong).length === 1,
      'the redelivered card',
      () => h.clock.advance(1000),
    );
    await settle(h, { stepMs: 1000 });
    // The card was made once; only its delivery to Wang was tried again, and it landed.
    const delivers = fake.api.requests.filter((r) => `${r.method} ${r.path}` === DELIVER);
    expect(delivers.map((r) => [(r.body as { outTrackId: string }).outTrackId, r.status])).toEqual([
      [fake.cardsOf(STAFF.wanggong)[0]!.outTrackId, 200],
    ]);
    expect(fake.cardsOf(STAFF.liugong)).toHaveLength(1);
    expect(fake.cardsOf(STAFF.chenjie)).toEqual([]);
    const rows = await outboxRows(h);
    // (The demo config's ops conversation has no DingTalk group, so the report itself is not delivered.)
    const failed = rows.filter((row) => row.status === 'failed' && row.kind === 'send-card');
    expect(failed.map((row) => row.attempts)).toEqual([1]);
    expect(failed[0]!.lastError).toContain('user has left the organisation');
    const reports = rows.filter((row) => row.idempotencyKey.startsWith('dingtalk:card-undelivered:'));
    expect(reports).toHaveLength(1);
    expect(reports[0]!.payload).toMatchObject({ kind: 'post', to: { conversationId: 'ops' } });
    expect((reports[0]!.payload as { text: string }).text).toContain('user has left the organisation');
  });

  it.each(['reject', 'succeed'] as const)(
    'takes a repeated outTrackId as delivered when DingTalk answers it with %s, and updates the card after the decision',
    async (mode) => {
      const { fake } = h;
      fake.api.options.duplicateOutTrackId = mode;
      try {
        fake.api.failures.inject(CREATE, 'hangup-after', 4);
        const cards = await orderWithCards(h, { tickMs: 500 });
        await settle(h, { stepMs: 1000 });
        const creates = fake.api.requests.filter((r) => `${r.method} ${r.path}` === CREATE);
        expect(creates.filter((r) => r.status === (mode === 'reject' ? 400 : 200))).toHaveLength(
          mode === 'reject' ? 4 : 9,
        );
        const stored = await h.t.db.select().from(cardRows);
        expect(stored.every((row) => (row.platformData as { deliveredAt?: string }).deliveredAt)).toBe(true);
        approveAll(h, cards);
        await settle(h, { stepMs: 1000 });
        for (const staffId of APPROVERS) {
          expect(cards[staffId]!.params).toMatchObject({ status: 'approved', showActions: 'false' });
        }
        expect((await outboxRows(h)).every((row) => row.status === 'sent')).toBe(true);
      } finally {
        fake.api.options.duplicateOutTrackId = 'reject';
      }
    },
  );

  it('reports a card template DingTalk does not have once to the ops conversation, not once a card', async () => {
    const { fake } = h;
    await h.t.close();
    h.t = await TestApp.start(backend, {
      database: h.database,
      fresh: true,
      env: fake.env({ DINGTALK_CARD_TEMPLATE_ID: 'missing-template.schema' }),
      clock: h.clock,
    });
    await fake.waitFor(() => fake.gateway.liveConnections().length === 1, 'the bot to reconnect');
    fake.say({ staffId: STAFF.zhangsan, group: EAST, text: 'BRK-2026-01 样品5件 3月5日前到' });
    await fake.waitFor(
      () => fake.api.requests.filter((r) => `${r.method} ${r.path}` === CREATE).length === 5,
      'five refused cards',
    );
    await settle(h);
    expect(fake.api.cards.size).toBe(0);
    const rows = await outboxRows(h);
    expect(rows.filter((row) => row.kind === 'send-card').map((row) => [row.status, row.attempts])).toEqual(
      Array(5).fill(['failed', 1]),
    );
    expect(rows.find((row) => row.kind === 'send-card')!.lastError).toContain('param.templateNotExist');
    const reports = rows.filter((row) => row.idempotencyKey.startsWith('dingtalk:card-template:'));
    expect(reports).toHaveLength(1);
    expect((reports[0]!.payload as { text: string }).text).toContain('DINGTALK_CARD_TEMPLATE_ID');
  });

  it('refreshes an expired or revoked token, backs off on QPS limits and 5xx, and tells the group once', async () => {
    const { fake } = h;
    const cards = await orderWithCards(h);
    await settle(h);
    expect(fake.api.tokensIssued).toHaveLength(1);

    // Two hours later: the session webhook and the token have both run out.
    h.clock.advance(2 * 3600_000);
    fake.api.failures.inject(UPDATE, 'qps-app');
    fake.api.failures.inject(GROUP, 'qps');
    fake.api.failures.inject(GROUP, '5xx');
    approveAll(h, cards);
    await fake.waitFor(
      () => fake.groupTexts(EAST).find((m) => m.includes('已确认')),
      'the confirmation',
      () => h.clock.advance(1000),
    );
    await settle(h, { stepMs: 1000 });
    expect(fake.api.tokensIssued).toHaveLength(2);

    // A revoked token is answered with InvalidAuthentication: refreshed and the call made again at once.
    fake.api.revokeTokens();
    fake.tap({ staffId: STAFF.liugong, outTrackId: cards[STAFF.liugong]!.outTrackId, action: 'approve', unseen: true });
    await fake.waitFor(() => fake.userTexts(STAFF.liugong)[0], 'the late-tap notice');
    await settle(h);
    expect(fake.api.tokensIssued).toHaveLength(3);
    const [token] = await h.t.db.select().from(platformTokens);
    expect(token!.token).toBe(fake.api.tokensIssued[2]);

    const confirmations = fake.api.messages.filter((m) => m.text.includes('已确认'));
    expect(confirmations).toHaveLength(1);
    expect(confirmations[0]).toMatchObject({ via: 'groupMessages', msgKey: 'sampleMarkdown', chat: `group:${EAST}` });
    for (const staffId of [STAFF.wanggong, STAFF.liugong, STAFF.chenjie, STAFF.zhoushifu]) {
      expect(cards[staffId]!.params.status).toBe('approved');
    }
    const rows = await outboxRows(h);
    expect(rows.every((row) => row.status === 'sent')).toBe(true);
    // The QPS refusal is waited out without counting: the 5xx and the success are its two attempts.
    expect(
      rows.find((row) => row.kind === 'post' && (row.payload as { text: string }).text.includes('已确认'))!.attempts,
    ).toBe(2);
  });

  it('posts through the session webhook while it is valid, and through the group API from its last minute on', async () => {
    const { fake } = h;
    const first = await orderWithCards(h);
    // Every delivery settled before the clock jumps: a row still in flight would outlive its lease at once.
    await settle(h);
    h.clock.advance(30 * 60_000);
    approveAll(h, first);
    await fake.waitFor(() => fake.groupTexts(EAST).find((m) => m.includes('已确认')), 'the first confirmation');
    const second = await orderWithCards(h, { text: 'BRK-2026-03 样品2件 3月20日前' });
    await settle(h);
    h.clock.advance(89 * 60_000 + 30_000); // the second order's webhook has 30 s left: too little
    approveAll(h, second);
    await fake.waitFor(
      () => fake.groupTexts(EAST).filter((m) => m.includes('已确认')).length === 2,
      'the second confirmation',
    );
    const group = fake.api.messages.filter((m) => m.chat === `group:${EAST}`);
    const kind = (text: string) => (text.includes('已创建') ? 'created' : text.includes('已确认') ? 'confirmed' : text);
    expect(group.map((m) => [m.via, kind(m.text)])).toEqual([
      ['sessionWebhook', 'created'],
      ['sessionWebhook', 'confirmed'],
      ['sessionWebhook', 'created'],
      ['groupMessages', 'confirmed'],
    ]);
  });

  it('falls back to the group API when the session webhook answers 300001, and never tries that webhook again', async () => {
    const { fake } = h;
    const cards = await orderWithCards(h);
    await settle(h);
    const webhookPosts = () => fake.api.requests.filter((r) => r.path === '/robot/sendBySession');
    const before = webhookPosts().length;
    fake.api.expireSessionWebhooks(); // DingTalk ended the session before the time it gave
    approveAll(h, cards);
    await fake.waitFor(() => fake.groupTexts(EAST).find((m) => m.includes('已确认')), 'the confirmation');
    await settle(h);
    expect(webhookPosts()).toHaveLength(before + 1);
    expect(fake.api.messages.filter((m) => m.text.includes('已确认')).map((m) => m.via)).toEqual(['groupMessages']);
    const [confirmation] = (await outboxRows(h)).filter(
      (row) => row.kind === 'post' && (row.payload as { text: string }).text.includes('已确认'),
    );
    expect(confirmation).toMatchObject({ status: 'sent', attempts: 1 });
    const [window] = await h.t.db.select().from(replyWindows);
    expect(window!.expiresAt.getTime()).toBeLessThanOrEqual(h.clock.now().getTime());
  });

  it('backs off when a group is throttled and sends the reply once the minute has passed', async () => {
    const { fake } = h;
    fake.api.options.groupLimitPerMinute = 1;
    try {
      fake.say({ staffId: STAFF.zhangsan, group: EAST, text: '你好' });
      fake.say({ staffId: STAFF.lisi, group: EAST, text: '你好' });
      await fake.waitFor(() => fake.groupTexts(EAST).length === 1, 'the first reply');
      const throttledAt = h.clock.now().getTime();
      await fake.waitFor(
        () => fake.groupTexts(EAST).length === 2,
        'the second reply',
        () => h.clock.advance(5000),
      );
      expect(fake.api.messages[1]!.at.getTime() - throttledAt).toBeGreaterThanOrEqual(60_000);
      await settle(h);
      const posts = await h.t.db.select().from(outbox).where(eq(outbox.kind, 'post')).orderBy(outbox.id);
      expect(posts.map((p) => p.status)).toEqual(['sent', 'sent']);
      // Waiting out the group's throttle is not an attempt: the reply went out at its first real one.
      expect(posts[1]!.attempts).toBe(1);
      expect(fake.groupTexts(EAST)).toHaveLength(2);
    } finally {
      fake.api.options.groupLimitPerMinute = 20;
    }
  });

  it('records a permanent error without retrying it', async () => {
    const { fake } = h;
    const cards = await orderWithCards(h);
    await settle(h);
    fake.api.failures.inject(OTO, 'no-permission');
    fake.tap({
      staffId: STAFF.chenjie,
      outTrackId: cards[STAFF.wanggong]!.outTrackId,
      action: 'approve',
      unseen: true,
    });
    await settle(h);
    const [row] = await h.t.db.select().from(outbox).where(eq(outbox.status, 'failed'));
    expect(row).toMatchObject({ kind: 'post', attempts: 1, payload: { to: { userId: 'chenjie' } } });
    expect(row!.lastError).toContain('Forbidden.AccessDenied.AccessTokenPermissionDenied');
    expect(fake.userTexts(STAFF.chenjie)).toEqual([]);
  });

  it('without a card template, sends approval cards as 1:1 markdown and tells each recipient when one is decided', async () => {
    const { fake } = h;
    await h.t.close();
    h.t = await TestApp.start(backend, {
      database: h.database,
      fresh: true,
      env: fake.env({ DINGTALK_CARD_TEMPLATE_ID: undefined }),
      clock: h.clock,
    });
    fake.say({ staffId: STAFF.zhangsan, group: EAST, text: 'BRK-2026-01 样品5件 3月5日前到' });
    await fake.waitFor(() => APPROVERS.every((id) => fake.userTexts(id).length === 1), 'four card messages');
    expect(fake.api.cards.size).toBe(0);
    const card = fake.api.messages.find((m) => m.chat === `user:${STAFF.wanggong}`)!;
    expect(card).toMatchObject({
      via: 'oToMessages',
      msgKey: 'sampleMarkdown',
      param: { title: '需求单审批 · 技术部 SO-20260224-0001' },
    });
    expect(card.text).toContain('**订单号**：SO-20260224-0001');

    // Without callbacks a decision has to come from elsewhere (e.g. an approval page the buttons link to).
    const [tech] = await h.t.db.select().from(cardRows).where(eq(cardRows.recipientId, 'wanggong'));
    const receivedAt = h.clock.now().toISOString();
    await h.t.app.bot.ingest(
      {
        kind: 'card-action',
        platform: 'dingtalk',
        cardId: tech!.id,
        actionKey: 'approve',
        actorId: 'wanggong',
        receivedAt,
      },
      'page:1',
    );
    await settle(h);
    expect(fake.userTexts(STAFF.wanggong)[1]).toBe('SO-20260224-0001：已同意 · 王工 10:00');
    expect(fake.userTexts(STAFF.liugong)[1]).toBe('SO-20260224-0001：已同意 · 王工 10:00');
  });
});
