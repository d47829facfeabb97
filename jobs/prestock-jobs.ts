import { nextWeeklyRun } from '../domain/kpi';
import { suggestPrestocking } from '../handlers/prestock';
import type { JobDeps } from './deps';
import type { ScheduledJob } from './scheduler';

/**
 * The weekly pre-stocking suggestions to the purchasing and production leads, at risk.prestock.weekday (1 = Monday …
 * 7 = Sunday) and .at, China time; they run only while risk.enabled and risk.prestock.enabled (the config is read at
 * each run, so turning them on or off needs no restart).
 */
export function prestockJobs(deps: JobDeps): ScheduledJob[] {
  return [
    {
      name: 'prestock',
      nextRunAfter: (now) => {
        const { weekday, at } = deps.config.risk.prestock;
        return nextWeeklyRun(now, weekday % 7, at);
      },
      run: async () => {
        const { risk } = deps.config;
        if (risk.enabled && risk.prestock.enabled)
          await deps.runInContext('prestock', (ctx) => suggestPrestocking(ctx));
      },
    },
  ];
}
