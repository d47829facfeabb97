import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Database } from '../../db/client';
import { kpiFigures, kpiSeries, openOrders, weeklyKpis } from '../../db/kpi';
import { migrate } from '../../db/migrate';
import { approvalTasks, kpiWeeks, orders } from '../../db/schema';
import { computeKpis, type KpiFigures } from '../../domain/kpi';
import { backends, resetDatabase, useTestDatabase } from '../support/databases';
import { figuresWith } from '../support/kpi';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const WEEK = 7 * DAY;
/** Monday 2026-02-23 00:00 China time. */
const MONDAY = Date.parse('2026-02-23T00:00:00+08:00');
const WINDOW = 2 * DAY;

interface Order {
  requestedAt: number;
  confirmedAt?: number;
  latencyMs?: number;
  promisedAt?: number;
  deliveredAt?: number;
  pausedMs?: number;
  tasks?: {
    department: string;
    createdAt: number;
    decidedAt?: number;
    status?: 'approved' | 'rejected' | 'cancelled' | 'pending';
  }[];
}

let serial = 0;
async function insertOrders(db: Database, list: Order[]) {
  if (list.length === 0) return;
  const rows = await db
    .insert(orders)
    .values(
      list.map((o) => {
        serial += 1;
        return {
          number: `SO-TEST-${serial}`,
          platform: 'playground',
          conversationId: 'sales-east',
          requesterId: 'zhangsan',
          requesterName: '张三',
          kind: 'sample' as const,
          language: 'zh' as const,
          requestedDate: '2026-03-05',
          status: o.deliveredAt
            ? ('delivered' as const)
            : o.confirmedAt
              ? ('confirmed' as const)
              : ('pending_approval' as const),
          sourceText: 'x',
          requestedAt: new Date(o.requestedAt),
          createdAt: new Date(o.requestedAt),
          confirmedAt: o.confirmedAt ? new Date(o.confirmedAt) : null,
          latencyMs: o.latencyMs ?? (o.confirmedAt ? o.confirmedAt - o.requestedAt : null),
          promisedAt: o.promisedAt ? new Date(o.promisedAt) : null,
          deliveredAt: o.deliveredAt ? new Date(o.deliveredAt) : null,
          pausedMs: o.pausedMs ?? 0,
        };
      }),
    )
    .returning({ id: orders.id });
  const tasks = list.flatMap((o, i) =>
    (o.tasks ?? []).map((task) => ({
      orderId: rows[i]!.id,
      department: task.department,
      assignees: ['x'],
      status: task.status ?? ('approved' as const),
      dueAt: new Date(task.createdAt + 2 * HOUR),
      createdAt: new Date(task.createdAt),
      decidedAt: task.decidedAt ? new Date(task.decidedAt) : null,
    })),
  );
  if (tasks.length > 0) await db.insert(approvalTasks).values(tasks);
}

/** What the domain functions say about the same rows, for one period. */
function expected(list: Order[], start: number, end: number): KpiFigures {
  const within = (t: number | undefined) => t !== undefined && t >= start && t < end;
  return computeKpis(
    {
      confirmed: list
        .filter((o) => within(o.confirmedAt))
        .map((o) => ({ latencyMs: o.latencyMs ?? o.confirmedAt! - o.requestedAt })),
      delivered: list
        .filter((o) => within(o.deliveredAt) && o.promisedAt)
        .map((o) => ({ deliveredAt: new Date(o.deliveredAt!), promisedAt: new Date(o.promisedAt!) })),
      decided: list.flatMap((o) =>
        (o.tasks ?? [])
          .filter((t) => within(t.decidedAt) && (t.status ?? 'approved') !== 'cancelled' && t.status !== 'pending')
          .map((t) => ({ department: t.department, sentAt: new Date(t.createdAt), decidedAt: new Date(t.decidedAt!) })),
      ),
    },
    { promiseWindowMs: WINDOW },
  );
}

function close(actual: KpiFigures, wanted: KpiFigures) {
  const round = (f: KpiFigures) =>
    JSON.parse(JSON.stringify(f, (_, v) => (typeof v === 'number' ? Math.round(v * 1000) / 1000 : v)));
  expect(round(actual)).toEqual(round(wanted));
}

describe.each(backends)('KPI queries on hand-built histories (%s)', (backend) => {
  const database = useTestDatabase(backend);

  it('one week: latency percentiles, on-time and within-window shares, handling per department', async () => {
    const { db } = database();
    await migrate(db);
    await resetDatabase(db);
    const t = (days: number, hours = 0) => MONDAY + days * DAY + hours * HOUR;
    const history: Order[] = [
      // latencies 1h, 2h, 3h, 10h (one had 5h of pause taken out), confirmed this week
      {
        requestedAt: t(0, 9),
        confirmedAt: t(0, 10),
        tasks: [{ department: 'tech', createdAt: t(0, 9), decidedAt: t(0, 9.5) }],
      },
      {
        requestedAt: t(1, 9),
        confirmedAt: t(1, 11),
        tasks: [
          { department: 'tech', createdAt: t(1, 9), decidedAt: t(1, 10.5) },
          { department: 'purchasing', createdAt: t(1, 9), decidedAt: t(1, 11) },
        ],
      },
      { requestedAt: t(2, 9), confirmedAt: t(2, 12) },
      { requestedAt: t(3, 0), confirmedAt: t(3, 15), latencyMs: 10 * HOUR },
      // delivered this week: on time and in the window; on time but 3 days early; late
      { requestedAt: t(-20), confirmedAt: t(-19), promisedAt: t(4, 10), deliveredAt: t(4, 9) },
      { requestedAt: t(-20), confirmedAt: t(-19), promisedAt: t(6, 10), deliveredAt: t(3, 9) },
      { requestedAt: t(-20), confirmedAt: t(-19), promisedAt: t(1, 10), deliveredAt: t(2, 9) },
      // last week's and next week's: not counted; a cancelled task and a pending one: not handling
      { requestedAt: t(-3), confirmedAt: t(-2), tasks: [{ department: 'tech', createdAt: t(-3), decidedAt: t(-2) }] },
      { requestedAt: t(8), confirmedAt: t(8, 1) },
      {
        requestedAt: t(4),
        tasks: [
          { department: 'production', createdAt: t(4), decidedAt: t(4, 1), status: 'cancelled' },
          { department: 'tech', createdAt: t(4), status: 'pending' },
        ],
      },
    ];
    await insertOrders(db, history);
    const week = await kpiFigures(db, { start: new Date(MONDAY), end: new Date(MONDAY + WEEK) }, WINDOW);
    expect(week.confirmedCount).toBe(4);
    expect(week.latencyP50Ms).toBe(2.5 * HOUR);
    expect(week.latencyP90Ms).toBeCloseTo(3 * HOUR + 0.7 * 7 * HOUR, -1);
    expect(week.deliveredCount).toBe(3);
    expect(week.onTimeRate).toBeCloseTo(2 / 3);
    expect(week.promiseAccuracy).toBeCloseTo(1 / 3);
    expect(week.handling).toEqual([
      { department: 'purchasing', decidedCount: 1, p50Ms: 2 * HOUR },
      { department: 'tech', decidedCount: 2, p50Ms: HOUR },
    ]);
    expect(week.handlingP50Ms).toBe(1.5 * HOUR);
    close(week, expected(history, MONDAY, MONDAY + WEEK));

    const [before, thisWeek, after] = await kpiSeries(
      db,
      { origin: new Date(MONDAY - WEEK), bucketMs: WEEK, count: 3 },
      WINDOW,
    );
    expect(before!.confirmedCount).toBe(1);
    expect(thisWeek).toEqual(week);
    expect(after!.confirmedCount).toBe(1);
    expect(after!.deliveredCount).toBe(0);
    expect(after!.onTimeRate).toBeNull();
  });

  it('weeks that ended are kept in kpi_weeks and read back; the current week is always computed', async () => {
    const { db } = database();
    await migrate(db);
    await resetDatabase(db);
    const t = (days: number, hours = 0) => MONDAY + days * DAY + hours * HOUR;
    await insertOrders(db, [
      { requestedAt: t(-6, 9), confirmedAt: t(-6, 10) },
      { requestedAt: t(1, 9), confirmedAt: t(1, 12) },
    ]);
    const weeks = [-1, 0].map((i) => ({ start: new Date(MONDAY + i * WEEK), end: new Date(MONDAY + (i + 1) * WEEK) }));
    const now = new Date(t(2));
    const first = await weeklyKpis(db, weeks, WINDOW, now);
    expect(first).toEqual(await kpiSeries(db, { origin: weeks[0]!.start, bucketMs: WEEK, count: 2 }, WINDOW));
    expect((await db.select().from(kpiWeeks)).map((r) => r.weekStart.getTime())).toEqual([MONDAY - WEEK]);
    // A late insert into the closed week is not seen (its figures are kept); the current week moves.
    await insertOrders(db, [
      { requestedAt: t(-5, 9), confirmedAt: t(-5, 10) },
      { requestedAt: t(2, 9), confirmedAt: t(2, 10) },
    ]);
    const second = await weeklyKpis(db, weeks, WINDOW, now);
    expect(second.map((f) => f.confirmedCount)).toEqual([1, 2]);
    // Another promise window is another cache entry.
    expect((await weeklyKpis(db, weeks, WINDOW + HOUR, now)).map((f) => f.confirmedCount)).toEqual([2, 2]);
  });

  it('an empty period has no figures, not zeros', async () => {
    const { db } = database();
    await migrate(db);
    await resetDatabase(db);
    const figures = await kpiFigures(db, { start: new Date(MONDAY), end: new Date(MONDAY + WEEK) }, WINDOW);
    expect(figures).toEqual(figuresWith({}));
  });

  it('the SQL figures equal the domain functions on random histories', async () => {
    const { db } = database();
    await migrate(db);
    const hour = fc.integer({ min: 0, max: 3 * 7 * 24 });
    const orderArb = fc.record({
      requested: hour,
      confirmAfter: fc.option(fc.integer({ min: 0, max: 72 * 60 }), { nil: undefined }),
      paused: fc.integer({ min: 0, max: 60 }),
      deliverAfter: fc.option(fc.integer({ min: -5 * 24, max: 5 * 24 }), { nil: undefined }),
      promiseAfter: fc.integer({ min: 24, max: 14 * 24 }),
      tasks: fc.uniqueArray(
        fc.record({
          department: fc.constantFrom('tech', 'purchasing', 'production'),
          decideAfter: fc.option(fc.integer({ min: 1, max: 600 }), { nil: undefined }),
        }),
        { maxLength: 3, selector: (t) => t.department },
      ),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(orderArb, { maxLength: 25 }), async (arbs) => {
        await resetDatabase(db);
        const history: Order[] = arbs.map((a) => {
          const requestedAt = MONDAY - WEEK + a.requested * HOUR;
          const confirmedAt = a.confirmAfter === undefined ? undefined : requestedAt + a.confirmAfter * MINUTE;
          const promisedAt = confirmedAt === undefined ? undefined : confirmedAt + a.promiseAfter * HOUR;
          return {
            requestedAt,
            ...(confirmedAt === undefined
              ? {}
              : { confirmedAt, latencyMs: Math.max(0, confirmedAt - requestedAt - a.paused * MINUTE), promisedAt }),
            ...(promisedAt !== undefined && a.deliverAfter !== undefined
              ? { deliveredAt: promisedAt + a.deliverAfter * HOUR }
              : {}),
            tasks: a.tasks.map((t) => ({
              department: t.department,
              createdAt: requestedAt,
              ...(t.decideAfter ? { decidedAt: requestedAt + t.decideAfter * MINUTE } : { status: 'pending' as const }),
            })),
          };
        });
        await insertOrders(db, history);
        const series = await kpiSeries(db, { origin: new Date(MONDAY - WEEK), bucketMs: WEEK, count: 3 }, WINDOW);
        for (const [i, figures] of series.entries())
          close(figures, expected(history, MONDAY - WEEK + i * WEEK, MONDAY + i * WEEK));
      }),
      { numRuns: 15 },
    );
  });

  it('open orders: overdue approvals red, ETD past the promise yellow or red, the slowest pending first', async () => {
    const { db } = database();
    await migrate(db);
    await resetDatabase(db);
    const now = MONDAY + 2 * DAY + 12 * HOUR;
    await insertOrders(db, [
      { requestedAt: now - 5 * HOUR, tasks: [{ department: 'tech', createdAt: now - 3 * HOUR, status: 'pending' }] }, // due 1h ago
      { requestedAt: now - HOUR, tasks: [{ department: 'tech', createdAt: now - 110 * MINUTE, status: 'pending' }] }, // due in 10 min
      {
        requestedAt: now - 2 * HOUR,
        pausedMs: HOUR,
        tasks: [{ department: 'tech', createdAt: now - 10 * MINUTE, status: 'pending' }],
      },
    ]);
    const listed = await openOrders(db, {
      now: new Date(now),
      delayAlertMs: 4 * HOUR,
      dueSoonMs: 30 * MINUTE,
      busyLines: [],
      limit: 10,
    });
    expect(listed.total).toBe(3);
    expect(listed.rows.map((r) => [r.severity, r.latencyMs / HOUR])).toEqual([
      [2, 5],
      [1, 1],
      [0, 1],
    ]);
  });
});
