import { nextDailyRun, nextWeeklyRun } from '../domain/kpi';
import { syncDirectories } from '../handlers/directory-sync';
import { remindDueTasks } from '../handlers/approval-reminders';
import { escalateOverdueTasks } from '../handlers/escalation';
import { recheckPlantChanges } from '../handlers/repromise';
import { sendWeeklyDigest } from '../handlers/kpi-digest';
import type { CourierTracker } from '../integrations/courier/port';
import type { TransitTimes } from '../integrations/map/transit';
import type { JobDeps } from './deps';
import { lifecycleJobs } from './lifecycle-jobs';
import { plantSyncJobs } from './plant-sync-jobs';
import { channelJobs } from './channel-jobs';
import { prestockJobs } from './prestock-jobs';
import { riskJobs } from './risk-jobs';
import type { ScheduledJob } from './scheduler';

export type { JobDeps } from './deps';
export { Scheduler, type ScheduledJob } from './scheduler';

/**
 * Every periodic job this deployment runs, each claimed in the database so that one process runs it:
 * escalation and approval reminders, re-promises after plant changes, the lifecycle (ETD refresh, courier tracking, map routes), the weekly digest, plant-data syncs, e-commerce channel intake, pre-stocking suggestions, the risk models' retraining.
 */
export function scheduledJobs(
  deps: JobDeps,
  integrations: { tracker?: CourierTracker; transit?: TransitTimes } = {},
): ScheduledJob[] {
  return [
    {
      name: 'escalation',
      everyMs: 30_000,
      run: () => deps.runInContext('escalation', (ctx) => escalateOverdueTasks(ctx)),
    },
    {
      name: 'approval-reminders',
      everyMs: 30_000,
      run: () => deps.runInContext('approval-reminders', (ctx) => remindDueTasks(ctx)),
    },
    {
      name: 'repromise',
      everyMs: 30_000,
      run: () => deps.runInContext('repromise', (ctx) => recheckPlantChanges(ctx)),
    },
    ...lifecycleJobs(deps, integrations),
    ...digestJobs(deps),
    ...plantSyncJobs(deps),
    ...directoryJobs(deps),
    ...channelJobs(deps),
    ...prestockJobs(deps),
    ...riskJobs(deps),
  ];
}

/** The company directory read once a day (sync.directoryAt, China time) when a chat platform runs. */
function directoryJobs(deps: JobDeps): ScheduledJob[] {
  const readers = deps.directoryReaders ?? [];
  if (readers.length === 0) return [];
  return [
    {
      name: 'directory-sync',
      nextRunAfter: (now) => nextDailyRun(now, deps.config.sync.directoryAt),
      run: () => syncDirectories({ db: deps.db, readers, now: deps.clock, actor: 'schedule', log: deps.log }),
    },
  ];
}

/** The weekly digest to the ops conversation (Mondays 09:00 by default); the config is read at each run. */
function digestJobs(deps: JobDeps): ScheduledJob[] {
  return [
    {
      name: 'kpi-digest',
      nextRunAfter: (now) => nextWeeklyRun(now, deps.config.kpi.digest.weekday, deps.config.kpi.digest.at),
      run: async () => {
        if (deps.config.opsConversation) await deps.runInContext('kpi-digest', (ctx) => sendWeeklyDigest(ctx));
      },
    },
  ];
}
