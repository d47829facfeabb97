import { eq } from 'drizzle-orm';
import type { HandlerContext } from '../core/context';
import { recordOrderEvent } from '../db/orders';
import { orders, type Order } from '../db/schema';
import type { TrackingFound } from '../integrations/courier/port';
import { texts } from '../texts';
import { refreshEtd } from './etd';
import { completeStage } from './stages';
import { postToOrderChats } from './order-chats';

type Latest = NonNullable<Order['tracking']>;

/**
 * What the courier said about a shipped order's waybill: "signed" delivers the order; any other news is
 * recorded and moves the ETD; a problem (疑难件, refused, returned) is told to the sales chat once.
 */
export async function applyTracking(ctx: HandlerContext, orderId: number, tracking: TrackingFound): Promise<void> {
  const [row] = await ctx.tx.select().from(orders).where(eq(orders.id, orderId)).for('update');
  if (row?.status !== 'confirmed') return;
  const latest: Latest = {
    state: tracking.state,
    ...(tracking.lastEvent ? { at: tracking.lastEvent.at, text: tracking.lastEvent.text } : {}),
  };
  if (tracking.signed) {
    await ctx.tx.update(orders).set({ tracking: latest }).where(eq(orders.id, row.id));
    await completeStage(ctx, { ...row, tracking: latest }, 'delivered', { id: null, source: 'courier' });
    return;
  }
  if (row.tracking?.state === latest.state && row.tracking?.text === latest.text) return;
  const [updated] = await ctx.tx.update(orders).set({ tracking: latest }).where(eq(orders.id, row.id)).returning();
  await recordOrderEvent(ctx.tx, { orderId: row.id, at: ctx.now, type: 'tracking-updated', data: latest });
  if (updated) await refreshEtd(ctx, updated, { kind: 'stage-done', stage: 'shipped' });
  if (['problem', 'refused', 'returned'].includes(tracking.state) && row.tracking?.state !== tracking.state) {
    await reportCourierProblem(ctx, row, latest);
  }
}

async function reportCourierProblem(ctx: HandlerContext, order: Order, latest: { state: string; text?: string }) {
  const text = texts(order.language).lifecycle.courierProblem(order.number, latest.state, latest.text ?? null);
  await postToOrderChats(ctx, order, text, `order:${order.id}:courier:${latest.state}`);
}
