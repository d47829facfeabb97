/**
 * The KPIs: perceived latency, on-time delivery, promise accuracy, handling time by department, and the complaint
 * rate (orders with a complaint or return recorded in the period, per order delivered in the period).
 */

/** Same definition as PostgreSQL percentile_cont (linear interpolation between closest ranks); null for an empty list. p in [0,1]. */
export function percentile(values: readonly number[], p: number): number | null {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`percentile: p must be in [0,1], got ${p}`);
  if (values.length === 0) return null;
  const ascending = [...values].sort((a, b) => a - b);
  const position = p * (ascending.length - 1);
  const lower = Math.floor(position);
  const first = ascending[lower]!;
  const second = ascending[Math.ceil(position)]!;
  return first + (second - first) * (position - lower);
}

export interface DeliveredOrder {
  deliveredAt: Date;
  promisedAt: Date;
}

/** On time: delivered at or before the promised time. */
export function isOnTime(o: DeliveredOrder): boolean {
  return o.deliveredAt.getTime() <= o.promisedAt.getTime();
}

/** Within the promised window: on time and not earlier than promisedAt - windowMs (an early truck is a miss too). */
export function isWithinWindow(o: DeliveredOrder, windowMs: number): boolean {
  return isOnTime(o) && o.deliveredAt.getTime() >= o.promisedAt.getTime() - windowMs;
}

export interface KpiInput {
  confirmed: readonly { latencyMs: number }[];
  delivered: readonly DeliveredOrder[];
  decided: readonly { department: string; sentAt: Date; decidedAt: Date }[];
  /** Complaints and returns recorded in the period, by order (an order complained about twice counts once). */
  complaints?: readonly { orderId: number }[];
}

export interface KpiFigures {
  confirmedCount: number;
  latencyP50Ms: number | null;
  latencyP90Ms: number | null;
  deliveredCount: number;
  onTimeRate: number | null;
  promiseAccuracy: number | null;
  handling: { department: string; decidedCount: number; p50Ms: number | null }[];
  handlingP50Ms: number | null;
  /** Orders with a complaint or return recorded in the period. Absent in weeks stored before complaints were kept. */
  complaintCount?: number;
  /** complaintCount / deliveredCount; null without deliveries. */
  complaintRate?: number | null;
}

function share<T>(items: readonly T[], test: (item: T) => boolean): number | null {
  return items.length === 0 ? null : items.filter(test).length / items.length;
}

function handlingByDepartment(decided: KpiInput['decided']): KpiFigures['handling'] {
  const byDepartment = new Map<string, number[]>();
  for (const task of decided) {
    const list = byDepartment.get(task.department) ?? [];
    list.push(handlingMs(task));
    byDepartment.set(task.department, list);
  }
  return [...byDepartment.keys()]
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .map((department) => {
      const list = byDepartment.get(department)!;
      return { department, decidedCount: list.length, p50Ms: percentile(list, 0.5) };
    });
}

/** Clock skew between the chat platform and the database can put a decision a moment before its sending. */
function handlingMs(task: { sentAt: Date; decidedAt: Date }): number {
  return Math.max(0, task.decidedAt.getTime() - task.sentAt.getTime());
}

export function computeKpis(input: KpiInput, options: { promiseWindowMs: number }): KpiFigures {
  const latencies = input.confirmed.map((c) => c.latencyMs);
  return {
    confirmedCount: input.confirmed.length,
    latencyP50Ms: percentile(latencies, 0.5),
    latencyP90Ms: percentile(latencies, 0.9),
    deliveredCount: input.delivered.length,
    onTimeRate: share(input.delivered, isOnTime),
    promiseAccuracy: share(input.delivered, (o) => isWithinWindow(o, options.promiseWindowMs)),
    handling: handlingByDepartment(input.decided),
    handlingP50Ms: percentile(input.decided.map(handlingMs), 0.5),
    ...complaintFigures(new Set((input.complaints ?? []).map((c) => c.orderId)).size, input.delivered.length),
  };
}

export function complaintFigures(complaintCount: number, deliveredCount: number) {
  return { complaintCount, complaintRate: deliveredCount > 0 ? complaintCount / deliveredCount : null };
}
