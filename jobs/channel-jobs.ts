import { runChannelIntake } from '../handlers/channel-intake';
import { reviewRuleStacking } from '../handlers/stacking-review';
import { channelAdapters } from '../integrations/channels/shops';
import type { JobDeps } from './deps';
import type { ScheduledJob } from './scheduler';

/** How often the channel intake looks at every shop: pushed messages are worked off at this pace, polls at each shop's pollEvery. */
export const CHANNEL_INTAKE_EVERY_MS = 30_000;
/** Suspected rule stacking is looked for this often (well inside the 24 h window it checks). */
export const STACKING_REVIEW_EVERY_MS = 5 * 60_000;

/**
 * E-commerce channel jobs when shops are configured: the intake (messages, orders, settlements) and the review of
 * suspected rule stacking across channels (handlers/stacking-review.ts). A shop added in
 * the config is polled after the next restart (the adapters are built at start, with their secrets).
 */
export function channelJobs(deps: JobDeps): ScheduledJob[] {
  if (deps.config.channels.shops.length === 0) return [];
  const adapters = channelAdapters(deps.config, deps.env as NodeJS.ProcessEnv);
  return [
    {
      name: 'channel-intake',
      everyMs: CHANNEL_INTAKE_EVERY_MS,
      run: async () => {
        await runChannelIntake({ db: deps.db, adapters, config: deps.config, now: deps.clock, log: deps.log });
      },
    },
    {
      name: 'stacking-review',
      everyMs: STACKING_REVIEW_EVERY_MS,
      run: () => deps.runInContext('stacking-review', (ctx) => reviewRuleStacking(ctx)),
    },
  ];
}
