import { and, desc, eq, inArray, isNotNull, sql } from 'drizzle-orm';
import { writerLanguage } from '../domain/parse';
import { chinaTime, formatLatency } from '../domain/china-time';
import { clockEventsOf, perceivedLatencyMs, type ClockEvent, type PauseCommand } from '../domain/kpi';
import { promisedInstant } from '../domain/lifecycle';
import { recordOrderEvent } from '../db/orders';
import { approvalTasks, orderEvents, orders, type CardRow, type Order } from '../db/schema';
import { replyToMessage, type HandlerContext } from '../core/context';
import type { CardActionEvent, MessageEvent } from '../core/events';
import { updateEtdCard } from './lifecycle-cards';
import { approverTexts } from './texts';

type Language = 'zh' | 'en';

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
    const text = command.orderNumber ? notFound(command.orderNumber, lang) : noOpenOrder(command.kind, lang);
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
  const notify = (text: string) =>
    ctx.emit({ kind: 'post', to: { userId: event.actorId }, text }, `${ctx.eventKey}:notice`);
  if ((event.actionKey !== 'pause' && event.actionKey !== 'resume') || card.orderId === null)
    return notify(approverTexts.unknownAction(event.actionKey));
  const [order] = await ctx.tx.select().from(orders).where(eq(orders.id, card.orderId)).for('update');
  if (!order) return notify(approverTexts.unknownCard());
  const lang = order.language;
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

async function pause(
  ctx: HandlerContext,
  by: Actor,
  order: Order,
  reason: string | null,
  lang: Language,
): Promise<string> {
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
  return lang === 'zh'
    ? `⏸ ${order.number} 等客户${reason ? `（${reason}）` : ''}，客户时延暂停计时。客户回复后请说“${order.number} 客户已回复”。`
    : `⏸ ${order.number} is waiting on the customer${reason ? ` (${reason})` : ''}; the latency clock is paused. Say "${order.number} customer replied" when they answer.`;
}

async function resume(ctx: HandlerContext, by: Actor, order: Order, lang: Language): Promise<string> {
  if (!order.pausedSince) {
    return lang === 'zh'
      ? `${order.number} 没有在等客户，计时照常。`
      : `${order.number} was not waiting on the customer; the clock runs as before.`;
  }
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
  // The approvers could not decide while the customer was silent: their deadlines move by as much.
  await ctx.tx
    .update(approvalTasks)
    .set({ dueAt: sql`${approvalTasks.dueAt} + ${waited} * interval '1 millisecond'` })
    .where(and(eq(approvalTasks.orderId, order.id), eq(approvalTasks.status, 'pending')));
  await updateEtdCard(ctx, updated!, []);
  return lang === 'zh'
    ? `▶️ ${order.number} 客户已回复，时延继续计时（本次等待${formatLatency(waited, 'zh')}，累计${formatLatency(total, 'zh')}不计入）。`
    : `▶️ ${order.number}: the customer replied; the clock runs again (waited ${formatLatency(waited, 'en')}, ${formatLatency(total, 'en')} excluded in all).`;
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

function alreadyPaused(order: Order, lang: Language): string {
  const since = chinaTime(order.pausedSince!);
  return lang === 'zh'
    ? `${order.number} 已在等客户（${since} 起），无需重复。`
    : `${order.number} has been waiting on the customer since ${since} already.`;
}

function clockStopped(order: Order, lang: Language): string {
  if (order.status === 'rejected')
    return lang === 'zh' ? `${order.number} 已驳回，不再计时。` : `${order.number} was rejected; no clock runs.`;
  const figure = order.latencyMs === null ? '' : formatLatency(order.latencyMs, lang);
  return lang === 'zh'
    ? `${order.number} 已确认交期，客户时延已停止计时${figure ? `（${figure}）` : ''}。`
    : `${order.number} already has a confirmed promise; its latency clock has stopped${figure ? ` (${figure})` : ''}.`;
}

function notFound(number: string, lang: Language): string {
  return lang === 'zh'
    ? `本群没有单号 ${number}，请核对。`
    : `There is no order ${number} in this chat; please check the number.`;
}

function noOpenOrder(kind: PauseCommand['kind'], lang: Language): string {
  if (kind === 'resume') {
    return lang === 'zh'
      ? '您在本群没有等客户的订单。请带上单号，例如“SO-20260224-0001 客户已回复”。'
      : 'You have no order waiting on the customer in this chat. Name it, e.g. "SO-20260224-0001 customer replied".';
  }
  return lang === 'zh'
    ? '您在本群没有待审批的订单。请带上单号，例如“SO-20260224-0001 等客户图纸”。'
    : 'You have no order awaiting approval in this chat. Name it, e.g. "SO-20260224-0001 waiting on customer".';
}
