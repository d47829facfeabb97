import { and, asc, eq, inArray, isNull, or } from 'drizzle-orm';
import type { HandlerContext } from '../core/context';
import { ERP_PLATFORM } from '../core/effects';
import type { Queryable } from '../db/client';
import { recordOrderEvent } from '../db/orders';
import { customers, orderEvents, orderItems, orderSpecs, orders } from '../db/schema';
import { chinaDate } from '../domain/china-time';
import { formatSpec, type Spec } from '../domain/spec-check';
import type { ErpKind } from '../integrations/erp/errors';
import type { ErpSaleOrder } from '../integrations/erp/port';
import { texts } from '../texts';
import { OPS_LANG, PLANT_LANG } from './names';

/** Remark fields are short in both ERPs (U8 cMemo, Kingdee FNote: 255). */
const REMARK_LENGTH = 200;

/**
 * Queues a confirmed order's write-back to the ERP as a sale order. The ERP writer delivers it (or, with
 * write-back off, lets it go); the key makes it one per order however often confirmation runs.
 */
export async function queueErpWriteBack(ctx: HandlerContext, orderId: number): Promise<void> {
  await ctx.emit({ kind: 'erp-sale-order', orderId }, `order:${orderId}:erp`, { orderId, platform: ERP_PLATFORM });
}

/** What the ERP writer finds for an order: the sale order to write, or why there is none. */
export type SaleOrderToWrite =
  | { status: 'ready'; order: ErpSaleOrder }
  /** Written before (a delivery repeated after a crash): nothing to do. */
  | { status: 'written'; erpNumber: string }
  /** Gone or no longer confirmed. */
  | { status: 'not-confirmed' }
  | { status: 'no-customer' }
  | { status: 'no-erp-code'; customer: string };

/**
 * The sale order for a confirmed order: the customer's ERP code, each line with its material, quantity
 * and own promised date (the order's when the line has none), and the customer's requirements as remarks.
 */
export async function saleOrderToWrite(
  q: Queryable,
  orderId: number,
  settings: { departmentCode?: string; typeCode?: string } = {},
): Promise<SaleOrderToWrite> {
  const [order] = await q.select().from(orders).where(eq(orders.id, orderId));
  if (order?.status !== 'confirmed') return { status: 'not-confirmed' };
  if (order.erpNumber) return { status: 'written', erpNumber: order.erpNumber };
  const [customer] = order.customerId ? await q.select().from(customers).where(eq(customers.id, order.customerId)) : [];
  if (!customer) return { status: 'no-customer' };
  const customerCode = customer.erpCode?.trim();
  if (!customerCode) return { status: 'no-erp-code', customer: customer.name };
  const [items, specs] = await Promise.all([
    // A split delivery's lines are the same sale order's, each with its own delivery date.
    q
      .select()
      .from(orderItems)
      .where(
        or(
          eq(orderItems.orderId, orderId),
          inArray(orderItems.orderId, q.select({ id: orders.id }).from(orders).where(eq(orders.splitOf, orderId))),
        ),
      )
      .orderBy(asc(orderItems.lineNo), asc(orderItems.id)),
    q.select().from(orderSpecs).where(eq(orderSpecs.orderId, orderId)).orderBy(asc(orderSpecs.id)),
  ]);
  const remarks = clip(texts(PLANT_LANG).erp.remarks(specs.map((s) => formatSpec(s as Spec))));
  return {
    status: 'ready',
    order: {
      reference: order.number,
      customerCode,
      ...(settings.departmentCode ? { departmentCode: settings.departmentCode } : {}),
      ...(settings.typeCode ? { typeCode: settings.typeCode } : {}),
      date: chinaDate(order.decidedAt ?? order.createdAt),
      ...(remarks ? { note: remarks } : {}),
      lines: items.map((item) => {
        const deliveryDate = item.promisedDate ?? order.promisedDate ?? item.requestedDate ?? order.requestedDate;
        return {
          materialCode: item.materialCode,
          quantity: item.quantity,
          deliveryDate,
          ...(remarks ? { note: remarks } : {}),
        };
      }),
    },
  };
}

/** The ERP has the order: its number is kept and shown, in one transaction with the order's event. */
export async function recordErpWritten(
  ctx: HandlerContext,
  orderId: number,
  written: { erp: ErpKind; id: string; number: string; found: boolean },
): Promise<void> {
  const updated = await ctx.tx
    .update(orders)
    .set({ erpNumber: written.number })
    .where(and(eq(orders.id, orderId), isNull(orders.erpNumber)))
    .returning({ id: orders.id });
  if (updated.length === 0) return;
  await recordOrderEvent(ctx.tx, { orderId, at: ctx.now, type: 'erp-written', data: { ...written } });
}

export type ErpRefusal =
  | { kind: 'refused'; reason: string }
  | { kind: 'no-customer' }
  | { kind: 'no-erp-code'; customer: string };

/** The order cannot be written: recorded on the order, and the ops conversation told once, in Chinese. */
export async function recordErpRefused(
  ctx: HandlerContext,
  orderId: number,
  erp: ErpKind,
  refusal: ErpRefusal,
): Promise<void> {
  const [order] = await ctx.tx.select().from(orders).where(eq(orders.id, orderId));
  if (!order) return;
  const earlier = await ctx.tx
    .select({ id: orderEvents.id })
    .from(orderEvents)
    .where(and(eq(orderEvents.orderId, orderId), eq(orderEvents.type, 'erp-refused')))
    .limit(1);
  if (earlier.length > 0) return;
  const t = texts(OPS_LANG).erp;
  const erpName = t.name(erp);
  const reason =
    refusal.kind === 'refused' ? refusal.reason : refusal.kind === 'no-customer' ? 'no customer' : 'no ERP code';
  await recordOrderEvent(ctx.tx, {
    orderId,
    at: ctx.now,
    type: 'erp-refused',
    data: { erp, kind: refusal.kind, reason },
  });
  const conversationId = ctx.config.opsConversation;
  if (!conversationId) return;
  const text =
    refusal.kind === 'refused'
      ? t.refused({ number: order.number, customer: order.customerName ?? '—', erp: erpName, reason: refusal.reason })
      : refusal.kind === 'no-customer'
        ? t.noCustomer({ number: order.number, erp: erpName })
        : t.noErpCode({ number: order.number, customer: refusal.customer, erp: erpName });
  await ctx.emit({ kind: 'post', to: { conversationId }, text }, `order:${orderId}:erp-refused`, { orderId });
}

function clip(text: string): string {
  return text.length > REMARK_LENGTH ? `${text.slice(0, REMARK_LENGTH - 1)}…` : text;
}
