/**
 * npm run bench -- scale: the escalation and reminder ticks and the outbox claim at production scale on PostgreSQL.
 * BENCH_SCALE_ORDERS orders (default 1,000,000) over two years; BENCH_SCALE_TASKS open approval tasks (default
 * 200,000): a few hundred due at each level that can still escalate, some on paused orders, half stuck at the top
 * of the ladder (pending for good, due long ago), the rest not due yet; BENCH_SCALE_OUTBOX delivered outbox rows
 * (default 3,000,000) and a few thousand pending. Prints each query's plan (EXPLAIN ANALYZE, BUFFERS) and the
 * index it reads, their median/p95 over 30 runs against 20 ms, and the peak RSS of the real product process
 * (bot/main.ts) run against that database against 200 MB.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import { Bot } from '../../bot/bot';
import { createLogger } from '../../bot/logger';
import { OutboxSender } from '../../bot/outbox-sender';
import { fixedConfig, loadBusinessConfig, type BusinessConfig } from '../../config/business-config';
import { queryRows, type Database } from '../../db/client';
import { migrate } from '../../db/migrate';
import { seedDemoDataIfEmpty } from '../../integrations/import/demo-seed';
import { createHandlerContext, type HandlerContext } from '../../core/context';
import { escalateOverdueTasks, escalationSteps } from '../../handlers/escalation';
import { remindDueTasks } from '../../handlers/approval-reminders';
import { isWorkingMoment, subtractWorkingTime } from '../../domain/lifecycle';
import { createTestDatabase } from '../support/databases';
import { seedHistory } from './kpi-bench';
import { BotProcess, freePort } from '../drills/process/bot-process';
import { productCommand } from './product-command';

const TARGET_MS = 20;
const TARGET_RSS_MB = 200;
const RUNS = 30;
/** A plan that reads more rows than this to find its batch of 50 walks rows that are not due. */
const MAX_ROWS_WALKED = 2_000;
/** The partial indexes on what is due (db/schema.ts) a good plan reads. */
const DUE_INDEXES = {
  escalation: /^approval_tasks_.*due/,
  reminders: /^approval_tasks_remind_idx$/,
  outbox: /^outbox_due_idx$/,
};

interface Sizes {
  orders: number;
  tasks: number;
  outboxSent: number;
  outboxPending: number;
  dueLevel0: number;
  dueLevel1: number;
  pausedTasks: number;
  stuckTasks: number;
  confirmedOpen: number;
}

interface Row {
  query: string;
  median: number;
  p95: number;
  index: string;
  planOk: boolean;
  note: string;
  /** The bench process's CPU time per run: the product code's own work (building queries, reading rows). */
  cpuMs: number;
  /** The database's own time for the same statements (EXPLAIN ANALYZE), where measured. */
  serverMs?: number;
  /** Shown for scale, not held to the target (each delivered row is marked on its own, by design). */
  info?: boolean;
}

function sizesFromEnv(): Sizes {
  const orders = Number(process.env.BENCH_SCALE_ORDERS ?? 1_000_000);
  const tasks = Math.min(Number(process.env.BENCH_SCALE_TASKS ?? 200_000), orders);
  return {
    orders,
    tasks,
    outboxSent: Number(process.env.BENCH_SCALE_OUTBOX ?? 3_000_000),
    outboxPending: 3_000,
    dueLevel0: 300,
    dueLevel1: 200,
    pausedTasks: 900,
    stuckTasks: Math.floor(tasks / 2),
    confirmedOpen: 5_000,
  };
}

const n = (v: number) => sql.raw(String(Math.trunc(v)));
const ms = (v: number) => (v >= 100 ? v.toFixed(0) : v.toFixed(1));

/** The order history (kpi-bench), then open tasks reshaped into what a plant running for a while has open. */
async function seedOrdersAndTasks(db: Database, config: BusinessConfig, sizes: Sizes, now: Date) {
  const pendingOrders = Math.ceil(sizes.tasks / 3);
  await seedHistory(db, sizes.orders, pendingOrders * 2, now);
  // seedHistory leaves as many orders in production as waiting for approval; a plant has a few thousand.
  await db.execute(sql`
    update orders set status = 'delivered', stage = 'delivered', stage_at = promised_at, delivered_at = promised_at, etd = null
    where status = 'confirmed' and id < (select min(id) from (select id from orders where status = 'confirmed' order by id desc limit ${n(sizes.confirmedOpen)}) k)`);
  await reshapeOpenTasks(db, config, sizes, now);
}

/**
 * Open tasks, newest first: due at level 0, due at level 1, overdue on paused orders, not due yet (levels 0/1),
 * and the oldest stuck at the top of the ladder with their last due time long past.
 */
async function reshapeOpenTasks(db: Database, config: BusinessConfig, sizes: Sizes, now: Date) {
  const steps = escalationSteps(config, config.departments[0]!);
  const top = steps.length;
  const afterMs = sql.raw(`(array[${steps.map((s) => s.after).join(',')}]::bigint[])`);
  const ladderTo = sql.raw(`(array[${config.escalationLadder.map((s) => `'${s.to}'`).join(',') || "''"}]::text[])`);
  const director = sql.raw(
    `case s.department ${config.departments.map((d) => `when '${d.key}' then '${d.director}'`).join(' ')} end`,
  );
  const a = sizes.dueLevel0;
  const b = a + sizes.dueLevel1;
  const c = b + sizes.pausedTasks;
  const d = Math.max(c, sizes.tasks - sizes.stuckTasks);
  const at = now.toISOString();
  await db.transaction(async (tx) => {
    await tx.execute(sql`create temp table bench_open on commit drop as
      select id, order_id, department, created_at, row_number() over (order by id desc) as r from approval_tasks where status = 'pending'`);
    await tx.execute(sql`
      with shaped as (
        select id, department, r,
          case when r <= ${n(a)} then 0 when r <= ${n(b)} then 1 when r <= ${n(c)} then 0 when r <= ${n(d)} then (r % 2)::int else ${n(top)} end as level,
          case when r <= ${n(a)} then ${at}::timestamptz - ${afterMs}[1] * interval '1 millisecond' - (r % 600) * interval '1 second'
               when r <= ${n(b)} then ${at}::timestamptz - ${afterMs}[2] * interval '1 millisecond' - (r % 600) * interval '1 second'
               when r <= ${n(c)} then ${at}::timestamptz - interval '1 day' - r * interval '1 second'
               when r <= ${n(d)} then ${at}::timestamptz - (r % 7000) * interval '1 second'
               else created_at end as created
        from bench_open)
      update approval_tasks t set escalation_level = s.level, created_at = s.created,
        due_at = s.created + ${afterMs}[least(s.level, ${n(top - 1)}) + 1] * interval '1 millisecond',
        escalated_to = case when s.level = 0 then null when s.level = 1 then ${director} else ${ladderTo}[s.level - 1] end,
        remind_at = case when s.level < ${n(top)} then s.created + ${afterMs}[least(s.level, ${n(top - 1)}) + 1] * interval '1 millisecond' - interval '15 minutes' end
      from shaped s where s.id = t.id`);
    await tx.execute(sql`
      update orders set paused_since = ${at}::timestamptz - interval '20 hours', pause_reason = '等客户图纸'
      where id in (select order_id from bench_open where r > ${n(b)} and r <= ${n(c)})`);
  });
}

/** Delivered effects over two years, and pending ones: due, retrying later, lease expired, lease held, failed. */
async function seedOutbox(db: Database, sizes: Sizes, now: Date) {
  const at = now.toISOString();
  await db.execute(sql`
    insert into outbox (idempotency_key, platform, kind, payload, status, attempts, next_attempt_at, created_at, sent_at)
    select 'bench:sent:' || g, 'playground', 'post',
      jsonb_build_object('kind', 'post', 'to', jsonb_build_object('conversationId', 'sales-east'), 'text', '✅ SO-BENCH-' || g || ' 已确认'),
      'sent', 1, ts, ts, ts + interval '2 seconds'
    from generate_series(1, ${n(sizes.outboxSent)}) g,
      lateral (select ${at}::timestamptz - interval '1 hour' - (63072000 * (1 - g::float8 / ${n(sizes.outboxSent)})) * interval '1 second' as ts) t`);
  await db.execute(sql`
    insert into outbox (idempotency_key, platform, kind, payload, status, attempts, next_attempt_at, locked_until, last_error, created_at)
    select 'bench:pending:' || g, 'playground', 'post',
      jsonb_build_object('kind', 'post', 'to', jsonb_build_object('conversationId', 'bench-' || (g % 20)), 'text', '⏰ SO-BENCH-' || g || ' 审批已升级'),
      case when g % 10 = 9 then 'failed' else 'pending' end,
      case when g % 10 in (5, 6, 9) then 3 else 1 end,
      case when g % 10 in (5, 6) then ${at}::timestamptz + (g % 600) * interval '1 second' else ${at}::timestamptz - (g % 600) * interval '1 second' end,
      case when g % 10 = 7 then ${at}::timestamptz - interval '1 minute' when g % 10 = 8 then ${at}::timestamptz + interval '10 minutes' end,
      case when g % 10 in (5, 6, 9) then 'HTTP 503' end,
      ${at}::timestamptz - interval '10 minutes'
    from generate_series(1, ${n(sizes.outboxPending)}) g`);
}

async function seedScale(db: Database, config: BusinessConfig, sizes: Sizes, now: Date) {
  await migrate(db);
  await seedDemoDataIfEmpty(db, now);
  await seedOrdersAndTasks(db, config, sizes, now);
  await seedOutbox(db, sizes, now);
  await db.execute(sql`vacuum analyze`);
}

/** Median and p95 wall time of `work` over `runs` runs (after one warm-up), and this process's mean CPU time per run. */
async function timed(runs: number, work: () => Promise<unknown>, reset: () => Promise<unknown> = async () => {}) {
  await work();
  await reset();
  const times: number[] = [];
  let cpuMicros = 0;
  for (let i = 0; i < runs; i += 1) {
    const cpu = process.cpuUsage();
    const start = performance.now();
    await work();
    times.push(performance.now() - start);
    const used = process.cpuUsage(cpu);
    cpuMicros += used.user + used.system;
    await reset();
  }
  times.sort((x, y) => x - y);
  const at = (p: number) => times[Math.min(times.length - 1, Math.floor((p / 100) * times.length))]!;
  return { median: at(50), p95: at(95), cpuMs: cpuMicros / 1000 / runs };
}

class Rollback extends Error {}

/** One escalation tick through the bot's scheduled-job path, rolled back so every run finds the same tasks due. */
function escalationTick(bot: Bot): Promise<number> {
  return rolledBackJob(bot, 'escalation', escalateOverdueTasks);
}

/** A scheduled job's run, rolled back; what it returned. */
async function rolledBackJob(bot: Bot, name: string, job: (ctx: HandlerContext) => Promise<number>): Promise<number> {
  let escalated = 0;
  try {
    await bot.runScheduled(name, async (ctx) => {
      escalated = await job(ctx);
      throw new Rollback();
    });
  } catch (err) {
    if (!(err instanceof Rollback)) throw err;
  }
  return escalated;
}

/** A drizzle database on its own connection that records each statement it sends, to EXPLAIN the product's own SQL. */
function recordingDatabase(url: string) {
  const client = postgres(url, { max: 1, onnotice: () => {} });
  const statements: Array<{ query: string; params: unknown[] }> = [];
  const db = drizzle({
    client,
    logger: { logQuery: (query, params) => void statements.push({ query, params }) },
  }) as unknown as Database;
  return { db, client, statements };
}

interface Plan {
  text: string;
  indexes: string[];
  seqScans: string[];
  rowsRead: number;
  buffers: string;
}

async function explain(
  client: postgres.Sql,
  statement: { query: string; params: unknown[] },
  bigTable: string,
): Promise<Plan> {
  let lines: string[] = [];
  await client
    .begin(async (tx) => {
      const rows = await tx.unsafe(
        `explain (analyze, buffers) ${statement.query}`,
        statement.params as postgres.ParameterOrJSON<never>[],
      );
      lines = rows.map((r) => String(Object.values(r)[0]));
      throw new Rollback();
    })
    .catch((err) => {
      if (!(err instanceof Rollback)) throw err;
    });
  const text = lines.join('\n');
  const indexes = [
    ...text.matchAll(/(?:Index Scan|Index Only Scan|Bitmap Index Scan)(?: Backward)? (?:using|on) (\w+)/g),
  ].map((m) => m[1]!);
  const seqScans = [...text.matchAll(/Seq Scan on (\w+)/g)].map((m) => m[1]!);
  const buffers = lines.find((l) => l.includes('Buffers:'))?.trim() ?? '';
  return {
    text,
    indexes: [...new Set(indexes)],
    seqScans: [...new Set(seqScans)],
    rowsRead: rowsReadFrom(lines, bigTable),
    buffers,
  };
}

/** Rows the plan's scans of `table` produced or threw away: what the query walked to find its batch. */
function rowsReadFrom(lines: string[], table: string): number {
  let inTable = false;
  let read = 0;
  for (const line of lines) {
    const node = line.match(
      /(?:->\s+|^)([A-Z][\w ]+?)(?:\s+(?:using|on)\s+\w+)?(?:\s+on\s+(\w+))?(?:\s+\w+)?\s+\(cost=.*actual time=[\d.]+\.\.[\d.]+ rows=(\d+) loops=(\d+)/,
    );
    if (node) {
      const scan = / Scan$/.test(node[1]!) && !/Subquery|Bitmap Index/.test(node[1]!);
      const on = node[2] ?? line.match(/ on (\w+)/)?.[1];
      inTable = scan && on === table;
      if (inTable) read += Number(node[3]) * Number(node[4]);
      continue;
    }
    const removed = line.match(/Rows Removed by (?:Filter|Index Recheck): (\d+)/);
    if (removed && inTable) read += Number(removed[1]);
  }
  return read;
}

/** The database's own time (planning and execution) for statements replayed in order with EXPLAIN ANALYZE, then rolled back. */
async function serverTime(
  client: postgres.Sql,
  statements: Array<{ query: string; params: unknown[] }>,
): Promise<number> {
  let total = 0;
  await client
    .begin(async (tx) => {
      for (const statement of statements) {
        const [row] = await tx.unsafe(
          `explain (analyze, format json) ${statement.query}`,
          statement.params as postgres.ParameterOrJSON<never>[],
        );
        const value = Object.values(row!)[0];
        const [plan] = (typeof value === 'string' ? JSON.parse(value) : value) as Array<Record<string, number>>;
        total += plan!['Planning Time']! + plan!['Execution Time']!;
      }
      throw new Rollback();
    })
    .catch((err) => {
      if (!(err instanceof Rollback)) throw err;
    });
  return total;
}

function combine(plans: Plan[]): Plan {
  return {
    text: plans.map((p) => p.text).join('\n\n'),
    indexes: [...new Set(plans.flatMap((p) => p.indexes))],
    seqScans: [...new Set(plans.flatMap((p) => p.seqScans))],
    rowsRead: plans.reduce((sum, p) => sum + p.rowsRead, 0),
    buffers: plans.map((p) => p.buffers).join('; '),
  };
}

function planVerdict(plan: Plan, expected: RegExp, bigTable: string): { ok: boolean; index: string; note: string } {
  const due = plan.indexes.filter((i) => expected.test(i));
  const problems = [
    ...(due.length === 0 ? ['no partial index on what is due'] : []),
    ...(plan.seqScans.includes(bigTable) ? [`seq scan on ${bigTable}`] : []),
    ...(plan.rowsRead > MAX_ROWS_WALKED ? [`reads ${plan.rowsRead.toLocaleString('en')} rows of ${bigTable}`] : []),
  ];
  return {
    ok: problems.length === 0,
    index: plan.indexes.join('+') || plan.seqScans.map((t) => `seq ${t}`).join('+'),
    note: problems.join('; ') || `${plan.rowsRead} rows read`,
  };
}

function printPlan(title: string, plan: Plan) {
  console.log(
    `\n  plan: ${title}\n${plan.text
      .split('\n')
      .map((l) => `    ${l}`)
      .join('\n')}`,
  );
}

/** The outbox's pending rows as seeded, to put back after each claim or batch. */
async function snapshotOutbox(db: Database) {
  await db.execute(sql`drop table if exists bench_outbox_seeded`);
  await db.execute(sql`create table bench_outbox_seeded as
    select id, status, attempts, next_attempt_at, locked_until, last_error, sent_at from outbox where status <> 'sent' or idempotency_key like 'bench:pending:%'`);
  await db.execute(sql`alter table bench_outbox_seeded add primary key (id)`);
  return () =>
    db.execute(sql`update outbox o set status = b.status, attempts = b.attempts, next_attempt_at = b.next_attempt_at, locked_until = b.locked_until,
        last_error = b.last_error, sent_at = b.sent_at
      from bench_outbox_seeded b where b.id = o.id and (o.attempts, o.status) is distinct from (b.attempts, b.status)`);
}

async function measureEscalation(db: Database, url: string, config: BusinessConfig, seededAt: Date): Promise<Row[]> {
  const log = createLogger('silent');
  const levels = 1 + config.escalationLadder.length;
  const dueNow = new Date(seededAt.getTime() + 1000);
  const [due] = await queryRows<{ due: number; stuck: number; paused: number }>(
    db,
    sql`select count(*) filter (where t.escalation_level < ${levels} and o.paused_since is null)::int as due,
          count(*) filter (where t.escalation_level >= ${levels})::int as stuck,
          count(*) filter (where o.paused_since is not null)::int as paused
        from approval_tasks t join orders o on o.id = t.order_id where t.status = 'pending' and t.due_at <= ${dueNow.toISOString()}::timestamptz`,
  );
  console.log(
    `  open tasks with due_at <= now: ${due!.due} can escalate, ${due!.stuck.toLocaleString('en')} at the top of the ladder, ${due!.paused} on paused orders`,
  );
  // The clock at which just five tasks that can escalate are due: a tick in the steady state.
  const [fifth] = await queryRows<{ at: string }>(
    db,
    sql`select t.due_at as at from approval_tasks t join orders o on o.id = t.order_id
        where t.status = 'pending' and t.escalation_level < ${levels} and o.paused_since is null and t.due_at <= ${dueNow.toISOString()}::timestamptz
        order by t.due_at offset 4 limit 1`,
  );
  const fiveDue = new Date(new Date(fifth!.at).getTime() + 1);
  const nothingDue = new Date(seededAt.getTime() - 20 * 60_000);

  const recorder = await recordJob(url, config, dueNow, 'escalation', escalateOverdueTasks);
  const scans = recorder.statements.filter((s) => /from "approval_tasks"/.test(s.query) && /skip locked/.test(s.query));
  if (scans.length === 0) throw new Error('the escalation query was not seen');
  const planAt = async (at: Date) => combine(await Promise.all(scans.map((s) => explainAt(recorder, s, at))));
  const plans = { full: await planAt(dueNow), five: await planAt(fiveDue), idle: await planAt(nothingDue) };
  printPlan(
    `escalation due scan, 50 due (${scans.length} scan statement(s); ${recorder.statements.length} statements in the whole tick)`,
    plans.full,
  );
  printPlan('escalation due scan, nothing due', plans.idle);
  const tickServerMs = await serverTime(recorder.client, recorder.statements);
  await recorder.client.end();

  let now = dueNow;
  const bot = new Bot({ db, config: fixedConfig(config), log, clock: () => now });
  const tick = async (at: Date) => {
    now = at;
    const escalated = await escalationTick(bot);
    return { escalated, ...(await timed(RUNS, () => escalationTick(bot))) };
  };
  const verdict = (plan: Plan) => withPlan(planVerdict(plan, DUE_INDEXES.escalation, 'approval_tasks'));
  const full = await tick(dueNow);
  const five = await tick(fiveDue);
  const idle = await tick(nothingDue);
  return [
    { query: `escalation tick, ${full.escalated} escalated`, ...full, ...verdict(plans.full), serverMs: tickServerMs },
    { query: `escalation tick, ${five.escalated} escalated`, ...five, ...verdict(plans.five) },
    { query: `escalation tick, ${idle.escalated} due`, ...idle, ...verdict(plans.idle) },
  ];
}

/**
 * The reminder tick (handlers/approval-reminders.ts) at the same scale: every open task below the top of the
 * ladder has a reminder 15 minutes before its deadline, so the seeded backlog holds hundreds of passed points.
 */
async function measureReminders(db: Database, url: string, config: BusinessConfig, seededAt: Date): Promise<Row[]> {
  const log = createLogger('silent');
  const dueNow = new Date(seededAt.getTime() + 1000);
  const [counts] = await queryRows<{ due: number; later: number }>(
    db,
    sql`select count(*) filter (where remind_at <= ${dueNow.toISOString()}::timestamptz)::int as due,
          count(*) filter (where remind_at > ${dueNow.toISOString()}::timestamptz)::int as later
        from approval_tasks where status = 'pending' and remind_at is not null`,
  );
  console.log(`  open tasks with a reminder: ${counts!.due} passed, ${counts!.later.toLocaleString('en')} to come`);
  // The clock at which just five reminders of orders not waiting on the customer have passed, in working hours.
  const [fifth] = await queryRows<{ at: string }>(
    db,
    sql`select t.remind_at as at from approval_tasks t join orders o on o.id = t.order_id
        where t.status = 'pending' and t.remind_at is not null and o.paused_since is null
        and t.remind_at <= ${dueNow.toISOString()}::timestamptz order by t.remind_at offset 4 limit 1`,
  );
  const fiveDue = new Date(new Date(fifth!.at).getTime() + 1);
  const [first] = await queryRows<{ at: string }>(
    db,
    sql`select min(remind_at) as at from approval_tasks where status = 'pending' and remind_at is not null`,
  );
  const nothingDue = new Date(new Date(first!.at).getTime() - 1000);

  const recorder = await recordJob(url, config, dueNow, 'reminders', (ctx) => remindDueTasks(ctx));
  const scan = recorder.statements.find((s) => /from "approval_tasks"/.test(s.query) && /skip locked/.test(s.query));
  if (!scan) throw new Error('the reminder query was not seen');
  const planAt = (at: Date) => explainAt(recorder, scan, at);
  const plans = { full: await planAt(dueNow), five: await planAt(fiveDue), idle: await planAt(nothingDue) };
  printPlan(`reminder due scan, 100 due (${recorder.statements.length} statements in the whole tick)`, plans.full);
  const tickServerMs = await serverTime(recorder.client, recorder.statements);
  await recorder.client.end();

  let now = dueNow;
  const bot = new Bot({ db, config: fixedConfig(config), log, clock: () => now });
  const tick = async (at: Date) => {
    now = at;
    const job = () => rolledBackJob(bot, 'approval-reminders', (ctx) => remindDueTasks(ctx));
    const reminded = await job();
    return { reminded, ...(await timed(RUNS, job)) };
  };
  const verdict = (plan: Plan) => withPlan(planVerdict(plan, DUE_INDEXES.reminders, 'approval_tasks'));
  const full = await tick(dueNow);
  const five = await tick(fiveDue);
  const idle = await tick(nothingDue);
  return [
    { query: `reminder tick, ${full.reminded} reminded`, ...full, ...verdict(plans.full), serverMs: tickServerMs },
    { query: `reminder tick, ${five.reminded} reminded`, ...five, ...verdict(plans.five) },
    { query: `reminder tick, ${idle.reminded} due`, ...idle, ...verdict(plans.idle) },
  ];
}

/** A job's run at `now` on a database that records each statement it sends, rolled back. */
async function recordJob(
  url: string,
  config: BusinessConfig,
  now: Date,
  name: string,
  job: (ctx: HandlerContext) => Promise<unknown>,
) {
  const recorder = recordingDatabase(url);
  const log = createLogger('silent');
  await recorder.db
    .transaction(async (tx) => {
      const ctx = createHandlerContext({ tx, now, config, log, eventKey: `job:${name}:plan`, platform: 'playground' });
      await job(ctx);
      await ctx.flush();
      throw new Rollback();
    })
    .catch((err) => {
      if (!(err instanceof Rollback)) throw err;
    });
  return recorder;
}

/** The same statement with its clock parameter moved to `at`. */
function explainAt(
  recorder: ReturnType<typeof recordingDatabase>,
  statement: { query: string; params: unknown[] },
  at: Date,
) {
  const params = statement.params.map((p) =>
    typeof p === 'string' && /^\d{4}-\d\d-\d\dT/.test(p) ? at.toISOString() : p,
  );
  return explain(recorder.client, { query: statement.query, params }, 'approval_tasks');
}

const withPlan = (v: { ok: boolean; index: string; note: string }) => ({ index: v.index, planOk: v.ok, note: v.note });

async function measureOutbox(db: Database, url: string, seededAt: Date): Promise<Row[]> {
  const log = createLogger('silent');
  const clock = () => new Date(seededAt.getTime() + 1000);
  const restore = await snapshotOutbox(db);
  const [counts] = await queryRows<{ due: number; later: number; expired: number; held: number }>(
    db,
    sql`select count(*) filter (where next_attempt_at <= ${clock().toISOString()}::timestamptz and locked_until is null)::int as due,
          count(*) filter (where next_attempt_at > ${clock().toISOString()}::timestamptz)::int as later,
          count(*) filter (where locked_until < ${clock().toISOString()}::timestamptz)::int as expired,
          count(*) filter (where locked_until >= ${clock().toISOString()}::timestamptz)::int as held
        from outbox where status = 'pending'`,
  );
  console.log(
    `  pending outbox rows: ${counts!.due} due, ${counts!.later} retrying later, ${counts!.expired} with an expired lease, ${counts!.held} leased`,
  );
  const recorder = recordingDatabase(url);
  const recording = new OutboxSender({ db: recorder.db, clock, log, deliver: async () => {} });
  // biome-ignore lint/complexity/useLiteralKeys: the bench times the private claim on its own
  await recording['claim']();
  await restore();
  const claimSql = recorder.statements.find((s) => /update "outbox"/.test(s.query));
  if (!claimSql) throw new Error('the outbox claim was not seen');
  const plan = await explain(recorder.client, claimSql, 'outbox');
  const claimServerMs = await serverTime(recorder.client, [claimSql]);
  printPlan('outbox claim', plan);
  await recorder.client.end();
  const verdict = withPlan(planVerdict(plan, DUE_INDEXES.outbox, 'outbox'));

  const sender = new OutboxSender({ db, clock, log, deliver: async () => {} });
  let claimed = 0;
  // biome-ignore lint/complexity/useLiteralKeys: the bench times the private claim on its own
  const claim = await timed(RUNS, async () => (claimed = (await sender['claim']()).length), restore);
  let delivered = 0;
  const batch = await timed(RUNS, async () => (delivered = await sender.runOnce()), restore);
  await db.execute(sql`drop table bench_outbox_seeded`);
  return [
    { query: `outbox claim (${claimed} rows)`, ...claim, ...verdict, serverMs: claimServerMs },
    { query: `outbox batch, runOnce (${delivered} rows, no-op deliver)`, ...batch, ...verdict, info: true },
  ];
}

async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs: number) {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The ops board, signed in as the demo user: the HTML length and how long it took. */
async function loadBoard(base: string): Promise<{ bytes: number; ms: number }> {
  const login = await fetch(`${base}/board/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'username=ops&password=orderbot',
  });
  const cookie = login.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  if (login.status !== 302 || !cookie) throw new Error(`board login failed: ${login.status}`);
  const start = performance.now();
  const page = await fetch(`${base}/board`, { headers: { cookie } });
  const html = await page.text();
  if (page.status !== 200 || !html.includes('SO-BENCH-')) throw new Error(`the board did not load: ${page.status}`);
  return { bytes: html.length, ms: performance.now() - start };
}

interface ProductRun {
  command: string;
  checkpoints: Array<{ after: string; rss: number; hwm: number }>;
  board: { bytes: number; ms: number };
  kpiMs: number;
  tickMs: number[];
  escalated: number;
  delivered: number;
  left: Array<{ kind: string; status: string; n: number }>;
  errors: number;
  /** The first error lines of its log, printed when there are any. */
  firstErrors: string[];
}

/**
 * Runs the product against the seeded database with its scheduler and outbox sender, loads the board and asks
 * /kpi, then moves the playground clock a minute at a time so every tick has tasks to escalate and effects to send.
 */
async function measureProductRss(db: Database, url: string, ticks: number): Promise<ProductRun> {
  const dataDir = mkdtempSync(join(tmpdir(), 'orderbot-scale-'));
  const product = new BotProcess(
    await freePort(),
    { DATABASE_URL: url, LOG_LEVEL: 'warn', ORDERBOT_DATA_DIR: dataDir },
    join(dataDir, 'product.log'),
  );
  const checkpoints: ProductRun['checkpoints'] = [];
  const checkpoint = (after: string) =>
    checkpoints.push({ after, rss: product.memoryMb('VmRSS'), hwm: product.memoryMb('VmHWM') });
  try {
    await product.start(120_000);
    const base = product.url;
    // The scheduler runs every job once at start (the escalation tick, the ETD refresh of open orders…).
    await new Promise((r) => setTimeout(r, 5000));
    checkpoint('start');
    const board = await loadBoard(base);
    checkpoint('board');
    const kpiStart = performance.now();
    const res = await fetch(`${base}/api/playground/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ conversationId: 'ops', senderId: 'zhouzong', text: '/kpi', messageId: 'scale-kpi' }),
    });
    if (res.status !== 202) throw new Error(`/kpi was not accepted: ${res.status}`);
    await waitUntil(
      'the /kpi reply',
      async () => {
        const rows = await queryRows<{ status: string }>(
          db,
          sql`select o.status from inbound_messages i join outbox o on o.idempotency_key = 'in:' || i.id || ':reply' where i.external_id = 'scale-kpi'`,
        );
        return rows[0]?.status === 'sent';
      },
      60_000,
    );
    const kpiMs = performance.now() - kpiStart;
    checkpoint('/kpi');
    const tickMs: number[] = [];
    for (let i = 0; i < ticks; i += 1) {
      const t0 = performance.now();
      const moved = await fetch(`${base}/api/playground/clock`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ advanceMinutes: 1 }),
      });
      if (moved.status !== 200) throw new Error(`moving the clock failed: ${moved.status}`);
      await moved.arrayBuffer();
      tickMs.push(performance.now() - t0);
    }
    checkpoint(`${ticks} ticks`);
    // What is due on the product's clock (moved ahead by `ticks` minutes) should be sent in the end.
    const left = () =>
      queryRows<{ kind: string; status: string; n: number }>(
        db,
        sql`select kind, status, count(*)::int as n from outbox
            where status = 'pending' and next_attempt_at <= now() + ${ticks} * interval '1 minute'
              and (locked_until is null or locked_until <= now() + ${ticks} * interval '1 minute')
            group by 1, 2 order by 1, 2`,
      );
    await waitUntil('the outbox to drain', async () => (await left()).length === 0, 90_000).catch(() => {});
    checkpoint('outbox drained');
    const [work] = await queryRows<{ escalated: number; delivered: number }>(
      db,
      sql`select (select count(*) from order_events where type = 'task-escalated')::int as escalated,
        (select count(*) from playground_items)::int as delivered`,
    );
    tickMs.sort((x, y) => x - y);
    const errors = product.errorLines();
    return {
      command: `node ${productCommand().join(' ')}`,
      checkpoints,
      board,
      kpiMs,
      tickMs,
      ...work!,
      left: await left(),
      errors: errors.length,
      firstErrors: errors.slice(0, 3),
    };
  } finally {
    await product.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Prints the product run; true when its peak RSS is under the target and it did all its work without errors. */
function printProduct(product: ProductRun, ticks: number): boolean {
  const at = (p: number) =>
    product.tickMs[Math.min(product.tickMs.length - 1, Math.floor((p / 100) * product.tickMs.length))]!;
  const peak = Math.max(...product.checkpoints.map((c) => c.hwm));
  const leftN = product.left.reduce((sum, r) => sum + r.n, 0);
  const ok = peak < TARGET_RSS_MB && product.errors === 0 && leftN === 0;
  console.log(`\n  product process: ${product.command}`);
  console.log(
    `    RSS / peak (VmHWM) after: ${product.checkpoints.map((c) => `${c.after} ${ms(c.rss)} / ${ms(c.hwm)} MB`).join(', ')}`,
  );
  console.log(
    `    board ${ms(product.board.ms)} ms (${product.board.bytes.toLocaleString('en')} chars); /kpi answered in ${ms(product.kpiMs)} ms; ` +
      `${ticks} clock moves, each running the due jobs: p50 ${ms(at(50))} ms, p95 ${ms(at(95))} ms; ` +
      `${product.escalated} escalations, ${product.delivered} effects delivered; ${product.errors} error logs`,
  );
  for (const line of product.firstErrors) console.log(`    error: ${line.slice(0, 600)}`);
  if (leftN > 0)
    console.log(
      `    due but not delivered after 90 s: ${product.left.map((r) => `${r.n} ${r.kind} (${r.status})`).join(', ')}`,
    );
  console.log(`  peak RSS ${ms(peak)} MB vs ${TARGET_RSS_MB} MB target: ${ok ? 'pass' : 'FAIL'}`);
  return ok;
}

const passes = (r: Row) => r.planOk && (r.info === true || r.median < TARGET_MS);

function printTable(rows: Row[]) {
  console.log(
    `\n  ${'query'.padEnd(46)} ${'median'.padStart(8)} ${'p95'.padStart(8)} ${'target'.padStart(7)}  result  index (plan check)`,
  );
  for (const r of rows) {
    const target = r.info ? 'info' : `${TARGET_MS} ms`;
    console.log(
      `  ${r.query.padEnd(46)} ${`${ms(r.median)} ms`.padStart(8)} ${`${ms(r.p95)} ms`.padStart(8)} ${target.padStart(7)}  ${(passes(r) ? 'pass' : 'FAIL').padEnd(6)}  ${r.index} (${r.planOk ? 'ok' : 'BAD'}: ${r.note}; node CPU ${ms(r.cpuMs)} ms${r.serverMs === undefined ? '' : `, database ${ms(r.serverMs)} ms`})`,
    );
  }
  console.log(
    `  (pass: the median under the target and a plan that reads the partial index on what is due and at most ${MAX_ROWS_WALKED.toLocaleString('en')} rows)`,
  );
}

export async function benchScale(): Promise<boolean> {
  const sizes = sizesFromEnv();
  const config = loadBusinessConfig();
  const database = await createTestDatabase('postgres', { poolSize: 4 });
  const url = database.url!;
  try {
    // The ticks of working-time departments run inside working hours: measure at a working moment.
    const real = new Date();
    const workday = config.lifecycle.workday;
    const now = isWorkingMoment(real, config.calendar, workday)
      ? real
      : subtractWorkingTime(real, 3600_000, config.calendar, workday);
    const seedStart = performance.now();
    await seedScale(database.db, config, sizes, now);
    const [size] = await queryRows<{ size: string }>(
      database.db,
      sql`select pg_size_pretty(pg_database_size(current_database())) as size`,
    );
    console.log(
      `scale on postgres: ${sizes.orders.toLocaleString('en')} orders, ${sizes.tasks.toLocaleString('en')} open approval tasks, ` +
        `${sizes.outboxSent.toLocaleString('en')} sent + ${sizes.outboxPending.toLocaleString('en')} pending outbox rows ` +
        `(seeded in ${ms((performance.now() - seedStart) / 1000)} s, database ${size?.size})`,
    );
    const rows = [
      ...(await measureEscalation(database.db, url, config, now)),
      ...(await measureReminders(database.db, url, config, now)),
      ...(await measureOutbox(database.db, url, now)),
    ];
    const ticks = Number(process.env.BENCH_SCALE_TICKS ?? 60);
    const product = await measureProductRss(database.db, url, ticks);
    printTable(rows);
    const rssOk = printProduct(product, ticks);
    return rows.every(passes) && rssOk;
  } finally {
    await database.close();
  }
}
