import { and, eq, inArray, sql } from 'drizzle-orm';
import type { HandlerContext } from '../core/context';
import { recordOrderEvent } from '../db/orders';
import { replaceHolds } from '../db/repromise';
import { type Order, orderItems, orderSpecs, orders } from '../db/schema';
import { promisedInstant } from '../domain/lifecycle';
import type { Hold } from '../domain/repromise/replan';
import type { LinePart } from '../domain/repromise/types';

/**
 * A delivery split off a confirmed order: an order row of its own, numbered after the order ("SO-…-0001-2"),
 * confirmed, with its own promise, the given parts of the order's lines and what they hold. Its stages, ETD and
 * delay alert then run like any order's (the caller starts its lifecycle). The request's latency stays the
 * order's: counted once.
 */
export async function createDelivery(
  ctx: HandlerContext,
  order: Order,
  delivery: { promisedDate: string; parts: LinePart[]; holds: Hold[] },
): Promise<Order> {
  const [{ n }] = (await ctx.tx
    .select({ n: sql<number>`count(*)::int` })
    .from(orders)
    .where(eq(orders.splitOf, order.id))) as [{ n: number }];
  const { id: _, ...copy } = order;
  const { promisedDate } = delivery;
  const [child] = await ctx.tx
    .insert(orders)
    .values({
      ...copy,
      number: `${order.number}-${n + 2}`,
      status: 'confirmed',
      promisedDate,
      promisedAt: promisedInstant(promisedDate, ctx.config.lifecycle.deliverBy),
      splitOf: order.id,
      createdAt: ctx.now,
      version: 1,
      stage: null,
      stageAt: null,
      etd: null,
      alertedEtd: null,
      carrier: null,
      waybill: null,
      nextTrackAt: null,
      tracking: null,
      confirmedAt: null,
      latencyMs: null,
      pausedMs: 0,
      pausedSince: null,
      pauseReason: null,
      deliveredAt: null,
      erpNumber: null,
    })
    .returning();
  await moveParts(ctx, order.id, child!.id, delivery.parts, promisedDate);
  const specs = await ctx.tx.select().from(orderSpecs).where(eq(orderSpecs.orderId, order.id));
  if (specs.length > 0) {
    await ctx.tx.insert(orderSpecs).values(specs.map(({ id: __, ...s }) => ({ ...s, orderId: child!.id })));
  }
  await replaceHolds(ctx.tx, ctx.now, [{ orderId: child!.id, holds: delivery.holds }]);
  await recordOrderEvent(ctx.tx, {
    orderId: order.id,
    at: ctx.now,
    type: 'split',
    data: { delivery: child!.number, parts: delivery.parts, promisedDate },
  });
  await recordOrderEvent(ctx.tx, {
    orderId: child!.id,
    at: ctx.now,
    type: 'split-from',
    data: { order: order.number, parts: delivery.parts },
  });
  return child!;
}

/** A whole line moves to the delivery; part of a line is split between the two (same line number in each). */
async function moveParts(ctx: HandlerContext, from: number, to: number, parts: LinePart[], promisedDate: string) {
  const items = await ctx.tx
    .select()
    .from(orderItems)
    .where(
      and(
        eq(orderItems.orderId, from),
        inArray(
          orderItems.lineNo,
          parts.map((p) => p.lineNo),
        ),
      ),
    );
  for (const item of items) {
    const quantity = parts.find((p) => p.lineNo === item.lineNo)!.quantity;
    if (quantity >= item.quantity) {
      await ctx.tx.update(orderItems).set({ orderId: to, promisedDate }).where(eq(orderItems.id, item.id));
      continue;
    }
    const { id: _, ...line } = item;
    await ctx.tx.insert(orderItems).values({ ...line, orderId: to, quantity, promisedDate });
    await ctx.tx
      .update(orderItems)
      .set({ quantity: item.quantity - quantity })
      .where(eq(orderItems.id, item.id));
  }
}
