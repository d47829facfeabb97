import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type ApprovalClock,
  addClockTime,
  clockTimeBetween,
  deadlineAfterWait,
  isClockRunning,
  nextReminderTime,
  type ReminderPoint,
  reminderTimes,
  subtractClockTime,
} from '../../domain/approval-time';
import {
  addWorkingTime,
  isWorkingMoment,
  nextWorkingMoment,
  subtractWorkingTime,
  type Workday,
  workingTimeBetween,
} from '../../domain/lifecycle/working-time';
import { officialCalendar } from '../../domain/official-calendar';
import { isWorkingDay, type WorkCalendar } from '../../domain/promise';

/**
 * Properties of approval deadlines on a working clock (the plant's working hours on its working days, China
 * time) and on a wall clock. The oracle for "inside working time" is written here from the calendar's working
 * days and the workday's HH:mm, not from working-time.ts.
 */

const RUNS = { numRuns: 150 };
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const CN = 8 * HOUR;
/** 2025-01-01 00:00 China time. */
const ORIGIN = Date.parse('2025-01-01T00:00:00+08:00');
/** 2025-01-01 … 2027-12-31. */
const SPAN_DAYS = 3 * 365;

const at = (iso: string) => new Date(iso);
const chinaDateOf = (t: number) => new Date(t + CN).toISOString().slice(0, 10);
const dateAt = (dayOffset: number) => chinaDateOf(ORIGIN + dayOffset * DAY);
/** China midnight of the China date of `t`. */
const chinaMidnight = (t: number) => Math.floor((t + CN) / DAY) * DAY - CN;
const hhmm = (minutes: number) =>
  `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
const clockMs = (s: string) => Number(s.slice(0, 2)) * HOUR + Number(s.slice(3, 5)) * MINUTE;
const lengthOf = (w: Workday) => clockMs(w.end) - clockMs(w.start);

/** Inside a working day's hours, start included, end excluded (independent of working-time.ts). */
function insideHours(t: number, calendar: WorkCalendar, workday: Workday): boolean {
  const sinceMidnight = t - chinaMidnight(t);
  return (
    isWorkingDay(chinaDateOf(t), calendar) &&
    sinceMidnight >= clockMs(workday.start) &&
    sinceMidnight < clockMs(workday.end)
  );
}

/** Exactly the end of a working day's hours (for a 24:00 end that is the next China midnight). */
function endOfHours(t: number, calendar: WorkCalendar, workday: Workday): boolean {
  const day = chinaMidnight(t - 1);
  return isWorkingDay(chinaDateOf(day), calendar) && t === day + clockMs(workday.end);
}

// ---------------------------------------------------------------------------------------------------------
// Arbitraries

const NAMED_WORKDAYS: Workday[] = [
  { start: '08:30', end: '17:30' },
  { start: '09:00', end: '18:00' },
  { start: '00:00', end: '24:00' },
  { start: '07:00', end: '12:00' },
  { start: '09:00', end: '17:30' },
];

const workdayArb: fc.Arbitrary<Workday> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...NAMED_WORKDAYS) },
  {
    weight: 1,
    arbitrary: fc
      .record({ start: fc.integer({ min: 0, max: 48 }), end: fc.integer({ min: 52, max: 96 }) })
      .map((g) => ({ start: hhmm(g.start * 15), end: hhmm(g.end * 15) })),
  },
);

const OFFICIAL: WorkCalendar = (() => {
  const y25 = officialCalendar(2025)!;
  const y26 = officialCalendar(2026)!;
  return {
    holidays: [...y25.holidays, ...y26.holidays],
    makeUpWorkdays: [...y25.makeUpWorkdays, ...y26.makeUpWorkdays],
  };
})();
const OFFICIAL_2026: WorkCalendar = { ...officialCalendar(2026)! };

/** Instants 2025–2027, mostly on the minute grid so working-hour boundaries are hit often. */
const instantArb: fc.Arbitrary<Date> = fc
  .tuple(
    fc.integer({ min: 0, max: SPAN_DAYS * 24 * 60 }),
    fc.oneof(fc.constant(0), fc.integer({ min: 0, max: MINUTE - 1 })),
  )
  .map(([minutes, ms]) => new Date(ORIGIN + minutes * MINUTE + ms));

/**
 * A random calendar whose holidays and make-up days fall near `day` (days after ORIGIN), so that they matter
 * to a few days of working time from there; or the real 2025–2026 official calendar.
 */
const calendarNear = (day: number): fc.Arbitrary<WorkCalendar> =>
  fc.oneof(
    fc
      .record({
        weekendDays: fc.constantFrom<number[]>([0, 6], [0, 6], [0], [], [5, 6]),
        holidays: fc.uniqueArray(fc.integer({ min: -7, max: 21 }), { maxLength: 5 }),
        makeUps: fc.uniqueArray(fc.integer({ min: -7, max: 21 }), { maxLength: 3 }),
      })
      .map((g) => ({
        weekendDays: g.weekendDays,
        holidays: g.holidays.map((d) => dateAt(day + d)),
        makeUpWorkdays: g.makeUps.map((d) => dateAt(day + d)),
      })),
    fc.constant(OFFICIAL),
  );

/** 0 … 5 working days, in whole minutes, in ms, or as a multiple of a quarter workday (ends on boundaries). */
const durationArb = (workday: Workday): fc.Arbitrary<number> => {
  const len = lengthOf(workday);
  return fc.oneof(
    fc.integer({ min: 0, max: (5 * len) / MINUTE }).map((m) => m * MINUTE),
    fc.integer({ min: 0, max: 5 * len }),
    fc.integer({ min: 0, max: 20 }).map((q) => (q * len) / 4),
  );
};

interface Scenario {
  start: Date;
  calendar: WorkCalendar;
  workday: Workday;
  clock: ApprovalClock & { kind: 'working' };
  ms: number;
}

const scenarioOf = (workdays: fc.Arbitrary<Workday>): fc.Arbitrary<Scenario> =>
  instantArb.chain((start) =>
    fc
      .record({
        calendar: calendarNear(Math.floor((start.getTime() - ORIGIN) / DAY)),
        workday: workdays,
      })
      .chain(({ calendar, workday }) =>
        durationArb(workday).map((ms) => ({
          start,
          calendar,
          workday,
          clock: { kind: 'working' as const, calendar, workday },
          ms,
        })),
      ),
  );

const scenarioArb = scenarioOf(workdayArb);

/**
 * For properties that go back in working time: subtractWorkingTime never returns for a workday that ends at
 * 24:00 but starts after 00:00 once it crosses a day (see the 'going back over midnight' test, which runs it in
 * a child process with a timeout), and a synchronous endless loop would hang the whole test run. 00:00–24:00
 * stays in.
 */
const backSafe = (w: Workday) => !(w.end === '24:00' && w.start !== '00:00');
const backScenarioArb = scenarioOf(workdayArb.filter(backSafe));
/** The same, on workdays of at least 2h. */
const twoHourScenarioArb = scenarioOf(workdayArb.filter((w) => backSafe(w) && lengthOf(w) >= 2 * HOUR));

// ---------------------------------------------------------------------------------------------------------

describe('approval deadlines on a working clock', () => {
  it('a deadline lies inside working hours or exactly at a working day’s end, never on a non-working day', () => {
    fc.assert(
      fc.property(scenarioArb, ({ start, calendar, workday, clock, ms }) => {
        const due = addClockTime(start, ms, clock);
        const t = due.getTime();
        const inside = insideHours(t, calendar, workday);
        expect(inside || endOfHours(t, calendar, workday)).toBe(true);
        expect(isWorkingMoment(due, calendar, workday)).toBe(inside);
        expect(t).toBeGreaterThanOrEqual(start.getTime());
      }),
      RUNS,
    );
  });

  it('going back from any instant also lands inside working hours or at a working day’s end', () => {
    fc.assert(
      fc.property(backScenarioArb, ({ start, calendar, workday, clock, ms }) => {
        const back = subtractClockTime(start, ms, clock).getTime();
        expect(insideHours(back, calendar, workday) || endOfHours(back, calendar, workday)).toBe(true);
        expect(back).toBeLessThanOrEqual(start.getTime());
      }),
      RUNS,
    );
  });

  it('subtracting what was added gives back a start inside working hours', () => {
    fc.assert(
      fc.property(backScenarioArb, ({ start, calendar, workday, clock, ms }) => {
        const s = nextWorkingMoment(start, calendar, workday);
        expect(subtractClockTime(addClockTime(s, ms, clock), ms, clock).getTime()).toBe(s.getTime());
      }),
      RUNS,
    );
  });

  it('the working time from any instant to its deadline is the time added', () => {
    fc.assert(
      fc.property(scenarioArb, ({ start, clock, ms }) => {
        expect(clockTimeBetween(start, addClockTime(start, ms, clock), clock)).toBe(ms);
      }),
      RUNS,
    );
  });

  it('the working time from a going-back to its instant is the time subtracted, when the instant is in working hours', () => {
    fc.assert(
      fc.property(backScenarioArb, ({ start, calendar, workday, clock, ms }) => {
        const s = nextWorkingMoment(start, calendar, workday);
        expect(clockTimeBetween(subtractClockTime(s, ms, clock), s, clock)).toBe(ms);
      }),
      RUNS,
    );
  });

  it('a longer step never has an earlier deadline', () => {
    fc.assert(
      fc.property(
        scenarioArb.chain((sc) => durationArb(sc.workday).map((ms2) => ({ ...sc, ms2 }))),
        ({ start, clock, ms, ms2 }) => {
          const [lo, hi] = ms <= ms2 ? [ms, ms2] : [ms2, ms];
          expect(addClockTime(start, lo, clock).getTime()).toBeLessThanOrEqual(
            addClockTime(start, hi, clock).getTime(),
          );
        },
      ),
      RUNS,
    );
  });
});

describe('holidays and make-up days', () => {
  /** A day after ORIGIN with the given weekday (0 = Sunday) and a China midnight. */
  const weekdayArb = (weekdays: number[]) =>
    fc
      .integer({ min: 7, max: SPAN_DAYS - 7 })
      .filter((d) => weekdays.includes(new Date(ORIGIN + d * DAY + CN).getUTCDay()))
      .map((d) => ORIGIN + d * DAY);

  /** A working moment of the day starting at `midnight`, and a share of a workday more than its time left. */
  const crossingArb = (midnight: number) =>
    workdayArb.chain((workday) => {
      const len = lengthOf(workday);
      return fc
        .record({ into: fc.integer({ min: 0, max: len - 1 }), past: fc.integer({ min: 1, max: len }) })
        .map(({ into, past }) => ({
          workday,
          from: new Date(midnight + clockMs(workday.start) + into),
          ms: len - into + past,
          past,
        }));
    });

  it('a holiday on a weekday is skipped: the time past the day before goes to the next working day', () => {
    fc.assert(
      fc.property(
        weekdayArb([2, 3, 4, 5]).chain((holiday) => crossingArb(holiday - DAY).map((c) => ({ holiday, ...c }))),
        ({ holiday, workday, from, ms, past }) => {
          const calendar: WorkCalendar = { holidays: [chinaDateOf(holiday)], makeUpWorkdays: [] };
          const clock: ApprovalClock = { kind: 'working', calendar, workday };
          const next = new Date(holiday + CN).getUTCDay() === 5 ? holiday + 3 * DAY : holiday + DAY;
          expect(addClockTime(from, ms, clock).getTime()).toBe(next + clockMs(workday.start) + past);
        },
      ),
      RUNS,
    );
  });

  it('a make-up Saturday counts: the time past Friday lands on it', () => {
    fc.assert(
      fc.property(
        weekdayArb([6]).chain((saturday) => crossingArb(saturday - DAY).map((c) => ({ saturday, ...c }))),
        ({ saturday, workday, from, ms, past }) => {
          const calendar: WorkCalendar = { holidays: [], makeUpWorkdays: [chinaDateOf(saturday)] };
          const clock: ApprovalClock = { kind: 'working', calendar, workday };
          const due = addClockTime(from, ms, clock).getTime();
          expect(due).toBe(saturday + clockMs(workday.start) + past);
          expect(chinaDateOf(due - 1)).toBe(chinaDateOf(saturday));
        },
      ),
      RUNS,
    );
  });

  it('with the 2026 official calendar no deadline falls inside the National Day holiday (Oct 1–7)', () => {
    const from = Date.parse('2026-09-15T00:00:00+08:00');
    const holidayStart = Date.parse('2026-10-01T00:00:00+08:00');
    const holidayEnd = Date.parse('2026-10-08T00:00:00+08:00');
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 30 * 24 * 60 }).map((m) => new Date(from + m * MINUTE)),
        workdayArb.chain((workday) => durationArb(workday).map((ms) => ({ workday, ms }))),
        (start, { workday, ms }) => {
          const clock: ApprovalClock = { kind: 'working', calendar: OFFICIAL_2026, workday };
          const t = addClockTime(start, ms, clock).getTime();
          // Oct 1 00:00 itself is Sept 30's end on a 00:00–24:00 day, the boundary a deadline may end on.
          const inside = t > holidayStart && t < holidayEnd;
          expect(inside || (t === holidayStart && workday.end !== '24:00')).toBe(false);
        },
      ),
      RUNS,
    );
  });

  const official = (workday: Workday): ApprovalClock => ({ kind: 'working', calendar: OFFICIAL_2026, workday });
  const early = { start: '08:30', end: '17:30' };
  const nine = { start: '09:00', end: '17:30' };

  it('Fri 2026-02-13 17:00 + 2h on 08:30–17:30 is Sat 2026-02-14 10:00, a make-up day', () => {
    expect(addClockTime(at('2026-02-13T17:00:00+08:00'), 2 * HOUR, official(early))).toEqual(
      at('2026-02-14T10:00:00+08:00'),
    );
  });

  it('Fri 2026-02-13 17:00 is the start of a 2h step due Sat 10:00, and 2h of working time lies between', () => {
    const clock = official(early);
    expect(subtractClockTime(at('2026-02-14T10:00:00+08:00'), 2 * HOUR, clock)).toEqual(
      at('2026-02-13T17:00:00+08:00'),
    );
    expect(clockTimeBetween(at('2026-02-13T17:00:00+08:00'), at('2026-02-14T10:00:00+08:00'), clock)).toBe(2 * HOUR);
  });

  it('Sat 2026-02-14 17:00 + 2h skips the Spring Festival (Feb 15–23) to Tue 2026-02-24 10:00', () => {
    expect(addClockTime(at('2026-02-14T17:00:00+08:00'), 2 * HOUR, official(early))).toEqual(
      at('2026-02-24T10:00:00+08:00'),
    );
  });

  it('Wed 2026-09-30 17:00 + 2h skips the National Day holiday to Thu 2026-10-08 10:00', () => {
    expect(addClockTime(at('2026-09-30T17:00:00+08:00'), 2 * HOUR, official(early))).toEqual(
      at('2026-10-08T10:00:00+08:00'),
    );
  });

  it('Fri 2026-09-18 17:00 + 2h lands on the make-up Sunday 2026-09-20 at 10:00', () => {
    expect(addClockTime(at('2026-09-18T17:00:00+08:00'), 2 * HOUR, official(early))).toEqual(
      at('2026-09-20T10:00:00+08:00'),
    );
  });

  it('Fri 2026-03-06 17:00 + 2h is Mon 2026-03-09 10:30 on a 09:00–17:30 day, 10:00 on 08:30–17:30', () => {
    const from = at('2026-03-06T17:00:00+08:00');
    expect(addClockTime(from, 2 * HOUR, official(nine))).toEqual(at('2026-03-09T02:30:00Z'));
    expect(addClockTime(from, 2 * HOUR, official(early))).toEqual(at('2026-03-09T02:00:00Z'));
    const plain: ApprovalClock = { kind: 'working', calendar: { holidays: [], makeUpWorkdays: [] }, workday: nine };
    expect(addClockTime(from, 2 * HOUR, plain)).toEqual(at('2026-03-09T10:30:00+08:00'));
  });

  it('a step ending exactly at 17:30 is due at 17:30, not the next morning', () => {
    expect(addClockTime(at('2026-03-06T15:30:00+08:00'), 2 * HOUR, official(nine))).toEqual(
      at('2026-03-06T17:30:00+08:00'),
    );
  });
});

describe('wall-clock departments', () => {
  const wall: ApprovalClock = { kind: 'wall' };
  const msArb = fc.integer({ min: 0, max: 5 * DAY });

  it('add, subtract and between are plain arithmetic and the clock always runs', () => {
    fc.assert(
      fc.property(instantArb, msArb, instantArb, (t, ms, u) => {
        expect(addClockTime(t, ms, wall).getTime()).toBe(t.getTime() + ms);
        expect(subtractClockTime(t, ms, wall).getTime()).toBe(t.getTime() - ms);
        expect(clockTimeBetween(t, u, wall)).toBe(Math.max(0, u.getTime() - t.getTime()));
        expect(isClockRunning(t, wall)).toBe(true);
      }),
      RUNS,
    );
  });

  it('a Friday 17:00 request with 2h is due at 19:00 the same evening', () => {
    expect(addClockTime(at('2026-03-06T17:00:00+08:00'), 2 * HOUR, wall)).toEqual(at('2026-03-06T19:00:00+08:00'));
  });
});

describe('reminders', () => {
  const pointArb: fc.Arbitrary<ReminderPoint> = fc.oneof(
    fc.integer({ min: 0, max: 100 }).map((p) => ({ share: p / 100 })),
    fc.integer({ min: 0, max: 8 * 60 }).map((m) => ({ before: m * MINUTE })),
  );
  const pointsArb = fc.array(pointArb, { maxLength: 5 });
  const clockArb = (sc: Scenario) => fc.constantFrom<ApprovalClock>(sc.clock, { kind: 'wall' });

  it('reminders are sorted, unique, before the deadline and (on a working clock) in working time', () => {
    fc.assert(
      fc.property(
        backScenarioArb.chain((sc) =>
          fc.record({ clock: clockArb(sc), points: pointsArb }).map((g) => ({ ...sc, ...g })),
        ),
        ({ start, ms, clock, points }) => {
          const deadline = addClockTime(start, ms, clock);
          const times = reminderTimes(deadline, ms, points, clock).map((d) => d.getTime());
          for (let i = 1; i < times.length; i++) expect(times[i]).toBeGreaterThan(times[i - 1]!);
          for (const t of times) {
            expect(t).toBeLessThan(deadline.getTime());
            expect(isClockRunning(new Date(t), clock)).toBe(true);
          }
          // Each is one of the points counted back from the deadline, and none is more than the step's time back.
          const candidates = points
            .map((p) => ('share' in p ? ms * (1 - p.share) : p.before))
            .map((back) => subtractClockTime(deadline, back, clock).getTime());
          for (const t of times) expect(candidates).toContain(t);
          // At most the step's time back (a share's fractional ms is rounded down by Date, so it can reach the start).
          for (const t of times) expect(clockTimeBetween(new Date(t), deadline, clock)).toBeLessThanOrEqual(ms);
        },
      ),
      RUNS,
    );
  });

  it('a share whose float excess would cross a day boundary reminds at the day’s start, not the day before’s end', () => {
    // Found by the property above: 96% of 10 h 25 min back is 1,500,000.0000000014 ms, 25 min plus a float's excess.
    const clock: ApprovalClock = {
      kind: 'working',
      calendar: { holidays: ['2025-01-01'], makeUpWorkdays: [] },
      workday: { start: '07:00', end: '12:00' },
    };
    const ms = 37_500_000;
    const deadline = addClockTime(at('2024-12-31T16:01:00.000Z'), ms, clock);
    expect(deadline).toEqual(at('2025-01-06T07:25:00+08:00'));
    expect(reminderTimes(deadline, ms, [{ share: 0.96 }], clock)).toEqual([at('2025-01-06T07:00:00+08:00')]);
  });

  it('nextReminderTime is the first reminder strictly after the instant, or null', () => {
    fc.assert(
      fc.property(
        backScenarioArb.chain((sc) =>
          fc
            .record({ clock: clockArb(sc), points: pointsArb, probe: fc.integer({ min: -DAY, max: 6 * DAY }) })
            .map((g) => ({ ...sc, ...g })),
        ),
        ({ start, ms, clock, points, probe }) => {
          const deadline = addClockTime(start, ms, clock);
          const times = reminderTimes(deadline, ms, points, clock);
          // Probes on the reminders themselves as well as between them.
          for (const after of [new Date(start.getTime() + probe), ...times]) {
            const expected = times.find((t) => t.getTime() > after.getTime()) ?? null;
            expect(nextReminderTime(after, deadline, ms, points, clock)).toEqual(expected);
          }
        },
      ),
      RUNS,
    );
  });

  it('50% and 15m of a 2h step inside one day remind at deadline − 1h and deadline − 15m', () => {
    fc.assert(
      fc.property(
        twoHourScenarioArb.chain((sc) =>
          fc.integer({ min: 0, max: lengthOf(sc.workday) - 2 * HOUR }).map((into) => ({ ...sc, into })),
        ),
        ({ start, calendar, workday, clock, into }) => {
          // The first working day from `start`, at `into` after its hours start: 2h fits before its end.
          const day = chinaMidnight(
            nextWorkingMoment(new Date(chinaMidnight(start.getTime())), calendar, workday).getTime(),
          );
          const from = new Date(day + clockMs(workday.start) + into);
          const deadline = addClockTime(from, 2 * HOUR, clock);
          expect(deadline.getTime()).toBe(from.getTime() + 2 * HOUR);
          const times = reminderTimes(deadline, 2 * HOUR, [{ share: 0.5 }, { before: 15 * MINUTE }], clock);
          expect(times.map((d) => d.getTime())).toEqual([deadline.getTime() - HOUR, deadline.getTime() - 15 * MINUTE]);
        },
      ),
      RUNS,
    );
  });

  it('Mon 2026-03-09 10:30 deadline of a 2h step from Fri 17:00 (09:00–17:30): 50% is Fri 17:30, 15m is Mon 10:15', () => {
    const clock: ApprovalClock = {
      kind: 'working',
      calendar: OFFICIAL_2026,
      workday: { start: '09:00', end: '17:30' },
    };
    const deadline = at('2026-03-09T10:30:00+08:00');
    const points = [{ share: 0.5 }, { before: 15 * MINUTE }];
    // 1h back from Mon 10:30 is Mon 09:30, not over the weekend; 15m back is 10:15.
    expect(reminderTimes(deadline, 2 * HOUR, points, clock)).toEqual([
      at('2026-03-09T09:30:00+08:00'),
      at('2026-03-09T10:15:00+08:00'),
    ]);
    expect(nextReminderTime(at('2026-03-09T09:30:00+08:00'), deadline, 2 * HOUR, points, clock)).toEqual(
      at('2026-03-09T10:15:00+08:00'),
    );
    expect(nextReminderTime(at('2026-03-09T10:15:00+08:00'), deadline, 2 * HOUR, points, clock)).toBeNull();
  });

  it('a 15m point of a 10-minute step is dropped, and a repeated point appears once', () => {
    const wall: ApprovalClock = { kind: 'wall' };
    const deadline = at('2026-03-09T10:30:00+08:00');
    expect(reminderTimes(deadline, 10 * MINUTE, [{ before: 15 * MINUTE }], wall)).toEqual([]);
    expect(reminderTimes(deadline, HOUR, [{ share: 0.75 }, { before: 15 * MINUTE }], wall)).toEqual([
      at('2026-03-09T10:15:00+08:00'),
    ]);
  });
});

describe('deadlines moved by a wait', () => {
  it('the working time left when the wait began is the working time from now to the new deadline', () => {
    fc.assert(
      fc.property(
        scenarioArb.chain((sc) =>
          fc
            .record({
              waitFor: fc.integer({ min: -2 * DAY, max: 10 * DAY }),
              nowAfter: fc.integer({ min: 0, max: 15 * DAY }),
            })
            .map((g) => ({ ...sc, ...g })),
        ),
        ({ start, calendar, workday, clock, ms, waitFor, nowAfter }) => {
          const deadline = addClockTime(start, ms, clock);
          const waitedFrom = new Date(start.getTime() + waitFor);
          const now = nextWorkingMoment(new Date(waitedFrom.getTime() + nowAfter), calendar, workday);
          const moved = deadlineAfterWait(deadline, waitedFrom, now, clock);
          expect(clockTimeBetween(now, moved, clock)).toBe(clockTimeBetween(waitedFrom, deadline, clock));
          expect(moved.getTime()).toBeGreaterThanOrEqual(now.getTime());
        },
      ),
      RUNS,
    );
  });

  it('on a wall clock the deadline moves by the wait itself', () => {
    fc.assert(
      fc.property(
        instantArb,
        fc.integer({ min: 0, max: 5 * DAY }),
        fc.integer({ min: 0, max: 5 * DAY }),
        (waitedFrom, left, waited) => {
          const wall: ApprovalClock = { kind: 'wall' };
          const deadline = new Date(waitedFrom.getTime() + left);
          const now = new Date(waitedFrom.getTime() + waited);
          expect(deadlineAfterWait(deadline, waitedFrom, now, wall).getTime()).toBe(deadline.getTime() + waited);
        },
      ),
      RUNS,
    );
  });

  it('a wait from Fri 2026-03-06 17:00 to Mon 09:30 keeps the step’s 2h left: due Mon 11:30 (09:00–17:30)', () => {
    const clock: ApprovalClock = {
      kind: 'working',
      calendar: OFFICIAL_2026,
      workday: { start: '09:00', end: '17:30' },
    };
    expect(
      deadlineAfterWait(
        at('2026-03-09T10:30:00+08:00'),
        at('2026-03-06T17:00:00+08:00'),
        at('2026-03-09T09:30:00+08:00'),
        clock,
      ),
    ).toEqual(at('2026-03-09T11:30:00+08:00'));
  });
});

// Keep the raw working-time functions referenced: the approval clock must agree with them exactly.
describe('the working clock is working-time.ts', () => {
  it('addClockTime / subtractClockTime / clockTimeBetween on a working clock equal the working-time functions', () => {
    fc.assert(
      fc.property(backScenarioArb, instantArb, ({ start, calendar, workday, clock, ms }, other) => {
        expect(addClockTime(start, ms, clock)).toEqual(addWorkingTime(start, ms, calendar, workday));
        expect(subtractClockTime(start, ms, clock)).toEqual(subtractWorkingTime(start, ms, calendar, workday));
        expect(clockTimeBetween(start, other, clock)).toBe(workingTimeBetween(start, other, calendar, workday));
        expect(isClockRunning(start, clock)).toBe(isWorkingMoment(start, calendar, workday));
      }),
      RUNS,
    );
  });
});

describe('going back over midnight on a day that ends at 24:00', () => {
  const allDays: WorkCalendar = { weekendDays: [], holidays: [], makeUpWorkdays: [] };
  const weekdays: WorkCalendar = { holidays: [], makeUpWorkdays: [] };
  const round: Workday = { start: '00:00', end: '24:00' };

  it('Tue 2026-03-10 01:00 − 2h on 00:00–24:00 is Mon 23:00', () => {
    const back = subtractClockTime(at('2026-03-10T01:00:00+08:00'), 2 * HOUR, {
      kind: 'working',
      calendar: allDays,
      workday: round,
    });
    expect(back).toEqual(at('2026-03-09T23:00:00+08:00'));
  });

  it('Mon 2026-03-09 00:00 − 1ms on 00:00–24:00 (Mon–Fri) is Fri 23:59:59.999', () => {
    const back = subtractClockTime(at('2026-03-09T00:00:00+08:00'), 1, {
      kind: 'working',
      calendar: weekdays,
      workday: round,
    });
    expect(back).toEqual(at('2026-03-06T23:59:59.999+08:00'));
  });

  /**
   * Run in a child process with a timeout, so an endless loop cannot hang this test run. The timeout leaves room
   * for a cold start: in a fresh clone tsx compiles the module first (3 s timed out there on a busy machine).
   */
  it('Tue 2026-03-10 10:00 − 2h on 09:00–24:00 returns, at Mon 23:00', () => {
    const module = fileURLToPath(new URL('../../domain/lifecycle/working-time.ts', import.meta.url));
    const code = `import(${JSON.stringify(module)}).then((m) => console.log(m.subtractWorkingTime(new Date('2026-03-10T10:00:00+08:00'), 7200000, { holidays: [], makeUpWorkdays: [] }, { start: '09:00', end: '24:00' }).toISOString()))`;
    const run = spawnSync(process.execPath, ['--import', 'tsx', '-e', code], { encoding: 'utf8', timeout: 20_000 });
    expect(run.signal === 'SIGTERM' ? 'timed out (endless loop)' : run.stdout.trim()).toBe(
      at('2026-03-09T23:00:00+08:00').toISOString(),
    );
  });
});
