import { and, eq, inArray, sql } from 'drizzle-orm';
import { complaintFigures, type KpiFigures } from '../domain/kpi';
import { queryRows, type Queryable } from './client';
import { kpiWeeks } from './schema';

/**
 * The KPI queries. Each one reads a range of one indexed timestamp (orders.confirmed_at,
 * orders.delivered_at, approval_tasks.decided_at) and lets PostgreSQL compute the percentiles, so the
 * cost follows the orders in the period, not the whole table.
 */

export interface Buckets {
  /** Start of the first bucket. */
  origin: Date;
  /** Length of each bucket (a week for the charts, the whole range for one period). */
  bucketMs: number;
  count: number;
}

type LatencyRow = { b: number; n: number; p50: number | null; p90: number | null };
type DeliveryRow = { b: number; n: number; on_time: number; within: number };
type HandlingRow = { b: number; department: string | null; n: number; p50: number | null };
type ComplaintRow = { b: number; n: number };

/** The KPIs of each bucket, oldest first. */
export async function kpiSeries(q: Queryable, buckets: Buckets, promiseWindowMs: number): Promise<KpiFigures[]> {
  const origin = buckets.origin.toISOString();
  const end = new Date(buckets.origin.getTime() + buckets.bucketMs * buckets.count).toISOString();
  const bucketOf = (column: string) =>
    sql.raw(
      `floor(extract(epoch from (${column} - '${origin}'::timestamptz)) * 1000 / ${Math.round(buckets.bucketMs)})::int`,
    );
  const [latency, delivery, handling, complaints] = await Promise.all([
    queryRows<LatencyRow>(
      q,
      sql`select ${bucketOf('confirmed_at')} as b, count(*)::int as n,
            percentile_cont(0.5) within group (order by latency_ms) as p50,
            percentile_cont(0.9) within group (order by latency_ms) as p90
          from orders
          where confirmed_at >= ${origin}::timestamptz and confirmed_at < ${end}::timestamptz and latency_ms is not null
          group by 1`,
    ),
    queryRows<DeliveryRow>(
      q,
      sql`select ${bucketOf('delivered_at')} as b, count(*)::int as n,
            (count(*) filter (where delivered_at <= promised_at))::int as on_time,
            (count(*) filter (where delivered_at <= promised_at
              and delivered_at >= promised_at - ${promiseWindowMs} * interval '1 millisecond'))::int as within
          from orders
          where delivered_at >= ${origin}::timestamptz and delivered_at < ${end}::timestamptz and promised_at is not null
          group by 1`,
    ),
    queryRows<HandlingRow>(
      q,
      sql`select ${bucketOf('decided_at')} as b, department, count(*)::int as n,
            percentile_cont(0.5) within group (order by extract(epoch from (decided_at - created_at)) * 1000) as p50
          from approval_tasks
          where status in ('approved', 'rejected') and decided_at >= ${origin}::timestamptz and decided_at < ${end}::timestamptz
          group by grouping sets ((1, department), (1))`,
    ),
    queryRows<ComplaintRow>(
      q,
      sql`select ${bucketOf('at')} as b, count(distinct order_id)::int as n
          from order_complaints
          where at >= ${origin}::timestamptz and at < ${end}::timestamptz
          group by 1`,
    ),
  ]);
  return Array.from({ length: buckets.count }, (_, b) => figuresOf(b, latency, delivery, handling, complaints));
}

/** The KPIs of one period [start, end). */
export async function kpiFigures(
  q: Queryable,
  period: { start: Date; end: Date },
  promiseWindowMs: number,
): Promise<KpiFigures> {
  const [figures] = await kpiSeries(
    q,
    { origin: period.start, bucketMs: period.end.getTime() - period.start.getTime(), count: 1 },
    promiseWindowMs,
  );
  return figures!;
}

/**
 * The KPIs of consecutive weeks, oldest first: weeks that ended before `now` come from (or go into) the
 * kpi_weeks table, so only the current week is computed from the orders each time.
 */
export async function weeklyKpis(
  q: Queryable,
  weeks: readonly { start: Date; end: Date }[],
  promiseWindowMs: number,
  now: Date,
): Promise<KpiFigures[]> {
  if (weeks.length === 0) return [];
  const closed = weeks.filter((w) => w.end <= now);
  const cached = closed.length
    ? await q
        .select()
        .from(kpiWeeks)
        .where(
          and(
            inArray(
              kpiWeeks.weekStart,
              closed.map((w) => w.start),
            ),
            eq(kpiWeeks.promiseWindowMs, promiseWindowMs),
          ),
        )
    : [];
  // A week stored before complaints were kept is computed again (and stored over).
  const known = new Map(
    cached
      .filter((row) => (row.figures as KpiFigures).complaintCount !== undefined)
      .map((row) => [row.weekStart.getTime(), row.figures as KpiFigures]),
  );
  const result: KpiFigures[] = [];
  for (const week of weeks) {
    let figures = known.get(week.start.getTime());
    if (!figures) {
      figures = await kpiFigures(q, week, promiseWindowMs);
      if (week.end <= now) {
        await q
          .insert(kpiWeeks)
          .values({ weekStart: week.start, promiseWindowMs, figures, computedAt: now })
          .onConflictDoUpdate({
            target: [kpiWeeks.weekStart, kpiWeeks.promiseWindowMs],
            set: { figures, computedAt: now },
          });
      }
    }
    result.push(figures);
  }
  return result;
}

function figuresOf(
  b: number,
  latency: LatencyRow[],
  delivery: DeliveryRow[],
  handling: HandlingRow[],
  complaints: ComplaintRow[],
): KpiFigures {
  const l = latency.find((r) => Number(r.b) === b);
  const c = complaints.find((r) => Number(r.b) === b);
  const d = delivery.find((r) => Number(r.b) === b);
  const h = handling.filter((r) => Number(r.b) === b);
  const delivered = d ? Number(d.n) : 0;
  return {
    confirmedCount: l ? Number(l.n) : 0,
    latencyP50Ms: numberOrNull(l?.p50),
    latencyP90Ms: numberOrNull(l?.p90),
    deliveredCount: delivered,
    onTimeRate: delivered > 0 ? Number(d!.on_time) / delivered : null,
    promiseAccuracy: delivered > 0 ? Number(d!.within) / delivered : null,
    handling: h
      .filter((r) => r.department !== null)
      .map((r) => ({ department: r.department!, decidedCount: Number(r.n), p50Ms: numberOrNull(r.p50) }))
      .sort((x, y) => x.department.localeCompare(y.department)),
    handlingP50Ms: numberOrNull(h.find((r) => r.department === null)?.p50),
    ...complaintFigures(c ? Number(c.n) : 0, delivered),
  };
}

function numberOrNull(v: unknown): number | null {
  return v === null || v === undefined ? null : Number(v);
}

export interface OpenOrderRow {
  id: number;
  number: string;
  customerName: string | null;
  requesterName: string;
  status: 'pending_approval' | 'confirmed';
  stage: string | null;
  requestedAt: Date;
  latencyMs: number;
  pausedSince: Date | null;
  pauseReason: string | null;
  etd: Date | null;
  promisedAt: Date | null;
  /** The earliest due time of its pending approvals. */
  nextDueAt: Date | null;
  /** A pending approval went past its deadline and up the ladder. */
  escalated: boolean;
  pendingDepartments: string[];
  /** On a line loaded above the warning level (pending orders only: confirmed ones hold their capacity). */
  onBusyLine: boolean;
  severity: 0 | 1 | 2;
}

export interface OpenOrderQuery {
  now: Date;
  /** ETD later than the promise by more than this is red. */
  delayAlertMs: number;
  /** An approval due within this is yellow. */
  dueSoonMs: number;
  busyLines: string[];
  limit: number;
  /** Only orders waiting for approval, slowest (perceived latency so far) first. */
  pendingOnly?: boolean;
  /** Only this order (its colour on its own page). */
  number?: string;
}

/**
 * Open orders with how urgent they look: 2 (red) an approval overdue (escalated) or the ETD past the promise by more
 * than the alert threshold; 1 (yellow) an approval due soon, the ETD past the promise, or a busy line. While an
 * order waits on the customer its approvals' deadlines do not run.
 */
export async function openOrders(
  q: Queryable,
  query: OpenOrderQuery,
): Promise<{ rows: OpenOrderRow[]; total: number }> {
  const now = query.now.toISOString();
  const busy = query.busyLines.join('\n');
  const pending = query.pendingOnly
    ? sql`o.status = 'pending_approval'`
    : sql`o.status in ('pending_approval', 'confirmed')`;
  const statuses = query.number ? sql`${pending} and o.number = ${query.number}` : pending;
  const latency = sql`(extract(epoch from (${now}::timestamptz - o.requested_at)) * 1000 - o.paused_ms
    - coalesce(extract(epoch from (${now}::timestamptz - o.paused_since)) * 1000, 0))::bigint`;
  const rows = await queryRows<Record<string, unknown>>(
    q,
    sql`with open as (
          select o.id, o.number, o.customer_name, o.requester_name, o.status, o.stage, o.requested_at, o.paused_since,
            o.pause_reason, o.etd, o.promised_at, ${latency} as latency_ms,
            t.next_due, coalesce(t.escalated, false) as escalated, coalesce(t.departments, '{}') as departments,
            (o.status = 'pending_approval' and exists (
              select 1 from order_items i join materials m on m.code = i.material_code
              where i.order_id = o.id and m.line = any(string_to_array(${busy}::text, E'\\n')))) as busy_line
          from orders o
          left join lateral (
            select min(due_at) as next_due, bool_or(escalation_level > 0) as escalated,
              array_agg(department order by id) as departments
            from approval_tasks where order_id = o.id and status = 'pending'
          ) t on true
          where ${statuses}
        )
        select *, case
            when escalated or (paused_since is null and next_due < ${now}::timestamptz)
              or etd > promised_at + ${query.delayAlertMs} * interval '1 millisecond' then 2
            when (paused_since is null and next_due < ${now}::timestamptz + ${query.dueSoonMs} * interval '1 millisecond')
              or etd > promised_at or busy_line then 1
            else 0 end as severity,
          count(*) over () as total
        from open
        order by ${query.pendingOnly ? sql`latency_ms desc` : sql`severity desc, latency_ms desc`}
        limit ${query.limit}`,
  );
  const total = rows.length > 0 ? Number(rows[0]!.total) : 0;
  return { rows: rows.map(openOrderOf), total };
}

function openOrderOf(r: Record<string, unknown>): OpenOrderRow {
  const date = (v: unknown) => (v === null || v === undefined ? null : new Date(v as string));
  return {
    id: Number(r.id),
    number: String(r.number),
    customerName: (r.customer_name as string | null) ?? null,
    requesterName: String(r.requester_name),
    status: r.status as OpenOrderRow['status'],
    stage: (r.stage as string | null) ?? null,
    requestedAt: new Date(r.requested_at as string),
    latencyMs: Number(r.latency_ms),
    pausedSince: date(r.paused_since),
    pauseReason: (r.pause_reason as string | null) ?? null,
    etd: date(r.etd),
    promisedAt: date(r.promised_at),
    nextDueAt: date(r.next_due),
    escalated: r.escalated === true || r.escalated === 't',
    pendingDepartments: pgArray(r.departments),
    onBusyLine: r.busy_line === true || r.busy_line === 't',
    severity: Number(r.severity) as OpenOrderRow['severity'],
  };
}

/** postgres.js and PGlite both parse text[]; a string form is parsed here in case a driver does not. */
function pgArray(v: unknown): string[] {
  if (Array.isArray(v)) return v.map(String);
  if (typeof v === 'string' && v.startsWith('{')) return v.slice(1, -1).split(',').filter(Boolean);
  return [];
}

/** Open orders by status (and stage, once confirmed). */
export async function openOrderCounts(
  q: Queryable,
): Promise<{ status: string; stage: string | null; count: number }[]> {
  const rows = await queryRows<{ status: string; stage: string | null; n: number }>(
    q,
    sql`select status, stage, count(*)::int as n from orders where status in ('pending_approval', 'confirmed') group by status, stage`,
  );
  return rows.map((r) => ({ status: r.status, stage: r.stage, count: Number(r.n) }));
}

/** Each line's load over the next week: the planned load plus what confirmed orders reserved, against capacity. */
export async function lineLoadsAhead(
  q: Queryable,
  lines: readonly { id: string; capacityPerDay: number }[],
  from: string,
  to: string,
  workingDays: number,
): Promise<Map<string, number>> {
  const [planned, reserved] = await Promise.all([
    queryRows<{ line: string; load: number }>(
      q,
      sql`select line, max(load) as load from line_loads where from_date <= ${to}::date and to_date >= ${from}::date group by line`,
    ),
    queryRows<{ line: string; quantity: number }>(
      q,
      sql`select line, sum(quantity)::int as quantity from reservations
          where kind = 'production' and day >= ${from}::date and day <= ${to}::date group by line`,
    ),
  ]);
  const result = new Map<string, number>();
  for (const line of lines) {
    const base = Number(planned.find((r) => r.line === line.id)?.load ?? 0);
    const held = Number(reserved.find((r) => r.line === line.id)?.quantity ?? 0);
    result.set(line.id, base + held / Math.max(1, line.capacityPerDay * Math.max(1, workingDays)));
  }
  return result;
}
