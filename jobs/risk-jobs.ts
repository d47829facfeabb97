import { nextDailyRun } from '../domain/kpi';
import { retrainRiskModels } from '../handlers/risk-training';
import type { JobDeps } from './deps';
import type { ScheduledJob } from './scheduler';

/**
 * The risk models retrained once a day (risk.retrainAt, China time) by whichever process claims the turn
 * (handlers/risk-training.ts); none when risk is off.
 */
export function riskJobs(deps: JobDeps): ScheduledJob[] {
  if (!deps.config.risk.enabled) return [];
  return [
    {
      name: 'risk-retrain',
      nextRunAfter: (now) => nextDailyRun(now, deps.config.risk.retrainAt),
      run: (now) => retrainRiskModels({ db: deps.db, now, config: deps.config, log: deps.log }),
    },
  ];
}
