import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chinaDate, chinaTime } from '../../domain/china-time';
import {
  computeKpis,
  latencyClock,
  nextWeeklyRun,
  percentile,
  perceivedLatencyMs,
  runningLatencyMs,
  weekOf,
  type ClockEvent,
} from '../../domain/kpi';

const RUNS = { numRuns: 200 };
const MIN = 60_000;
const DAY = 86_400_000;
const T0 = Date.parse('2026-02-23T00:00:00+08:00');
const t = (minutes: number) => new Date(T0 + minutes * MIN);

const typeArb = fc.constantFrom<ClockEvent['type']>('requested', 'paused', 'resumed', 'confirmed');
/** Noisy histories: any mix of event types, duplicates and strays included. */
const eventsArb = (distinct: boolean) =>
  (distinct
    ? fc.uniqueArray(fc.record({ minute: fc.integer({ min: 0, max: 20_000 }), type: typeArb }), {
        maxLength: 14,
        selector: (e) => e.minute,
      })
    : fc.array(fc.record({ minute: fc.integer({ min: 0, max: 20_000 }), type: typeArb }), { maxLength: 14 })
  ).map((list) => list.map(({ minute, type }): ClockEvent => ({ type, at: t(minute) })));

/**
 * Clean histories: requested, k pause/resume pairs, confirmed, on whole minutes. Also returns the
 * stretches where the clock runs, as [from, to) in minutes.
 */
const cleanHistoryArb = fc
  .array(fc.integer({ min: 2, max: 2_000 }), { minLength: 2, maxLength: 12 })
  .filter((gaps) => gaps.length % 2 === 0)
  .map((gaps) => {
    const times: number[] = [];
    for (const gap of gaps) times.push((times.at(-1) ?? 0) + gap);
    const events: ClockEvent[] = times.map((minute, i) => ({
      type: i === 0 ? 'requested' : i === times.length - 1 ? 'confirmed' : i % 2 === 1 ? 'paused' : 'resumed',
      at: t(minute),
    }));
    const running: [number, number][] = [];
    for (let i = 0; i < times.length; i += 2) running.push([times[i]!, times[i + 1]!]);
    return { events, running, start: times[0]!, stop: times.at(-1)! };
  });

describe('latency clock properties', () => {
  it('a pause/resume pair added where the clock runs, before the request or after confirmation never makes latency larger', () => {
    fc.assert(
      fc.property(cleanHistoryArb, fc.nat(), fc.nat(), fc.nat(), (h, pick, r1, r2) => {
        const stretches: [number, number][] = [[h.start - 500, h.start], ...h.running, [h.stop, h.stop + 500]];
        const [from, to] = stretches[pick % stretches.length]!;
        // In seconds, strictly inside the stretch: never at the same instant as an existing event.
        const pauseSecond = from * 60 + 1 + (r1 % ((to - from) * 60 - 2));
        const resumeSecond = pauseSecond + 1 + (r2 % (to * 60 - pauseSecond - 1));
        const pair: ClockEvent[] = [
          { type: 'paused', at: new Date(T0 + pauseSecond * 1000) },
          { type: 'resumed', at: new Date(T0 + resumeSecond * 1000) },
        ];
        const before = perceivedLatencyMs(h.events)!;
        const after = perceivedLatencyMs([...h.events, ...pair])!;
        expect(after).toBeLessThanOrEqual(before);
        if (pauseSecond > h.start * 60 && resumeSecond < h.stop * 60)
          expect(after).toBe(before - (resumeSecond - pauseSecond) * 1000);
      }),
      RUNS,
    );
  });

  it('a pause still open at confirmation never makes latency larger either', () => {
    fc.assert(
      fc.property(cleanHistoryArb, fc.nat(), (h, pick) => {
        const [from, to] = h.running[pick % h.running.length]!;
        const pauseAt = from + (to - from) / 2;
        const after = perceivedLatencyMs([...h.events, { type: 'paused', at: t(pauseAt) }])!;
        expect(after).toBeLessThanOrEqual(perceivedLatencyMs(h.events)!);
      }),
      RUNS,
    );
  });

  it('0 ≤ latency ≤ stoppedAt − startedAt', () => {
    fc.assert(
      fc.property(eventsArb(false), (events) => {
        const latency = perceivedLatencyMs(events);
        const clock = latencyClock(events);
        if (latency === null) {
          expect(clock.startedAt === null || clock.stoppedAt === null).toBe(true);
          return;
        }
        expect(latency).toBeGreaterThanOrEqual(0);
        expect(latency).toBeLessThanOrEqual(clock.stoppedAt!.getTime() - clock.startedAt!.getTime());
      }),
      RUNS,
    );
  });

  it('without a confirmed event the latency is null', () => {
    fc.assert(
      fc.property(eventsArb(false), (events) => {
        expect(perceivedLatencyMs(events.filter((e) => e.type !== 'confirmed'))).toBeNull();
      }),
      RUNS,
    );
  });

  it('the order of the input array does not matter for distinct timestamps', () => {
    fc.assert(
      fc.property(
        eventsArb(true).chain((events) =>
          fc.tuple(
            fc.constant(events),
            fc.shuffledSubarray(events, { minLength: events.length, maxLength: events.length }),
          ),
        ),
        fc.integer({ min: 0, max: 21_000 }),
        ([events, shuffled], now) => {
          expect(latencyClock(shuffled)).toEqual(latencyClock(events));
          expect(perceivedLatencyMs(shuffled)).toBe(perceivedLatencyMs(events));
          expect(runningLatencyMs(shuffled, t(now))).toBe(runningLatencyMs(events, t(now)));
        },
      ),
      RUNS,
    );
  });

  it('runningLatencyMs is non-decreasing in now, and ends at the final figure', () => {
    fc.assert(
      fc.property(
        eventsArb(false),
        fc.integer({ min: -100, max: 21_000 }),
        fc.integer({ min: -100, max: 21_000 }),
        (events, a, b) => {
          const [early, late] = a <= b ? [a, b] : [b, a];
          expect(runningLatencyMs(events, t(early))).toBeLessThanOrEqual(runningLatencyMs(events, t(late)));
          const final = perceivedLatencyMs(events);
          if (final !== null) expect(runningLatencyMs(events, t(30_000))).toBe(final);
        },
      ),
      RUNS,
    );
  });
});

describe('percentile properties', () => {
  const valuesArb = fc.array(fc.integer({ min: -1_000_000, max: 1_000_000 }), { minLength: 1, maxLength: 30 });
  const pArb = fc.double({ min: 0, max: 1, noNaN: true });

  it('is between min and max', () => {
    fc.assert(
      fc.property(valuesArb, pArb, (values, p) => {
        const v = percentile(values, p)!;
        expect(v).toBeGreaterThanOrEqual(Math.min(...values));
        expect(v).toBeLessThanOrEqual(Math.max(...values));
      }),
      RUNS,
    );
  });

  it('is monotone in p', () => {
    fc.assert(
      fc.property(valuesArb, pArb, pArb, (values, a, b) => {
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        expect(percentile(values, lo)!).toBeLessThanOrEqual(percentile(values, hi)!);
      }),
      RUNS,
    );
  });
});

describe('week properties', () => {
  const instantArb = fc
    .integer({ min: Date.parse('2000-01-01T00:00:00Z'), max: Date.parse('2100-01-01T00:00:00Z') })
    .map((ms) => new Date(ms));

  it('weekOf(x) contains x and starts on a Monday 00:00 China time', () => {
    fc.assert(
      fc.property(instantArb, (x) => {
        const week = weekOf(x);
        expect(week.start.getTime()).toBeLessThanOrEqual(x.getTime());
        expect(x.getTime()).toBeLessThan(week.end.getTime());
        expect(week.end.getTime() - week.start.getTime()).toBe(7 * DAY);
        expect(chinaTime(week.start)).toBe('00:00');
        expect(new Date(`${chinaDate(week.start)}T00:00:00Z`).getUTCDay()).toBe(1);
        expect(week.label).toMatch(/^\d{4}-W(0[1-9]|[1-4]\d|5[0-3])$/);
      }),
      RUNS,
    );
  });

  it('nextWeeklyRun is after `after`, within 7 days, on the right weekday and time', () => {
    const timeArb = fc
      .tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }))
      .map(([h, m]) => `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`);
    fc.assert(
      fc.property(instantArb, fc.integer({ min: 0, max: 6 }), timeArb, (after, weekday, time) => {
        const run = nextWeeklyRun(after, weekday, time);
        expect(run.getTime()).toBeGreaterThan(after.getTime());
        expect(run.getTime() - after.getTime()).toBeLessThanOrEqual(7 * DAY);
        expect(chinaTime(run)).toBe(time);
        expect(new Date(`${chinaDate(run)}T00:00:00Z`).getUTCDay()).toBe(weekday);
      }),
      RUNS,
    );
  });
});

describe('delivery rate properties', () => {
  it('onTimeRate and promiseAccuracy are in [0,1] and promiseAccuracy ≤ onTimeRate', () => {
    const deliveredArb = fc.array(
      fc
        .record({ promised: fc.integer({ min: 0, max: 10_000 }), offset: fc.integer({ min: -5_000, max: 5_000 }) })
        .map(({ promised, offset }) => ({
          promisedAt: t(promised),
          deliveredAt: t(promised + offset),
        })),
      { maxLength: 20 },
    );
    fc.assert(
      fc.property(deliveredArb, fc.integer({ min: 0, max: 3 * 1440 }), (delivered, windowMinutes) => {
        const k = computeKpis({ confirmed: [], delivered, decided: [] }, { promiseWindowMs: windowMinutes * MIN });
        if (delivered.length === 0) {
          expect(k.onTimeRate).toBeNull();
          expect(k.promiseAccuracy).toBeNull();
          return;
        }
        expect(k.onTimeRate!).toBeGreaterThanOrEqual(0);
        expect(k.onTimeRate!).toBeLessThanOrEqual(1);
        expect(k.promiseAccuracy!).toBeGreaterThanOrEqual(0);
        expect(k.promiseAccuracy!).toBeLessThanOrEqual(k.onTimeRate!);
      }),
      RUNS,
    );
  });
});
