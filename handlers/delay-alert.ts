import { eq } from 'drizzle-orm';
import { personName } from '../config/business-config';
import { chinaDate, chinaTime } from '../domain/china-time';
import { delayAlertDue, type EtdReason, nextStage, promisedInstant, quietHoursEnd } from '../domain/lifecycle';
import { recordOrderEvent } from '../db/orders';
import { customers, orders, type Order } from '../db/schema';
import { maskPhone } from '../integrations/sms/port';
import type { HandlerContext } from '../core/context';
import { SMS_PLATFORM } from '../core/effects';
import { type DelaySms, type Lang, texts } from '../texts';
import { CUSTOMER_LANG } from './names';
import { postToOrderChats } from './order-chats';

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
  const contact = customer?.contactName ?? null;
  const chat = chatText(ctx, order, { promisedAt, reason, phone, contact, smsAt });
  await postToOrderChats(ctx, order, chat, `${key}:chat`);
  if (!phone) return { ...order, alertedEtd: order.etd };
  const t = texts(CUSTOMER_LANG);
  const params = {
    order: order.number,
    etd: t.format.etd(order.etd, chinaDate(ctx.now)),
    reason: reasonText(order, reason, CUSTOMER_LANG),
  };
  await ctx.emit(
    {
      kind: 'sms',
      phone,
      template: 'delay',
      params,
      text: t.sms.delay({ company: ctx.config.company, ...params }),
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

function reasonText(order: Order, reason: EtdReason, lang: Lang): string {
  const t = texts(lang).lifecycle.delayReason;
  switch (reason.kind) {
    case 'overdue': {
      const late = nextStage(reason.stage, order.skippedStages);
      return late ? t.stageLate(late) : t.late;
    }
    case 'route':
      return t.route;
    default:
      return t.plan;
  }
}

function chatText(
  ctx: HandlerContext,
  order: Order,
  args: { promisedAt: Date; reason: EtdReason; phone: string | null; contact: string | null; smsAt: Date | null },
): string {
  const t = texts(order.language);
  const today = chinaDate(ctx.now);
  const { phone, contact, smsAt } = args;
  const sms: DelaySms = !phone
    ? { kind: 'none', sales: personName(ctx.config, order.requesterId), contact }
    : smsAt
      ? { kind: 'later', contact, phone: maskPhone(phone), at: smsAt, today }
      : { kind: 'sent', contact, phone: maskPhone(phone) };
  return t.lifecycle.delay({
    number: order.number,
    etd: t.format.etd(order.etd!, today),
    promised: `${t.format.date(order.promisedDate!, today)} ${chinaTime(args.promisedAt)}`,
    late: t.format.span(order.etd!.getTime() - args.promisedAt.getTime()),
    why: reasonText(order, args.reason, order.language),
    sms,
  });
}
