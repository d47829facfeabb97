import { and, desc, eq, inArray, isNotNull } from 'drizzle-orm';
import { writerLanguage } from '../domain/parse';
import { chinaTime } from '../domain/china-time';
import { clockEventsOf, perceivedLatencyMs, type ClockEvent, type PauseCommand } from '../domain/kpi';
import { promisedInstant } from '../domain/lifecycle';
import { recordOrderEvent } from '../db/orders';
import { approvalTasks, orderEvents, orders, type CardRow, type Order } from '../db/schema';
import { tellTapper } from './card-updates';
import { replyToMessage, type HandlerContext } from '../core/context';
import type { CardActionEvent, MessageEvent } from '../core/events';
import { updateEtdCard } from './lifecycle-cards';
import { type Lang, texts } from '../texts';
import { approvalClock, reminderAfter } from './approval-deadlines';
import { nudgeFromCard } from './approval-nudge';
import { deadlineAfterWait } from '../domain/approval-time';

const CLOCK_EVENTS = ['paused', 'resumed'] as const;

/** The latency clock's events of an order: its request, then every pause and resume. */
async function clockEvents(ctx: HandlerContext, order: Order): Promise<ClockEvent[]> {
  const rows = await ctx.tx
    .select({ type: orderEvents.type, at: orderEvents.at, data: orderEvents.data })
    .from(orderEvents)
    .where(and(eq(orderEvents.orderId, order.id), inArray(orderEvents.type, [...CLOCK_EVENTS])))
    .orderBy(orderEvents.id);
  return clockEventsOf(order.requestedAt, rows);
}

/** The clock stops when the confirmed promise is posted: the figure, net of the time spent waiting on the customer. */
export async function stoppedClock(ctx: HandlerContext, order: Order, promisedDate: string) {
  const events = [...(await clockEvents(ctx, order)), { type: 'confirmed', at: ctx.now } as const];
  const latencyMs = perceivedLatencyMs(events) ?? 0;
  const span = Math.max(0, ctx.now.getTime() - order.requestedAt.getTime());
  return {
    confirmedAt: ctx.now,
    latencyMs,
    pausedMs: span - latencyMs,
    pausedSince: null,
    promisedAt: promisedInstant(promisedDate, ctx.config.lifecycle.deliverBy),
  };
}

/** "等客户图纸" pauses the order's latency clock, "客户已回复" resumes it. */
export async function handlePauseCommand(
  event: MessageEvent,
  command: PauseCommand,
  ctx: HandlerContext,
): Promise<void> {
  const lang = writerLanguage(event.text);
  const order = await targetOrder(ctx, event, command);
  if (!order) {
    const t = texts(lang).latency;
    const text = command.orderNumber
      ? t.notInChat(command.orderNumber)
      : command.kind === 'resume'
        ? t.noWaitingOrder
        : t.noPendingOrder;
    return replyToMessage(ctx, event, text);
  }
  if (order.status !== 'pending_approval') return replyToMessage(ctx, event, clockStopped(order, lang));
  const by = { id: event.senderId, via: 'chat' as const };
  const text =
    command.kind === 'pause' ? await pause(ctx, by, order, command.reason, lang) : await resume(ctx, by, order, lang);
  await replyToMessage(ctx, event, text, order.id);
}

/** "等客户回复" / "客户已回复" tapped on the order's card in the sales chat. */
export async function handleOrderCardAction(event: CardActionEvent, ctx: HandlerContext, card: CardRow): Promise<void> {
  const notify = (text: string) => tellTapper(ctx, event, text);
  const [order] =
    card.orderId === null ? [] : await ctx.tx.select().from(orders).where(eq(orders.id, card.orderId)).for('update');
  const lang = order?.language ?? 'zh';
  if (event.actionKey === 'nudge' && order) return nudgeFromCard(ctx, order, event.actorId);
  if (event.actionKey !== 'pause' && event.actionKey !== 'resume') {
    return notify(texts(lang).approvals.unknownAction(event.actionKey));
  }
  if (!order) return notify(texts(lang).approvals.unknownCard);
  if (order.status !== 'pending_approval') return notify(clockStopped(order, lang));
  const by = { id: event.actorId, via: 'card' as const };
  const text =
    event.actionKey === 'pause' ? await pause(ctx, by, order, null, lang) : await resume(ctx, by, order, lang);
  await ctx.emit({ kind: 'post', to: { conversationId: order.conversationId }, text }, `${ctx.eventKey}:reply`, {
    orderId: order.id,
    platform: order.platform,
  });
}

type Actor = { id: string; via: 'chat' | 'card' };

async function pause(ctx: HandlerContext, by: Actor, order: Order, reason: string | null, lang: Lang): Promise<string> {
  if (order.pausedSince) return alreadyPaused(order, lang);
  const [updated] = await ctx.tx
    .update(orders)
    .set({ pausedSince: ctx.now, pauseReason: reason, version: order.version + 1 })
    .where(eq(orders.id, order.id))
    .returning();
  await recordOrderEvent(ctx.tx, {
    orderId: order.id,
    at: ctx.now,
    type: 'paused',
    actorId: by.id,
    data: { reason, via: by.via },
  });
  await updateEtdCard(ctx, updated!, []);
  return texts(lang).latency.paused(order.number, reason);
}

async function resume(ctx: HandlerContext, by: Actor, order: Order, lang: Lang): Promise<string> {
  if (!order.pausedSince) return texts(lang).latency.notPaused(order.number);
  const waited = Math.max(0, ctx.now.getTime() - order.pausedSince.getTime());
  const total = order.pausedMs + waited;
  const [updated] = await ctx.tx
    .update(orders)
    .set({ pausedSince: null, pauseReason: null, pausedMs: total, version: order.version + 1 })
    .where(eq(orders.id, order.id))
    .returning();
  await recordOrderEvent(ctx.tx, {
    orderId: order.id,
    at: ctx.now,
    type: 'resumed',
    actorId: by.id,
    data: { waitedMs: waited, via: by.via },
  });
  await moveDeadlinesByWait(ctx, order.id, order.pausedSince);
  await updateEtdCard(ctx, updated!, []);
  return texts(lang).latency.resumed(order.number, waited, total);
}

/**
 * The approvers could not decide while the customer was silent: each pending step keeps the time it had
 * left when the wait began (on its department's clock), and its reminders follow.
 */
async function moveDeadlinesByWait(ctx: HandlerContext, orderId: number, pausedSince: Date) {
  const open = await ctx.tx
    .select()
    .from(approvalTasks)
    .where(and(eq(approvalTasks.orderId, orderId), eq(approvalTasks.status, 'pending')));
  for (const task of open) {
    const department = ctx.config.departments.find((d) => d.key === task.department);
    if (!department) continue;
    const clock = approvalClock(ctx.config, task.department);
    const dueAt = deadlineAfterWait(task.dueAt, pausedSince, ctx.now, clock);
    const remindAt = reminderAfter(ctx.config, department, task.escalationLevel, dueAt, ctx.now);
    await ctx.tx.update(approvalTasks).set({ dueAt, remindAt }).where(eq(approvalTasks.id, task.id));
  }
}

/** The named order, or the sender's latest open order in this chat (paused ones first for a resume). */
async function targetOrder(
  ctx: HandlerContext,
  event: MessageEvent,
  command: PauseCommand,
): Promise<Order | undefined> {
  if (command.orderNumber) {
    const [order] = await ctx.tx.select().from(orders).where(eq(orders.number, command.orderNumber)).for('update');
    return order && order.conversationId === event.conversationId && order.platform === event.platform
      ? order
      : undefined;
  }
  const mine = and(
    eq(orders.platform, event.platform),
    eq(orders.conversationId, event.conversationId),
    eq(orders.requesterId, event.senderId),
    eq(orders.status, 'pending_approval'),
  );
  const where = command.kind === 'resume' ? and(mine, isNotNull(orders.pausedSince)) : mine;
  const [order] = await ctx.tx.select().from(orders).where(where).orderBy(desc(orders.id)).limit(1).for('update');
  return order;
}

function alreadyPaused(order: Order, lang: Lang): string {
  return texts(lang).latency.alreadyPaused(order.number, chinaTime(order.pausedSince!));
}

function clockStopped(order: Order, lang: Lang): string {
  const t = texts(lang).latency;
  return order.status === 'rejected' ? t.rejected(order.number) : t.stopped(order.number, order.latencyMs);
}
