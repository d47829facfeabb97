import { and, desc, eq, inArray, sql } from 'drizzle-orm';
import { formatOrderNumber, orderNumberDay } from '../domain/order-number';
import type { Queryable, Tx } from './client';
import {
  approvalTasks,
  cards,
  inspectionReports,
  materials,
  orderEvents,
  orderNumberCounters,
  qualifiedRanges,
} from './schema';

/** Next readable order number for the China date of `at`; concurrent callers each get their own. */
export async function nextOrderNumber(tx: Tx, at: Date): Promise<string> {
  const day = orderNumberDay(at);
  const [row] = await tx
    .insert(orderNumberCounters)
    .values({ day, last: 1 })
    .onConflictDoUpdate({ target: orderNumberCounters.day, set: { last: sql`${orderNumberCounters.last} + 1` } })
    .returning({ last: orderNumberCounters.last });
  return formatOrderNumber(day, row!.last);
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
  return q.select().from(cards).where(and(eq(cards.taskId, taskId))).orderBy(cards.createdAt, cards.id);
}
