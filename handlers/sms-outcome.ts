import type { HandlerContext } from '../core/context';
import type { SmsOutcomeEvent } from '../core/events';
import { recordOrderEvent } from '../db/orders';

/** A customer's SMS that did not surely arrive: the order's history says so, and the sales chat is asked to call. */
export async function handleSmsOutcome(event: SmsOutcomeEvent, ctx: HandlerContext): Promise<void> {
  const { notify } = event;
  await recordOrderEvent(ctx.tx, {
    orderId: notify.orderId,
    at: ctx.now,
    type: event.status === 'rejected' ? 'sms-rejected' : 'sms-uncertain',
    data: { phone: event.phoneMasked, reason: event.reason },
  });
  await ctx.emit(
    { kind: 'post', to: { conversationId: notify.conversationId }, text: failureText(event) },
    `${ctx.eventKey}:chat`,
    { orderId: notify.orderId, platform: notify.platform },
  );
}

function failureText({ notify, phoneMasked: phone, status, reason: raw }: SmsOutcomeEvent): string {
  const reason = raw.replace(/^\[sms:\w+\]\s*/, '');
  if (notify.language === 'en') {
    return status === 'rejected'
      ? `❗ The delay SMS for ${notify.orderNumber} to ${phone} was refused by the SMS provider (${reason}). Please call the customer.`
      : `❗ The delay SMS for ${notify.orderNumber} to ${phone} may not have arrived (the provider did not answer). Please call the customer to make sure.`;
  }
  return status === 'rejected'
    ? `❗ ${notify.orderNumber} 的延误短信发给 ${phone} 被短信服务商拒绝（${reason}），请电话联系客户。`
    : `❗ ${notify.orderNumber} 的延误短信发给 ${phone} 可能未送达（服务商无应答），请电话联系客户确认。`;
}
