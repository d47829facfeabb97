import Router from '@koa/router';
import { asc, eq } from 'drizzle-orm';
import type { Context } from 'koa';
import type { ConfigSource } from '../../config/business-config';
import type { Database } from '../../db/client';
import { type Order, orders } from '../../db/schema';
import { promisedInstant } from '../../domain/lifecycle';
import { readStatusToken, statusLinkSecret } from '../../handlers/customer-notices';
import { CUSTOMER_LANG } from '../../handlers/names';
import { carrierName } from '../../integrations/courier/carriers';
import { renderInvalidLinkPage, renderStatusPage, type StatusView } from './page';

/**
 * The customer's status page at /s/<token>: the signed, expiring link of a notice SMS opens one order's
 * stage, arrival and shipment. No session (the link is the credential) and read-only; an expired,
 * altered or unknown link gets one plain page, 404, whatever the reason.
 */
export function statusPageRoutes(args: { db: Database; config: ConfigSource; clock: () => Date }): Router {
  const router = new Router();
  router.get('/s/:token', async (ctx) => {
    const now = args.clock();
    const number = readStatusToken(await statusLinkSecret(args.db, now), ctx.params.token ?? '', now);
    const [order] = number ? await args.db.select().from(orders).where(eq(orders.number, number)) : [];
    if (!order?.stage) return page(ctx, 404, renderInvalidLinkPage(CUSTOMER_LANG));
    const deliveries = await args.db.select().from(orders).where(eq(orders.splitOf, order.id)).orderBy(asc(orders.id));
    page(ctx, 200, renderStatusPage(statusView(args.config.current, order, deliveries, now), CUSTOMER_LANG));
  });
  return router;
}

function statusView(config: ConfigSource['current'], order: Order, deliveries: Order[], now: Date): StatusView {
  const delivered = (o: Order) => (o.stage === 'delivered' ? (o.deliveredAt ?? o.stageAt) : null);
  return {
    company: config.company,
    number: order.number,
    stage: order.stage!,
    skipped: order.skippedStages,
    etd: order.etd,
    promisedAt: order.promisedDate ? promisedInstant(order.promisedDate, config.lifecycle.deliverBy) : null,
    deliveredAt: delivered(order),
    shipment: order.waybill
      ? {
          carrier: order.carrier ? carrierName(order.carrier) : null,
          waybill: order.waybill,
          tracking: order.tracking?.text ?? null,
          trackedAt: order.tracking?.at ?? null,
        }
      : null,
    deliveries: deliveries.flatMap((d) =>
      d.stage ? [{ number: d.number, stage: d.stage, etd: d.etd, deliveredAt: delivered(d) }] : [],
    ),
    now,
  };
}

function page(ctx: Context, status: number, body: string) {
  ctx.status = status;
  ctx.type = 'html';
  // The token is the credential: not cached, not indexed, not sent on as a referrer; the page runs no script.
  ctx.set('Cache-Control', 'no-store');
  ctx.set('X-Robots-Tag', 'noindex');
  ctx.set('Referrer-Policy', 'no-referrer');
  ctx.set(
    'Content-Security-Policy',
    "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'",
  );
  ctx.body = body;
}
