import { and, asc, eq, gt } from 'drizzle-orm';
import type { BusinessConfig } from '../config/business-config';
import { recordOrderEvent } from '../db/orders';
import { customerRoutes, customers, orders, type Order } from '../db/schema';
import { computeEtd, type Etd, type EtdReason } from '../domain/lifecycle';
import type { HandlerContext } from '../core/context';
import { checkDelay } from './delay-alert';
import { updateEtdCard } from './lifecycle-cards';

/** Transit from the plant to the order's customer: the map's driving time plus handling, or the default. */
export async function transitFor(
  ctx: HandlerContext,
  order: Pick<Order, 'customerId'>,
): Promise<{ ms: number; source: 'map' | 'default' }> {
  const { transit } = ctx.config.lifecycle;
  if (order.customerId === null) return { ms: transit.default, source: 'default' };
  const [route] = await ctx.tx
    .select({ seconds: customerRoutes.seconds })
    .from(customerRoutes)
    .innerJoin(
      customers,
      and(eq(customers.id, customerRoutes.customerId), eq(customers.address, customerRoutes.address)),
    )
    .where(eq(customerRoutes.customerId, order.customerId));
  if (route?.seconds == null) return { ms: transit.default, source: 'default' };
  return { ms: route.seconds * 1000 + transit.handling, source: 'map' };
}

export function etdOf(config: BusinessConfig, order: Order, now: Date, transitMs: number): Etd {
  const { lifecycle, calendar } = config;
  return computeEtd({
    now,
    stage: order.stage ?? 'confirmed',
    stageSince: order.stageAt ?? now,
    skipped: order.skippedStages,
    durations: {
      in_production: lifecycle.stages.in_production.takes,
      qc_passed: lifecycle.stages.qc_passed.takes,
      packed: lifecycle.stages.packed.takes,
      shipped: lifecycle.stages.shipped.takes,
    },
    transitMs,
    calendar,
    workday: lifecycle.workday,
    plan: {
      ...(order.planStart ? { productionStart: order.planStart } : {}),
      ...(order.planFinish ? { productionFinish: order.planFinish } : {}),
    },
  });
}

/**
 * Recomputes an order's ETD (the order row must be locked by the caller). A changed ETD is recorded as an
 * event, shown on the order's ETD card, and checked against the promise, unless `announced`: the sales chat
 * already heard of this slip (a re-promise), so it counts as alerted.
 */
export async function refreshEtd(
  ctx: HandlerContext,
  order: Order,
  reason: EtdReason,
  options: { announced?: boolean } = {},
): Promise<Order> {
  if (order.status !== 'confirmed' || !order.stage) return order;
  const transit = await transitFor(ctx, order);
  const { etd, steps } = etdOf(ctx.config, order, ctx.now, transit.ms);
  const moved = order.etd?.getTime() !== etd.getTime();
  const announced = moved && options.announced === true;
  const current = moved ? { ...order, etd, ...(announced ? { alertedEtd: etd } : {}) } : order;
  if (moved) {
    await ctx.tx
      .update(orders)
      .set({ etd, ...(announced ? { alertedEtd: etd } : {}) })
      .where(eq(orders.id, order.id));
    await recordOrderEvent(ctx.tx, {
      orderId: order.id,
      at: ctx.now,
      type: 'etd-changed',
      data: { from: order.etd?.toISOString() ?? null, to: etd.toISOString(), reason, transit: transit.source },
    });
  }
  if (moved || reason.kind === 'stage-done') await updateEtdCard(ctx, current, steps);
  if (moved && !announced) return checkDelay(ctx, current, reason);
  return current;
}

/**
 * The periodic refresh: a stage running past its expected time moves the ETD later. Orders are taken in
 * id order in pages, each row locked with SKIP LOCKED, so two processes never refresh the same order.
 */
export async function refreshOpenEtds(ctx: HandlerContext, limit = 500): Promise<number> {
  let after = 0;
  let count = 0;
  for (;;) {
    const page = await ctx.tx
      .select()
      .from(orders)
      .where(and(eq(orders.status, 'confirmed'), gt(orders.id, after)))
      .orderBy(asc(orders.id))
      .limit(limit)
      .for('update', { skipLocked: true });
    for (const order of page) {
      if (order.stage && order.stage !== 'delivered')
        await refreshEtd(ctx, order, { kind: 'overdue', stage: order.stage });
    }
    count += page.length;
    if (page.length < limit) return count;
    after = page[page.length - 1]!.id;
  }
}
