import type { HandlerContext } from '../core/context';
import type { SmsOutcomeEvent } from '../core/events';
import { recordOrderEvent } from '../db/orders';
import { texts } from '../texts';

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

function failureText({ notify, phoneMasked: phone, status, reason }: SmsOutcomeEvent): string {
  const t = texts(notify.language).sms;
  if (status === 'unknown') return t.uncertain(notify.orderNumber, phone);
  return t.refused(notify.orderNumber, phone, reason.replace(/^\[sms:\w+\]\s*/, ''));
}
