import { eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadBusinessConfig } from '../../config/business-config';
import { plantOutcomeCounts, readRiskHistory, type StoredRiskInputs } from '../../db/risk-history';
import { orderItems, orderRiskInputs, orders } from '../../db/schema';
import { indexRiskHistory, plantOutcomesAsOf, riskFacts } from '../../domain/risk';
import { orderRiskFacts } from '../../handlers/order-risk';
import { seedDemoRiskHistoryIfEmpty } from '../../integrations/import/demo-risk-history';
import { seedDemoDataIfEmpty } from '../../integrations/import/demo-seed';
import { backends, resetDatabase, useTestDatabase } from '../support/databases';

const config = loadBusinessConfig();
const NOW = new Date('2026-02-24T10:00:00+08:00');

describe.each(backends)('an order’s risk facts read from the database on %s', (backend) => {
  const database = useTestDatabase(backend);
  beforeAll(async () => {
    const { db } = database();
    await resetDatabase(db);
    await seedDemoDataIfEmpty(db, NOW);
    expect(await seedDemoRiskHistoryIfEmpty(db, NOW, config.lifecycle.deliverBy)).toBe(true);
    // A second start finds orders and writes nothing.
    expect(await seedDemoRiskHistoryIfEmpty(db, NOW, config.lifecycle.deliverBy)).toBe(false);
  }, 60_000);

  it('counts the plant’s outcomes in SQL exactly as the whole history’s index does, at any instant', async () => {
    const { db } = database();
    const index = indexRiskHistory(await readRiskHistory(db));
    for (const iso of ['2024-09-01T00:00:00Z', '2025-03-15T08:30:00Z', '2025-11-02T23:59:59Z', NOW.toISOString()]) {
      const at = new Date(iso);
      expect(await plantOutcomeCounts(db, at)).toEqual(plantOutcomesAsOf(index, at));
    }
    const now = await plantOutcomeCounts(db, NOW);
    expect(now.delivered).toBeGreaterThan(2300);
    expect(now.complained).toBeGreaterThan(100);
    expect(now.damaged).toBeLessThan(now.complained);
  });

  it('gives each order, from one customer’s and one material’s orders, the facts the whole history gives it', async () => {
    const { db } = database();
    const history = await readRiskHistory(db);
    const index = indexRiskHistory(history);
    const rows = await db.select().from(orders).orderBy(orders.id);
    // Every 97th order: early ones (no history), the damage-habit customer's, the last ones.
    for (const order of rows.filter((_, i) => i % 97 === 0 || i === rows.length - 1)) {
      const lines = await db.select().from(orderItems).where(eq(orderItems.orderId, order.id));
      const [inputs] = await db.select().from(orderRiskInputs).where(eq(orderRiskInputs.orderId, order.id));
      const fromDb = await orderRiskFacts(db, config, order, lines, inputs!.inputs as StoredRiskInputs);
      const entry = history.find((e) => e.order.id === order.number)!;
      expect(fromDb, order.number).toEqual(riskFacts(entry.order, index));
    }
  }, 60_000);
});
