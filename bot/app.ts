import type { Server } from 'node:http';
import type { Logger } from 'pino';
import type { BusinessConfig } from '../config/business-config';
import type { DatabaseHandle } from '../db/client';
import { migrate } from '../db/migrate';
import { seedDemoDataIfEmpty } from '../db/seed';
import { Bot } from './bot';
import type { Env } from '../config/env';
import { readEnv } from '../config/env';
import { createAdapters } from './adapters';
import { plantSyncJobs } from './plant-sync-jobs';
import { escalateOverdueTasks } from '../handlers/escalation';
import type { TimeTravel } from './local/playground-adapter';
import { Scheduler } from './scheduler';
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
  const bot = new Bot({ db: database.db, config, log, clock, outboxPollMs: options.outboxPollMs });
  const env = options.env ?? readEnv();
  let scheduler: Scheduler | undefined;
  const travel = options.timeTravel && { ...options.timeTravel, afterTravel: async () => void (await scheduler?.tick()) };
  const { adapters, missing } = createAdapters(bot, env, travel);
  if (missing.length > 0) log.warn({ platforms: missing }, 'credentials are set for a platform this version has no adapter for');
  for (const adapter of adapters) bot.register(adapter);
  const app = createHttpApp({ bot, database, log, mesToken: env.MES_API_TOKEN });
  const { server, url } = await listen(app, options.port ?? 3000, options.host ?? '127.0.0.1');
  await bot.start();
  const jobs = [
    { name: 'escalation', everyMs: 30_000, run: () => bot.runScheduled('escalation', (ctx) => escalateOverdueTasks(ctx)) },
    ...plantSyncJobs({ db: database.db, config, env, log, clock, platform: adapters[0]!.platform }),
  ];
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
