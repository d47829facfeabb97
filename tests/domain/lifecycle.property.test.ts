import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  STAGES,
  addWorkingTime,
  computeEtd,
  delayAlertDue,
  nextStage,
  nextWorkingMoment,
  quietHoursEnd,
  skippedStages,
  workingTimeBetween,
  type EtdArgs,
  type StageDurations,
  type Workday,
} from '../../domain/lifecycle';
import type { WorkCalendar } from '../../domain/promise';

const RUNS = { numRuns: 200 };
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const ORIGIN = Date.parse('2026-01-01T00:00:00+08:00');

const dateAt = (dayOffset: number) => new Date(ORIGIN + dayOffset * DAY + 8 * HOUR).toISOString().slice(0, 10);
const clock = (minutes: number) =>
  `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;

const calendarArb: fc.Arbitrary<WorkCalendar> = fc
  .record({
    weekendDays: fc.constantFrom([0, 6], [0], [], [5, 6, 0]),
    holidays: fc.uniqueArray(fc.integer({ min: 0, max: 90 }), { maxLength: 12 }),
    makeUps: fc.uniqueArray(fc.integer({ min: 0, max: 90 }), { maxLength: 3 }),
  })
  .map((g) => ({
    weekendDays: g.weekendDays,
    holidays: g.holidays.map(dateAt),
    makeUpWorkdays: g.makeUps.map(dateAt),
  }));

const workdayArb: fc.Arbitrary<Workday> = fc
  .record({ start: fc.integer({ min: 24, max: 40 }), end: fc.integer({ min: 60, max: 88 }) })
  .map((g) => ({ start: clock(g.start * 15), end: clock(g.end * 15) }));

/** Mostly on the minute grid, so working-hour boundaries are hit often. */
const instantArb: fc.Arbitrary<Date> = fc
  .tuple(fc.integer({ min: 0, max: 60 * 24 * 60 }), fc.oneof(fc.constant(0), fc.integer({ min: 0, max: MINUTE - 1 })))
  .map(([minutes, ms]) => new Date(ORIGIN + minutes * MINUTE + ms));

const durationArb = (maxHours: number) =>
  fc.oneof(
    fc.integer({ min: 0, max: maxHours * 4 }).map((q) => q * 15 * MINUTE),
    fc.integer({ min: 0, max: maxHours * HOUR }),
  );

const env = fc.record({ calendar: calendarArb, workday: workdayArb });

describe('working time properties', () => {
  it('addWorkingTime never goes back in time', () => {
    fc.assert(
      fc.property(env, instantArb, durationArb(100), ({ calendar, workday }, t, ms) => {
        expect(addWorkingTime(t, ms, calendar, workday).getTime()).toBeGreaterThanOrEqual(t.getTime());
      }),
      RUNS,
    );
  });

  it('addWorkingTime is monotone in ms', () => {
    fc.assert(
      fc.property(env, instantArb, durationArb(60), durationArb(60), ({ calendar, workday }, t, a, b) => {
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        expect(addWorkingTime(t, lo, calendar, workday) <= addWorkingTime(t, hi, calendar, workday)).toBe(true);
      }),
      RUNS,
    );
  });

  it('workingTimeBetween(t, addWorkingTime(t, ms)) === ms', () => {
    fc.assert(
      fc.property(env, instantArb, durationArb(100), ({ calendar, workday }, t, ms) => {
        expect(workingTimeBetween(t, addWorkingTime(t, ms, calendar, workday), calendar, workday)).toBe(ms);
      }),
      RUNS,
    );
  });

  /**
   * Adding a then b equals adding a + b whenever b > 0. With b = 0 it differs exactly when the
   * first addition ends at a day's end: that instant is returned as is, while adding 0 from
   * there moves to the next working moment. The working time between is always a + b.
   */
  it('addWorkingTime composes', () => {
    fc.assert(
      fc.property(env, instantArb, durationArb(50), durationArb(50), ({ calendar, workday }, t, a, b) => {
        const first = addWorkingTime(t, a, calendar, workday);
        const twice = addWorkingTime(first, b, calendar, workday);
        const once = addWorkingTime(t, a + b, calendar, workday);
        if (b > 0) expect(twice).toEqual(once);
        else expect(twice).toEqual(nextWorkingMoment(once, calendar, workday));
        expect(workingTimeBetween(t, twice, calendar, workday)).toBe(a + b);
      }),
      RUNS,
    );
  });

  it('nextWorkingMoment lies inside working hours and is a fixed point of adding 0', () => {
    fc.assert(
      fc.property(env, instantArb, ({ calendar, workday }, t) => {
        const m = nextWorkingMoment(t, calendar, workday);
        expect(m >= t).toBe(true);
        expect(addWorkingTime(m, 0, calendar, workday)).toEqual(m);
        expect(workingTimeBetween(t, m, calendar, workday)).toBe(0);
      }),
      RUNS,
    );
  });
});

const durationsArb: fc.Arbitrary<StageDurations> = fc.record({
  in_production: durationArb(40),
  qc_passed: durationArb(8),
  packed: durationArb(8),
  shipped: durationArb(8),
});

const etdArgsArb: fc.Arbitrary<EtdArgs> = fc
  .record({
    env,
    now: instantArb,
    lag: fc.integer({ min: 0, max: 10 * 24 * 60 }),
    stage: fc.constantFrom(...STAGES.filter((s) => s !== 'delivered')),
    source: fc.constantFrom('stock' as const, 'production' as const),
    durations: durationsArb,
    transitMs: durationArb(96),
    plan: fc.option(fc.record({ start: fc.integer({ min: -5, max: 20 }), length: fc.integer({ min: 0, max: 10 }) }), {
      nil: undefined,
    }),
  })
  .map((g) => {
    const skipped = skippedStages(g.source);
    const stage = skipped.some((s) => s === g.stage) ? 'confirmed' : g.stage;
    const nowDay = Math.floor((g.now.getTime() - ORIGIN) / DAY);
    return {
      now: g.now,
      stage,
      stageSince: new Date(g.now.getTime() - g.lag * MINUTE),
      skipped,
      durations: g.durations,
      transitMs: g.transitMs,
      calendar: g.env.calendar,
      workday: g.env.workday,
      plan: g.plan && {
        productionStart: dateAt(nowDay + g.plan.start),
        productionFinish: dateAt(nowDay + g.plan.start + g.plan.length),
      },
    };
  });

const etdOf = (args: EtdArgs) => computeEtd(args).etd.getTime();

describe('computeEtd properties', () => {
  it('the ETD is never before now', () => {
    fc.assert(
      fc.property(etdArgsArb, (args) => {
        expect(etdOf(args)).toBeGreaterThanOrEqual(args.now.getTime());
      }),
      RUNS,
    );
  });

  it('the ETD is non-decreasing in each duration and in transit', () => {
    const keys = ['in_production', 'qc_passed', 'packed', 'shipped', 'transit'] as const;
    fc.assert(
      fc.property(etdArgsArb, fc.constantFrom(...keys), durationArb(30), (args, key, extra) => {
        const longer: EtdArgs =
          key === 'transit'
            ? { ...args, transitMs: args.transitMs + extra }
            : { ...args, durations: { ...args.durations, [key]: args.durations[key] + extra } };
        expect(etdOf(longer)).toBeGreaterThanOrEqual(etdOf(args));
      }),
      RUNS,
    );
  });

  it('a later now never gives an earlier ETD', () => {
    fc.assert(
      fc.property(etdArgsArb, fc.integer({ min: 0, max: 5 * 24 * 60 }), (args, minutes) => {
        const later = { ...args, now: new Date(args.now.getTime() + minutes * MINUTE) };
        expect(etdOf(later)).toBeGreaterThanOrEqual(etdOf(args));
      }),
      RUNS,
    );
  });

  it('completing the next stage now never makes the ETD later', () => {
    fc.assert(
      fc.property(etdArgsArb, (args) => {
        const next = nextStage(args.stage, args.skipped);
        if (next === null) return;
        expect(etdOf({ ...args, stage: next, stageSince: args.now })).toBeLessThanOrEqual(etdOf(args));
      }),
      RUNS,
    );
  });

  it('steps are the remaining stages in chronological order, ending at the ETD', () => {
    fc.assert(
      fc.property(etdArgsArb, (args) => {
        const { etd, steps } = computeEtd(args);
        const times = steps.map((s) => s.expectedAt.getTime());
        expect(times).toEqual([...times].sort((x, y) => x - y));
        expect(steps.at(-1)?.stage).toBe('delivered');
        expect(steps.some((s) => args.skipped.includes(s.stage))).toBe(false);
        const last = steps.at(-1)!.expectedAt.getTime();
        expect(etd.getTime() - last).toBeGreaterThanOrEqual(0);
        expect(etd.getTime() - last).toBeLessThan(30 * MINUTE);
        expect(etd.getTime() % (30 * MINUTE)).toBe(0);
      }),
      RUNS,
    );
  });
});

describe('alert properties', () => {
  it('no delay alert while the ETD is within the threshold of the promise', () => {
    fc.assert(
      fc.property(
        instantArb,
        instantArb,
        durationArb(48),
        fc.option(instantArb, { nil: null }),
        (etd, promisedAt, threshold, lastAlertEtd) => {
          fc.pre(etd.getTime() <= promisedAt.getTime() + threshold);
          expect(delayAlertDue({ etd, promisedAt, threshold, lastAlertEtd })).toBe(false);
        },
      ),
      RUNS,
    );
  });

  it('quietHoursEnd is later than at and outside quiet hours', () => {
    const clockArb = fc.integer({ min: 0, max: 95 }).map((q) => clock(q * 15));
    fc.assert(
      fc.property(instantArb, clockArb, clockArb, (at, from, to) => {
        const quiet = { from, to };
        const end = quietHoursEnd(at, quiet);
        if (from === to) expect(end).toBeNull();
        if (end === null) return;
        expect(end > at).toBe(true);
        expect(quietHoursEnd(end, quiet)).toBeNull();
        // Quiet all the way: one minute before the end is still quiet.
        expect(quietHoursEnd(new Date(Math.max(at.getTime(), end.getTime() - MINUTE)), quiet)).toEqual(end);
      }),
      RUNS,
    );
  });
});
