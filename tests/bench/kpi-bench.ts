/**
 * The KPI queries and the ops board on a large history: BENCH_KPI_ORDERS orders (default 1,000,000) over
 * two years, three approval tasks each, a few thousand still open. Prints how long each query takes
 * (median and p95 of repeated runs) and which index the planner used.
 */
import { performance } from 'node:perf_hooks';
import { sql } from 'drizzle-orm';
import { boardPageData } from '../../web/board/board-data';
import { loadBusinessConfig } from '../../config/business-config';
import { queryRows, type Database } from '../../db/client';
import { kpiFigures, kpiSeries, openOrders, weeklyKpis } from '../../db/kpi';
import { migrate } from '../../db/migrate';
import { kpiDigest } from '../../handlers/kpi-digest';
import { lastWeeks, weekOf } from '../../domain/kpi';
import { createTestDatabase, type Backend } from '../support/databases';

const WEEK_MS = 7 * 86_400_000;
const fmt = (n: number) => (n >= 100 ? n.toFixed(0) : n.toFixed(1));

/** Orders spread evenly over the two years before `now`; the newest `open` ones still pending or in production. */
export async function seedHistory(db: Database, total: number, open: number, now: Date) {
  const span = sql.raw(String(730 * 86_400));
  const end = now.toISOString();
  const n = sql.raw(String(Math.trunc(total)));
  const openN = sql.raw(String(Math.trunc(open)));
  await db.execute(sql`
    insert into orders (number, platform, conversation_id, requester_id, requester_name, kind, language, requested_date,
      status, source_text, requested_at, created_at, decided_at, confirmed_at, latency_ms, paused_ms, promised_date,
      promised_at, delivered_at, stage, stage_at, etd, customer_name)
    select 'SO-BENCH-' || g, 'playground', 'sales-east', 'zhangsan', '张三', 'sample', 'zh', (req + interval '5 days')::date,
      s.status, 'bench', req, req,
      case when s.status <> 'pending_approval' then req + lat * interval '1 millisecond' end,
      case when s.status in ('confirmed', 'delivered') then req + lat * interval '1 millisecond' end,
      case when s.status in ('confirmed', 'delivered') then lat end,
      0,
      case when s.status in ('confirmed', 'delivered') then (req + interval '5 days')::date end,
      case when s.status in ('confirmed', 'delivered') then req + interval '5 days' end,
      case when s.status = 'delivered' then req + interval '5 days' + ((h % 120) - 90) * interval '1 hour' end,
      case when s.status = 'delivered' then 'delivered' when s.status = 'confirmed' then 'in_production' end,
      case when s.status in ('confirmed', 'delivered') then req + lat * interval '1 millisecond' end,
      case when s.status = 'confirmed' then req + interval '5 days' + ((h % 24) - 12) * interval '1 hour' end,
      '客户' || (h % 500)
    from generate_series(1, ${n}) g,
      lateral (select abs(hashint4(g)) as h) r,
      lateral (select ${end}::timestamptz - (${span} * (1 - g::float8 / ${n})) * interval '1 second' - interval '1 hour' as req) t,
      lateral (select (h % (8 * 3600)) * 1000 + 600000 as lat) l,
      lateral (select case when g > ${n} - ${openN} / 2 then 'pending_approval'
                           when g > ${n} - ${openN} then 'confirmed'
                           when h % 20 = 0 then 'rejected' else 'delivered' end as status) s`);
  await db.execute(sql`
    insert into approval_tasks (order_id, department, assignees, status, due_at, created_at, decided_at, decided_by)
    select o.id, d.department, array['x'], case when o.status = 'pending_approval' then 'pending' else 'approved' end,
      o.created_at + interval '2 hours', o.created_at,
      case when o.status <> 'pending_approval' then o.created_at + (abs(hashint4(o.id::int + d.n)) % 7200) * interval '1 second' end,
      case when o.status <> 'pending_approval' then 'x' end
    from orders o cross join (values (1, 'tech'), (2, 'purchasing'), (3, 'production')) d(n, department)`);
  await db.execute(sql`analyze`);
}

async function timed(label: string, runs: number, work: () => Promise<unknown>) {
  await work();
  const times: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    const start = performance.now();
    await work();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  const at = (p: number) => times[Math.min(times.length - 1, Math.floor((p / 100) * times.length))]!;
  console.log(`  ${label.padEnd(44)} p50 ${fmt(at(50)).padStart(6)} ms   p95 ${fmt(at(95)).padStart(6)} ms`);
}

/** The index (or scan) each KPI query's plan reads its table with. */
async function plans(db: Database, now: Date) {
  const week = weekOf(now);
  const from = week.start.toISOString();
  const to = week.end.toISOString();
  const queries = {
    'latency (orders.confirmed_at)': sql`select percentile_cont(0.5) within group (order by latency_ms) from orders where confirmed_at >= ${from}::timestamptz and confirmed_at < ${to}::timestamptz and latency_ms is not null`,
    'delivery (orders.delivered_at)': sql`select count(*) filter (where delivered_at <= promised_at) from orders where delivered_at >= ${from}::timestamptz and delivered_at < ${to}::timestamptz and promised_at is not null`,
    'handling (approval_tasks.decided_at)': sql`select department, percentile_cont(0.5) within group (order by extract(epoch from (decided_at - created_at))) from approval_tasks where status in ('approved', 'rejected') and decided_at >= ${from}::timestamptz and decided_at < ${to}::timestamptz group by department`,
    'open orders (status)': sql`select status, stage, count(*) from orders where status in ('pending_approval', 'confirmed') group by status, stage`,
  };
  for (const [label, query] of Object.entries(queries)) {
    const rows = await queryRows<Record<string, string>>(db, sql`explain ${query}`);
    const lines = rows.map((r) => Object.values(r)[0]!);
    const scans = lines
      .map((l) => l.match(/(Index Only Scan|Index Scan|Bitmap Index Scan|Seq Scan)(?: using (\w+))?(?: on (\w+))?/))
      .filter(Boolean);
    console.log(`  plan: ${label.padEnd(38)} ${scans.map((m) => `${m![1]}${m![2] ? ` ${m![2]}` : ''}`).join(', ')}`);
  }
}

export async function benchKpis(backend: Backend, total: number, open: number) {
  const database = await createTestDatabase(backend);
  const db = database.db;
  const config = loadBusinessConfig();
  const now = new Date();
  await migrate(db);
  const seedStart = performance.now();
  await seedHistory(db, total, open, now);
  console.log(
    `KPIs and ops board on ${backend}: ${total.toLocaleString('en')} orders, ${(total * 3).toLocaleString('en')} approval tasks, ${open.toLocaleString('en')} open (seeded in ${fmt((performance.now() - seedStart) / 1000)} s)`,
  );
  const weeks = lastWeeks(now, 12);
  const runs = 15;
  await timed("one week's KPIs (kpiFigures)", runs, () => kpiFigures(db, weekOf(now), config.kpi.promiseWindow));
  await timed('12 weekly KPI points, 11 kept (weeklyKpis)', runs, () =>
    weeklyKpis(db, weeks, config.kpi.promiseWindow, now),
  );
  await timed('12 weekly KPI points, computed (kpiSeries)', runs, () =>
    kpiSeries(db, { origin: weeks[0]!.start, bucketMs: WEEK_MS, count: 12 }, config.kpi.promiseWindow),
  );
  await timed('open orders, coloured, first 100 (openOrders)', runs, () =>
    openOrders(db, { now, delayAlertMs: 4 * 3600_000, dueSoonMs: 30 * 60_000, busyLines: ['A'], limit: 100 }),
  );
  await timed('the /kpi digest (this week, last, slowest)', runs, () => kpiDigest(db, config, now, weekOf(now), 'zh'));
  await timed("the whole board page's data (boardPageData)", runs, () => boardPageData(db, config, now, 'ops'));
  await plans(db, now);
  const [size] = await queryRows<{ size: string }>(
    db,
    sql`select pg_size_pretty(pg_database_size(current_database())) as size`,
  );
  console.log(`  database size ${size?.size}`);
  await database.close();
}
