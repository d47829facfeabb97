import { eq } from 'drizzle-orm';
import { personName } from '../config/business-config';
import { chinaDate, chinaTime, formatDate, formatSpan } from '../domain/china-time';
import {
  delayAlertDue,
  formatEtd,
  nextStage,
  promisedInstant,
  quietHoursEnd,
  stageActionLabel,
  type EtdReason,
} from '../domain/lifecycle';
import { recordOrderEvent } from '../db/orders';
import { customers, orders, type Order } from '../db/schema';
import { maskPhone } from '../integrations/sms/port';
import type { HandlerContext } from '../core/context';
import { SMS_PLATFORM } from '../core/effects';

/**
 * When the ETD passes the promise by more than `delayAlertAfter`: the sales chat is told first, then the
 * customer's contact gets an SMS (held until quiet hours end). One alert per slip: another only when the
 * ETD has slipped by the threshold again since the last one.
 */
export async function checkDelay(ctx: HandlerContext, order: Order, reason: EtdReason): Promise<Order> {
  if (!order.etd || !order.promisedDate) return order;
  const { lifecycle, thresholds } = ctx.config;
  const promisedAt = promisedInstant(order.promisedDate, lifecycle.deliverBy);
  if (
    !delayAlertDue({
      etd: order.etd,
      promisedAt,
      threshold: thresholds.delayAlertAfter,
      lastAlertEtd: order.alertedEtd,
    })
  )
    return order;

  await ctx.tx.update(orders).set({ alertedEtd: order.etd }).where(eq(orders.id, order.id));
  const [customer] =
    order.customerId === null ? [] : await ctx.tx.select().from(customers).where(eq(customers.id, order.customerId));
  const phone = customer?.contactPhone ?? null;
  const smsAt = quietHoursEnd(ctx.now, lifecycle.quietHours);
  const why = reasonText(order, reason, 'zh');
  await recordOrderEvent(ctx.tx, {
    orderId: order.id,
    at: ctx.now,
    type: 'delay-alert',
    data: {
      etd: order.etd.toISOString(),
      promisedAt: promisedAt.toISOString(),
      lateMs: order.etd.getTime() - promisedAt.getTime(),
      reason,
      sms: phone ? (smsAt ?? ctx.now).toISOString() : null,
    },
  });
  const key = `order:${order.id}:delay:${order.etd.getTime()}`;
  const chat = chatText(ctx, order, {
    promisedAt,
    why: reasonText(order, reason, order.language),
    phone,
    contact: customer?.contactName ?? null,
    smsAt,
  });
  await ctx.emit({ kind: 'post', to: { conversationId: order.conversationId }, text: chat }, `${key}:chat`, {
    orderId: order.id,
    platform: order.platform,
  });
  if (!phone) return { ...order, alertedEtd: order.etd };
  const today = chinaDate(ctx.now);
  const params = { order: order.number, etd: formatEtd(order.etd, 'zh', today), reason: why };
  await ctx.emit(
    {
      kind: 'sms',
      phone,
      template: 'delay',
      params,
      text: `【${ctx.config.company}】您的订单${params.order}预计${params.etd}，晚于约定时间，原因：${why}。给您带来不便，敬请谅解。`,
      notify: {
        platform: order.platform,
        conversationId: order.conversationId,
        orderId: order.id,
        orderNumber: order.number,
        language: order.language,
      },
    },
    `${key}:sms`,
    { orderId: order.id, platform: SMS_PLATFORM, ...(smsAt ? { notBefore: smsAt } : {}) },
  );
  return { ...order, alertedEtd: order.etd };
}

function reasonText(order: Order, reason: EtdReason, lang: 'zh' | 'en'): string {
  switch (reason.kind) {
    case 'overdue': {
      const late = nextStage(reason.stage, order.skippedStages);
      if (!late) return lang === 'zh' ? '交付延误' : 'delivery delayed';
      return lang === 'zh'
        ? `${stageActionLabel(late, 'zh')}晚于计划`
        : `${stageActionLabel(late, 'en')} later than planned`;
    }
    case 'route':
      return lang === 'zh' ? '运输时间比预计长' : 'transit takes longer than planned';
    default:
      return lang === 'zh' ? '生产计划调整' : 'production plan changed';
  }
}

function chatText(
  ctx: HandlerContext,
  order: Order,
  args: { promisedAt: Date; why: string; phone: string | null; contact: string | null; smsAt: Date | null },
): string {
  const today = chinaDate(ctx.now);
  const lang = order.language;
  const etd = formatEtd(order.etd!, lang, today);
  const late = formatSpan(order.etd!.getTime() - args.promisedAt.getTime(), lang);
  const promised = `${formatDate(order.promisedDate!, lang, today)} ${chinaTime(args.promisedAt)}`;
  const contact = args.contact ?? (lang === 'zh' ? '客户' : 'the customer');
  const sales = personName(ctx.config, order.requesterId);
  if (lang === 'en') {
    const sms = !args.phone
      ? `No phone number on file for ${contact}: ${sales}, please call the customer.`
      : args.smsAt
        ? `SMS to ${contact} (${maskPhone(args.phone)}) goes out at ${chinaTime(args.smsAt)} (no SMS at night).`
        : `SMS sent to ${contact} (${maskPhone(args.phone)}).`;
    return `⚠️ ${order.number} is late: now ${etd}, promised by ${promised} (${late} late). Reason: ${args.why}.\n${sms}`;
  }
  const sms = !args.phone
    ? `客户没有登记手机号，未发短信，请${sales}直接联系${contact}。`
    : args.smsAt
      ? `短信将于${formatDate(chinaDate(args.smsAt), 'zh', today)}${chinaTime(args.smsAt)}发给${contact}（${maskPhone(args.phone)}）（夜间不发短信）。`
      : `已短信通知${contact}（${maskPhone(args.phone)}）。`;
  return `⚠️ ${order.number} 交期延误：预计${etd}，承诺${promised}前，晚${late}。原因：${args.why}。\n${sms}`;
}
