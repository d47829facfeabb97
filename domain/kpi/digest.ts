/** The weekly KPI digest: plain text for a chat message, zh or en. */
import { chinaDate, formatDate, formatLatency } from '../china-time';
import type { KpiFigures } from './figures';
import type { Week } from './weeks';

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
  language: 'zh' | 'en';
  company: string;
  week: Week;
  thisWeek: KpiFigures;
  lastWeek: KpiFigures;
  departments: readonly { key: string; name: string; nameEn: string }[];
  slowest: readonly SlowOrder[];
}

type Lang = 'zh' | 'en';
const MISSING = '—';
const MAX_SLOW = 5;

function span(ms: number | null, lang: Lang): string {
  return ms === null ? MISSING : formatLatency(ms, lang);
}

const percent = (rate: number | null): string => (rate === null ? MISSING : `${Math.round(rate * 100)}%`);

/** Which way the shown figure moved since last week: "↑", "↓", or nothing when equal or unknown. */
function arrow(now: number | null, before: number | null, shown: (v: number) => string): string {
  if (now === null || before === null || shown(now) === shown(before)) return '';
  return now > before ? '↑' : '↓';
}

function spanWithArrow(now: number | null, before: number | null, lang: Lang): string {
  const moved = arrow(now, before, (v) => span(v, lang));
  return `${span(now, lang)}${moved === '' ? '' : lang === 'zh' ? moved : ` ${moved}`}`;
}

function rateWithArrow(now: number | null, before: number | null, lang: Lang): string {
  const moved = arrow(now, before, percent);
  return `${percent(now)}${moved === '' ? '' : lang === 'zh' ? moved : ` ${moved}`}`;
}

function heading(input: DigestInput): string {
  const lang = input.language;
  const from = chinaDate(input.week.start);
  const to = chinaDate(new Date(input.week.end.getTime() - 1));
  const dates = `${formatDate(from, lang)}–${formatDate(to, lang, from)}`;
  return lang === 'zh'
    ? `📊 ${input.company} 指标周报（${input.week.label}，${dates}）`
    : `📊 ${input.company} weekly KPIs (${input.week.label}, ${dates})`;
}

function latencyLine({ thisWeek: t, lastWeek: l, language: lang }: DigestInput): string {
  const p50 = spanWithArrow(t.latencyP50Ms, l.latencyP50Ms, lang);
  const p90 = spanWithArrow(t.latencyP90Ms, l.latencyP90Ms, lang);
  const before = `${span(l.latencyP50Ms, lang)} / ${span(l.latencyP90Ms, lang)}`;
  return lang === 'zh'
    ? `客户感知时延：中位 ${p50}，P90 ${p90}（上周 ${before}），已确认 ${t.confirmedCount} 单`
    : `Customer-perceived latency: median ${p50}, p90 ${p90} (last week ${before}), ${t.confirmedCount} confirmed`;
}

function deliveryLines({ thisWeek: t, lastWeek: l, language: lang }: DigestInput): string[] {
  const onTime = rateWithArrow(t.onTimeRate, l.onTimeRate, lang);
  const accuracy = rateWithArrow(t.promiseAccuracy, l.promiseAccuracy, lang);
  return lang === 'zh'
    ? [
        `准时交付率：${onTime}（上周 ${percent(l.onTimeRate)}），已签收 ${t.deliveredCount} 单`,
        `承诺准确率：${accuracy}（上周 ${percent(l.promiseAccuracy)}）`,
      ]
    : [
        `On-time delivery: ${onTime} (last week ${percent(l.onTimeRate)}), ${t.deliveredCount} delivered`,
        `Promise accuracy: ${accuracy} (last week ${percent(l.promiseAccuracy)})`,
      ];
}

/** Departments in the company's configured order, then any others by key. */
function handlingLine(input: DigestInput): string {
  const lang = input.language;
  const rank = (key: string) => {
    const i = input.departments.findIndex((d) => d.key === key);
    return i === -1 ? input.departments.length : i;
  };
  const rows = [...input.thisWeek.handling].sort((a, b) => rank(a.department) - rank(b.department));
  const parts = rows.map((row) => {
    const known = input.departments.find((d) => d.key === row.department);
    const name = known === undefined ? row.department : lang === 'zh' ? known.name : known.nameEn;
    const before = input.lastWeek.handling.find((h) => h.department === row.department)?.p50Ms ?? null;
    return `${name} ${spanWithArrow(row.p50Ms, before, lang)}`;
  });
  const list = parts.length === 0 ? MISSING : parts.join(lang === 'zh' ? '，' : ', ');
  return lang === 'zh' ? `各部门处理时长（中位）：${list}` : `Handling time by department (median): ${list}`;
}

/** Rebuilds the pause phrase: "等客户中", "等客户图纸", "等客户确认" (a reason may already start with 客户). */
function waitingZh(reason: string | null): string {
  if (reason === null) return '等客户中';
  return reason.startsWith('客户') ? `等${reason}` : `等客户${reason}`;
}

function slowLine(order: SlowOrder, index: number, lang: Lang): string {
  const who = order.customerName === null ? '' : ` ${order.customerName}`;
  if (lang === 'zh') {
    const waiting = order.paused
      ? `（${waitingZh(order.pauseReason)}）`
      : order.waitingOn
        ? `，待${order.waitingOn}审批`
        : '';
    return `${index + 1}. ${order.number}${who} 已等 ${span(order.latencyMs, lang)}${waiting}`;
  }
  const waiting = order.paused
    ? ` (${order.pauseReason === null ? 'waiting on the customer' : `waiting for ${order.pauseReason}`})`
    : order.waitingOn
      ? `, awaiting ${order.waitingOn}`
      : '';
  return `${index + 1}. ${order.number}${who}, waiting ${span(order.latencyMs, lang)}${waiting}`;
}

function slowLines(input: DigestInput): string[] {
  const lang = input.language;
  if (input.slowest.length === 0) return [lang === 'zh' ? '没有未确认的订单' : 'No open orders'];
  const shown = input.slowest.slice(0, MAX_SLOW).map((o, i) => slowLine(o, i, lang));
  return [lang === 'zh' ? '最慢的未确认订单：' : 'Slowest open orders:', ...shown];
}

export function formatDigest(input: DigestInput): string {
  return [heading(input), latencyLine(input), ...deliveryLines(input), handlingLine(input), ...slowLines(input)].join(
    '\n',
  );
}
