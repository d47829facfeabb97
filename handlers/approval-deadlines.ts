import { type BusinessConfig, type Department, reminderPointsOf } from '../config/business-config';
import { type ApprovalClock, addClockTime, isClockRunning, nextReminderTime } from '../domain/approval-time';

/**
 * When an approval step falls due and when its holder is reminded, on the department's clock: the plant's
 * working hours on its working days (`clock: working`, the default), or every hour (`clock: wall`).
 * Step k's deadline is its `after` counted from the task's start (escalateAfter for the director, then the
 * ladder's steps), so a step's own time is its `after` less the step before's.
 */

/** The escalation steps of a department, in order: its director after `escalateAfter`, then the ladder. */
export function escalationSteps(config: BusinessConfig, department: Department): Array<{ after: number; to: string }> {
  return [{ after: config.thresholds.escalateAfter, to: department.director }, ...config.escalationLadder];
}

export function approvalClock(config: BusinessConfig, departmentKey: string): ApprovalClock {
  const department = config.departments.find((d) => d.key === departmentKey);
  return department?.clock === 'wall'
    ? { kind: 'wall' }
    : { kind: 'working', calendar: config.calendar, workday: config.lifecycle.workday };
}

/** The own time of the step a task at `level` is in (level 0: until the director; 1: until the ladder's first…). */
function stepLength(steps: Array<{ after: number }>, level: number): number {
  const step = steps[level];
  return step ? step.after - (level > 0 ? steps[level - 1]!.after : 0) : 0;
}

export interface StepTimes {
  dueAt: Date;
  /** The first reminder of the step, or null when the step is too short for any. */
  remindAt: Date | null;
}

/** A new task's first deadline (the director) and first reminder. */
export function firstStepTimes(config: BusinessConfig, department: Department, start: Date): StepTimes {
  const clock = approvalClock(config, department.key);
  const steps = escalationSteps(config, department);
  const dueAt = addClockTime(start, steps[0]!.after, clock);
  return { dueAt, remindAt: reminderAfter(config, department, 0, dueAt, start) };
}

/**
 * The deadline of rung `to` for a task going up to it from rung `from` at that rung's deadline `dueAt` (a
 * rung may be skipped when its person already holds the step), and the new step's first reminder; null
 * when the ladder has no rung `to`.
 */
export function nextStepTimes(
  config: BusinessConfig,
  department: Department,
  rungs: { from: number; to: number },
  dueAt: Date,
  now: Date,
): StepTimes | null {
  const steps = escalationSteps(config, department);
  const target = steps[rungs.to];
  if (!target) return null;
  const clock = approvalClock(config, department.key);
  const next = addClockTime(dueAt, target.after - steps[rungs.from]!.after, clock);
  return { dueAt: next, remindAt: reminderAfter(config, department, rungs.to, next, now) };
}

/** The step's next reminder strictly after `after`, or null when none is left before its deadline. */
export function reminderAfter(
  config: BusinessConfig,
  department: Department,
  level: number,
  dueAt: Date,
  after: Date,
): Date | null {
  const steps = escalationSteps(config, department);
  const clock = approvalClock(config, department.key);
  return nextReminderTime(after, dueAt, stepLength(steps, level), reminderPointsOf(config), clock);
}

/**
 * The departments whose people are at work now: all of them inside working hours; outside them only those
 * on a wall clock. A tick finding a step due at night (the process was down) leaves it for the morning.
 */
export function departmentsAtWork(config: BusinessConfig, now: Date): 'all' | string[] {
  const working = { kind: 'working' as const, calendar: config.calendar, workday: config.lifecycle.workday };
  if (isClockRunning(now, working)) return 'all';
  return config.departments.filter((d) => d.clock === 'wall').map((d) => d.key);
}
