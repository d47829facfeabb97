import { and, eq, isNull, lt, lte, or } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { Database } from '../db/client';
import { scheduledJobs } from '../db/schema';

export interface ScheduledJob {
  name: string;
  /** Runs every so often, the first time at once… */
  everyMs?: number;
  /** …or at fixed times (e.g. Mondays 09:00): the next time after `now`, the first one included. */
  nextRunAfter?: (now: Date) => Date;
  run(now: Date): Promise<unknown>;
}

function nextRun(job: ScheduledJob, now: Date): Date {
  return job.nextRunAfter ? job.nextRunAfter(now) : new Date(now.getTime() + (job.everyMs ?? 60_000));
}

/**
 * Runs periodic jobs with the turn claimed in the database: whichever process claims a due job first
 * runs it, the others skip it; a process that dies mid-run leaves a lease that runs out.
 */
export class Scheduler {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;

  constructor(
    private readonly options: {
      db: Database;
      clock: () => Date;
      log: Logger;
      jobs: ScheduledJob[];
      pollMs?: number;
      leaseMs?: number;
    },
  ) {}

  /** Makes sure every job has its row; a new periodic job is due at once, a fixed-time one at its next time. */
  async register(): Promise<void> {
    const now = this.options.clock();
    for (const job of this.options.jobs) {
      const first = job.nextRunAfter ? job.nextRunAfter(now) : now;
      await this.options.db.insert(scheduledJobs).values({ name: job.name, nextRunAt: first }).onConflictDoNothing();
    }
  }

  async start(): Promise<void> {
    await this.register();
    const loop = async () => {
      // A tick that fails (the database away for a moment) must neither stop the loop nor the process.
      this.running = this.tick().catch((err) => {
        this.options.log.error({ err }, 'scheduler tick failed');
        return [];
      });
      await this.running;
      this.timer = setTimeout(loop, this.options.pollMs ?? 5000);
    };
    this.timer = setTimeout(loop, 0);
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer);
    await this.running;
  }

  /** Runs every job that is due and not held by another process; returns the names it ran. */
  async tick(): Promise<string[]> {
    const ran: string[] = [];
    for (const job of this.options.jobs) {
      if (await this.claim(job)) {
        await this.runClaimed(job);
        ran.push(job.name);
      }
    }
    return ran;
  }

  private async claim(job: ScheduledJob): Promise<boolean> {
    const { db, clock } = this.options;
    const now = clock();
    const claimed = await db
      .update(scheduledJobs)
      .set({
        lockedUntil: new Date(now.getTime() + (this.options.leaseMs ?? 10 * 60_000)),
        nextRunAt: nextRun(job, now),
      })
      .where(
        and(
          eq(scheduledJobs.name, job.name),
          lte(scheduledJobs.nextRunAt, now),
          or(isNull(scheduledJobs.lockedUntil), lt(scheduledJobs.lockedUntil, now)),
        ),
      )
      .returning({ name: scheduledJobs.name });
    return claimed.length > 0;
  }

  private async runClaimed(job: ScheduledJob) {
    const { db, clock, log } = this.options;
    let error: string | null = null;
    try {
      await job.run(clock());
    } catch (err) {
      error = String((err as Error)?.message ?? err).slice(0, 1000);
      log.error({ job: job.name, err }, 'scheduled job failed');
    }
    await db
      .update(scheduledJobs)
      .set({ lockedUntil: null, lastRunAt: clock(), lastError: error })
      .where(eq(scheduledJobs.name, job.name));
  }
}
