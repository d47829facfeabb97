/**
 * The playground's order history: the delivered orders of the demo customers and materials over the 18 months
 * before the first start (orders not delivered by then are left out), generated with known causes (domain/risk/generate.ts): moulds in repair, tight
 * promises, line load, a season before the Spring Festival, and 博世's habit of packaging-damage complaints. Loaded at
 * the demo's first start (an empty orders table), then the risk models are trained on it, so the playground's
 * approval cards show the risk as a plant with its own history would see it.
 */
import { asc, sql } from 'drizzle-orm';
import type { Database } from '../../db/client';
import { demoHistory } from '../../db/demo-data';
import { customers, materials, orderComplaints, orderItems, orderRiskInputs, orders } from '../../db/schema';
import { chinaDate } from '../../domain/china-time';
import { promisedInstant } from '../../domain/lifecycle/etd';
import { type GeneratedEntry, generateRiskHistory } from '../../domain/risk';

const SEED = 21;
const ORDERS = 2400;
const MONTHS = 18;
/** The demo customers in config/demo/customers.csv order; the second (博世) has the packaging-damage habit. */
const HABIT_INDEX = 1;
const CHUNK = 500;

/** Writes the history if the database has no order yet; returns whether it did. */
export async function seedDemoRiskHistoryIfEmpty(
  db: Database,
  now: Date,
  deliverBy: string,
  /** Orders generated (the bench asks for more). */
  count = ORDERS,
): Promise<boolean> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`lock table orders in share row exclusive mode`);
    const [any] = await tx.select({ id: orders.id }).from(orders).limit(1);
    if (any) return false;
    const demoMaterials = await tx.select().from(materials).orderBy(asc(materials.code));
    if (demoMaterials.length === 0) return false;
    await tx
      .insert(customers)
      .values(demoHistory.pastCustomers.map((name) => ({ name, updatedAt: now })))
      .onConflictDoNothing();
    const demoCustomers = await tx.select().from(customers).orderBy(asc(customers.id));
    const start = new Date(now.getTime());
    start.setUTCMonth(start.getUTCMonth() - MONTHS);
    const history = generateRiskHistory({
      seed: SEED,
      orders: count,
      months: MONTHS,
      start,
      customers: demoCustomers.length,
      materials: demoMaterials.length,
      damageHabitIndexes: [HABIT_INDEX],
    });
    const rows = history.entries
      .map((entry, i) => ({ entry, i }))
      .filter(({ entry }) => entry.outcome.deliveredAt <= now)
      .map(({ entry, i }) => demoOrder(entry, i, { demoCustomers, demoMaterials, deliverBy }));
    for (let from = 0; from < rows.length; from += CHUNK) {
      const chunk = rows.slice(from, from + CHUNK);
      const ids = await tx
        .insert(orders)
        .values(chunk.map((r) => r.order))
        .returning({ id: orders.id });
      const at = (k: number) => ids[k]!.id;
      await tx.insert(orderItems).values(chunk.map((r, k) => ({ ...r.item, orderId: at(k) })));
      await tx.insert(orderRiskInputs).values(chunk.map((r, k) => ({ ...r.inputs, orderId: at(k) })));
      const complaints = chunk.flatMap((r, k) =>
        r.complaints.filter((c) => c.at <= now).map((c) => ({ ...c, orderId: at(k) })),
      );
      if (complaints.length > 0) await tx.insert(orderComplaints).values(complaints);
    }
    return true;
  });
}

type DemoCustomer = typeof customers.$inferSelect;
type DemoMaterial = typeof materials.$inferSelect;

function demoOrder(
  entry: GeneratedEntry,
  i: number,
  demo: { demoCustomers: DemoCustomer[]; demoMaterials: DemoMaterial[]; deliverBy: string },
) {
  const { order, outcome } = entry;
  const customer = demo.demoCustomers[Number(order.customer.slice(1)) - 1]!;
  const material = demo.demoMaterials[Number(order.material.slice(3)) - 1]!;
  const sales = demoHistory.sales[i % demoHistory.sales.length]!;
  const promisedDate = chinaDate(order.promisedAt);
  const promisedAt = promisedInstant(promisedDate, demo.deliverBy);
  const createdDay = chinaDate(order.createdAt).replaceAll('-', '');
  const confirmedAt = new Date(order.createdAt.getTime() + 3 * 3_600_000);
  return {
    order: {
      // A number no live order takes (live numbers count up from 0001 each day).
      number: `SO-${createdDay}-9${String(i).padStart(4, '0')}`,
      platform: 'playground',
      conversationId: sales.conversationId,
      requesterId: sales.id,
      requesterName: sales.name,
      customerId: customer.id,
      customerName: customer.name,
      kind: order.kind,
      urgent: order.expedite,
      language: 'zh' as const,
      requestedDate: promisedDate,
      promisedDate,
      status: 'delivered' as const,
      stage: 'delivered' as const,
      stageAt: outcome.deliveredAt,
      sourceText: demoHistory.requestText(material.code, order.quantity, material.unit, promisedDate),
      requestedAt: order.createdAt,
      createdAt: order.createdAt,
      decidedAt: confirmedAt,
      confirmedAt,
      latencyMs: 3 * 3_600_000,
      promisedAt,
      deliveredAt: outcome.deliveredAt,
    },
    item: {
      lineNo: 1,
      materialCode: material.code,
      quantity: order.quantity,
      unit: material.unit,
      kind: order.kind,
      requestedDate: promisedDate,
      promisedDate,
    },
    inputs: {
      inputs: {
        lineLoad: order.lineLoad,
        mouldStatus: order.mouldStatus,
        mould: order.mouldStatus === 'ok' ? null : (material.mould ?? null),
        purchaseLeadDays: order.purchaseLeadDays,
        // What a live order records: the material's lead in the master data.
        usualLeadDays: material.leadTimeDays,
      },
      recordedAt: order.createdAt,
    },
    complaints: outcome.complaints.map((c, k) => ({
      kind: c.kind,
      isReturn: c.returned === true,
      returnedQuantity: c.returned ? Math.max(1, Math.round(order.quantity / 10)) : null,
      note: null,
      reportedBy: 'zhenggong',
      eventKey: `demo-history:${i}:${k}`,
      at: c.at,
    })),
  };
}
