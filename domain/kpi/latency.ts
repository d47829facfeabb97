/**
 * The customer-perceived latency clock: wall-clock time (24h, not working time) from the customer's
 * request to the confirmed promise, minus the time spent waiting on the customer.
 */

export type ClockEvent =
  | { type: 'requested'; at: Date }
  | { type: 'paused'; at: Date; reason?: string }
  | { type: 'resumed'; at: Date }
  | { type: 'confirmed'; at: Date };

export interface Pause {
  from: Date;
  to: Date | null;
  reason?: string;
}

export interface LatencyClock {
  startedAt: Date | null;
  stoppedAt: Date | null;
  pauses: Pause[];
  pausedMs: number;
}

/** Stable by time: Array.prototype.sort is stable, so equal times keep their input order. */
function sorted(events: readonly ClockEvent[]): ClockEvent[] {
  return [...events].sort((a, b) => a.at.getTime() - b.at.getTime());
}

function closedPausedMs(pauses: readonly Pause[]): number {
  return pauses.reduce((sum, p) => sum + (p.to === null ? 0 : p.to.getTime() - p.from.getTime()), 0);
}

export function latencyClock(events: readonly ClockEvent[]): LatencyClock {
  const ordered = sorted(events);
  const start = ordered.find((e) => e.type === 'requested');
  if (start === undefined) return { startedAt: null, stoppedAt: null, pauses: [], pausedMs: 0 };

  const startMs = start.at.getTime();
  let stoppedAt: Date | null = null;
  const pauses: Pause[] = [];
  let open: Pause | null = null;
  for (const e of ordered) {
    if (e.at.getTime() < startMs) continue;
    if (e.type === 'confirmed') {
      stoppedAt = e.at;
      break;
    }
    if (e.type === 'paused' && open === null) {
      open = e.reason === undefined ? { from: e.at, to: null } : { from: e.at, to: null, reason: e.reason };
      pauses.push(open);
    } else if (e.type === 'resumed' && open !== null) {
      open.to = e.at;
      open = null;
    }
  }
  if (open !== null && stoppedAt !== null) open.to = stoppedAt;
  return { startedAt: start.at, stoppedAt, pauses, pausedMs: closedPausedMs(pauses) };
}

export function perceivedLatencyMs(events: readonly ClockEvent[]): number | null {
  const clock = latencyClock(events);
  if (clock.startedAt === null || clock.stoppedAt === null) return null;
  return Math.max(0, clock.stoppedAt.getTime() - clock.startedAt.getTime() - clock.pausedMs);
}

/**
 * Only events at or before `now` are taken into account, so the figure is what the clock showed at
 * `now` even when later events are already recorded; this keeps it non-decreasing in `now`.
 */
export function runningLatencyMs(events: readonly ClockEvent[], now: Date): number {
  const clock = latencyClock(events.filter((e) => e.at.getTime() <= now.getTime()));
  if (clock.startedAt === null) return 0;
  const openPause = clock.pauses.find((p) => p.to === null);
  const end = clock.stoppedAt ?? openPause?.from ?? now;
  return Math.max(0, end.getTime() - clock.startedAt.getTime() - clock.pausedMs);
}

export function isPaused(events: readonly ClockEvent[]): boolean {
  return latencyClock(events).pauses.some((p) => p.to === null);
}

/** An order's clock events from its request time, its stored order events and, once confirmed, the confirmation. */
export function clockEventsOf(
  requestedAt: Date,
  events: readonly { type: string; at: Date; data: Record<string, unknown> }[],
  confirmedAt: Date | null = null,
): ClockEvent[] {
  const pauses = events.flatMap((e): ClockEvent[] => {
    if (e.type === 'resumed') return [{ type: 'resumed', at: e.at }];
    if (e.type !== 'paused') return [];
    const reason = typeof e.data.reason === 'string' ? e.data.reason : undefined;
    return [{ type: 'paused', at: e.at, ...(reason ? { reason } : {}) }];
  });
  return [
    { type: 'requested', at: requestedAt },
    ...pauses,
    ...(confirmedAt ? [{ type: 'confirmed', at: confirmedAt } as const] : []),
  ];
}
