import { chinaDate } from '../china-time';
import type { WorkCalendar } from '../promise/types';
import { stagesCompleted, type Stage, type WorkStage } from './stages';
import { addWorkingTime, nextWorkingMoment, type Workday } from './working-time';

const DAY_MS = 86_400_000;
const HALF_HOUR_MS = 1_800_000;

/** Milliseconds of WORKING time each stage takes after the previous one completes. */
export interface StageDurations {
  in_production: number;
  qc_passed: number;
  packed: number;
  shipped: number;
}

type PlantStage = keyof StageDurations;

export interface EtdArgs {
  now: Date;
  /** The last stage reached. */
  stage: Stage;
  /** When it was reached. */
  stageSince: Date;
  skipped: readonly Stage[];
  durations: StageDurations;
  /** Shipped → delivered, continuous (the truck drives at night too). */
  transitMs: number;
  calendar: WorkCalendar;
  workday: Workday;
  /** From the production plan: production cannot start before this date's workday start, nor QC pass before this date's workday end. */
  plan?: { productionStart?: string; productionFinish?: string };
}

export interface EtdStep {
  stage: WorkStage;
  expectedAt: Date;
}

/** Why the ETD moved, for the chat and the customer's SMS. */
export type EtdReason =
  | { kind: 'stage-done'; stage: Stage }
  | { kind: 'overdue'; stage: Stage }
  | { kind: 'route' }
  | { kind: 'confirmed' }
  /** The production plan moved: the plant changed, or the order was split or expedited. */
  | { kind: 'replanned' };

export interface Etd {
  /** When the customer will have signed: the delivered step rounded up to a 30-minute boundary. */
  etd: Date;
  /** The remaining stages with their expected completion, in order. */
  steps: EtdStep[];
}

/** That China date at that China wall-clock time ('HH:mm', '24:00' allowed). */
function chinaInstant(date: string, hhmm: string): Date {
  const midnight = /^\d{4}-\d{2}-\d{2}$/.test(date) ? Date.parse(`${date}T00:00:00+08:00`) : NaN;
  const m = /^(\d{2}):([0-5]\d)$/.exec(hhmm);
  const minutes = m ? Number(m[1]) * 60 + Number(m[2]) : NaN;
  if (Number.isNaN(midnight) || !(minutes <= 24 * 60))
    throw new RangeError(`not a China date and time: "${date} ${hhmm}"`);
  return new Date(midnight + minutes * 60_000);
}

const latest = (...instants: Date[]): Date => new Date(Math.max(...instants.map((d) => d.getTime())));
const roundUpToHalfHour = (t: Date): Date => new Date(Math.ceil(t.getTime() / HALF_HOUR_MS) * HALF_HOUR_MS);

/** The earliest instant the production plan allows a stage to complete, if any. */
function planFloor(args: EtdArgs, stage: PlantStage): Date | undefined {
  const { plan, workday } = args;
  if (stage === 'in_production' && plan?.productionStart) return chinaInstant(plan.productionStart, workday.start);
  if (stage === 'qc_passed' && plan?.productionFinish) return chinaInstant(plan.productionFinish, workday.end);
  return undefined;
}

/** A plant stage completes its duration of working time after the previous one; the next stage, if overdue, at the next working moment. */
function plantStageAt(args: EtdArgs, stage: PlantStage, previous: Date, isNext: boolean): Date {
  const candidates = [addWorkingTime(previous, args.durations[stage], args.calendar, args.workday)];
  if (isNext) candidates.push(nextWorkingMoment(args.now, args.calendar, args.workday));
  const floor = planFloor(args, stage);
  if (floor) candidates.push(floor);
  return latest(...candidates);
}

/** `shipped` is the expected (or actual) shipping instant; delivery is never expected in the past. */
function deliveredAt(args: EtdArgs, shipped: Date): Date {
  return latest(new Date(shipped.getTime() + args.transitMs), args.now);
}

/**
 * Expected delivery of an order at `stage` since `stageSince`, as seen at `now`. Skipped stages
 * take no time and get no step. A delivered order's ETD is when it was signed for.
 */
export function computeEtd(args: EtdArgs): Etd {
  if (args.stage === 'delivered') return { etd: args.stageSince, steps: [] };
  const steps: EtdStep[] = [];
  let previous = args.stageSince;
  for (const stage of stagesCompleted(args.stage, 'delivered', args.skipped)) {
    const expectedAt =
      stage === 'delivered' ? deliveredAt(args, previous) : plantStageAt(args, stage, previous, steps.length === 0);
    steps.push({ stage, expectedAt });
    previous = expectedAt;
  }
  return { etd: roundUpToHalfHour(previous), steps };
}

/** The instant a promised date means: that China date at `deliverBy` ('HH:mm', e.g. '18:00'). */
export function promisedInstant(promisedDate: string, deliverBy: string): Date {
  return chinaInstant(promisedDate, deliverBy);
}

/**
 * Alert when the ETD passes the promise by more than `threshold`, and again only when it slipped
 * by ≥ threshold (and by something) beyond the ETD of the last alert.
 */
export function delayAlertDue(args: {
  etd: Date;
  promisedAt: Date;
  threshold: number;
  lastAlertEtd: Date | null;
}): boolean {
  const late = args.etd.getTime() - args.promisedAt.getTime() > args.threshold;
  if (!late || args.lastAlertEtd === null) return late;
  const slipped = args.etd.getTime() - args.lastAlertEtd.getTime();
  return slipped > 0 && slipped >= args.threshold;
}

/** 'HH:mm' China; `from` inclusive, `to` exclusive; may wrap midnight (21:00 → 08:00). */
export interface QuietHours {
  from: string;
  to: string;
}

/** Null when `at` is outside quiet hours, else the instant quiet hours end (e.g. next 08:00 China). from === to means no quiet hours. */
export function quietHoursEnd(at: Date, quiet: QuietHours): Date | null {
  if (quiet.from === quiet.to) return null;
  const date = chinaDate(at);
  const from = chinaInstant(date, quiet.from);
  const to = chinaInstant(date, quiet.to);
  if (from < to) return at >= from && at < to ? to : null;
  // Wraps midnight: quiet before today's `to`, or from today's `from` until tomorrow's `to`.
  if (at < to) return to;
  if (at >= from) return new Date(to.getTime() + DAY_MS);
  return null;
}
