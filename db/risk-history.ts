/**
 * The plant's own order history as the risk models read it (domain/risk): every order with a promise, its plant
 * inputs as recorded at creation (order_risk_inputs; orders from before that table count as an unconstrained plant),
 * its delivery and its complaints. Lateness is known from delivery; each complaint from its own time. Rejected
 * and split-off child orders are left out (a child's delivery is its parent's).
 *
 * An order's customer, as the models see it, is its customer's name, else `#<customer id>`, else `#<requester>`
 * (`riskCustomerKey`); its material is the line with the most pieces. `readRiskHistory` reads all of it (training,
 * backtests); a new order's facts need only its customer's orders and counts (`readCustomerRiskHistory`,
 * `materialOutcomeCounts`, `plantOutcomeCounts`).
 */
import { and, asc, eq, inArray, isNotNull, isNull, ne, type SQL, sql } from 'drizzle-orm';
import type { PlantRiskInputs } from '../domain/risk/plant-inputs';
import {
  DEFAULT_COMPLAINT_WINDOW_DAYS,
  type MaterialOutcomeCounts,
  type PlantOutcomeCounts,
  type RiskComplaint,
  type RiskHistoryEntry,
  type RiskOrder,
} from '../domain/risk/features';
import type { Queryable } from './client';
import { materials, orderComplaints, orderItems, orderRiskInputs, orders } from './schema';

export type StoredRiskInputs = PlantRiskInputs & { usualLeadDays?: number };

/** The customer key of an order (see the file header), the same in SQL and in code. */
export function riskCustomerKey(order: {
  customerName: string | null;
  customerId: number | null;
  requesterId: string;
}): string {
  return order.customerName ?? `#${order.customerId ?? order.requesterId}`;
}

const customerKeySql = sql`coalesce(${orders.customerName}, '#' || coalesce(${orders.customerId}::text, ${orders.requesterId}))`;

type OrderRow = typeof orders.$inferSelect;
type ItemRow = typeof orderItems.$inferSelect;

/** The risk model's view of an order from its rows: the main material, all pieces, the plant inputs as recorded. */
export function riskOrderOf(
  order: Pick<OrderRow, 'number' | 'customerName' | 'customerId' | 'requesterId' | 'kind' | 'createdAt' | 'urgent'>,
  lines: ReadonlyArray<Pick<ItemRow, 'materialCode' | 'quantity'>>,
  promisedAt: Date,
  plant: StoredRiskInputs | undefined,
  usualLead: (material: string) => number | undefined,
): RiskOrder {
  const main = lines.reduce((a, b) => (b.quantity > a.quantity ? b : a));
  return {
    id: order.number,
    customer: riskCustomerKey(order),
    material: main.materialCode,
    quantity: lines.reduce((s, l) => s + l.quantity, 0),
    kind: order.kind,
    createdAt: order.createdAt,
    promisedAt,
    expedite: order.urgent,
    lineLoad: plant?.lineLoad ?? 0,
    mouldStatus: plant?.mouldStatus ?? 'ok',
    ...(plant?.mould ? { mould: plant.mould } : {}),
    purchaseLeadDays: plant?.purchaseLeadDays ?? 0,
    usualLeadDays: plant?.usualLeadDays ?? usualLead(main.materialCode) ?? 0,
  };
}

export async function readRiskHistory(db: Queryable): Promise<RiskHistoryEntry[]> {
  // Only the columns the models read: training and backtests read the whole history.
  const rows = await db
    .select({
      id: orders.id,
      number: orders.number,
      customerName: orders.customerName,
      customerId: orders.customerId,
      requesterId: orders.requesterId,
      kind: orders.kind,
      createdAt: orders.createdAt,
      urgent: orders.urgent,
      promisedAt: orders.promisedAt,
      deliveredAt: orders.deliveredAt,
    })
    .from(orders)
    .where(and(...historyConditions()))
    .orderBy(asc(orders.createdAt), asc(orders.id));
  if (rows.length === 0) return [];
  const ids = rows.map((o) => o.id);
  const [items, inputs, complaints, leads] = await Promise.all([
    db
      .select({ orderId: orderItems.orderId, materialCode: orderItems.materialCode, quantity: orderItems.quantity })
      .from(orderItems)
      .where(inArray(orderItems.orderId, ids))
      .orderBy(asc(orderItems.orderId), asc(orderItems.lineNo)),
    db
      .select({ orderId: orderRiskInputs.orderId, inputs: orderRiskInputs.inputs })
      .from(orderRiskInputs)
      .where(inArray(orderRiskInputs.orderId, ids)),
    db
      .select({
        orderId: orderComplaints.orderId,
        kind: orderComplaints.kind,
        at: orderComplaints.at,
        isReturn: orderComplaints.isReturn,
      })
      .from(orderComplaints)
      .where(inArray(orderComplaints.orderId, ids))
      .orderBy(asc(orderComplaints.at)),
    db.select({ code: materials.code, lead: materials.leadTimeDays }).from(materials),
  ]);
  const itemsOf = group(items, (i) => i.orderId);
  const complaintsOf = group(complaints, (c) => c.orderId);
  const inputOf = new Map(inputs.map((i) => [i.orderId, i.inputs as StoredRiskInputs]));
  const leadOf = new Map(leads.map((m) => [m.code, m.lead]));
  return rows.flatMap((order): RiskHistoryEntry[] => {
    const lines = itemsOf.get(order.id) ?? [];
    if (lines.length === 0) return [];
    const promisedAt = order.promisedAt!;
    return [
      {
        order: riskOrderOf(order, lines, promisedAt, inputOf.get(order.id), (code) => leadOf.get(code)),
        outcome:
          order.deliveredAt === null
            ? null
            : {
                late: order.deliveredAt.getTime() > promisedAt.getTime(),
                deliveredAt: order.deliveredAt,
                complaints: (complaintsOf.get(order.id) ?? []).map((c) => ({
                  kind: c.kind,
                  at: c.at,
                  ...(c.isReturn ? { returned: true } : {}),
                })),
              },
      },
    ];
  });
}

/**
 * The outer order's columns inside a subquery, always qualified: drizzle writes a column without its table in a
 * query on one table, and inside a subquery on order_items or order_complaints "id" would be theirs.
 */
const outerOrderId = sql.raw('"orders"."id"');
const outerDeliveredAt = sql.raw('"orders"."delivered_at"');

/** The main material of an order in SQL: the line with the most pieces, the first such line on a tie. */
const mainMaterialSql = sql`(select ${orderItems.materialCode} from ${orderItems} where ${orderItems.orderId} = ${outerOrderId} order by ${orderItems.quantity} desc, ${orderItems.lineNo} asc limit 1)`;

const historyConditions = () => [
  isNotNull(orders.promisedAt),
  isNull(orders.splitOf),
  ne(orders.status, 'rejected'),
  sql`exists (select 1 from ${orderItems} where ${orderItems.orderId} = ${outerOrderId})`,
];

/**
 * One customer's orders as the models see them, compact: what `riskFacts` reads of a customer (deliveries,
 * lateness, the complaint window's complaint / damage / return, creation times, main materials), decided in SQL.
 * Each entry's complaints stand for its flags (one complaint per flag, at delivery): the index derives the same
 * flags from them. With `plantOutcomeCounts` and `materialOutcomeCounts` this is all a new order's facts need.
 */
export async function readCustomerRiskHistory(
  db: Queryable,
  customer: string,
  windowDays = DEFAULT_COMPLAINT_WINDOW_DAYS,
): Promise<RiskHistoryEntry[]> {
  const window = sql`${outerDeliveredAt} + make_interval(days => ${windowDays})`;
  const within = (condition: SQL) =>
    sql<boolean>`exists (select 1 from ${orderComplaints} where ${orderComplaints.orderId} = ${outerOrderId} and ${orderComplaints.at} <= ${window} and ${condition})`;
  const rows = await db
    .select({
      number: orders.number,
      kind: orders.kind,
      createdAt: orders.createdAt,
      promisedAt: orders.promisedAt,
      deliveredAt: orders.deliveredAt,
      material: sql<string>`${mainMaterialSql}`,
      complained: within(sql`(${orderComplaints.kind} <> 'late' or ${orderComplaints.isReturn})`),
      damaged: within(sql`${orderComplaints.kind} = 'packaging'`),
      returned: within(sql`${orderComplaints.isReturn}`),
    })
    .from(orders)
    .where(and(...historyConditions(), sql`${customerKeySql} = ${customer}`))
    .orderBy(asc(orders.createdAt), asc(orders.id));
  return rows.map((r): RiskHistoryEntry => {
    const promisedAt = r.promisedAt!;
    // Only what the customer's facts read: the order's own plant side and quantity do not enter them.
    const order: RiskOrder = {
      id: r.number,
      customer,
      material: r.material,
      quantity: 0,
      kind: r.kind,
      createdAt: r.createdAt,
      promisedAt,
      expedite: false,
      lineLoad: 0,
      mouldStatus: 'ok',
      purchaseLeadDays: 0,
      usualLeadDays: 0,
    };
    if (r.deliveredAt === null) return { order, outcome: null };
    const at = r.deliveredAt;
    const complaints: RiskComplaint[] = [
      ...(r.damaged ? [{ kind: 'packaging' as const, at }] : []),
      ...(r.returned ? [{ kind: 'late' as const, at, returned: true }] : []),
      ...(r.complained && !r.damaged && !r.returned ? [{ kind: 'other' as const, at }] : []),
    ];
    return { order, outcome: { late: at.getTime() > promisedAt.getTime(), deliveredAt: at, complaints } };
  });
}

/** A material's orders (by main material) delivered before `asOf`, and how many were late. */
export async function materialOutcomeCounts(
  db: Queryable,
  material: string,
  asOf: Date,
): Promise<MaterialOutcomeCounts> {
  const [row] = await db
    .select({
      delivered: sql<number>`count(*)::int`,
      late: sql<number>`(count(*) filter (where ${orders.deliveredAt} > ${orders.promisedAt}))::int`,
    })
    .from(orders)
    .where(
      and(
        ...historyConditions(),
        sql`${orders.deliveredAt} < ${asOf.toISOString()}::timestamptz`,
        sql`exists (select 1 from ${orderItems} where ${orderItems.orderId} = ${outerOrderId} and ${orderItems.materialCode} = ${material})`,
        sql`${mainMaterialSql} = ${material}`,
      ),
    );
  return row!;
}

/**
 * The plant's outcomes known at `asOf`, counted in the database over the orders `readRiskHistory` reads (the
 * meaning of each count: domain/risk/features.ts `PlantOutcomeCounts`). A complaint counts when it is not about
 * lateness or goods came back, and only within the window after delivery.
 */
export async function plantOutcomeCounts(
  db: Queryable,
  asOf: Date,
  windowDays = DEFAULT_COMPLAINT_WINDOW_DAYS,
): Promise<PlantOutcomeCounts> {
  // Instants as ISO text: postgres.js does not bind a Date inside a raw sql fragment.
  const closedBy = sql`${new Date(asOf.getTime() - windowDays * 86_400_000).toISOString()}::timestamptz`;
  const window = sql`${outerDeliveredAt} + make_interval(days => ${windowDays})`;
  const within = (condition: SQL) =>
    sql`exists (select 1 from ${orderComplaints} where ${orderComplaints.orderId} = ${outerOrderId} and ${orderComplaints.at} <= ${window} and ${condition})`;
  const [row] = await db
    .select({
      delivered: sql<number>`count(*)::int`,
      late: sql<number>`(count(*) filter (where ${orders.deliveredAt} > ${orders.promisedAt}))::int`,
      closed: sql<number>`(count(*) filter (where ${orders.deliveredAt} < ${closedBy}))::int`,
      complained: sql<number>`(count(*) filter (where ${orders.deliveredAt} < ${closedBy} and ${within(sql`(${orderComplaints.kind} <> 'late' or ${orderComplaints.isReturn})`)}))::int`,
      damaged: sql<number>`(count(*) filter (where ${orders.deliveredAt} < ${closedBy} and ${within(sql`${orderComplaints.kind} = 'packaging'`)}))::int`,
    })
    .from(orders)
    .where(and(...historyConditions(), sql`${orders.deliveredAt} < ${asOf.toISOString()}::timestamptz`));
  return row!;
}

/** The usual lead of one material (its standard lead days), or undefined when the material is not known. */
export async function usualLeadOf(db: Queryable, code: string): Promise<number | undefined> {
  const [row] = await db.select({ lead: materials.leadTimeDays }).from(materials).where(eq(materials.code, code));
  return row?.lead;
}

function group<T>(rows: T[], key: (row: T) => number): Map<number, T[]> {
  const byKey = new Map<number, T[]>();
  for (const row of rows) {
    const list = byKey.get(key(row));
    if (list) list.push(row);
    else byKey.set(key(row), [row]);
  }
  return byKey;
}
