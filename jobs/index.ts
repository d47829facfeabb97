import { nextWeeklyRun } from '../domain/kpi';
import { escalateOverdueTasks } from '../handlers/escalation';
import { sendWeeklyDigest } from '../handlers/kpi-digest';
import type { CourierTracker } from '../integrations/courier/port';
import type { TransitTimes } from '../integrations/map/transit';
import type { JobDeps } from './deps';
import { lifecycleJobs } from './lifecycle-jobs';
import { plantSyncJobs } from './plant-sync-jobs';
import type { ScheduledJob } from './scheduler';

export type { JobDeps } from './deps';
export { Scheduler, type ScheduledJob } from './scheduler';

/**
 * Every periodic job this deployment runs, each claimed in the database so that one process runs it:
 * escalation, the lifecycle (ETD refresh, courier tracking, map routes), the weekly digest, plant-data syncs.
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
    ...lifecycleJobs(deps, integrations),
    ...digestJobs(deps),
    ...plantSyncJobs(deps),
  ];
}

/** The weekly digest to the ops conversation (Mondays 09:00 by default). */
function digestJobs(deps: JobDeps): ScheduledJob[] {
  const { opsConversation, kpi } = deps.config;
  if (!opsConversation) return [];
  return [
    {
      name: 'kpi-digest',
      nextRunAfter: (now) => nextWeeklyRun(now, kpi.digest.weekday, kpi.digest.at),
      run: () => deps.runInContext('kpi-digest', (ctx) => sendWeeklyDigest(ctx)),
    },
  ];
}
