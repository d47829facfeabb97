import { and, desc, eq, exists, gte, inArray, or, sql } from 'drizzle-orm';
import { type Card, newCardId } from '../cards/model';
import { personName } from '../config/business-config';
import { type HandlerContext, replyToMessage } from '../core/context';
import type { MessageEvent } from '../core/events';
import { type CardRow, cards, type Draft, drafts, orderFollowers, orderItems, orders } from '../db/schema';
import type { ParsedMessage } from '../domain/parse';
import type { OrderRequest } from './create-order';

/**
 * A request held until its sales person chooses: which of two customers it is for, or whether it is
 * the same need as an open order. Kept as a draft with status 'held' and a card in the chat.
 */
export type Hold =
  | { kind: 'customer-choice'; candidates: Array<{ id: number; name: string }> }
  | { kind: 'same-need'; orderId: number; orderNumber: string; customer: { id: number; name: string } };

/** What intake had settled about a request before it waited: for whom, whether its time was stated, a related order. */
export type Settled = Pick<OrderRequest, 'customer' | 'stated' | 'relatedOrderId'>;

type HeldRequest = ParsedMessage & { hold: Hold; settled?: Settled };

const HELD_FOR_MS = 24 * 3600_000;

/** Stores a request that waits for its sales person (held for a choice, or blocked by the plant). */
export async function storeWaitingRequest<P extends ParsedMessage>(
  event: MessageEvent,
  ctx: HandlerContext,
  req: OrderRequest,
  wait: { status: 'held' | 'blocked'; forMs: number; parsed: P },
): Promise<Draft> {
  const { customer, stated, relatedOrderId } = req;
  const settled: Settled = {
    ...(customer !== undefined ? { customer } : {}),
    ...(stated ? { stated } : {}),
    ...(relatedOrderId !== undefined ? { relatedOrderId } : {}),
  };
  const [draft] = await ctx.tx
    .insert(drafts)
    .values({
      platform: event.platform,
      conversationId: event.conversationId,
      senderId: event.senderId,
      parsed: { ...wait.parsed, settled },
      sourceText: req.sourceText,
      requestedAt: req.requestedAt,
      expiresAt: new Date(ctx.now.getTime() + wait.forMs),
      status: wait.status,
    })
    .returning();
  return draft!;
}

/** Holds the request, tells the chat why, and posts the card whose buttons are the choices. */
export async function holdRequest(
  event: MessageEvent,
  ctx: HandlerContext,
  req: OrderRequest,
  hold: Hold,
  ask: { prompt: string; card: Omit<Card, 'id'> },
) {
  const draft = await storeWaitingRequest(event, ctx, req, {
    status: 'held',
    forMs: HELD_FOR_MS,
    parsed: { ...req.request, hold },
  });
  await replyToMessage(ctx, event, ask.prompt);
  const card: Card = { id: newCardId(), ...ask.card };
  await ctx.tx.insert(cards).values({
    id: card.id,
    draftId: draft.id,
    purpose: hold.kind,
    platform: event.platform,
    recipientId: event.conversationId,
    content: card,
    createdAt: ctx.now,
  });
  await ctx.emit({ kind: 'send-card', to: { conversationId: event.conversationId }, card }, `card:${card.id}:send`);
}

/** The held request's parse, hold and what was settled before it was held. */
export function heldOf(draft: Draft): HeldRequest {
  return draft.parsed as HeldRequest;
}

/** The request again, as intake takes it, with what the choice settles. */
export function requestOf(
  draft: Draft,
  settled: Pick<OrderRequest, 'customer' | 'sameNeedAnswered' | 'relatedOrderId'>,
) {
  const { hold: _, settled: before, ...request } = heldOf(draft);
  const req: OrderRequest = {
    request,
    requestedAt: draft.requestedAt,
    sourceText: draft.sourceText,
    ...before,
    ...settled,
  };
  return req;
}

/** The message a waiting request (held or blocked) came from, rebuilt so it can go on from a tap. */
export function draftEvent(draft: Draft, ctx: HandlerContext): MessageEvent {
  return {
    kind: 'message',
    platform: draft.platform,
    conversationId: draft.conversationId,
    senderId: draft.senderId,
    senderName: personName(ctx.config, draft.senderId),
    text: draft.sourceText,
    messageId: `draft:${draft.id}`,
    receivedAt: draft.requestedAt.toISOString(),
    addressedToBot: true,
  };
}

/** The draft a card is about, locked; undefined when the card has none. */
export async function lockedDraft(ctx: HandlerContext, row: Pick<CardRow, 'draftId'>): Promise<Draft | undefined> {
  if (row.draftId === null) return undefined;
  const [draft] = await ctx.tx.select().from(drafts).where(eq(drafts.id, row.draftId)).for('update');
  return draft;
}

/** The sender's latest request held in this chat and not expired, with its card. */
export async function latestHeld(ctx: HandlerContext, event: MessageEvent) {
  const [row] = await ctx.tx
    .select({ draft: drafts, card: cards })
    .from(drafts)
    .innerJoin(cards, eq(cards.draftId, drafts.id))
    .where(
      and(
        eq(drafts.status, 'held'),
        eq(drafts.platform, event.platform),
        eq(drafts.conversationId, event.conversationId),
        eq(drafts.senderId, event.senderId),
        gte(drafts.expiresAt, ctx.now),
      ),
    )
    .orderBy(desc(drafts.id))
    .limit(1)
    .for('update', { of: drafts });
  return row;
}

/**
 * An open order (awaiting approval or confirmed, made within `thresholds.duplicateWindow`) for the same
 * customer and one of the same materials: the sender's own (or one they follow) first, else another's.
 */
export async function sameNeed(ctx: HandlerContext, customerId: number, codes: string[], senderId: string) {
  const since = new Date(ctx.now.getTime() - ctx.config.thresholds.duplicateWindow);
  const mine = or(
    eq(orders.requesterId, senderId),
    exists(
      ctx.tx
        .select({ one: orderFollowers.orderId })
        .from(orderFollowers)
        .where(and(eq(orderFollowers.orderId, orders.id), eq(orderFollowers.personId, senderId))),
    ),
  );
  const rows = await ctx.tx
    .select({ order: orders, mine: sql<boolean>`(${mine})` })
    .from(orders)
    .where(
      and(
        eq(orders.customerId, customerId),
        inArray(orders.status, ['pending_approval', 'confirmed']),
        gte(orders.createdAt, since),
        exists(
          ctx.tx
            .select({ one: orderItems.orderId })
            .from(orderItems)
            .where(and(eq(orderItems.orderId, orders.id), inArray(orderItems.materialCode, codes))),
        ),
      ),
    )
    .orderBy(desc(orders.createdAt))
    .limit(20);
  const own = rows.find((r) => r.mine);
  if (own) return { order: own.order, mine: true as const };
  return rows[0] ? { order: rows[0].order, mine: false as const } : null;
}
