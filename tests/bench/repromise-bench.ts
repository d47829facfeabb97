/**
 * npm run bench -- repromise: a mould's repair extended by three working days under BENCH_REPROMISE_ORDERS
 * confirmed orders (default 5,000) that all need that mould, on the four demo lines, in 20 sales chats. Times
 * the re-promise job's whole transaction: claiming the change, reading the plant under its locks, the re-plan,
 * moving reservations, plans, ETDs and cards, and the one card per chat. Target: under 5 s.
 */
import { performance } from 'node:perf_hooks';
import { eq, sql } from 'drizzle-orm';
import { createLogger } from '../../bot/logger';
import { loadBusinessConfig } from '../../config/business-config';
import { createHandlerContext } from '../../core/context';
import type { Database } from '../../db/client';
import { recordPlantChange } from '../../db/repromise';
import { materials, moulds, orderItems, orders, outbox, repromises, reservations } from '../../db/schema';
import { addWorkingDays } from '../../domain/promise';
import { recheckPlantChanges } from '../../handlers/repromise';
import { type Backend, createTestDatabase } from '../support/databases';

const TARGET_MS = 5_000;
const NOW = new Date('2026-03-02T09:00:00+08:00');
const TODAY = '2026-03-02';
const QUANTITY = 10;
const CHATS = 20;

export async function benchRepromise(backend: Backend): Promise<boolean> {
  const total = Number(process.env.BENCH_REPROMISE_ORDERS ?? 5_000);
  const config = loadBusinessConfig('config/demo.yaml');
  const database = await createTestDatabase(backend);
  const db = database.db;
  try {
    await seed(db, config, total);
    const back = addWorkingDays(TODAY, 4, config.calendar);
    await db.transaction(async (tx) => {
      await tx.update(moulds).set({ status: 'repair', availableFrom: back }).where(eq(moulds.id, 'M-B'));
      await recordPlantChange(tx, NOW, {
        kind: 'mould',
        cause: { kind: 'mould', mould: 'M-B', status: 'repair', availableFrom: back },
        source: 'bench',
      });
    });
    const log = createLogger('silent');
    const started = performance.now();
    await db.transaction(async (tx) => {
      const ctx = createHandlerContext({ tx, now: NOW, config, log, eventKey: 'bench', platform: 'playground' });
      await recheckPlantChanges(ctx);
      await ctx.flush();
    });
    const ms = performance.now() - started;
    const [late] = await db.select({ n: sql<number>`count(*)::int` }).from(repromises);
    const [replanned] = await db
      .execute(sql`select count(*)::int as n from order_events where type = 'replanned'`)
      .then((r) => (Array.isArray(r) ? r : (r as { rows: unknown[] }).rows) as Array<{ n: number }>);
    const [cardsSent] = await db
      .select({ n: sql<number>`count(*)::int` })
      .from(outbox)
      .where(eq(outbox.kind, 'send-card'));
    console.log(
      `re-promise on ${backend}: a mould change under ${total} confirmed orders re-checked in ${ms.toFixed(0)} ms ` +
        `(${replanned!.n} moved, ${late!.n} late, ${cardsSent!.n} cards in ${CHATS} chats) — target < ${TARGET_MS} ms: ` +
        `${ms < TARGET_MS ? 'met' : 'NOT met'}`,
    );
    return ms < TARGET_MS;
  } finally {
    await database.close();
  }
}

/**
 * The confirmed orders: each takes QUANTITY pieces on one line's next day with room, as a confirmation would have
 * (load ignored, the demo loads deleted); its promise is its delivery date plus 0–6 days of slack.
 */
async function seed(db: Database, config: ReturnType<typeof loadBusinessConfig>, total: number) {
  await db.insert(moulds).values({ id: 'M-B', status: 'ok', availableFrom: null, updatedAt: NOW });
  const lines = config.lines.map((l) => ({
    id: l.id,
    capacity: l.capacityPerDay,
    day: addWorkingDays(TODAY, 1, config.calendar),
    used: 0,
  }));
  await db.insert(materials).values(
    lines.map((l) => ({
      code: `BENCH-${l.id}`,
      name: `bench ${l.id}`,
      unit: '件',
      line: l.id,
      mould: 'M-B',
      leadTimeDays: 0,
    })),
  );
  const rows: Array<{ order: typeof orders.$inferInsert; line: string; day: string }> = [];
  for (let i = 0; i < total; i++) {
    const line = lines[i % lines.length]!;
    if (line.used + QUANTITY > line.capacity) {
      line.day = addWorkingDays(line.day, 1, config.calendar);
      line.used = 0;
    }
    line.used += QUANTITY;
    const delivered = addWorkingDays(line.day, config.promise.pickPackDays, config.calendar);
    const promised = new Date(
      Date.parse(`${delivered}T00:00:00Z`) + (config.promise.transitDays + (i % 7)) * 86_400_000,
    )
      .toISOString()
      .slice(0, 10);
    rows.push({
      line: line.id,
      day: line.day,
      order: {
        number: `SO-BENCH-${i}`,
        platform: 'playground',
        conversationId: `chat-${i % CHATS}`,
        requesterId: 'zhangsan',
        requesterName: '张三',
        kind: 'sample',
        language: 'zh',
        requestedDate: promised,
        promisedDate: promised,
        status: 'confirmed',
        stage: 'confirmed',
        stageAt: NOW,
        planStart: line.day,
        planFinish: line.day,
        sourceText: 'bench',
        requestedAt: NOW,
        createdAt: NOW,
        decidedAt: new Date(NOW.getTime() - (total - i) * 1000),
      },
    });
  }
  for (let i = 0; i < rows.length; i += 1000) {
    const chunk = rows.slice(i, i + 1000);
    const inserted = await db
      .insert(orders)
      .values(chunk.map((r) => r.order))
      .returning({ id: orders.id });
    await db.insert(orderItems).values(
      inserted.map((o, k) => ({
        orderId: o.id,
        lineNo: 1,
        materialCode: `BENCH-${chunk[k]!.line}`,
        quantity: QUANTITY,
        unit: '件',
        kind: 'sample' as const,
        requestedDate: chunk[k]!.order.requestedDate,
        promisedDate: chunk[k]!.order.promisedDate,
      })),
    );
    await db.insert(reservations).values(
      inserted.map((o, k) => ({
        orderId: o.id,
        materialCode: `BENCH-${chunk[k]!.line}`,
        kind: 'production' as const,
        line: chunk[k]!.line,
        day: chunk[k]!.day,
        quantity: QUANTITY,
        createdAt: NOW,
      })),
    );
  }
  await db.execute(sql`analyze`);
}
