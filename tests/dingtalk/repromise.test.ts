import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type BusinessConfig, loadBusinessConfig } from '../../config/business-config';
import { cards, orderEvents, orderItems, orders, outbox, plantChanges, repromises } from '../../db/schema';
import { recheckPlantChanges } from '../../handlers/repromise';
import type { SmsMessage, SmsProvider, SmsResult } from '../../integrations/sms/port';
import type { FakeCard } from '../fakes/dingtalk/openapi';
import { backends } from '../support/databases';
import { approveAll, EAST, type Harness, orderWithCards, settle, STAFF, useDingtalkApp } from './harness';

const MES_TOKEN = 'mes-test-token-0123456789abcdef';
const ORDER = 'SO-20260224-0001';
const REQUEST = '客户：大陆集团 需要BRK-2026-06样品20件，3月3日前到';
/** 大陆集团's contact in config/demo/customers.csv. */
const CONTACT = '13800138001';

/** The SMS provider's side: every message the product hands it. */
class RecordingSms implements SmsProvider {
  readonly name = 'log' as const;
  readonly sent: SmsMessage[] = [];
  async send(message: SmsMessage): Promise<SmsResult> {
    this.sent.push(message);
    return { ok: true, providerId: `sms-${this.sent.length}` };
  }
}

/** The demo config with customer notices on for a moved promise only (no SMS at confirmation). */
function noticesConfig(): BusinessConfig {
  const config = loadBusinessConfig();
  config.customerNotices = { ...config.customerNotices, milestones: ['promise-changed'], customers: {} };
  return config;
}

/** The re-promise cards DingTalk shows in a group (interactive cards, created with STREAM callbacks). */
const repromiseCards = (h: Harness, group: string): FakeCard[] =>
  [...h.fake.api.cards.values()].filter(
    (c) => c.spaceType === 'IM_GROUP' && c.spaceId === group && c.outTrackId.startsWith('rp-'),
  );

/** The re-promise job as the scheduler runs it (Bot.runScheduled: one transaction, then its effects delivered). */
const runRepromiseJob = (h: Harness) => h.t.app.bot.runScheduled('repromise', (ctx) => recheckPlantChanges(ctx));

async function reportRepair(h: Harness) {
  return fetch(`${h.t.url}/api/mes/moulds/M-4`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${MES_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ status: 'repair', availableFrom: '2026-03-02' }),
  });
}

describe.each(backends)('DingTalk re-promise after a mould repair on %s', (backend) => {
  const sms = new RecordingSms();
  const h = useDingtalkApp(backend, {
    config: noticesConfig(),
    env: { MES_API_TOKEN: MES_TOKEN },
    integrations: { smsProvider: sms },
  });
  beforeEach(() => {
    sms.sent.length = 0;
    // customer-notices reads these from the process environment: the log provider has every template; no link.
    vi.stubEnv('SMS_PROVIDER', '');
    vi.stubEnv('PUBLIC_URL', '');
  });
  afterEach(() => vi.unstubAllEnvs());

  it('sends one card; a tap moves the promise, updates the card in place and texts the customer once', async () => {
    const { fake } = h;
    // A request in the group, approved through the leads' cards: confirmed for Mar 3, made on line B with M-4.
    const approvals = await orderWithCards(h, { text: REQUEST });
    approveAll(h, approvals);
    const confirmed = await fake.waitFor(
      () => fake.groupTexts(EAST).find((m) => m.includes('已确认')),
      'the confirmation',
    );
    expect(confirmed).toContain('承诺交期：3月3日');
    await settle(h);
    const [order] = await h.t.db.select().from(orders);
    expect(order).toMatchObject({ number: ORDER, status: 'confirmed', promisedDate: '2026-03-03' });
    expect(sms.sent).toEqual([]);
    expect(repromiseCards(h, EAST)).toEqual([]);

    // The MES reports M-4 in repair until Mar 2; the job runs.
    h.clock.advance(3600_000);
    const put = await reportRepair(h);
    expect(put.status).toBe(200);
    expect(await h.t.db.select().from(plantChanges)).toEqual([expect.objectContaining({ processedAt: null })]);
    const textsBefore = fake.groupTexts(EAST).length;
    await runRepromiseJob(h);
    await settle(h);

    const [card, ...others] = repromiseCards(h, EAST);
    expect(others).toEqual([]);
    expect(card).toMatchObject({
      templateId: fake.templateId,
      callbackType: 'STREAM',
      spaceType: 'IM_GROUP',
      spaceId: EAST,
      delivered: true,
    });
    expect(card!.params).toMatchObject({ title: '⚠️ 交期承诺受影响', status: 'pending', showActions: 'true' });
    expect(card!.params.content).toContain(`**订单**：${ORDER} · 大陆集团`);
    expect(card!.params.content).toContain('**原因**：模具M-4维修，3月2日恢复');
    expect(card!.params.content).toContain('**原承诺**：3月3日');
    expect(card!.params.content).toContain('**最早可交**：<font colorTokenV2=common_red1_color>3月5日</font>');
    expect(JSON.parse(card!.params.buttons!)).toEqual([
      { key: 'expedite', label: '保留承诺并申请加急', style: 'primary', needsReason: false },
      { key: 'move', label: '改到3月5日', style: 'default', needsReason: false },
    ]);
    // The card is the news: no text besides it, and the customer is not told yet.
    expect(fake.groupTexts(EAST)).toHaveLength(textsBefore);
    expect(sms.sent).toEqual([]);
    const [open] = await h.t.db.select().from(repromises);
    expect(open).toMatchObject({
      orderId: order!.id,
      status: 'open',
      promisedDate: '2026-03-03',
      earliest: '2026-03-05',
    });

    // Zhang San taps "move" in the group.
    const tap = fake.tap({ staffId: STAFF.zhangsan, outTrackId: card!.outTrackId, action: 'move' });
    const moved = await fake.waitFor(
      () => fake.groupTexts(EAST).find((m) => m.includes('交期承诺已改为')),
      'the move in the group',
    );
    expect(moved).toBe(`✅ ${ORDER} 交期承诺已改为3月5日（原3月3日）。客户将收到短信通知。`);
    await settle(h);
    await fake.waitFor(() => sms.sent.length > 0, 'the SMS');

    const after = await stateOf(h, order!.id);
    expect(after.order).toMatchObject({ promisedDate: '2026-03-05' });
    expect(after.items).toEqual(['2026-03-05']);
    expect(after.repromises).toEqual([expect.objectContaining({ status: 'moved', decidedBy: 'zhangsan' })]);
    expect(after.moves).toBe(1);
    // The card is updated in place, in the answer to the tap: no buttons, the outcome in its body.
    const answers = () => fake.gateway.cardAnswers.filter((a) => a.outTrackId === card!.outTrackId);
    expect(answers()).toMatchObject([{ applied: true, late: false }]);
    expect(card!.updates).toEqual(['callback']);
    expect(card!.params).toMatchObject({ showActions: 'false', buttons: '[]' });
    expect(card!.params.content).toContain('**最早可交**');
    expect(card!.params.content).toContain('> 已改到3月5日');
    expect(repromiseCards(h, EAST)).toHaveLength(1);
    // One SMS to the customer's contact, with the old and new date.
    expect(sms.sent).toHaveLength(1);
    expect(sms.sent[0]).toMatchObject({ phone: CONTACT, template: 'promise-changed' });
    expect(sms.sent[0]!.text).toContain(ORDER);
    expect(sms.sent[0]!.text).toContain('3月5日');
    const groupTexts = fake.groupTexts(EAST);

    // DingTalk delivers the same callback again (its answer lost): answered with the card as it stands, nothing redone.
    fake.gateway.resend(tap);
    await fake.waitFor(() => answers().length === 2, 'the second answer');
    expect(answers()[1]).toMatchObject({ response: answers()[0]!.response });
    await settle(h);
    // A tap on a copy that had not refreshed yet: the tapper is told, privately; nothing else.
    fake.tap({ staffId: STAFF.zhangsan, outTrackId: card!.outTrackId, action: 'move', unseen: true });
    expect(await fake.waitFor(() => fake.userTexts(STAFF.zhangsan).at(-1), 'the notice')).toBe(
      `${ORDER} 没有待处理的交期变更。`,
    );
    await settle(h);
    // The re-promise job's next turn finds nothing either.
    h.clock.advance(60_000);
    await runRepromiseJob(h);
    await h.t.app.scheduler.tick();
    await settle(h);
    await new Promise((r) => setTimeout(r, 200));
    expect(await stateOf(h, order!.id)).toEqual(after);
    expect(fake.groupTexts(EAST)).toEqual(groupTexts);
    expect(sms.sent).toHaveLength(1);
    expect(repromiseCards(h, EAST)).toHaveLength(1);
    expect(card!.params).toMatchObject({ showActions: 'false', buttons: '[]' });
    const smsRows = await h.t.db.select().from(outbox).where(eq(outbox.platform, 'sms'));
    expect(smsRows).toEqual([expect.objectContaining({ status: 'sent' })]);
    expect(await h.t.db.select({ id: cards.id }).from(cards).where(eq(cards.purpose, 'repromise'))).toEqual([
      { id: card!.outTrackId },
    ]);
  });

  it('gives two late orders one summary after a repair reported in chat; "move all" moves both', async () => {
    const { fake } = h;
    for (const text of [REQUEST, '客户：博世 需要BRK-2026-06样品10件，3月3日前到']) {
      approveAll(h, await orderWithCards(h, { text }));
      await settle(h);
    }
    const confirmed = await h.t.db.select().from(orders).orderBy(orders.id);
    expect(confirmed.map((o) => [o.number, o.status, o.promisedDate])).toEqual([
      [ORDER, 'confirmed', '2026-03-03'],
      ['SO-20260224-0002', 'confirmed', '2026-03-03'],
    ]);

    // Zhou (production lead) tells the robot in his 1:1 chat; the scheduler's next turn re-checks.
    h.clock.advance(3600_000);
    fake.say({ staffId: STAFF.zhoushifu, text: 'M-4 维修 至 3/2', nick: '周师傅' });
    expect(await fake.waitFor(() => fake.userTexts(STAFF.zhoushifu)[0], 'the reply')).toBe(
      '已更新：模具M-4 维修至3月2日',
    );
    await settle(h);
    h.clock.advance(31_000);
    await h.t.app.scheduler.tick();
    const card = await fake.waitFor(() => repromiseCards(h, EAST)[0], 'the re-promise card');
    await settle(h);
    expect(repromiseCards(h, EAST)).toHaveLength(1);
    expect(card.params).toMatchObject({ title: '⚠️ 2个订单交期承诺受影响', showActions: 'true' });
    expect(card.params.content).toContain(
      `**${ORDER}**：<font colorTokenV2=common_red1_color>承诺3月3日 → 最早3月5日</font>`,
    );
    expect(card.params.content).toContain('**SO-20260224-0002**：');
    expect(JSON.parse(card.params.buttons!)).toEqual([
      { key: 'move-all', label: '全部改到最早日期', style: 'primary', needsReason: false },
    ]);

    const tap = fake.tap({ staffId: STAFF.zhangsan, outTrackId: card.outTrackId, action: 'move-all' });
    await fake.waitFor(
      () => fake.groupTexts(EAST).filter((m) => m.includes('交期承诺已改为')).length === 2,
      'both moves in the group',
    );
    await settle(h);
    await fake.waitFor(() => sms.sent.length === 2, 'two SMS');
    const after = await h.t.db.select().from(orders).orderBy(orders.id);
    expect(after.map((o) => o.promisedDate)).toEqual(['2026-03-05', '2026-03-05']);
    expect(card.params).toMatchObject({ showActions: 'false', buttons: '[]' });
    expect(card.params.content).toContain(`**${ORDER}**：已改到3月5日`);
    expect(card.params.content).toContain('**SO-20260224-0002**：已改到3月5日');
    expect(sms.sent.map((m) => m.phone).sort()).toEqual([CONTACT, '13800138002']);

    fake.gateway.resend(tap);
    await fake.waitFor(
      () => fake.gateway.cardAnswers.filter((a) => a.outTrackId === card.outTrackId).length === 2,
      'the second answer',
    );
    await settle(h);
    await new Promise((r) => setTimeout(r, 200));
    expect(fake.groupTexts(EAST).filter((m) => m.includes('交期承诺已改为'))).toHaveLength(2);
    expect(sms.sent).toHaveLength(2);
    expect(await h.t.db.select().from(orderEvents).where(eq(orderEvents.type, 'promise-moved'))).toHaveLength(2);
  });
});

async function stateOf(h: Harness, orderId: number) {
  const [order] = await h.t.db.select().from(orders).where(eq(orders.id, orderId));
  const items = await h.t.db.select().from(orderItems).where(eq(orderItems.orderId, orderId));
  const rows = await h.t.db.select().from(repromises).where(eq(repromises.orderId, orderId));
  const events = await h.t.db.select().from(orderEvents).where(eq(orderEvents.orderId, orderId));
  return {
    order: { promisedDate: order!.promisedDate, version: order!.version },
    items: items.map((i) => i.promisedDate),
    repromises: rows,
    moves: events.filter((e) => e.type === 'promise-moved').length,
    events: events.length,
  };
}
