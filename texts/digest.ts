import { chinaDate } from '../domain/china-time';
import type { KpiFigures, Week } from '../domain/kpi';
import type { Lang } from './catalogue';
import { texts } from './index';

export interface SlowOrder {
  number: string;
  customerName: string | null;
  latencyMs: number;
  paused: boolean;
  /** What the customer is to send while paused ("图纸"), or null. */
  pauseReason: string | null;
  /** Whose approval it waits on when not paused ("技术部、采购部"), or null. */
  waitingOn: string | null;
}

export interface DigestInput {
  language: Lang;
  company: string;
  week: Week;
  thisWeek: KpiFigures;
  lastWeek: KpiFigures;
  departments: readonly { key: string; name: string; nameEn: string }[];
  slowest: readonly SlowOrder[];
}

const MISSING = '—';
const MAX_SLOW = 5;
const percent = (rate: number | null): string => (rate === null ? MISSING : `${Math.round(rate * 100)}%`);

/** Which way the shown figure moved since last week: "↑", "↓", or nothing when equal or unknown. */
function arrow(now: number | null, before: number | null, shown: (v: number) => string): string {
  if (now === null || before === null || shown(now) === shown(before)) return '';
  return now > before ? '↑' : '↓';
}

/** The weekly KPI digest: plain text for a chat message, this week against the week before. */
export function formatDigest(input: DigestInput): string {
  const t = texts(input.language);
  const span = (ms: number | null) => (ms === null ? MISSING : t.format.latency(ms));
  const withArrow = (value: string, moved: string) => (moved === '' ? value : t.kpi.moved(value, moved));
  const spanMoved = (now: number | null, before: number | null) => withArrow(span(now), arrow(now, before, span));
  const rateMoved = (now: number | null, before: number | null) => withArrow(percent(now), arrow(now, before, percent));
  const { thisWeek: w, lastWeek: l } = input;

  const from = chinaDate(input.week.start);
  const to = chinaDate(new Date(input.week.end.getTime() - 1));
  const lines = [
    t.kpi.heading(input.company, input.week.label, `${t.format.date(from)}–${t.format.date(to, from)}`),
    t.kpi.latency(
      spanMoved(w.latencyP50Ms, l.latencyP50Ms),
      spanMoved(w.latencyP90Ms, l.latencyP90Ms),
      `${span(l.latencyP50Ms)} / ${span(l.latencyP90Ms)}`,
      w.confirmedCount,
    ),
    t.kpi.onTime(rateMoved(w.onTimeRate, l.onTimeRate), percent(l.onTimeRate), w.deliveredCount),
    t.kpi.accuracy(rateMoved(w.promiseAccuracy, l.promiseAccuracy), percent(l.promiseAccuracy)),
    t.kpi.complaints(
      rateMoved(w.complaintRate ?? null, l.complaintRate ?? null),
      percent(l.complaintRate ?? null),
      w.complaintCount ?? 0,
    ),
    t.kpi.handling(handlingParts(input, spanMoved)),
  ];
  if (input.slowest.length === 0) return [...lines, t.kpi.noOpenOrders].join('\n');
  const slow = input.slowest.slice(0, MAX_SLOW).map((o, index) =>
    t.kpi.slowOrder({
      index,
      number: o.number,
      customer: o.customerName,
      waited: span(o.latencyMs),
      state: o.paused
        ? { kind: 'paused', reason: o.pauseReason }
        : o.waitingOn
          ? { kind: 'approval', departments: o.waitingOn }
          : { kind: 'none' },
    }),
  );
  return [...lines, t.kpi.slowest, ...slow].join('\n');
}

/** Departments in the company's configured order, then any others by key. */
function handlingParts(input: DigestInput, spanMoved: (now: number | null, before: number | null) => string) {
  const rank = (key: string) => {
    const i = input.departments.findIndex((d) => d.key === key);
    return i === -1 ? input.departments.length : i;
  };
  const rows = [...input.thisWeek.handling].sort((a, b) => rank(a.department) - rank(b.department));
  return rows.map((row) => {
    const known = input.departments.find((d) => d.key === row.department);
    const name = known === undefined ? row.department : input.language === 'zh' ? known.name : known.nameEn;
    const before = input.lastWeek.handling.find((h) => h.department === row.department)?.p50Ms ?? null;
    return `${name} ${spanMoved(row.p50Ms, before)}`;
  });
}
