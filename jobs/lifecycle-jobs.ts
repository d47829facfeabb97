import { and, asc, eq, inArray, isNotNull, isNull, lt, lte, ne, or, sql } from 'drizzle-orm';
import { customerRoutes, customers, orders } from '../db/schema';
import { saveCustomerRoute } from '../handlers/customer-routes';
import { refreshOpenEtds } from '../handlers/etd';
import { applyTracking } from '../handlers/shipment-tracking';
import { CourierError, type CourierTracker, createCourierTracker, type Tracking } from '../integrations/courier/port';
import { createTransitTimes, type TransitTimes } from '../integrations/map/transit';
import type { JobDeps } from './deps';
import type { ScheduledJob } from './scheduler';

const ROUTE_MAX_AGE_MS = 7 * 24 * 3600_000;

/**
 * The periodic lifecycle work: ETDs recomputed (a late stage moves them), shipped orders' waybills
 * tracked when 快递100 is configured, customers' driving times looked up when the map is.
 */
export function lifecycleJobs(
  deps: JobDeps,
  integrations: { tracker?: CourierTracker; transit?: TransitTimes } = {},
): ScheduledJob[] {
  const { config, env } = deps;
  const jobs: ScheduledJob[] = [
    {
      name: 'etd-refresh',
      everyMs: config.lifecycle.etdRefreshEvery,
      run: () => deps.runInContext('etd-refresh', (ctx) => refreshOpenEtds(ctx)),
    },
  ];
  const tracker = integrations.tracker ?? createCourierTracker(env as Record<string, string | undefined>);
  if (tracker)
    jobs.push({ name: 'courier-tracking', everyMs: 5 * 60_000, run: (now) => trackShipments(deps, tracker, now) });
  const transit = integrations.transit ?? createTransitTimes(env as Record<string, string | undefined>);
  const plant = config.lifecycle.plantAddress;
  if (transit && plant) {
    jobs.push({ name: 'customer-routes', everyMs: 10 * 60_000, run: (now) => lookUpRoutes(deps, transit, plant, now) });
  }
  return jobs;
}

/** Asks the courier about each claimed waybill, outside any transaction, and hands the answer to its handler. */
async function trackShipments(deps: JobDeps, tracker: CourierTracker, now: Date, limit = 20): Promise<number> {
  const due = await claimDueWaybills(deps, now, limit);
  for (const order of due) {
    let tracking: Tracking;
    try {
      tracking = await tracker.track({
        carrier: order.carrier ?? '',
        waybill: order.waybill!,
        ...(order.phone ? { phone: order.phone } : {}),
      });
    } catch (err) {
      const code = err instanceof CourierError ? err.code : undefined;
      deps.log.warn({ orderId: order.id, code, err: (err as Error).message }, 'courier tracking failed');
      continue;
    }
    if (tracking.state === 'no-info') continue;
    await deps.runInContext(`tracking:${order.id}`, (ctx) => applyTracking(ctx, order.id, tracking));
  }
  return due.length;
}

/**
 * Shipped orders whose waybill is due for a look, their next look pushed `trackEvery` ahead in the same
 * transaction, so the courier API is never asked more often, whatever the number of processes.
 */
async function claimDueWaybills({ db, config }: JobDeps, now: Date, limit: number) {
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
      const ids = due.map((d) => d.id);
      await tx
        .update(orders)
        .set({ nextTrackAt: new Date(now.getTime() + config.lifecycle.trackEvery) })
        .where(inArray(orders.id, ids));
    }
    return due;
  });
}

/**
 * Customers of open orders whose driving time is missing, stale or for an old address get it from the
 * map (outside any transaction); their open orders' ETDs are then recomputed.
 */
async function lookUpRoutes(deps: JobDeps, transit: TransitTimes, plant: string, now: Date, limit = 20) {
  const stale = new Date(now.getTime() - ROUTE_MAX_AGE_MS);
  const wanted = await deps.db
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
    .limit(limit);
  for (const customer of wanted) {
    const result = await transit.transitSeconds(plant, customer.address!);
    if (result.seconds === null && result.reason === 'unavailable') {
      deps.log.warn({ customerId: customer.id, detail: result.detail }, 'map unavailable: default transit time stays');
      continue;
    }
    const route = {
      address: customer.address!,
      seconds: result.seconds,
      problem: result.seconds === null ? `${result.reason}: ${result.detail}` : null,
      fetchedAt: now,
    };
    await deps.runInContext(`route:${customer.id}`, (ctx) => saveCustomerRoute(ctx, customer.id, route));
  }
  return wanted.length;
}
