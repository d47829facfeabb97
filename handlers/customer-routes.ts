import { and, eq } from 'drizzle-orm';
import type { HandlerContext } from '../core/context';
import { customerRoutes, orders } from '../db/schema';
import { refreshEtd } from './etd';

export interface CustomerRoute {
  address: string;
  /** Driving time from the plant; null when the map could not route there (`problem` says why). */
  seconds: number | null;
  problem: string | null;
  fetchedAt: Date;
}

/** A customer's driving time as the map gave it: kept, and the customer's open orders' ETDs recomputed. */
export async function saveCustomerRoute(ctx: HandlerContext, customerId: number, route: CustomerRoute): Promise<void> {
  await ctx.tx
    .insert(customerRoutes)
    .values({ customerId, ...route })
    .onConflictDoUpdate({ target: customerRoutes.customerId, set: route });
  const open = await ctx.tx
    .select()
    .from(orders)
    .where(and(eq(orders.customerId, customerId), eq(orders.status, 'confirmed')))
    .for('update');
  for (const order of open) await refreshEtd(ctx, order, { kind: 'route' });
}
