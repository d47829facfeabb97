import { asc, eq } from 'drizzle-orm';
import { personName, type BusinessConfig } from '../../config/business-config';
import type { Queryable } from '../../db/client';
import { lineLoadsAhead, weeklyKpis, openOrderCounts, openOrders, type OpenOrderRow } from '../../db/kpi';
import { orderEvents, orderItems, orders } from '../../db/schema';
import { chinaDate, chinaTime, formatDate, formatLatency } from '../../domain/china-time';
import { clockEventsOf, lastWeeks, latencyClock, type KpiFigures } from '../../domain/kpi';
import { addWorkingTime, nextStage, stageLabel, workdayLength, type Stage } from '../../domain/lifecycle';
import { departmentName, departmentNames } from '../../handlers/texts';
import type {
  BoardOrderRow,
  BoardPageData,
  Colour,
  Figure,
  LineLoadRow,
  OrderPageData,
  TimelineEntry,
  WeekPoint,
} from './views';

const LISTED_ORDERS = 100;
const COLOURS: Colour[] = ['blue', 'yellow', 'red'];

/** Everything the board page shows, read in a handful of indexed queries. */
export async function boardPageData(
  q: Queryable,
  config: BusinessConfig,
  now: Date,
  userName: string,
): Promise<BoardPageData> {
  const weeks = lastWeeks(now, 12);
  const loads = await lineLoadRows(q, config, now);
  const busyLines = loads.filter((l) => l.loadPct / 100 >= config.kpi.busyLineLoad).map((l) => l.line);
  const [series, counts, open] = await Promise.all([
    weeklyKpis(q, weeks, config.kpi.promiseWindow, now),
    openOrderCounts(q),
    openOrders(q, {
      now,
      delayAlertMs: config.thresholds.delayAlertAfter,
      dueSoonMs: config.kpi.dueSoon,
      busyLines,
      limit: LISTED_ORDERS,
    }),
  ]);
  return {
    company: config.company,
    userName,
    now,
    figures: headlineFigures(series.at(-1)!, series.at(-2)!),
    weeks: series.map((f, i) => weekPoint(weeks[i]!.label, f)),
    counts: countRows(counts),
    orders: open.rows.map((row) => boardRow(config, row, now)),
    ordersTotal: open.total,
    lines: loads,
  };
}

function weekPoint(label: string, f: KpiFigures): WeekPoint {
  return {
    label,
    latencyP50Ms: f.latencyP50Ms,
    latencyP90Ms: f.latencyP90Ms,
    onTimeRate: f.onTimeRate,
    promiseAccuracy: f.promiseAccuracy,
    handlingP50Ms: f.handlingP50Ms,
  };
}

/** This week's headline numbers against last week's; for durations lower is better, for rates higher. */
export function headlineFigures(current: KpiFigures, previous: KpiFigures): Figure[] {
  const span = (v: number | null) => (v === null ? '—' : formatLatency(v, 'zh'));
  const rate = (v: number | null) => (v === null ? '—' : `${Math.round(v * 100)}%`);
  const figure = (
    label: string,
    now: number | null,
    before: number | null,
    format: (v: number | null) => string,
    lowerIsBetter: boolean,
  ): Figure => ({
    label,
    value: format(now),
    previous: format(before),
    trend: trendOf(now, before, lowerIsBetter),
  });
  return [
    figure('客户感知时延（中位）', current.latencyP50Ms, previous.latencyP50Ms, span, true),
    figure('客户感知时延（P90）', current.latencyP90Ms, previous.latencyP90Ms, span, true),
    figure('准时交付率', current.onTimeRate, previous.onTimeRate, rate, false),
    figure('承诺准确率', current.promiseAccuracy, previous.promiseAccuracy, rate, false),
    figure('部门处理时长（中位）', current.handlingP50Ms, previous.handlingP50Ms, span, true),
    {
      label: '本周确认订单',
      value: String(current.confirmedCount),
      previous: String(previous.confirmedCount),
      trend: 'none',
    },
  ];
}

function trendOf(now: number | null, before: number | null, lowerIsBetter: boolean): Figure['trend'] {
  if (now === null || before === null) return 'none';
  if (now === before) return 'same';
  return now < before === lowerIsBetter ? 'better' : 'worse';
}

function countRows(counts: { status: string; stage: string | null; count: number }[]) {
  const pending = counts.filter((c) => c.status === 'pending_approval').reduce((n, c) => n + c.count, 0);
  const stages = counts
    .filter((c) => c.status === 'confirmed')
    .sort((a, b) => stageOrder(a.stage) - stageOrder(b.stage))
    .map((c) => ({
      status: `confirmed:${c.stage ?? 'confirmed'}`,
      label: stageLabel((c.stage ?? 'confirmed') as Stage, 'zh'),
      count: c.count,
    }));
  return [{ status: 'pending_approval', label: '待审批', count: pending }, ...stages];
}

function stageOrder(stage: string | null): number {
  return ['confirmed', 'in_production', 'qc_passed', 'packed', 'shipped'].indexOf(stage ?? 'confirmed');
}

/** One row of the open-orders table, with the reasons behind its colour. */
export function boardRow(config: BusinessConfig, row: OpenOrderRow, now: Date): BoardOrderRow {
  return {
    number: row.number,
    customerName: row.customerName,
    requesterName: row.requesterName,
    status: row.status,
    statusLabel: row.status === 'pending_approval' ? '待审批' : stageLabel((row.stage ?? 'confirmed') as Stage, 'zh'),
    waitingOn: waitingOn(config, row),
    ageMs: row.status === 'pending_approval' ? row.latencyMs : Math.max(0, now.getTime() - row.requestedAt.getTime()),
    paused: row.pausedSince !== null,
    etd: row.etd,
    promisedAt: row.promisedAt,
    colour: COLOURS[row.severity]!,
    reasons: reasonsOf(config, row, now),
  };
}

function waitingOn(config: BusinessConfig, row: OpenOrderRow): string | null {
  if (row.pausedSince) return row.pauseReason ? `客户（${row.pauseReason}）` : '客户';
  if (row.status === 'pending_approval')
    return row.pendingDepartments.length > 0 ? departmentNames(config, row.pendingDepartments, 'zh') : null;
  const next = nextStage((row.stage ?? 'confirmed') as Stage, []);
  if (!next) return null;
  if (next === 'delivered') return '客户签收';
  const department = config.lifecycle.stages[next].department;
  return department ? departmentName(config, department) : null;
}

function reasonsOf(config: BusinessConfig, row: OpenOrderRow, now: Date): string[] {
  const reasons: string[] = [];
  if (row.nextDueAt) {
    const left = row.nextDueAt.getTime() - now.getTime();
    if (row.escalated) reasons.push('审批超时，已升级');
    else if (row.pausedSince) reasons.push('等客户，审批暂停计时');
    else if (left < 0) reasons.push(`审批超时 ${formatLatency(-left, 'zh')}`);
    else if (left < config.kpi.dueSoon) reasons.push(`审批 ${formatLatency(left, 'zh')}后到期`);
  }
  if (row.etd && row.promisedAt && row.etd > row.promisedAt)
    reasons.push(`预计晚于承诺 ${formatLatency(row.etd.getTime() - row.promisedAt.getTime(), 'zh')}`);
  if (row.onBusyLine) reasons.push('产线负荷高');
  return reasons;
}

/** Each configured line's load over the next five working days (planned load plus reserved production). */
async function lineLoadRows(q: Queryable, config: BusinessConfig, now: Date): Promise<LineLoadRow[]> {
  if (config.lines.length === 0) return [];
  const workday = config.lifecycle.workday;
  const from = chinaDate(now);
  const to = chinaDate(addWorkingTime(now, 5 * workdayLength(workday), config.calendar, workday));
  const loads = await lineLoadsAhead(q, config.lines, from, to, 5);
  return config.lines.map((line) => {
    const load = loads.get(line.id) ?? 0;
    const colour: Colour = load >= 1 ? 'red' : load >= config.kpi.busyLineLoad ? 'yellow' : 'blue';
    return { line: line.id, name: line.name, loadPct: Math.round(load * 100), colour };
  });
}

/** One order's page: its facts, its pauses and every event in order. */
export async function orderPageData(
  q: Queryable,
  config: BusinessConfig,
  now: Date,
  userName: string,
  number: string,
): Promise<OrderPageData | null> {
  const [order] = await q.select().from(orders).where(eq(orders.number, number));
  if (!order) return null;
  const [items, events] = await Promise.all([
    q.select().from(orderItems).where(eq(orderItems.orderId, order.id)).orderBy(asc(orderItems.lineNo)),
    q
      .select()
      .from(orderEvents)
      .where(eq(orderEvents.orderId, order.id))
      .orderBy(asc(orderEvents.at), asc(orderEvents.id)),
  ]);
  const clock = latencyClock(clockEventsOf(order.requestedAt, events, order.confirmedAt));
  const open = order.status === 'pending_approval' || order.status === 'confirmed';
  const severity = open ? await severityOf(q, config, now, order.number) : null;
  return {
    company: config.company,
    userName,
    now,
    order: {
      number: order.number,
      customerName: order.customerName,
      requesterName: order.requesterName,
      statusLabel: statusLabel(order.status, order.stage),
      sourceText: order.sourceText,
      requestedAt: order.requestedAt,
      confirmedAt: order.confirmedAt,
      promisedAt: order.promisedAt,
      etd: order.etd,
      latencyMs: order.latencyMs,
      pausedMs: order.pausedMs + (order.pausedSince ? Math.max(0, now.getTime() - order.pausedSince.getTime()) : 0),
      paused: order.pausedSince !== null,
      colour: severity?.colour ?? 'blue',
      reasons: severity?.reasons ?? [],
      items: items.map((i) => ({ materialCode: i.materialCode, quantity: i.quantity, unit: i.unit })),
    },
    pauses: clock.pauses.map((p) => ({ from: p.from, to: p.to, reason: p.reason ?? null })),
    timeline: collapseEtdRuns(events).map((run) => timelineEntry(config, run.first, run)),
  };
}

async function severityOf(q: Queryable, config: BusinessConfig, now: Date, number: string) {
  const open = await openOrders(q, {
    now,
    delayAlertMs: config.thresholds.delayAlertAfter,
    dueSoonMs: config.kpi.dueSoon,
    busyLines: [],
    limit: 1,
    number,
  });
  const [row] = open.rows;
  return row ? { colour: COLOURS[row.severity]!, reasons: reasonsOf(config, row, now) } : null;
}

function statusLabel(status: string, stage: string | null): string {
  if (status === 'pending_approval') return '待审批';
  if (status === 'rejected') return '已驳回';
  return stageLabel((stage ?? 'confirmed') as Stage, 'zh');
}

type EventRow = typeof orderEvents.$inferSelect;

interface EventRun {
  first: EventRow;
  last: EventRow;
  count: number;
}

/**
 * A stage running late moves the ETD at every refresh (every 30 minutes): a run of ETD changes with
 * nothing in between reads as one line, from the first value to the last.
 */
export function collapseEtdRuns(events: readonly EventRow[]): EventRun[] {
  const runs: EventRun[] = [];
  for (const e of events) {
    const previous = runs.at(-1);
    if (previous && e.type === 'etd-changed' && previous.last.type === 'etd-changed') {
      previous.last = e;
      previous.count += 1;
    } else {
      runs.push({ first: e, last: e, count: 1 });
    }
  }
  return runs;
}

/** How each kind of order event reads on the timeline. */
export function timelineEntry(config: BusinessConfig, e: EventRow, run?: EventRun): TimelineEntry {
  const d = e.data as Record<string, unknown>;
  const actor = e.actorId ? personName(config, e.actorId) : null;
  const dept = typeof d.department === 'string' ? departmentName(config, d.department) : '';
  const at = (v: unknown) =>
    typeof v === 'string' ? `${formatDate(chinaDate(new Date(v)), 'zh')} ${chinaTime(new Date(v))}` : '—';
  const entry = (label: string, kind: TimelineEntry['kind'], detail: string | null = null): TimelineEntry => ({
    at: e.at,
    label,
    actor,
    detail,
    kind,
  });
  switch (e.type) {
    case 'created':
      return entry('创建需求单', 'message', typeof d.dueDate === 'string' ? `要求交期 ${d.dueDate}` : null);
    case 'promise-checked':
      return entry(
        '交期核算',
        'event',
        [d.earliest ? `最早可交 ${String(d.earliest)}` : null, d.explanation ? String(d.explanation) : null]
          .filter(Boolean)
          .join('，') || null,
      );
    case 'promise-blocked':
      return entry('交期受阻', 'event', d.earliest ? `最早可交 ${String(d.earliest)}` : null);
    case 'task-approved':
      return entry(`${dept}同意`, 'decision', typeof d.note === 'string' && d.note ? d.note : null);
    case 'task-rejected':
      return entry(`${dept}驳回`, 'decision', typeof d.note === 'string' ? d.note : null);
    case 'task-escalated':
      return entry(
        `${dept}审批升级`,
        'decision',
        typeof d.waitedMs === 'number' ? `已等 ${formatLatency(d.waitedMs, 'zh')}` : null,
      );
    case 'confirmed':
      return entry('交期确认', 'decision', typeof d.promisedDate === 'string' ? `承诺交期 ${d.promisedDate}` : null);
    case 'rejected':
      return entry('订单驳回', 'decision');
    case 'paused':
      return entry('等客户（暂停计时）', 'pause', typeof d.reason === 'string' ? d.reason : null);
    case 'resumed':
      return entry(
        '客户已回复（继续计时）',
        'pause',
        typeof d.waitedMs === 'number' ? `等待 ${formatLatency(d.waitedMs, 'zh')}` : null,
      );
    case 'stage-completed':
      return entry(
        stageLabel(d.stage as Stage, 'zh'),
        'event',
        typeof d.waybill === 'string' ? `运单 ${d.waybill}` : null,
      );
    case 'etd-changed': {
      const to = run ? (run.last.data as Record<string, unknown>).to : d.to;
      const times =
        run && run.count > 1
          ? `（${run.count} 次更新，至 ${chinaDate(run.last.at).slice(5)} ${chinaTime(run.last.at)}）`
          : '';
      return entry('预计签收变更', 'etd', `${at(d.from)} → ${at(to)}${times}`);
    }
    case 'delay-alert':
      return entry(
        '延误提醒',
        'etd',
        typeof d.lateMs === 'number' ? `晚于承诺 ${formatLatency(d.lateMs, 'zh')}` : null,
      );
    case 'waybill-added':
      return entry('补录运单', 'event', typeof d.waybill === 'string' ? d.waybill : null);
    case 'tracking-updated':
      return entry('物流更新', 'event', typeof d.text === 'string' ? d.text : null);
    case 'sms-rejected':
    case 'sms-uncertain':
      return entry(
        e.type === 'sms-rejected' ? '短信被拒' : '短信结果未知',
        'event',
        typeof d.reason === 'string' ? d.reason : null,
      );
    default:
      return entry(e.type, 'event');
  }
}
