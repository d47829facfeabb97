import { createHash, randomUUID } from 'node:crypto';
import Router from '@koa/router';
import { desc, eq } from 'drizzle-orm';
import { z } from 'zod';
import { renderPlaygroundCard } from '../../cards/playground';
import { storableText } from '../storable-text';
import { personName } from '../../config/business-config';
import { cards, playgroundItems } from '../../db/schema';
import type { Effect } from '../../core/effects';
import type { PlatformAdapter } from '../adapter';
import { DeliveryError, RequestRefused } from '../../core/errors';
import type { Bot } from '../bot';

const PLATFORM = 'playground';

const messageBody = z.object({
  conversationId: z.string().trim().min(1).max(128),
  senderId: z.string().trim().min(1).max(64),
  text: z.string().min(1).max(4000),
  messageId: z.string().trim().min(1).max(128).optional(),
});

const actionBody = z.object({
  userId: z.string().trim().min(1).max(64),
  key: z.string().trim().min(1).max(64),
  note: z.string().max(500).optional(),
  /** The id of a reason the card offers (its `reasons`), as WeCom's dropdown and DingTalk's select send it. */
  reasonId: z.string().trim().min(1).max(64).optional(),
});

function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const field = issue.path.join('.');
  throw RequestRefused.malformed(field ? `${field}: ${issue.message}` : `request body: ${issue.message}`);
}

/**
 * The local playground: a "platform" whose chats and inboxes live in the database and are shown by a
 * web page. Tests and tools drive the product through its HTTP API, exactly as a person would.
 */
/** Moving the playground's clock forward, so a person can watch a 2-hour escalation without waiting. */
export interface TimeTravel {
  offsetMs(): number;
  advance(ms: number): void;
  /** Runs what became due (escalations…) right away. */
  afterTravel(): Promise<void>;
}

const clockBody = z.object({
  advanceMinutes: z
    .number()
    .int()
    .min(1)
    .max(7 * 24 * 60),
});

const CARD_ID = /^[\w:.-]{1,200}$/u;

export class PlaygroundAdapter implements PlatformAdapter {
  readonly platform = PLATFORM;

  constructor(
    private readonly bot: Bot,
    private readonly timeTravel?: TimeTravel,
  ) {}

  routes(): Router {
    const router = new Router();
    router.get('/api/playground/config', (ctx) => {
      ctx.body = this.describeConfig();
    });
    router.get('/api/playground/state', async (ctx) => {
      ctx.body = await this.state();
    });
    router.post('/api/playground/messages', async (ctx) => {
      const body = parseBody(messageBody, ctx.request.body);
      ctx.status = 202;
      ctx.body = await this.receiveMessage(body);
    });
    router.get('/api/playground/clock', (ctx) => {
      ctx.body = {
        now: this.bot.now().toISOString(),
        offsetMinutes: Math.round((this.timeTravel?.offsetMs() ?? 0) / 60_000),
      };
    });
    router.post('/api/playground/clock', async (ctx) => {
      if (!this.timeTravel) throw RequestRefused.conflict("this server's clock cannot be moved");
      const body = parseBody(clockBody, ctx.request.body);
      this.timeTravel.advance(body.advanceMinutes * 60_000);
      await this.timeTravel.afterTravel();
      ctx.body = { now: this.bot.now().toISOString(), offsetMinutes: Math.round(this.timeTravel.offsetMs() / 60_000) };
    });
    router.post('/api/playground/cards/:cardId/actions', async (ctx) => {
      const body = parseBody(actionBody, ctx.request.body);
      await this.receiveAction(ctx.params.cardId!, body);
      ctx.status = 202;
      ctx.body = { accepted: true };
    });
    return router;
  }

  private requirePerson(id: string, field: string) {
    if (!this.bot.config.people.some((p) => p.id === id))
      throw RequestRefused.malformed(`${field}: unknown person "${id}"`);
  }

  private async receiveMessage(body: z.infer<typeof messageBody>) {
    this.requirePerson(body.senderId, 'senderId');
    const text = storableText(body.text);
    const now = this.bot.now();
    const messageId = body.messageId ?? `pg-${randomUUID()}`;
    const { botName } = this.bot.config;
    const result = await this.bot.ingest(
      {
        kind: 'message',
        platform: PLATFORM,
        conversationId: body.conversationId,
        senderId: body.senderId,
        senderName: personName(this.bot.config, body.senderId),
        text,
        messageId,
        receivedAt: now.toISOString(),
        addressedToBot: body.conversationId.startsWith('dm:') || text.includes(`@${botName}`),
      },
      messageId,
      {
        alsoInTx: (tx) =>
          tx
            .insert(playgroundItems)
            .values({
              deliveryKey: `in:${messageId}`,
              channel: body.conversationId,
              kind: 'message',
              senderId: body.senderId,
              text,
              at: now,
            })
            .onConflictDoNothing()
            .then(() => undefined),
      },
    );
    return { messageId, duplicate: result.duplicate };
  }

  private async receiveAction(cardId: string, body: z.infer<typeof actionBody>) {
    this.requirePerson(body.userId, 'userId');
    // Card ids are ours (letters, digits, "-", "_", ":"); anything else cannot be one, nor go into a query.
    const [card] = CARD_ID.test(cardId)
      ? await this.bot.db.select({ id: cards.id }).from(cards).where(eq(cards.id, cardId))
      : [];
    if (!card) throw RequestRefused.notFound(`unknown card "${storableText(cardId).slice(0, 100)}"`);
    const noteHash = createHash('sha256')
      .update(`${body.note ?? ''}\n${body.reasonId ?? ''}`)
      .digest('hex')
      .slice(0, 12);
    await this.bot.ingest(
      {
        kind: 'card-action',
        platform: PLATFORM,
        cardId,
        actionKey: body.key,
        actorId: body.userId,
        ...(body.note !== undefined ? { note: body.note } : {}),
        ...(body.reasonId !== undefined ? { reasonId: body.reasonId } : {}),
        receivedAt: this.bot.now().toISOString(),
      },
      `card:${cardId}:${body.userId}:${body.key}:${noteHash}`,
    );
  }

  async deliver(effect: Effect, delivery: { idempotencyKey: string }): Promise<void> {
    const db = this.bot.db;
    const base = { deliveryKey: delivery.idempotencyKey, senderId: 'bot', at: this.bot.now() };
    switch (effect.kind) {
      case 'post': {
        const channel = 'conversationId' in effect.to ? effect.to.conversationId : `dm:${effect.to.userId}`;
        await db
          .insert(playgroundItems)
          .values({ ...base, channel, kind: 'message', text: effect.text })
          .onConflictDoNothing();
        return;
      }
      case 'send-card': {
        const channel = 'conversationId' in effect.to ? effect.to.conversationId : `inbox:${effect.to.userId}`;
        const card = renderPlaygroundCard(effect.card);
        await db
          .insert(playgroundItems)
          .values({ ...base, channel, kind: 'card', cardId: card.id, card })
          .onConflictDoNothing();
        return;
      }
      case 'update-card': {
        const updated = await db
          .update(playgroundItems)
          .set({ card: renderPlaygroundCard(effect.card) })
          .where(eq(playgroundItems.cardId, effect.cardId))
          .returning({ id: playgroundItems.id });
        if (updated.length === 0)
          throw DeliveryError.retry(`card ${effect.cardId} is not delivered yet`, { afterMs: 500 });
        return;
      }
      case 'sms':
        throw DeliveryError.permanent('SMS go through the SMS adapter');
    }
  }

  private describeConfig() {
    const { config } = this.bot;
    const person = (id: string) => config.people.find((p) => p.id === id);
    const approverIds = [
      ...new Set([
        ...config.departments.flatMap((d) => [...d.leads, d.director]),
        ...config.escalationLadder.map((s) => s.to),
      ]),
    ];
    return {
      botName: config.botName,
      company: config.company,
      conversations: config.conversations.map(({ id, name }) => ({ id, name })),
      people: config.people.map(({ id, name, role }) => ({ id, name, role: role ?? '' })),
      approvers: approverIds.map((id) => ({
        id,
        name: person(id)?.name ?? id,
        role: person(id)?.role ?? '',
        department: config.departments.find((d) => d.leads.includes(id) || d.director === id)?.name ?? '',
      })),
      salesPeople: config.people.filter((p) => !approverIds.includes(p.id)).map(({ id, name }) => ({ id, name })),
    };
  }

  /** Everything the page shows; the newest 2,000 items are enough for a playground. */
  async state() {
    const { config } = this.bot;
    const rows = (
      await this.bot.db.select().from(playgroundItems).orderBy(desc(playgroundItems.id)).limit(2000)
    ).reverse();
    const conversations: Record<string, unknown[]> = Object.fromEntries(config.conversations.map((c) => [c.id, []]));
    const inbox: Record<string, unknown[]> = {};
    const sms: unknown[] = [];
    const from = (id: string | null) =>
      id === 'bot' || id === null ? { id: 'bot', name: config.botName } : { id, name: personName(config, id) };
    for (const row of rows) {
      const at = row.at.toISOString();
      if (row.kind === 'sms') {
        sms.push({ id: String(row.id), phone: row.senderId, text: row.text, at });
      } else if (row.channel.startsWith('inbox:')) {
        const owner = row.channel.slice(6);
        inbox[owner] = [...(inbox[owner] ?? []), { ...(row.card as object), at }];
      } else {
        const item = {
          id: String(row.id),
          from: from(row.senderId),
          at,
          ...(row.text !== null ? { text: row.text } : {}),
          ...(row.card ? { card: row.card } : {}),
        };
        conversations[row.channel] = [...(conversations[row.channel] ?? []), item];
      }
    }
    return { conversations, inbox, sms };
  }
}
