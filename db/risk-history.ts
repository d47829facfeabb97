/**
 * The plant's own order history as the risk models read it (domain/risk): every order with a promise, its plant
 * inputs as recorded at creation (order_risk_inputs; orders from before that table count as an unconstrained plant),
 * its delivery and its complaints. Lateness is known from delivery; each complaint from its own time. Rejected
 * and split-off child orders are left out (a child's delivery is its parent's).
 */
import { asc, inArray, isNotNull, isNull, and, ne } from 'drizzle-orm';
import type { PlantRiskInputs } from '../domain/risk/plant-inputs';
import type { RiskHistoryEntry } from '../domain/risk/features';
import type { Queryable } from './client';
import { materials, orderComplaints, orderItems, orderRiskInputs, orders } from './schema';

type StoredInputs = PlantRiskInputs & { usualLeadDays?: number };

export async function readRiskHistory(db: Queryable): Promise<RiskHistoryEntry[]> {
  const rows = await db
    .select()
    .from(orders)
    .where(and(isNotNull(orders.promisedAt), isNull(orders.splitOf), ne(orders.status, 'rejected')))
    .orderBy(asc(orders.createdAt), asc(orders.id));
  if (rows.length === 0) return [];
  const ids = rows.map((o) => o.id);
  const [items, inputs, complaints, leads] = await Promise.all([
    db.select().from(orderItems).where(inArray(orderItems.orderId, ids)).orderBy(asc(orderItems.lineNo)),
    db.select().from(orderRiskInputs).where(inArray(orderRiskInputs.orderId, ids)),
    db.select().from(orderComplaints).where(inArray(orderComplaints.orderId, ids)).orderBy(asc(orderComplaints.at)),
    db.select({ code: materials.code, lead: materials.leadTimeDays }).from(materials),
  ]);
  const itemsOf = group(items, (i) => i.orderId);
  const complaintsOf = group(complaints, (c) => c.orderId);
  const inputOf = new Map(inputs.map((i) => [i.orderId, i.inputs as StoredInputs]));
  const leadOf = new Map(leads.map((m) => [m.code, m.lead]));
  return rows.flatMap((order): RiskHistoryEntry[] => {
    const lines = itemsOf.get(order.id) ?? [];
    if (lines.length === 0) return [];
    const plant = inputOf.get(order.id);
    const main = lines.reduce((a, b) => (b.quantity > a.quantity ? b : a));
    const promisedAt = order.promisedAt!;
    return [
      {
        order: {
          id: order.number,
          customer: order.customerName ?? `#${order.customerId ?? order.requesterId}`,
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
          usualLeadDays: plant?.usualLeadDays ?? leadOf.get(main.materialCode) ?? 0,
        },
        outcome:
          order.deliveredAt === null
            ? null
            : {
                late: order.deliveredAt.getTime() > promisedAt.getTime(),
                deliveredAt: order.deliveredAt,
                complaints: (complaintsOf.get(order.id) ?? []).map((c) => ({
                  kind: c.kind,
                  at: c.at,
                  ...(c.returnedQuantity !== null ? { returned: true } : {}),
                })),
              },
      },
    ];
  });
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
