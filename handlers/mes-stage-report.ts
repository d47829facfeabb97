import { and, desc, eq, sql } from 'drizzle-orm';
import { personName } from '../config/business-config';
import type { HandlerContext } from '../core/context';
import type { MesStageOutcome, MesStageReportEvent } from '../core/events';
import { recordOrderEvent } from '../db/orders';
import { inboundMessages, orderEvents, orders, type Order } from '../db/schema';
import type { WorkStage } from '../domain/lifecycle';
import { refreshEtd } from './etd';
import { completeStage } from './stages';

/**
 * The stages the MES may report: it speaks for the plant floor, up to the goods leaving the gate.
 * Delivery happens at the customer's, where the MES cannot see (快递100 tracking or the sales person report it).
 */
export const MES_STAGES: readonly WorkStage[] = ['in_production', 'qc_passed', 'packed', 'shipped'];

/**
 * A stage the MES reported: decided like a person's report in the chat (one decision under the order row
 * lock), and the outcome kept with the event, where the MES interface reads its answer.
 */
export async function handleMesStageReport(event: MesStageReportEvent, ctx: HandlerContext): Promise<void> {
  const outcome = await decide(event, ctx);
  await ctx.tx
    .update(inboundMessages)
    .set({ payload: { ...event, outcome } })
    .where(and(eq(inboundMessages.platform, event.platform), eq(inboundMessages.externalId, event.key)));
}

async function decide(event: MesStageReportEvent, ctx: HandlerContext): Promise<MesStageOutcome> {
  const [order] = await ctx.tx.select().from(orders).where(eq(orders.number, event.orderNumber)).for('update');
  if (!order) return { status: 'refused', reason: 'unknown-order' };
  if (!MES_STAGES.includes(event.stage)) return { status: 'refused', reason: 'not-allowed' };
  const floorAt = event.at === null ? null : new Date(event.at);
  if (floorAt && order.confirmedAt && floorAt < order.confirmedAt) {
    return { status: 'refused', reason: 'before-confirmation', confirmedAt: order.confirmedAt.toISOString() };
  }
  const shipment = event.waybill ? { carrier: event.carrier, waybill: event.waybill } : undefined;
  const details = { ...(event.at ? { floorAt: event.at } : {}), ...(event.note ? { note: event.note } : {}) };
  if (shipment && order.status === 'confirmed' && order.stage === 'shipped' && !order.waybill) {
    await addWaybill(ctx, order, shipment, details);
    return { status: 'waybill-added', waybill: shipment.waybill };
  }
  const outcome = await completeStage(ctx, order, event.stage, { id: null, source: 'mes' }, shipment);
  if (outcome.ok) {
    if (Object.keys(details).length > 0) await addToStageEvent(ctx, order.id, event.stage, details);
    return { status: 'done', completed: outcome.completed };
  }
  if (outcome.reason !== 'already') return { status: 'refused', reason: outcome.reason };
  return {
    status: 'already',
    current: order.stage ?? 'confirmed',
    by: outcome.by ? personName(ctx.config, outcome.by) : null,
    at: outcome.at?.toISOString() ?? null,
  };
}

/** When it happened on the floor and the MES's note go on the reported stage's event (completeStage just wrote it). */
async function addToStageEvent(ctx: HandlerContext, orderId: number, stage: WorkStage, details: object) {
  const [last] = await ctx.tx
    .select({ id: orderEvents.id })
    .from(orderEvents)
    .where(
      and(
        eq(orderEvents.orderId, orderId),
        eq(orderEvents.type, 'stage-completed'),
        sql`${orderEvents.data}->>'stage' = ${stage}`,
      ),
    )
    .orderBy(desc(orderEvents.id))
    .limit(1);
  if (!last) return;
  await ctx.tx
    .update(orderEvents)
    .set({ data: sql`${orderEvents.data} || ${JSON.stringify(details)}::jsonb` })
    .where(eq(orderEvents.id, last.id));
}

/** As in the chat: a waybill for an order marked shipped without one starts its tracking. */
async function addWaybill(
  ctx: HandlerContext,
  order: Order,
  shipment: { carrier: string | null; waybill: string },
  details: object,
) {
  const [updated] = await ctx.tx
    .update(orders)
    .set({ ...shipment, nextTrackAt: ctx.now })
    .where(eq(orders.id, order.id))
    .returning();
  await recordOrderEvent(ctx.tx, {
    orderId: order.id,
    at: ctx.now,
    type: 'waybill-added',
    data: { ...shipment, via: 'mes', ...details },
  });
  if (updated) await refreshEtd(ctx, updated, { kind: 'stage-done', stage: 'shipped' });
}
