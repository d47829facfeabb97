import { and, desc, eq, inArray, or } from 'drizzle-orm';
import { departmentName, personName } from '../config/business-config';
import { chinaDate, formatDuration } from '../domain/china-time';
import { nextStage, type WorkStage } from '../domain/lifecycle';
import { stageDepartment, stageOwners } from './lifecycle-cards';
import type { ParsedMessage } from '../domain/parse';
import { tasksOfOrder } from '../db/orders';
import { orderItems, orders, type Order } from '../db/schema';
import { replyToMessage, type HandlerContext } from '../core/context';
import type { MessageEvent } from '../core/events';
import { type Lang, type NextStep, texts } from '../texts';

const ORDER_NUMBER = /^SO-\d{8}-\d{4,}(?:-\d{1,3})?$/;

/** "SO-20260224-0001 到哪了" / "BRK-2026-01 进度": the order's status and whom it is waiting on. */
export async function answerStatusQuery(
  event: MessageEvent,
  parsed: ParsedMessage,
  ctx: HandlerContext,
): Promise<void> {
  const lang = parsed.language;
  const numbers = parsed.refs.filter((r) => ORDER_NUMBER.test(r));
  const codes = parsed.refs.filter((r) => !ORDER_NUMBER.test(r));
  const found = await findOrders(ctx, event.conversationId, numbers, codes);
  const lines =
    found.length > 0
      ? await Promise.all(found.map((order) => describeOrder(ctx, order, lang)))
      : [texts(lang).lifecycle.status.notFound(parsed.refs)];
  await replyToMessage(ctx, event, lines.join('\n\n'));
}

/** By number anywhere; by material code, the latest orders of this conversation (at most 3). */
async function findOrders(
  ctx: HandlerContext,
  conversationId: string,
  numbers: string[],
  codes: string[],
): Promise<Order[]> {
  const conditions = [];
  if (numbers.length) conditions.push(inArray(orders.number, numbers));
  if (codes.length) {
    const withItem = ctx.tx
      .select({ id: orderItems.orderId })
      .from(orderItems)
      .where(inArray(orderItems.materialCode, codes));
    conditions.push(and(eq(orders.conversationId, conversationId), inArray(orders.id, withItem)));
  }
  if (conditions.length === 0) {
    return ctx.tx
      .select()
      .from(orders)
      .where(eq(orders.conversationId, conversationId))
      .orderBy(desc(orders.createdAt))
      .limit(1);
  }
  return ctx.tx
    .select()
    .from(orders)
    .where(or(...conditions))
    .orderBy(desc(orders.createdAt))
    .limit(3);
}

async function describeOrder(ctx: HandlerContext, order: Order, lang: Lang): Promise<string> {
  const t = texts(lang);
  if (order.status === 'confirmed' || order.status === 'delivered') return describeProgress(ctx, order, lang);
  if (order.status === 'rejected') return t.lifecycle.status.rejected(order.number);
  const pending = (await tasksOfOrder(ctx.tx, order.id)).filter((task) => task.status === 'pending');
  const waiting = pending.map((task) =>
    t.lifecycle.status.waitingTask(
      departmentName(ctx.config, task.department, lang),
      task.assignees.map((id) => personName(ctx.config, id)).join('/'),
      formatDuration(ctx.now.getTime() - task.createdAt.getTime()),
    ),
  );
  return t.lifecycle.status.pending(order.number, t.format.date(order.requestedDate, chinaDate(ctx.now)), waiting);
}

/** A confirmed order: its stage, the ETD against the promise, and whose step it waits on since when. */
function describeProgress(ctx: HandlerContext, order: Order, lang: Lang): string {
  const t = texts(lang);
  const today = chinaDate(ctx.now);
  const stage = order.stage ?? 'confirmed';
  if (order.status === 'delivered') {
    return t.lifecycle.status.delivered(order.number, order.stageAt ? t.format.dateTime(order.stageAt, today) : '');
  }
  const next = nextStage(stage, order.skippedStages);
  return t.lifecycle.status.progress({
    number: order.number,
    stage,
    shipment: order.waybill ? t.lifecycle.status.shipment(order.waybill, order.tracking?.text ?? null) : '',
    etd: order.etd ? t.format.etd(order.etd, today) : null,
    promised: order.promisedDate ? t.format.date(order.promisedDate, today) : null,
    next: nextStep(ctx, next, lang),
    since: order.stageAt ? formatDuration(ctx.now.getTime() - order.stageAt.getTime()) : '',
  });
}

function nextStep(ctx: HandlerContext, next: WorkStage | null, lang: Lang): NextStep {
  if (!next) return { kind: 'none' };
  if (next === 'delivered') return { kind: 'customer' };
  const department = stageDepartment(ctx.config, next);
  if (!department) return { kind: 'stage', stage: next, department: null };
  const owners = stageOwners(ctx.config, next).map((id) => personName(ctx.config, id));
  const name = departmentName(ctx.config, department.key, lang);
  return { kind: 'stage', stage: next, department: texts(lang).lifecycle.status.department(name, owners.join('/')) };
}
