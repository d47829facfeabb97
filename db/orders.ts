import { and, desc, eq, inArray, sql } from 'drizzle-orm';
import { formatOrderNumber, orderNumberDay } from '../domain/order-number';
import { queryRows, type Queryable, type Tx } from './client';
import {
  approvalTasks,
  cards,
  inspectionReports,
  materials,
  orderEvents,
  orderNumberDays,
  qualifiedRanges,
} from './schema';

/**
 * Next readable order number for the China date of `at`. Numbers come from one sequence, less the day's
 * base (the value before the day's first order), so concurrent orders never wait for each other; only the
 * first order of a day takes a lock, to fix the base. A rolled-back transaction leaves a gap.
 */
export async function nextOrderNumber(tx: Tx, at: Date): Promise<string> {
  const day = orderNumberDay(at);
  const sequenceNumber = async () => {
    const [row] = await queryRows<{ n: string }>(
      tx,
      sql`select (nextval('order_number_seq') - base)::text as n from ${orderNumberDays} where day = ${day}`,
    );
    return row ? Number(row.n) : undefined;
  };
  const existing = await sequenceNumber();
  if (existing !== undefined) return formatOrderNumber(day, existing);
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`order-day:${day}`}))`);
  const afterWait = await sequenceNumber();
  if (afterWait !== undefined) return formatOrderNumber(day, afterWait);
  const [first] = await queryRows<{ v: string }>(tx, sql`select nextval('order_number_seq')::text as v`);
  await tx.insert(orderNumberDays).values({ day, base: Number(first!.v) - 1 });
  return formatOrderNumber(day, 1);
}

export async function findMaterials(q: Queryable, codes: string[]) {
  if (codes.length === 0) return [];
  return q.select().from(materials).where(inArray(materials.code, codes));
}

export async function allMaterialCodes(q: Queryable): Promise<string[]> {
  const rows = await q.select({ code: materials.code }).from(materials);
  return rows.map((r) => r.code);
}

export async function qualifiedRangesFor(q: Queryable, codes: string[]) {
  if (codes.length === 0) return [];
  return q.select().from(qualifiedRanges).where(inArray(qualifiedRanges.materialCode, codes));
}

export async function latestInspectionReports(q: Queryable, materialCode: string, limit = 3) {
  return q
    .select()
    .from(inspectionReports)
    .where(eq(inspectionReports.materialCode, materialCode))
    .orderBy(desc(inspectionReports.inspectedOn), desc(inspectionReports.id))
    .limit(limit);
}

export async function recordOrderEvent(
  tx: Tx,
  event: { orderId: number; at: Date; type: string; actorId?: string | null; data?: Record<string, unknown> },
) {
  await tx.insert(orderEvents).values({ ...event, actorId: event.actorId ?? null, data: event.data ?? {} });
}

export async function tasksOfOrder(q: Queryable, orderId: number) {
  return q.select().from(approvalTasks).where(eq(approvalTasks.orderId, orderId)).orderBy(approvalTasks.id);
}

export async function cardsOfTask(q: Queryable, taskId: number) {
  return q
    .select()
    .from(cards)
    .where(and(eq(cards.taskId, taskId)))
    .orderBy(cards.createdAt, cards.id);
}
