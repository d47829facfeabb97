import { asc, eq, inArray } from 'drizzle-orm';
import {
  boardThresholds,
  type BoardThresholds,
  personName,
  type BusinessConfig,
  departmentName,
} from '../../config/business-config';
import type { Queryable } from '../../db/client';
import { lineLoadsAhead, weeklyKpis, openOrderCounts, openOrders, type OpenOrderRow } from '../../db/kpi';
import { orderEvents, orderItems, orders } from '../../db/schema';
import { chinaDate, chinaTime } from '../../domain/china-time';
import { clockEventsOf, lastWeeks, latencyClock, type KpiFigures } from '../../domain/kpi';
import { addWorkingTime, nextStage, workdayLength, type Stage } from '../../domain/lifecycle';
import { type Lang, texts } from '../../texts';
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
  lang: Lang = 'zh',
): Promise<BoardPageData> {
  const weeks = lastWeeks(now, 12);
  const thresholds = boardThresholds(config);
  const loads = await lineLoadRows(q, config, thresholds, now);
  const busyLines = loads.filter((l) => reaches(l.loadPct, thresholds.lineLoad.yellow)).map((l) => l.line);
  const [series, counts, open] = await Promise.all([
    weeklyKpis(q, weeks, config.kpi.promiseWindow, now),
    openOrderCounts(q),
    openOrders(q, {
      now,
      delayAlertMs: thresholds.lateness.red,
      dueSoonMs: thresholds.dueSoon,
      busyLines,
      limit: LISTED_ORDERS,
    }),
  ]);
  const erpNumbers = await erpNumbersOf(
    q,
    open.rows.map((r) => r.number),
  );
  return {
    company: config.company,
    userName,
    now,
    channelPages: config.channels.shops.length > 0,
    figures: headlineFigures(series.at(-1)!, series.at(-2)!, lang),
    weeks: series.map((f, i) => weekPoint(weeks[i]!.label, f)),
    counts: countRows(counts, lang),
    orders: byColour(open.rows, thresholds, now).map((row) => ({
      ...boardRow(config, row, now, lang),
      erpNumber: erpNumbers.get(row.number) ?? null,
    })),
    ordersTotal: open.total,
    lines: loads,
    thresholds,
  };
}

/** The ERP sale order numbers of the listed orders (written back ones only). */
async function erpNumbersOf(q: Queryable, numbers: string[]): Promise<Map<string, string>> {
  if (numbers.length === 0) return new Map();
  const rows = await q
    .select({ number: orders.number, erpNumber: orders.erpNumber })
    .from(orders)
    .where(inArray(orders.number, numbers));
  return new Map(rows.flatMap((r) => (r.erpNumber ? [[r.number, r.erpNumber] as const] : [])));
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
export function headlineFigures(current: KpiFigures, previous: KpiFigures, lang: Lang = 'zh'): Figure[] {
  const t = texts(lang);
  const labels = t.board.figures;
  const span = (v: number | null) => (v === null ? '—' : t.format.latency(v));
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
    figure(labels.latencyP50, current.latencyP50Ms, previous.latencyP50Ms, span, true),
    figure(labels.latencyP90, current.latencyP90Ms, previous.latencyP90Ms, span, true),
    figure(labels.onTime, current.onTimeRate, previous.onTimeRate, rate, false),
    figure(labels.accuracy, current.promiseAccuracy, previous.promiseAccuracy, rate, false),
    figure(labels.complaints, current.complaintRate ?? null, previous.complaintRate ?? null, rate, true),
    figure(labels.handlingP50, current.handlingP50Ms, previous.handlingP50Ms, span, true),
    {
      label: labels.confirmed,
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

function countRows(counts: { status: string; stage: string | null; count: number }[], lang: Lang) {
  const t = texts(lang);
  const pending = counts.filter((c) => c.status === 'pending_approval').reduce((n, c) => n + c.count, 0);
  const stages = counts
    .filter((c) => c.status === 'confirmed')
    .sort((a, b) => stageOrder(a.stage) - stageOrder(b.stage))
    .map((c) => ({
      status: `confirmed:${c.stage ?? 'confirmed'}`,
      label: t.stages.label((c.stage ?? 'confirmed') as Stage),
      count: c.count,
    }));
  return [{ status: 'pending_approval', label: t.board.status.pendingApproval, count: pending }, ...stages];
}

function stageOrder(stage: string | null): number {
  return ['confirmed', 'in_production', 'qc_passed', 'packed', 'shipped'].indexOf(stage ?? 'confirmed');
}

/**
 * The rows most urgent first, then slowest first, as the query orders them; the query counts any lateness as
 * yellow, and an order late by no more than kpi.lateness.yellow is not.
 */
function byColour(rows: OpenOrderRow[], thresholds: BoardThresholds, now: Date): OpenOrderRow[] {
  const rank = new Map(rows.map((row) => [row, levelOf(findings(row, thresholds, now))]));
  return [...rows].sort((a, b) => rank.get(b)! - rank.get(a)! || b.latencyMs - a.latencyMs);
}

/** One row of the open-orders table, with the reasons behind its colour. */
export function boardRow(config: BusinessConfig, row: OpenOrderRow, now: Date, lang: Lang = 'zh'): BoardOrderRow {
  const thresholds = boardThresholds(config);
  const found = findings(row, thresholds, now, lang);
  return {
    number: row.number,
    customerName: row.customerName,
    requesterName: row.requesterName,
    status: row.status,
    statusLabel: statusLabel(row.status, row.stage, lang),
    waitingOn: waitingOn(config, row, lang),
    ageMs: row.status === 'pending_approval' ? row.latencyMs : Math.max(0, now.getTime() - row.requestedAt.getTime()),
    paused: row.pausedSince !== null,
    etd: row.etd,
    promisedAt: row.promisedAt,
    late: lateBy(row) > thresholds.lateness.yellow,
    colour: COLOURS[levelOf(found)]!,
    reasons: found.map((f) => f.text),
  };
}

function waitingOn(config: BusinessConfig, row: OpenOrderRow, lang: Lang): string | null {
  const t = texts(lang);
  const w = t.board.waitingOn;
  if (row.pausedSince) return row.pauseReason ? w.customerFor(row.pauseReason) : w.customer;
  if (row.status === 'pending_approval')
    return row.pendingDepartments.length > 0
      ? t.format.list(row.pendingDepartments.map((d) => departmentName(config, d, lang)))
      : null;
  const next = nextStage((row.stage ?? 'confirmed') as Stage, []);
  if (!next) return null;
  if (next === 'delivered') return w.customerSignOff;
  const department = config.lifecycle.stages[next].department;
  return department ? departmentName(config, department, lang) : null;
}

/** How much later than its promise an order is expected (0 when it is not, or either is unknown). */
function lateBy(row: OpenOrderRow): number {
  return row.etd && row.promisedAt ? Math.max(0, row.etd.getTime() - row.promisedAt.getTime()) : 0;
}

/** A reason on an order's row, and the colour it gives it: red (2), yellow (1) or none, only worth saying (0). */
interface Finding {
  level: 0 | 1 | 2;
  text: string;
}

/**
 * Why an order is red or yellow: the rule of openOrders' severity (db/kpi), with the board's thresholds for
 * lateness; its colour is the most urgent finding's.
 */
function findings(row: OpenOrderRow, thresholds: BoardThresholds, now: Date, lang: Lang = 'zh'): Finding[] {
  const { format, board } = texts(lang);
  const r = board.reasons;
  const found: Finding[] = [];
  if (row.nextDueAt) {
    const left = row.nextDueAt.getTime() - now.getTime();
    if (row.escalated) found.push({ level: 2, text: r.escalated });
    else if (row.pausedSince) found.push({ level: 0, text: r.pausedApproval });
    else if (left < 0) found.push({ level: 2, text: r.approvalOverdue(format.latency(-left)) });
    else if (left < thresholds.dueSoon) found.push({ level: 1, text: r.approvalDueIn(format.latency(left)) });
  }
  const late = lateBy(row);
  if (late > thresholds.lateness.yellow)
    found.push({ level: late > thresholds.lateness.red ? 2 : 1, text: r.etdLate(format.latency(late)) });
  if (row.onBusyLine) found.push({ level: 1, text: r.busyLine });
  return found;
}

/** The most urgent finding's level: 2 red, 1 yellow, 0 blue. */
function levelOf(found: Finding[]): 0 | 1 | 2 {
  return Math.max(0, ...found.map((f) => f.level)) as 0 | 1 | 2;
}

/** Whether a load shown as a whole percentage is at a threshold or above (0.57 × 100 is 56.99999… in floating point). */
function reaches(loadPct: number, share: number): boolean {
  return loadPct >= Math.round(share * 100_000) / 1000;
}

/**
 * A line's load as the board shows it, a whole percentage, and its colour by that same figure (a line shown at
 * 85% is red when red starts at 85%).
 */
export function lineLoadRow(
  line: { id: string; name: string },
  load: number,
  lineLoad: BoardThresholds['lineLoad'],
): LineLoadRow {
  const loadPct = Math.round(load * 100);
  const colour: Colour = reaches(loadPct, lineLoad.red) ? 'red' : reaches(loadPct, lineLoad.yellow) ? 'yellow' : 'blue';
  return { line: line.id, name: line.name, loadPct, colour };
}

/** Each configured line's load over the next five working days (planned load plus reserved production). */
async function lineLoadRows(
  q: Queryable,
  config: BusinessConfig,
  thresholds: BoardThresholds,
  now: Date,
): Promise<LineLoadRow[]> {
  if (config.lines.length === 0) return [];
  const workday = config.lifecycle.workday;
  const from = chinaDate(now);
  const to = chinaDate(addWorkingTime(now, 5 * workdayLength(workday), config.calendar, workday));
  const loads = await lineLoadsAhead(q, config.lines, from, to, 5);
  return config.lines.map((line) => lineLoadRow(line, loads.get(line.id) ?? 0, thresholds.lineLoad));
}

/** One order's page: its facts, its pauses and every event in order. */
export async function orderPageData(
  q: Queryable,
  config: BusinessConfig,
  now: Date,
  userName: string,
  number: string,
  lang: Lang = 'zh',
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
  const severity = open ? await severityOf(q, config, now, order.number, lang) : null;
  return {
    company: config.company,
    userName,
    now,
    order: {
      number: order.number,
      customerName: order.customerName,
      requesterName: order.requesterName,
      statusLabel: statusLabel(order.status, order.stage, lang),
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
      erpNumber: order.erpNumber,
    },
    pauses: clock.pauses.map((p) => ({ from: p.from, to: p.to, reason: p.reason ?? null })),
    timeline: collapseEtdRuns(events).map((run) => timelineEntry(config, run.first, run, lang)),
  };
}

async function severityOf(q: Queryable, config: BusinessConfig, now: Date, number: string, lang: Lang) {
  const thresholds = boardThresholds(config);
  const open = await openOrders(q, {
    now,
    delayAlertMs: thresholds.lateness.red,
    dueSoonMs: thresholds.dueSoon,
    busyLines: [],
    limit: 1,
    number,
  });
  const [row] = open.rows;
  if (!row) return null;
  const found = findings(row, thresholds, now, lang);
  return { colour: COLOURS[levelOf(found)]!, reasons: found.map((f) => f.text) };
}

function statusLabel(status: string, stage: string | null, lang: Lang): string {
  const t = texts(lang);
  if (status === 'pending_approval') return t.board.status.pendingApproval;
  if (status === 'rejected') return t.board.status.rejected;
  return t.stages.label((stage ?? 'confirmed') as Stage);
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
export function timelineEntry(config: BusinessConfig, e: EventRow, run?: EventRun, lang: Lang = 'zh'): TimelineEntry {
  const { format, stages, board, erp } = texts(lang);
  const tl = board.timeline;
  const d = e.data as Record<string, unknown>;
  const actor = e.actorId ? personName(config, e.actorId) : null;
  const dept = typeof d.department === 'string' ? departmentName(config, d.department, lang) : '';
  // "2月28日 15:30": never with the year (the instant's own date is passed as today).
  const at = (v: unknown) => {
    if (typeof v !== 'string') return '—';
    const instant = new Date(v);
    return format.dateTime(instant, chinaDate(instant));
  };
  const entry = (label: string, kind: TimelineEntry['kind'], detail: string | null = null): TimelineEntry => ({
    at: e.at,
    label,
    actor,
    detail,
    kind,
  });
  switch (e.type) {
    case 'created':
      return entry(tl.created, 'message', typeof d.dueDate === 'string' ? tl.requestedDate(d.dueDate) : null);
    case 'promise-checked':
      return entry(
        tl.promiseChecked,
        'event',
        tl.checkDetail(d.earliest ? String(d.earliest) : null, d.explanation ? String(d.explanation) : null) || null,
      );
    case 'promise-blocked':
      return entry(tl.promiseBlocked, 'event', d.earliest ? tl.earliest(String(d.earliest)) : null);
    case 'task-approved':
      return entry(tl.approved(dept), 'decision', typeof d.note === 'string' && d.note ? d.note : null);
    case 'task-rejected':
      return entry(tl.rejected(dept), 'decision', typeof d.note === 'string' ? d.note : null);
    case 'task-escalated':
      return entry(
        tl.escalated(dept),
        'decision',
        typeof d.waitedMs === 'number' ? tl.waited(format.latency(d.waitedMs)) : null,
      );
    case 'confirmed':
      return entry(
        tl.confirmed,
        'decision',
        typeof d.promisedDate === 'string' ? tl.promisedDate(d.promisedDate) : null,
      );
    case 'rejected':
      return entry(tl.orderRejected, 'decision');
    case 'paused':
      return entry(tl.paused, 'pause', typeof d.reason === 'string' ? d.reason : null);
    case 'resumed':
      return entry(
        tl.resumed,
        'pause',
        typeof d.waitedMs === 'number' ? tl.waitedFor(format.latency(d.waitedMs)) : null,
      );
    case 'stage-completed':
      return entry(
        stages.label(d.stage as Stage),
        'event',
        typeof d.waybill === 'string' ? tl.waybill(d.waybill) : null,
      );
    case 'etd-changed': {
      const to = run ? (run.last.data as Record<string, unknown>).to : d.to;
      const updates =
        run && run.count > 1
          ? { count: run.count, lastAt: `${chinaDate(run.last.at).slice(5)} ${chinaTime(run.last.at)}` }
          : null;
      return entry(tl.etdChanged, 'etd', tl.etdChange(at(d.from), at(to), updates));
    }
    case 'delay-alert':
      return entry(tl.delayAlert, 'etd', typeof d.lateMs === 'number' ? tl.lateBy(format.latency(d.lateMs)) : null);
    case 'waybill-added':
      return entry(tl.waybillAdded, 'event', typeof d.waybill === 'string' ? d.waybill : null);
    case 'tracking-updated':
      return entry(tl.trackingUpdated, 'event', typeof d.text === 'string' ? d.text : null);
    case 'sms-rejected':
    case 'sms-uncertain':
      return entry(
        e.type === 'sms-rejected' ? tl.smsRejected : tl.smsUncertain,
        'event',
        typeof d.reason === 'string' ? d.reason : null,
      );
    case 'erp-written':
      return entry(
        erp.board.written(erp.name(d.erp === 'u8' ? 'u8' : 'kingdee')),
        'event',
        typeof d.number === 'string' ? d.number : null,
      );
    case 'erp-refused':
      return entry(
        erp.board.refused,
        'event',
        typeof d.reason === 'string' ? d.reason : typeof d.customer === 'string' ? d.customer : null,
      );
    default:
      return entry(e.type, 'event');
  }
}
