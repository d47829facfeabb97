import { and, desc, eq, inArray, type SQL, sql } from 'drizzle-orm';
import { formatOrderNumber, orderNumberDay } from '../domain/order-number';
import { anyOfList, queryRows, type Queryable, type Tx } from './client';
import { fixedQuery } from './fixed-query';
import {
  approvalTasks,
  cards,
  inspectionReports,
  materials,
  orderEvents,
  orderNumberDays,
  qualifiedRanges,
} from './schema';
import { insertRows } from './insert-rows';

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

/**
 * The next order number of the day of `at` as SQL, for the statement that inserts the order: formatOrderNumber's
 * format (SO-20260224-0001, wider past 9999). Only once the day has its base row (the day's first order takes
 * nextOrderNumber's way); without it the expression is null, which the order's number column refuses.
 */
export function orderNumberSql(at: Date): SQL {
  const day = orderNumberDay(at);
  return sql`(select ${`SO-${day}-`} || lpad(n::text, greatest(4, length(n::text)), '0')
    from (select nextval('order_number_seq') - base as n from order_number_days where day = ${day}) s)`;
}

/** The list is one jsonb parameter, so the statement is the same for any number of codes. */
const materialsByCode = fixedQuery((q) =>
  q
    .select()
    .from(materials)
    .where(sql`${materials.code} = ${anyOfList(sql.placeholder('codes'))}`),
);

export async function findMaterials(q: Queryable, codes: string[]) {
  if (codes.length === 0) return [];
  return materialsByCode(q, { codes: JSON.stringify(codes) });
}

export async function allMaterialCodes(q: Queryable): Promise<string[]> {
  const rows = await q.select({ code: materials.code }).from(materials);
  return rows.map((r) => r.code);
}

type QualifiedRangeRow = typeof qualifiedRanges.$inferSelect;

/**
 * The qualified ranges of the materials: what a customer's requirement is checked against. An explicit
 * range (qualified_ranges: a `ranges` import, the demo) wins; a parameter without one gets the range
 * its values span over the material's passing inspection reports (min..max, no unit: the reports hold
 * numbers only). Parameters are matched without case ("ra" in a report is "Ra" of the range).
 */
export async function qualifiedRangesFor(q: Queryable, codes: string[]): Promise<QualifiedRangeRow[]> {
  if (codes.length === 0) return [];
  const explicit = await q.select().from(qualifiedRanges).where(inArray(qualifiedRanges.materialCode, codes));
  const derived = await queryRows<{ materialCode: string; param: string; minValue: number; maxValue: number }>(
    q,
    sql`
      select r.material_code as "materialCode", min(e.key) as param,
        min((e.value)::float8) as "minValue", max((e.value)::float8) as "maxValue"
      from ${inspectionReports} r cross join lateral jsonb_each(r.results) e
      where r.passed and r.material_code = ${anyOfList(codes)}
        and jsonb_typeof(e.value) = 'number'
        and not exists (
          select 1 from ${qualifiedRanges} q
          where q.material_code = r.material_code and lower(q.param) = lower(e.key))
      group by r.material_code, lower(e.key)
      order by r.material_code, lower(e.key)`,
  );
  return [
    ...explicit,
    ...derived.map((d) => ({
      materialCode: d.materialCode,
      param: d.param,
      minValue: Number(d.minValue),
      maxValue: Number(d.maxValue),
      unit: null,
    })),
  ];
}

export async function latestInspectionReports(q: Queryable, materialCode: string, limit = 3) {
  return q
    .select()
    .from(inspectionReports)
    .where(eq(inspectionReports.materialCode, materialCode))
    .orderBy(desc(inspectionReports.inspectedOn), desc(inspectionReports.id))
    .limit(limit);
}

type OrderEventInput = {
  orderId: number;
  at: Date;
  type: string;
  actorId?: string | null;
  data?: Record<string, unknown>;
};

export async function recordOrderEvent(tx: Tx, event: OrderEventInput) {
  await recordOrderEvents(tx, [event]);
}

/** Several events in one statement, in the order given. */
export async function recordOrderEvents(tx: Tx, events: readonly OrderEventInput[]) {
  if (events.length === 0) return;
  await insertRows(
    tx,
    orderEvents,
    events.map((event) => ({ ...event, actorId: event.actorId ?? null, data: event.data ?? {} })),
  );
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
