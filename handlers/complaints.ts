/**
 * "SO-… 客户投诉包装破损", "SO-… 退货 3件 尺寸超差" (and English): a complaint or a return recorded on the order,
 * once per chat message (a platform's retry records nothing twice). These are the complaint model's labels and the
 * KPIs' complaint rate. Sales people, the quality department (its leads and director) and admins may record them.
 */
import { eq } from 'drizzle-orm';
import { type BusinessConfig, mayEditCustomers } from '../config/business-config';
import { type HandlerContext, replyToMessage } from '../core/context';
import type { MessageEvent } from '../core/events';
import { recordOrderEvent } from '../db/orders';
import { orderComplaints, orders } from '../db/schema';
import type { ComplaintCommand } from '../domain/complaints/command';
import { writerLanguage } from '../domain/parse';
import { texts } from '../texts';

/** The department whose people report quality findings, as in the demo config. */
export const QUALITY_DEPARTMENT = 'quality';

function mayReport(config: BusinessConfig, personId: string): boolean {
  const quality = config.departments.find((d) => d.key === QUALITY_DEPARTMENT);
  return (
    mayEditCustomers(config, personId) || (quality?.leads.includes(personId) ?? false) || quality?.director === personId
  );
}

export async function handleComplaintCommand(
  event: MessageEvent,
  command: ComplaintCommand,
  ctx: HandlerContext,
): Promise<boolean> {
  const t = texts(writerLanguage(event.text)).risk;
  const [order] = await ctx.tx.select({ id: orders.id }).from(orders).where(eq(orders.number, command.number));
  if (!order) {
    await replyToMessage(ctx, event, t.complaintUnknownOrder(command.number));
    return true;
  }
  if (!mayReport(ctx.config, event.senderId)) {
    await replyToMessage(ctx, event, t.complaintNotAllowed(command.number), order.id);
    return true;
  }
  const [added] = await ctx.tx
    .insert(orderComplaints)
    .values({
      orderId: order.id,
      kind: command.kind,
      isReturn: command.isReturn,
      returnedQuantity: command.returnedQuantity,
      note: command.note || null,
      reportedBy: event.senderId,
      eventKey: ctx.eventKey,
      at: ctx.now,
    })
    .onConflictDoNothing()
    .returning({ id: orderComplaints.id });
  if (added) {
    await recordOrderEvent(ctx.tx, {
      orderId: order.id,
      at: ctx.now,
      type: command.isReturn ? 'returned' : 'complaint',
      actorId: event.senderId,
      data: {
        kind: command.kind,
        ...(command.returnedQuantity === null ? {} : { returnedQuantity: command.returnedQuantity }),
      },
    });
  }
  const said = {
    number: command.number,
    kind: command.kind,
    isReturn: command.isReturn,
    returned: command.returnedQuantity,
  };
  await replyToMessage(ctx, event, t.complaintRecorded(said), order.id);
  return true;
}
