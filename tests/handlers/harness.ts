import { and, asc, desc, eq, gt, max } from 'drizzle-orm';
import { afterAll, beforeAll } from 'vitest';
import { routeEvent } from '../../bot/router';
import type { Card } from '../../cards/model';
import { type BusinessConfig, loadBusinessConfig, personName } from '../../config/business-config';
import { createHandlerContext, type HandlerContext } from '../../core/context';
import type { Destination, Effect } from '../../core/effects';
import type { CardActionEvent, InboundEvent, MessageEvent, SmsOutcomeEvent } from '../../core/events';
import type { Database, DatabaseHandle, Tx } from '../../db/client';
import { migrate } from '../../db/migrate';
import {
  approvalTasks,
  type CardRow,
  cards,
  drafts,
  type Order,
  orderEvents,
  orderItems,
  orders,
  outbox,
} from '../../db/schema';
import { seedDemoDataIfEmpty } from '../../integrations/import/demo-seed';
import { createLogger } from '../../bot/logger';
import { TestClock } from '../support/clock';
import { type Backend, createTestDatabase } from '../support/databases';

/**
 * Handler-level tests: events go through the real dispatch (bot/router.ts → handlers/routes.ts) with a
 * handler context on a transaction that is rolled back afterwards, so every test starts from the same
 * migrated and seeded database and nothing is committed. No HTTP, no adapters, no outbox sender.
 */

/** When every scenario starts (and the demo data was seeded): Tue 2026-02-24 10:00 China time. */
export const START = '2026-02-24T10:00:00+08:00';
/** The platform the test events come from (the local playground's name; handlers only pass it on). */
export const PLATFORM = 'playground';
export const SALES = 'sales-east';
/** The first order number of a day in a fresh transaction (numbers count from the day's first order). */
export const FIRST = 'SO-20260224-0001';
export const SECOND = 'SO-20260224-0002';
/** Tech, purchasing and production: one lead each decides for the department. */
export const DECIDERS = ['wanggong', 'chenjie', 'zhoushifu'] as const;

const config = loadBusinessConfig();
const log = createLogger('silent');

/** A China wall-clock time ("2026-02-24T11:00") as a Date. */
export const china = (local: string): Date => new Date(`${local.length === 16 ? `${local}:00` : local}+08:00`);

export type OutboxRow = Pick<
  typeof outbox.$inferSelect,
  'id' | 'idempotencyKey' | 'platform' | 'kind' | 'payload' | 'orderId' | 'nextAttemptAt'
>;

/** What one event wrote to the outbox, in the order the handler emitted it. */
export class Step {
  readonly effects: Effect[];
  constructor(
    readonly event: InboundEvent,
    readonly eventKey: string,
    readonly rows: OutboxRow[],
  ) {
    this.effects = rows.map((r) => r.payload as Effect);
  }

  /** Text posts, wherever they go. */
  get posts(): Array<{ to: Destination; text: string; replyRef?: string }> {
    return this.effects.flatMap((e) =>
      e.kind === 'post' ? [{ to: e.to, text: e.text, ...(e.replyRef ? { replyRef: e.replyRef } : {}) }] : [],
    );
  }

  /** Texts posted in a conversation (a group chat). */
  textsIn(conversationId: string): string[] {
    return this.posts
      .filter((p) => 'conversationId' in p.to && p.to.conversationId === conversationId)
      .map((p) => p.text);
  }

  /** Texts sent to one person (their 1:1 chat with the bot). */
  textsTo(userId: string): string[] {
    return this.posts.filter((p) => 'userId' in p.to && p.to.userId === userId).map((p) => p.text);
  }

  /** The only text posted in the message's own chat (the reply); fails when there is not exactly one. */
  get reply(): string {
    if (this.event.kind !== 'message') throw new Error('reply: the step was not a message');
    const texts = this.textsIn(this.event.conversationId);
    if (texts.length !== 1) throw new Error(`expected one reply, got ${JSON.stringify(texts)}`);
    return texts[0]!;
  }

  /** The only notice to the tapper (their 1:1 chat); fails when there is not exactly one. */
  get notice(): string {
    if (this.event.kind !== 'card-action') throw new Error('notice: the step was not a tap');
    const texts = this.textsTo(this.event.actorId);
    if (texts.length !== 1) throw new Error(`expected one notice, got ${JSON.stringify(texts)}`);
    return texts[0]!;
  }

  /** Cards sent (new cards), with their destination. */
  get sentCards(): Array<{ to: Destination; card: Card }> {
    return this.effects.flatMap((e) => (e.kind === 'send-card' ? [{ to: e.to, card: e.card }] : []));
  }

  /** Cards updated in place. */
  get updatedCards(): Array<Extract<Effect, { kind: 'update-card' }>> {
    return this.effects.flatMap((e) => (e.kind === 'update-card' ? [e] : []));
  }

  /** The effect kinds in order, e.g. ['send-card', 'post']. */
  get kinds(): string[] {
    return this.effects.map((e) => e.kind);
  }
}

export interface SayOptions {
  senderId?: string;
  conversationId?: string;
  /** Defaults like the playground: a 1:1 chat ("dm:…") or a text with "@订单助手". */
  addressedToBot?: boolean;
  replyRef?: string;
  platform?: string;
}

/**
 * One test's world: a transaction (rolled back when the test ends), a clock, and the events sent so far.
 * Each event gets its own handler context and event key (test:1, test:2…), and is flushed like Bot.process.
 */
export class Scenario {
  private count = 0;
  readonly clock = new TestClock(START);

  constructor(
    readonly tx: Tx,
    readonly config: BusinessConfig,
  ) {}

  /** Sets the clock to a China wall-clock time, e.g. "2026-02-24T11:30". */
  at(local: string): void {
    this.clock.set(china(local).toISOString());
  }

  /** Runs one event through routeEvent in this transaction and returns what it wrote to the outbox. */
  send(event: InboundEvent): Promise<Step> {
    return this.capture(event, event.platform, (ctx) => routeEvent(event, ctx));
  }

  /** Runs a scheduled job's handler (escalation, reminders) in this transaction, as the scheduler would. */
  run(name: string, job: (ctx: HandlerContext) => Promise<unknown>): Promise<Step> {
    const event: MessageEvent = { ...this.message(`(job ${name})`), messageId: `job:${name}:${this.count}` };
    return this.capture(event, PLATFORM, job);
  }

  private async capture(event: InboundEvent, platform: string, body: (ctx: HandlerContext) => Promise<unknown>) {
    const eventKey = `test:${++this.count}`;
    const [{ last } = { last: null }] = await this.tx.select({ last: max(outbox.id) }).from(outbox);
    const ctx = createHandlerContext({
      tx: this.tx,
      now: this.clock.now(),
      config: this.config,
      log,
      eventKey,
      platform,
    });
    await body(ctx);
    await ctx.flush();
    const rows = await this.tx
      .select({
        id: outbox.id,
        idempotencyKey: outbox.idempotencyKey,
        platform: outbox.platform,
        kind: outbox.kind,
        payload: outbox.payload,
        orderId: outbox.orderId,
        nextAttemptAt: outbox.nextAttemptAt,
      })
      .from(outbox)
      .where(gt(outbox.id, last ?? 0))
      .orderBy(asc(outbox.id));
    return new Step(event, eventKey, rows);
  }

  message(text: string, options: SayOptions = {}): MessageEvent {
    const senderId = options.senderId ?? 'zhangsan';
    const conversationId = options.conversationId ?? SALES;
    return {
      kind: 'message',
      platform: options.platform ?? PLATFORM,
      conversationId,
      senderId,
      senderName: personName(this.config, senderId),
      text,
      messageId: `msg-${this.count + 1}`,
      receivedAt: this.clock.now().toISOString(),
      addressedToBot:
        options.addressedToBot ?? (conversationId.startsWith('dm:') || text.includes(`@${this.config.botName}`)),
      ...(options.replyRef ? { replyRef: options.replyRef } : {}),
    };
  }

  /** A chat message (by zhangsan in sales-east unless told otherwise). */
  say(text: string, options: SayOptions = {}): Promise<Step> {
    return this.send(this.message(text, options));
  }

  /** A tap on a card button. */
  tap(
    cardId: string,
    actorId: string,
    actionKey: string,
    options: { note?: string; reasonId?: string; callbackRef?: string } = {},
  ): Promise<Step> {
    const event: CardActionEvent = {
      kind: 'card-action',
      platform: PLATFORM,
      cardId,
      actionKey,
      actorId,
      receivedAt: this.clock.now().toISOString(),
      ...(options.note !== undefined ? { note: options.note } : {}),
      ...(options.reasonId !== undefined ? { reasonId: options.reasonId } : {}),
      ...(options.callbackRef !== undefined ? { callbackRef: options.callbackRef } : {}),
    };
    return this.send(event);
  }

  smsOutcome(event: Omit<SmsOutcomeEvent, 'kind' | 'receivedAt' | 'platform'>): Promise<Step> {
    return this.send({ kind: 'sms-outcome', platform: 'sms', receivedAt: this.clock.now().toISOString(), ...event });
  }

  // ---- reading rows in the same transaction ----------------------------------------------------

  orders(): Promise<Order[]> {
    return this.tx.select().from(orders).orderBy(asc(orders.id));
  }

  async order(number: string): Promise<Order> {
    const [order] = await this.tx.select().from(orders).where(eq(orders.number, number));
    if (!order) throw new Error(`no order ${number}`);
    return order;
  }

  items(orderId: number) {
    return this.tx.select().from(orderItems).where(eq(orderItems.orderId, orderId)).orderBy(asc(orderItems.lineNo));
  }

  tasks(orderId: number) {
    return this.tx
      .select()
      .from(approvalTasks)
      .where(eq(approvalTasks.orderId, orderId))
      .orderBy(asc(approvalTasks.id));
  }

  async task(orderId: number, department: string) {
    const [task] = await this.tx
      .select()
      .from(approvalTasks)
      .where(and(eq(approvalTasks.orderId, orderId), eq(approvalTasks.department, department)));
    if (!task) throw new Error(`no ${department} task on order ${orderId}`);
    return task;
  }

  /** The order's history, oldest first. */
  events(orderId: number) {
    return this.tx.select().from(orderEvents).where(eq(orderEvents.orderId, orderId)).orderBy(asc(orderEvents.id));
  }

  async eventTypes(orderId: number): Promise<string[]> {
    return (await this.events(orderId)).map((e) => e.type);
  }

  async card(id: string): Promise<CardRow & { content: Card }> {
    const [row] = await this.tx.select().from(cards).where(eq(cards.id, id));
    if (!row) throw new Error(`no card ${id}`);
    return row as CardRow & { content: Card };
  }

  /** Cards of an order (all purposes unless told), oldest first. */
  async cardsOf(orderId: number, purpose?: CardRow['purpose']): Promise<Array<CardRow & { content: Card }>> {
    const rows = await this.tx
      .select()
      .from(cards)
      .where(purpose ? and(eq(cards.orderId, orderId), eq(cards.purpose, purpose)) : eq(cards.orderId, orderId))
      .orderBy(asc(cards.createdAt), asc(cards.id));
    return rows as Array<CardRow & { content: Card }>;
  }

  /** The approval card one person got for an order. */
  async approvalCard(orderId: number, recipientId: string): Promise<CardRow & { content: Card }> {
    const card = (await this.cardsOf(orderId, 'approval')).find((c) => c.recipientId === recipientId);
    if (!card) throw new Error(`no approval card of order ${orderId} for ${recipientId}`);
    return card;
  }

  /** The open stage card of an order for a stage (e.g. in_production), sent to `recipientId`. */
  async stageCard(orderId: number, stage: string, recipientId: string): Promise<CardRow & { content: Card }> {
    const card = (await this.cardsOf(orderId, 'stage')).find(
      (c) => c.id.startsWith(`st-${stage}-`) && c.recipientId === recipientId,
    );
    if (!card) throw new Error(`no ${stage} card of order ${orderId} for ${recipientId}`);
    return card;
  }

  /** Drafts of a sender, newest first. */
  drafts(senderId = 'zhangsan') {
    return this.tx.select().from(drafts).where(eq(drafts.senderId, senderId)).orderBy(desc(drafts.id));
  }

  /** The card offering choices on the sender's latest blocked request. */
  async blockedCard(senderId = 'zhangsan'): Promise<CardRow & { content: Card }> {
    const [draft] = await this.drafts(senderId);
    if (!draft) throw new Error(`no draft of ${senderId}`);
    const [row] = await this.tx
      .select()
      .from(cards)
      .where(and(eq(cards.draftId, draft.id), eq(cards.purpose, 'blocked-request')));
    if (!row) throw new Error(`no blocked-request card for draft ${draft.id}`);
    return row as CardRow & { content: Card };
  }

  // ---- states built through the handlers themselves ------------------------------------------------

  /**
   * A request that becomes an order awaiting approval (a sample of 5 from stock by default). Fails
   * unless an order was created.
   */
  async pendingOrder(text = '需要BRK-2026-01样品5件，3月5日前到', options: SayOptions = {}): Promise<Order> {
    const before = (await this.orders()).length;
    const step = await this.say(text, options);
    const all = await this.orders();
    if (all.length !== before + 1) throw new Error(`no order from "${text}": ${JSON.stringify(step.posts)}`);
    return all.at(-1)!;
  }

  /** Every routed department approves the order; returns it as it stands afterwards. */
  async approveAll(order: Order, deciders: readonly string[] = DECIDERS): Promise<Order> {
    for (const who of deciders) {
      const card = await this.approvalCard(order.id, who);
      await this.tap(card.id, who, 'approve');
    }
    return this.order(order.number);
  }

  /**
   * A confirmed order in production's hands: 20 pieces of BRK-2026-06 (none in stock, so made on line B)
   * for 大陆集团 by 3/3, approved by all three departments.
   */
  async confirmedOrder(text = '客户：大陆集团 需要BRK-2026-06样品20件，3月3日前到'): Promise<Order> {
    const order = await this.approveAll(await this.pendingOrder(text));
    if (order.status !== 'confirmed') throw new Error(`order ${order.number} is ${order.status}, not confirmed`);
    return order;
  }
}

/** Thrown inside the transaction to roll it back; never seen outside `scenario`. */
class Rollback extends Error {}

/**
 * One migrated, seeded database for the test file (created before its first test, dropped after its
 * last); `scenario` runs a test in a transaction that is always rolled back.
 */
export function useHandlerHarness(backend: Backend) {
  let database: DatabaseHandle | undefined;
  beforeAll(async () => {
    database = await createTestDatabase(backend);
    await migrate(database.db);
    await seedDemoDataIfEmpty(database.db, new Date(START));
  });
  afterAll(async () => {
    await database?.close();
  });
  const db = (): Database => {
    if (!database) throw new Error('useHandlerHarness: the database is made in beforeAll; use it inside a test');
    return database.db;
  };
  return {
    db,
    /** Runs `body` in a transaction on the file's database and rolls it back, whatever happens. */
    async scenario<T>(body: (s: Scenario) => Promise<T>, options: { config?: BusinessConfig } = {}): Promise<T> {
      let result: T | undefined;
      try {
        await db().transaction(async (tx) => {
          result = await body(new Scenario(tx, options.config ?? config));
          throw new Rollback('roll back the test transaction');
        });
      } catch (err) {
        if (!(err instanceof Rollback)) throw err;
      }
      return result as T;
    },
  };
}

/** A fresh copy of the demo business config, to change for one test. */
export function demoConfig(): BusinessConfig {
  return loadBusinessConfig();
}

/** Han characters in a text: a Chinese answer has them, an English one has none outside names. */
export const HAN = /\p{Script=Han}/u;
