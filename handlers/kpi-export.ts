import type { BusinessConfig } from '../config/business-config';
import type { Queryable } from '../db/client';
import { kpiFigures } from '../db/kpi';
import { chinaDate } from '../domain/china-time';
import { weekOf, type KpiFigures } from '../domain/kpi';

const DAY_MS = 86_400_000;

export interface KpiRow {
  period: string;
  from: string;
  to: string;
  figures: KpiFigures;
}

/** One row per week (clipped to the range) and a last row for the whole range. */
export async function kpiRows(
  q: Queryable,
  config: BusinessConfig,
  range: { start: Date; end: Date },
): Promise<KpiRow[]> {
  const rows: KpiRow[] = [];
  for (let start = range.start; start < range.end; ) {
    const week = weekOf(start);
    const end = week.end < range.end ? week.end : range.end;
    rows.push({
      period: week.label,
      ...span(start, end),
      figures: await kpiFigures(q, { start, end }, config.kpi.promiseWindow),
    });
    start = end;
  }
  rows.push({
    period: 'total',
    ...span(range.start, range.end),
    figures: await kpiFigures(q, range, config.kpi.promiseWindow),
  });
  return rows;
}

function span(start: Date, end: Date) {
  return { from: chinaDate(start), to: chinaDate(new Date(end.getTime() - DAY_MS)) };
}

/** The rows as CSV for a spreadsheet: durations in hours, rates as fractions, one handling column per department. */
export async function kpiCsv(q: Queryable, config: BusinessConfig, range: { start: Date; end: Date }): Promise<string> {
  const rows = await kpiRows(q, config, range);
  const departments = config.departments.map((d) => d.key);
  const header = [
    'period',
    'from',
    'to',
    'confirmed_orders',
    'latency_p50_hours',
    'latency_p90_hours',
    'delivered_orders',
    'on_time_rate',
    'promise_accuracy',
    'complaint_orders',
    'complaint_rate',
    'handling_p50_hours',
    ...departments.map((d) => `handling_p50_hours_${d}`),
  ];
  const lines = rows.map(({ period, from, to, figures: f }) => [
    period,
    from,
    to,
    String(f.confirmedCount),
    hours(f.latencyP50Ms),
    hours(f.latencyP90Ms),
    String(f.deliveredCount),
    fraction(f.onTimeRate),
    fraction(f.promiseAccuracy),
    String(f.complaintCount ?? ''),
    fraction(f.complaintRate ?? null),
    hours(f.handlingP50Ms),
    ...departments.map((d) => hours(f.handling.find((h) => h.department === d)?.p50Ms ?? null)),
  ]);
  return `${[header, ...lines].map((cells) => cells.map(csvCell).join(',')).join('\n')}\n`;
}

function hours(ms: number | null): string {
  return ms === null ? '' : (ms / 3_600_000).toFixed(2);
}

function fraction(v: number | null): string {
  return v === null ? '' : v.toFixed(4);
}

function csvCell(value: string): string {
  return /[",\n\r]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}
