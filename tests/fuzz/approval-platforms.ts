import { and, asc, eq } from 'drizzle-orm';
import { expect } from 'vitest';
import { loadBusinessConfig } from '../../config/business-config';
import type { DatabaseHandle } from '../../db/client';
import { playgroundItems } from '../../db/schema';
import { FakeDingtalk } from '../fakes/dingtalk/fake-dingtalk';
import { cardEventXml, randomCode } from '../fakes/wecom/wire';
import { TestApp } from '../support/app';
import type { TestClock } from '../support/clock';
import { EAST as WECOM_EAST, WecomWorld } from '../wecom/harness';

const config = loadBusinessConfig();
const DINGTALK_EAST = 'cidEastSalesGroup0001==';
export const REQUEST = '需要BRK-2026-01样品5件,12月20日前到';
const REASON = '原材料缺货';

/**
 * One chat platform as the card-action fuzz drives it: sales asks for an order, cards arrive, and people
 * tap them. Ids are the platform's own (a WeCom userid, a DingTalk staff id, a playground person id).
 */
export interface ApprovalPlatform {
  name: string;
  app: TestApp;
  /** The platform id of a config person. */
  idOf(personId: string): string;
  /** Sales (Zhang San) asks for an order in the east sales group. */
  requestOrder(): Promise<void>;
  /** The cards a config person has been sent, oldest first (platform card refs). */
  cardsOf(personId: string): Promise<string[]>;
  /**
   * A tap by `actorId` (a platform id, perhaps nobody's) as the platform would deliver it, whether or not
   * that person could see the card; resolves once the platform has the product's answer to it.
   */
  tap(actorId: string, card: string, key: string, note: string | undefined): Promise<void>;
  /** A decider taps Approve, or Reject with a reason, on their own card, the way the client allows. */
  decide(personId: string, card: string, decision: 'approve' | 'reject'): Promise<void>;
  close(): Promise<void>;
}

function person(personId: string) {
  const found = config.people.find((p) => p.id === personId);
  if (!found) throw new Error(`no person ${personId} in the demo config`);
  return found;
}

/** WeCom's XML is well-formed: no characters XML forbids, and "]]>" split across two CDATA sections. */
function asWecomCdata(text: string): string {
  return text
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
    .replaceAll(']]>', ']]]]><![CDATA[>');
}

export async function playground(database: DatabaseHandle, clock: TestClock): Promise<ApprovalPlatform> {
  const t = await TestApp.start('pglite', { database, fresh: true, clock });
  return {
    name: 'playground',
    app: t,
    idOf: (personId) => personId,
    async requestOrder() {
      await t.say(REQUEST);
    },
    async cardsOf(personId) {
      // What the page's inbox shows, read straight from the playground's table (the state API sends it all).
      const rows = await t.db
        .select({ cardId: playgroundItems.cardId })
        .from(playgroundItems)
        .where(and(eq(playgroundItems.channel, `inbox:${personId}`), eq(playgroundItems.kind, 'card')))
        .orderBy(asc(playgroundItems.id));
      return rows.flatMap((row) => (row.cardId ? [row.cardId] : []));
    },
    async tap(actorId, card, key, note) {
      // Anyone may act as any person of the config here (a local demo has no sign-in); the handler then
      // judges the person. Ids of nobody, and keys or notes the API does not take, are refused at the door.
      const res = await t.tap(card, actorId, key, note);
      const known = config.people.some((p) => p.id === actorId.trim());
      const takes = key.trim().length >= 1 && key.trim().length <= 64 && (note === undefined || note.length <= 500);
      expect(res.status, `a tap by "${actorId}" with key "${key}": ${res.text}`).toBe(known && takes ? 202 : 400);
    },
    async decide(personId, card, decision) {
      const res = await t.tap(card, personId, decision, decision === 'reject' ? REASON : undefined);
      if (res.status !== 202) throw new Error(`the decision was refused: ${res.status} ${res.text}`);
    },
    close: () => t.close(),
  };
}

export async function wecom(database: DatabaseHandle, clock: TestClock): Promise<ApprovalPlatform> {
  // The east group's webhook robot must not throttle the many replies of a fuzz run.
  const w = await WecomWorld.start('pglite', database, { clock, fake: { webhookPerMinute: 100_000 } });
  const { fake } = w;
  return {
    name: 'WeCom',
    app: w.app,
    idOf: (personId) => person(personId).wecom!,
    async requestOrder() {
      const { delivery } = await fake.mentionAibot({ chatId: WECOM_EAST.chatId, fromUser: 'ZhangSan', text: REQUEST });
      if (!delivery.acked) throw new Error('the order request was not acknowledged');
    },
    async cardsOf(personId) {
      return fake.cardsOf(person(personId).wecom!).map((v) => v.taskId);
    },
    async tap(actorId, card, key) {
      // WeCom mints a ResponseCode for each tap; it signs every callback, so only the ids can be odd.
      const code = randomCode();
      fake.app.codes.set(code, { taskId: card, mintedAt: clock.now().getTime(), used: false, origin: 'click' });
      const view = [...(fake.app.cards.get(card)?.values() ?? [])][0];
      const { corpId, agentId } = fake.secrets;
      const xml = cardEventXml({
        corpId,
        agentId,
        fromUser: asWecomCdata(actorId),
        createTime: Math.floor(clock.now().getTime() / 1000),
        eventKey: asWecomCdata(key),
        taskId: card,
        cardType: String(view?.card.card_type ?? 'button_interaction'),
        responseCode: code,
      });
      const delivery = await fake.callbacks.deliver(fake.callbacks.prepare('app', xml), { attempts: 1 });
      const status = delivery.attempts[0]?.status;
      if (typeof status !== 'number' || status >= 500) throw new Error(`the callback got ${String(status)}`);
    },
    async decide(personId, card, decision) {
      const delivery = await fake.tap(
        person(personId).wecom!,
        card,
        decision,
        decision === 'reject' ? { reason: 'material' } : {},
      );
      if (!delivery.acked) throw new Error('the decision was not acknowledged');
    },
    close: () => w.close(),
  };
}

export async function dingtalk(database: DatabaseHandle, clock: TestClock): Promise<ApprovalPlatform> {
  const fake = await FakeDingtalk.start({
    clock: clock.now,
    gateway: { redeliverAfterMs: 1000 },
    api: { groupLimitPerMinute: 100_000 },
  });
  const t = await TestApp.start('pglite', { database, fresh: true, env: fake.env(), clock });
  await fake.waitFor(() => fake.gateway.liveConnections().length === 1, 'the bot to connect');
  const answered = (messageId: string) =>
    fake.waitFor(() => fake.gateway.acks.some((a) => a.messageId === messageId), `the answer to ${messageId}`);
  return {
    name: 'DingTalk',
    app: t,
    idOf: (personId) => person(personId).dingtalk!,
    async requestOrder() {
      const { messageId } = fake.say({
        staffId: person('zhangsan').dingtalk!,
        group: DINGTALK_EAST,
        text: REQUEST,
        nick: '张三',
      });
      await answered(messageId);
    },
    async cardsOf(personId) {
      return fake.cardsOf(person(personId).dingtalk!).map((c) => c.outTrackId);
    },
    async tap(actorId, card, key, note) {
      await answered(
        fake.tap({
          staffId: actorId,
          outTrackId: card,
          action: key,
          ...(note !== undefined ? { note } : {}),
          unseen: true,
        }),
      );
    },
    async decide(personId, card, decision) {
      await answered(
        fake.tap({
          staffId: person(personId).dingtalk!,
          outTrackId: card,
          action: decision,
          ...(decision === 'reject' ? { note: REASON } : {}),
        }),
      );
    },
    async close() {
      await t.close();
      await fake.close();
    },
  };
}
