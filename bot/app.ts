import type { Server } from 'node:http';
import type { Logger } from 'pino';
import type { BusinessConfig } from '../config/business-config';
import type { DatabaseHandle, Tx } from '../db/client';
import type { SmsOutcomeEvent } from '../core/events';
import { migrate } from '../db/migrate';
import { seedDemoDataIfEmpty } from '../integrations/import/demo-seed';
import { Bot } from './bot';
import type { Env } from '../config/env';
import { readEnv } from '../config/env';
import { createAdapters } from './adapters';
import type { TimeTravel } from './local/playground-adapter';
import { Scheduler, scheduledJobs } from '../jobs';
import { PlaygroundSmsProvider } from './sms/playground-sms';
import { SmsAdapter } from './sms/sms-adapter';
import { createSmsProvider } from '../integrations/sms/sms-config';
import type { SmsProvider } from '../integrations/sms/port';
import type { CourierTracker } from '../integrations/courier/port';
import type { TransitTimes } from '../integrations/map/transit';
import { createHttpApp, listen } from './server';

export interface AppOptions {
  database: DatabaseHandle;
  config: BusinessConfig;
  log: Logger;
  clock?: () => Date;
  port?: number;
  host?: string;
  seedDemoData?: boolean;
  outboxPollMs?: number;
  /** Platform credentials and endpoints; defaults to the process environment. */
  env?: Env;
  /** The SMS provider; defaults to the one SMS_PROVIDER names (the playground's SMS pane when unset). */
  smsProvider?: SmsProvider;
  /** Courier tracking and map; default from KUAIDI100_* / AMAP_* in the environment. */
  tracker?: CourierTracker;
  transit?: TransitTimes;
  /** Lets the playground move the clock forward (the clock must honour it). */
  timeTravel?: Omit<TimeTravel, 'afterTravel'>;
}

export interface RunningApp {
  bot: Bot;
  scheduler: Scheduler;
  url: string;
  server: Server;
  close(): Promise<void>;
}

/** Migrates, seeds, wires the bot to its adapters and the HTTP server, and starts everything. */
export async function startApp(options: AppOptions): Promise<RunningApp> {
  const { database, config, log } = options;
  await migrate(database.db);
  const clock = options.clock ?? (() => new Date());
  if (options.seedDemoData ?? true) {
    if (await seedDemoDataIfEmpty(database.db, clock())) log.info('demo master data loaded');
  }
  const env = options.env ?? readEnv();
  const bot = new Bot({
    db: database.db,
    config,
    log,
    clock,
    outboxPollMs: options.outboxPollMs,
    outboxLeaseMs: env.ORDERBOT_OUTBOX_LEASE_MS,
  });
  let scheduler: Scheduler | undefined;
  const travel = options.timeTravel && {
    ...options.timeTravel,
    afterTravel: async () => void (await scheduler?.tick()),
  };
  const { adapters, missing } = createAdapters(bot, env, travel);
  if (missing.length > 0)
    log.warn({ platforms: missing }, 'credentials are set for a platform this version has no adapter for');
  for (const adapter of adapters) bot.register(adapter);
  const smsProvider = options.smsProvider ?? smsProviderFor(env, database, clock);
  const ingest = (event: SmsOutcomeEvent, externalId: string, alsoInTx: (tx: Tx) => Promise<void>) =>
    bot.ingest(event, externalId, alsoInTx);
  bot.register(new SmsAdapter({ db: database.db, provider: smsProvider, clock, log, ingest }));
  const app = createHttpApp({ bot, database, log, mesToken: env.MES_API_TOKEN });
  const { server, url } = await listen(app, options.port ?? 3000, options.host ?? '127.0.0.1');
  await bot.start();
  const jobDeps = {
    db: database.db,
    config,
    env,
    log,
    clock,
    runInContext: (name: string, work: Parameters<Bot['runScheduled']>[1]) => bot.runScheduled(name, work),
  };
  const jobs = scheduledJobs(jobDeps, {
    ...(options.tracker ? { tracker: options.tracker } : {}),
    ...(options.transit ? { transit: options.transit } : {}),
  });
  scheduler = new Scheduler({ db: database.db, clock, log, jobs });
  await scheduler.start();
  return {
    bot,
    url,
    server,
    scheduler,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await scheduler.stop();
      await bot.stop();
    },
  };
}

/** SMS_PROVIDER=aliyun|tencent sends for real; unset or `log`, the SMS show in the playground's SMS pane. */
function smsProviderFor(env: Env, database: DatabaseHandle, clock: () => Date): SmsProvider {
  const provider = createSmsProvider(env as Record<string, string | undefined>);
  return provider.name === 'log' ? new PlaygroundSmsProvider({ db: database.db, clock }) : provider;
}
