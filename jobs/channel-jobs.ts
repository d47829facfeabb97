import { runChannelIntake } from '../handlers/channel-intake';
import { channelAdapters } from '../integrations/channels/shops';
import type { JobDeps } from './deps';
import type { ScheduledJob } from './scheduler';

/** How often the channel intake looks at every shop: pushed messages are worked off at this pace, polls at each shop's pollEvery. */
export const CHANNEL_INTAKE_EVERY_MS = 30_000;

/**
 * E-commerce channel jobs when shops are configured: the intake (messages, orders, settlements). A shop added in
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
  ];
}
