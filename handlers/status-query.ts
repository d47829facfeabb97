import { and, desc, eq, inArray, or } from 'drizzle-orm';
import { personName } from '../config/business-config';
import { chinaDate, chinaTime, formatDate, formatDuration } from '../domain/china-time';
import { formatEtd, nextStage, stageActionLabel, stageLabel } from '../domain/lifecycle';
import { stageDepartment, stageOwners } from './lifecycle-cards';
import type { ParsedMessage } from '../domain/parse';
import { tasksOfOrder } from '../db/orders';
import { orderItems, orders, type Order } from '../db/schema';
import { replyToMessage, type HandlerContext } from '../core/context';
import type { MessageEvent } from '../core/events';
import { departmentName } from './texts';

const ORDER_NUMBER = /^SO-\d{8}-\d{4,}$/;

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
      : [
          lang === 'zh'
            ? `没有找到${parsed.refs.length ? ` ${parsed.refs.join('、')} 的` : '相关'}订单。`
            : `No order found${parsed.refs.length ? ` for ${parsed.refs.join(', ')}` : ''}.`,
        ];
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

async function describeOrder(ctx: HandlerContext, order: Order, lang: 'zh' | 'en'): Promise<string> {
  const today = chinaDate(ctx.now);
  if (order.status === 'confirmed' || order.status === 'delivered') return describeProgress(ctx, order, lang);
  if (order.status === 'rejected') {
    return lang === 'zh' ? `${order.number}：已驳回。` : `${order.number}: rejected.`;
  }
  const pending = (await tasksOfOrder(ctx.tx, order.id)).filter((t) => t.status === 'pending');
  const waiting = pending.map((t) => {
    const dept = departmentName(ctx.config, t.department, lang);
    const who = t.assignees.map((id) => personName(ctx.config, id)).join('/');
    return `${dept}（${who}，${lang === 'zh' ? '已等' : 'waiting'} ${formatDuration(ctx.now.getTime() - t.createdAt.getTime())}）`;
  });
  const date = formatDate(order.requestedDate, lang, today);
  return lang === 'zh'
    ? `${order.number}：待审批，要求交期 ${date}。\n等待：${waiting.join('、')}`
    : `${order.number}: awaiting approval, requested for ${date}.\nWaiting on: ${waiting.join(', ')}`;
}

/** A confirmed order: its stage, the ETD against the promise, and whose step it waits on since when. */
function describeProgress(ctx: HandlerContext, order: Order, lang: 'zh' | 'en'): string {
  const today = chinaDate(ctx.now);
  const zh = lang === 'zh';
  const stage = order.stage ?? 'confirmed';
  const promised = order.promisedDate ? formatDate(order.promisedDate, lang, today) : null;
  if (order.status === 'delivered') {
    const at = order.stageAt ? `${formatDate(chinaDate(order.stageAt), lang, today)} ${chinaTime(order.stageAt)}` : '';
    return zh ? `${order.number}：已签收（${at}），订单完成。` : `${order.number}: delivered (${at}); order closed.`;
  }
  const since = order.stageAt ? formatDuration(ctx.now.getTime() - order.stageAt.getTime()) : '';
  const etd = order.etd ? formatEtd(order.etd, lang, today) : null;
  const next = nextStage(stage, order.skippedStages);
  const owners = next
    ? stageOwners(ctx.config, next)
        .map((id) => personName(ctx.config, id))
        .join('/')
    : '';
  const department = next ? stageDepartment(ctx.config, next) : undefined;
  const who = department
    ? `${departmentName(ctx.config, department.key, lang)}${owners ? (zh ? `（${owners}）` : ` (${owners})`) : ''}`
    : '';
  const shipment = order.waybill
    ? zh
      ? `，运单 ${order.waybill}${order.tracking?.text ? `：${order.tracking.text}` : ''}`
      : `, waybill ${order.waybill}${order.tracking?.text ? `: ${order.tracking.text}` : ''}`
    : '';
  if (zh) {
    const step = next === 'delivered' ? '客户签收' : next ? `${who}${stageActionLabel(next, 'zh')}` : '';
    const waiting = next ? `\n等待：${step}，已等 ${since}` : '';
    return `${order.number}：${stageLabel(stage, 'zh')}${shipment}，${etd ? `预计${etd}` : '交期计算中'}${promised ? `（承诺 ${promised}）` : ''}。${waiting}`;
  }
  const step =
    next === 'delivered'
      ? 'the customer to sign for it'
      : next
        ? `${who ? `${who}, ` : ''}${stageActionLabel(next, 'en')}`
        : '';
  const waiting = next ? `\nWaiting on: ${step}, for ${since}` : '';
  return `${order.number}: ${stageLabel(stage, 'en')}${shipment}; ${etd ?? 'ETD pending'}${promised ? ` (promised ${promised})` : ''}.${waiting}`;
}
