import {
  addWorkingTime,
  isWorkingMoment,
  subtractWorkingTime,
  type Workday,
  workingTimeBetween,
} from './lifecycle/working-time';
import type { WorkCalendar } from './promise/types';

/**
 * The clock an approval step's deadline runs on. `working`: only the plant's working hours on its working
 * days count (a request at 17:00 on a Friday with 2h left on a 09:00–17:30 day: 30 minutes on Friday, the
 * other 1h30 from 09:00 on Monday, due 10:30). `wall`: every hour counts (a department on a 24/7 line).
 */
export type ApprovalClock = { kind: 'working'; calendar: WorkCalendar; workday: Workday } | { kind: 'wall' };

/** `ms` of the clock's time after `at`. */
export function addClockTime(at: Date, ms: number, clock: ApprovalClock): Date {
  return clock.kind === 'wall' ? new Date(at.getTime() + ms) : addWorkingTime(at, ms, clock.calendar, clock.workday);
}

/** `ms` of the clock's time before `at`. */
export function subtractClockTime(at: Date, ms: number, clock: ApprovalClock): Date {
  return clock.kind === 'wall'
    ? new Date(at.getTime() - ms)
    : subtractWorkingTime(at, ms, clock.calendar, clock.workday);
}

/** The clock's time between two instants (0 when b is not after a). */
export function clockTimeBetween(a: Date, b: Date, clock: ApprovalClock): number {
  return clock.kind === 'wall'
    ? Math.max(0, b.getTime() - a.getTime())
    : workingTimeBetween(a, b, clock.calendar, clock.workday);
}

/** Whether people are at work: always on a wall clock, inside working hours otherwise. */
export function isClockRunning(at: Date, clock: ApprovalClock): boolean {
  return clock.kind === 'wall' || isWorkingMoment(at, clock.calendar, clock.workday);
}

/** A reminder before a deadline: a share of the way through the step's time ("50%"), or a time before its end ("15m"). */
export type ReminderPoint = { share: number } | { before: number };

/**
 * The instants a step's holder is reminded at, earliest first: each point counted back from the deadline on
 * the step's clock, so on a working clock every one lies inside working hours. A point outside the step's
 * time (a "15m" point of a 10-minute step) is dropped, and so is one that would repeat another.
 */
export function reminderTimes(
  deadline: Date,
  stepLength: number,
  points: readonly ReminderPoint[],
  clock: ApprovalClock,
): Date[] {
  const before = points
    .map((p) => ('share' in p ? stepLength * (1 - p.share) : p.before))
    .filter((ms) => ms > 0 && ms < stepLength);
  const times = [...new Set(before.map((ms) => subtractClockTime(deadline, ms, clock).getTime()))];
  return times
    .filter((t) => t < deadline.getTime())
    .sort((a, b) => a - b)
    .map((t) => new Date(t));
}

/** The first reminder of the step strictly after `after`, or null when none is left before its deadline. */
export function nextReminderTime(
  after: Date,
  deadline: Date,
  stepLength: number,
  points: readonly ReminderPoint[],
  clock: ApprovalClock,
): Date | null {
  return reminderTimes(deadline, stepLength, points, clock).find((t) => t.getTime() > after.getTime()) ?? null;
}

/** A step's deadline moved by a wait nobody could decide in (the customer's): its time left is kept from `now`. */
export function deadlineAfterWait(deadline: Date, waitedFrom: Date, now: Date, clock: ApprovalClock): Date {
  const left = clockTimeBetween(waitedFrom, deadline, clock);
  return addClockTime(now, left, clock);
}
