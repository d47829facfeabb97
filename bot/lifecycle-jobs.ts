import { and, asc, eq, inArray, isNotNull, isNull, lt, lte, ne, or, sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { BusinessConfig } from '../config/business-config';
import type { Env } from '../config/env';
import type { Database } from '../db/client';
import { recordOrderEvent } from '../db/orders';
import { customerRoutes, customers, orders, type Order } from '../db/schema';
import type { HandlerContext } from '../core/context';
import { refreshEtd, refreshOpenEtds } from '../handlers/etd';
import { completeStage } from '../handlers/stages';
import { createCourierTracker, CourierError, type CourierTracker, type Tracking } from '../integrations/courier/port';
import { createTransitTimes, type TransitTimes } from '../integrations/map/transit';
import type { Bot } from './bot';
import type { ScheduledJob } from './scheduler';

const ROUTE_MAX_AGE_MS = 7 * 24 * 3600_000;

/**
 * The periodic lifecycle work: ETDs recomputed (a late stage moves them), shipped orders' waybills
 * tracked when 快递100 is configured, customers' driving times looked up when the map is.
 */
export function lifecycleJobs(args: {
  bot: Bot;
  env: Env;
  log: Logger;
  tracker?: CourierTracker;
  transit?: TransitTimes;
}): ScheduledJob[] {
  const { bot, env, log } = args;
  const { config } = bot;
  const jobs: ScheduledJob[] = [
    {
      name: 'etd-refresh',
      everyMs: config.lifecycle.etdRefreshEvery,
      run: () => bot.runScheduled('etd-refresh', (ctx) => refreshOpenEtds(ctx)),
    },
  ];
  const tracker = args.tracker ?? createCourierTracker(env as Record<string, string | undefined>);
  if (tracker)
    jobs.push({
      name: 'courier-tracking',
      everyMs: 5 * 60_000,
      run: (now) => trackShipments({ bot, tracker, now, log }),
    });
  const transit = args.transit ?? createTransitTimes(env as Record<string, string | undefined>);
  const plant = config.lifecycle.plantAddress;
  if (transit && plant)
    jobs.push({
      name: 'customer-routes',
      everyMs: 10 * 60_000,
      run: (now) => lookUpRoutes({ bot, transit, plant, now, log }),
    });
  return jobs;
}

/**
 * Claims shipped orders whose waybill is due for a look (pushing their next look `trackEvery` ahead
 * first, so the courier API is never asked more often), then asks the courier outside any transaction.
 */
export async function trackShipments(args: {
  bot: Bot;
  tracker: CourierTracker;
  now: Date;
  log: Logger;
  limit?: number;
}): Promise<number> {
  const { bot, tracker, now, log } = args;
  const due = await claimDueWaybills(bot.db, bot.config, now, args.limit ?? 20);
  for (const order of due) {
    let tracking: Tracking;
    try {
      tracking = await tracker.track({
        carrier: order.carrier ?? '',
        waybill: order.waybill!,
        ...(order.phone ? { phone: order.phone } : {}),
      });
    } catch (err) {
      log.warn(
        { orderId: order.id, code: err instanceof CourierError ? err.code : undefined, err: (err as Error).message },
        'courier tracking failed',
      );
      continue;
    }
    if (tracking.state === 'no-info') continue;
    await bot.runScheduled(`tracking:${order.id}`, async (ctx) => {
      const [row] = await ctx.tx.select().from(orders).where(eq(orders.id, order.id)).for('update');
      if (row?.status !== 'confirmed') return;
      const latest = {
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
      if (['problem', 'refused', 'returned'].includes(tracking.state) && row.tracking?.state !== tracking.state)
        await reportCourierProblem(ctx, row, latest);
    });
  }
  return due.length;
}

async function claimDueWaybills(db: Database, config: BusinessConfig, now: Date, limit: number) {
  return db.transaction(async (tx) => {
    const due = await tx
      .select({ id: orders.id, carrier: orders.carrier, waybill: orders.waybill, phone: customers.contactPhone })
      .from(orders)
      .leftJoin(customers, eq(customers.id, orders.customerId))
      .where(and(eq(orders.status, 'confirmed'), isNotNull(orders.waybill), lte(orders.nextTrackAt, now)))
      .orderBy(asc(orders.nextTrackAt))
      .limit(limit)
      .for('update', { of: orders, skipLocked: true });
    if (due.length > 0) {
      await tx
        .update(orders)
        .set({ nextTrackAt: new Date(now.getTime() + config.lifecycle.trackEvery) })
        .where(
          inArray(
            orders.id,
            due.map((d) => d.id),
          ),
        );
    }
    return due;
  });
}

async function reportCourierProblem(ctx: HandlerContext, order: Order, latest: { state: string; text?: string }) {
  const zh = order.language === 'zh';
  const what =
    { problem: zh ? '疑难件' : 'a problem', refused: zh ? '拒收' : 'refused', returned: zh ? '退回' : 'returned' }[
      latest.state
    ] ?? latest.state;
  const text = zh
    ? `🚚 ${order.number} 物流异常：${what}${latest.text ? `（${latest.text}）` : ''}，请跟进。`
    : `🚚 ${order.number} shipment ${what}${latest.text ? ` (${latest.text})` : ''}; please follow up.`;
  await ctx.emit(
    { kind: 'post', to: { conversationId: order.conversationId }, text },
    `order:${order.id}:courier:${latest.state}`,
    { orderId: order.id, platform: order.platform },
  );
}

/**
 * Customers of open orders whose driving time is missing, stale or for an old address get it from the
 * map (outside any transaction); their open orders' ETDs are then recomputed.
 */
export async function lookUpRoutes(args: {
  bot: Bot;
  transit: TransitTimes;
  plant: string;
  now: Date;
  log: Logger;
  limit?: number;
}): Promise<number> {
  const { bot, transit, plant, now } = args;
  const stale = new Date(now.getTime() - ROUTE_MAX_AGE_MS);
  const wanted = await bot.db
    .selectDistinct({ id: customers.id, address: customers.address })
    .from(orders)
    .innerJoin(customers, eq(customers.id, orders.customerId))
    .leftJoin(customerRoutes, eq(customerRoutes.customerId, customers.id))
    .where(
      and(
        eq(orders.status, 'confirmed'),
        isNotNull(customers.address),
        or(
          isNull(customerRoutes.customerId),
          ne(customerRoutes.address, sql`${customers.address}`),
          lt(customerRoutes.fetchedAt, stale),
        ),
      ),
    )
    .limit(args.limit ?? 20);
  for (const customer of wanted) {
    const result = await transit.transitSeconds(plant, customer.address!);
    if (result.seconds === null && result.reason === 'unavailable') {
      args.log.warn({ customerId: customer.id, detail: result.detail }, 'map unavailable: default transit time stays');
      continue;
    }
    const route = {
      address: customer.address!,
      seconds: result.seconds,
      problem: result.seconds === null ? `${result.reason}: ${result.detail}` : null,
      fetchedAt: now,
    };
    await bot.runScheduled(`route:${customer.id}`, async (ctx) => {
      await ctx.tx
        .insert(customerRoutes)
        .values({ customerId: customer.id, ...route })
        .onConflictDoUpdate({ target: customerRoutes.customerId, set: route });
      const open = await ctx.tx
        .select()
        .from(orders)
        .where(and(eq(orders.customerId, customer.id), eq(orders.status, 'confirmed')))
        .for('update');
      for (const order of open) await refreshEtd(ctx, order, { kind: 'route' });
    });
  }
  return wanted.length;
}
