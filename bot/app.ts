import type { Server } from 'node:http';
import type { Logger } from 'pino';
import type { BusinessConfig } from '../config/business-config';
import type { Database, DatabaseHandle, Tx } from '../db/client';
import type { SmsOutcomeEvent } from '../core/events';
import { migrate } from '../db/migrate';
import { seedDemoDataIfEmpty } from '../integrations/import/demo-seed';
import { seedDemoRiskHistoryIfEmpty } from '../integrations/import/demo-risk-history';
import { retrainRiskModels } from '../handlers/risk-training';
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
import { ErpWriter } from './erp-writer';
import { cachedToken, invalidateToken } from '../db/platform-tokens';
import { createErpClient, erpWriteBackSettings } from '../integrations/erp/erp-config';
import { LiveConfig } from './live-config';

export interface AppOptions {
  database: DatabaseHandle;
  /**
   * The config file's content: saved as the first config version, or as a new one when it changed since
   * it was last taken; otherwise the database's latest version (the admin console's) is what runs.
   */
  config: BusinessConfig;
  /** The file's input form (durations as written); without it, `config` itself is stored. */
  configInput?: unknown;
  /** How often this process looks for a newer config version (default 5 s). */
  configPollMs?: number;
  log: Logger;
  clock?: () => Date;
  port?: number;
  host?: string;
  seedDemoData?: boolean;
  /** With the demo data: 18 months of generated order history and risk models trained on it (the playground). */
  seedDemoHistory?: boolean;
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
  config: LiveConfig;
  scheduler: Scheduler;
  url: string;
  server: Server;
  close(): Promise<void>;
}

/** Migrates, seeds, wires the bot to its adapters and the HTTP server, and starts everything. */
export async function startApp(options: AppOptions): Promise<RunningApp> {
  const { database, log } = options;
  await migrate(database.db);
  const clock = options.clock ?? (() => new Date());
  const config = await LiveConfig.open(database.db, log, {
    input: options.configInput ?? JSON.parse(JSON.stringify(options.config)),
    now: clock(),
  });
  if (options.seedDemoData ?? true) {
    if (await seedDemoDataIfEmpty(database.db, clock())) log.info('demo master data loaded');
    if (options.seedDemoHistory) await seedDemoHistory(database.db, config.current, clock(), log);
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
    bot.ingest(event, externalId, { alsoInTx });
  bot.register(new SmsAdapter({ db: database.db, provider: smsProvider, clock, log, ingest }));
  bot.register(erpWriterFor(env, database, clock, log, bot));
  const directoryReaders = adapters.flatMap((a) => (a.directory ? [a.directory()] : []));
  const app = createHttpApp({
    bot,
    database,
    log,
    mesToken: env.MES_API_TOKEN,
    config,
    directoryReaders,
    env: env as NodeJS.ProcessEnv,
  });
  const { server, url } = await listen(app, options.port ?? 3000, options.host ?? '127.0.0.1');
  await bot.start();
  const jobDeps = {
    db: database.db,
    get config() {
      return config.current;
    },
    env,
    log,
    clock,
    runInContext: (name: string, work: Parameters<Bot['runScheduled']>[1]) => bot.runScheduled(name, work),
    directoryReaders,
  };
  const jobs = scheduledJobs(jobDeps, {
    ...(options.tracker ? { tracker: options.tracker } : {}),
    ...(options.transit ? { transit: options.transit } : {}),
  });
  scheduler = new Scheduler({ db: database.db, clock, log, jobs });
  await scheduler.start();
  config.start(options.configPollMs);
  return {
    bot,
    config,
    url,
    server,
    scheduler,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      config.stop();
      await scheduler.stop();
      await bot.stop();
    },
  };
}

/** Writes confirmed orders to the ERP of plant sync when ERP_WRITE_BACK=on; otherwise lets their effects go. */
function erpWriterFor(env: Env, database: DatabaseHandle, clock: () => Date, log: Logger, bot: Bot): ErpWriter {
  const vars = env as Record<string, string | undefined>;
  const db = database.db;
  const erp = createErpClient(vars, {
    tokenCache: (key, fetchToken) => cachedToken(db, `erp:${key}`, clock(), fetchToken),
    invalidateToken: (key, token) => invalidateToken(db, `erp:${key}`, token),
  });
  const settings = erpWriteBackSettings(vars);
  if (erp && settings.enabled) log.info({ erp: erp.kind }, 'ERP write-back is on');
  return new ErpWriter({
    db,
    erp,
    settings,
    log,
    runInContext: (name, work) => bot.runScheduled(name, work),
  });
}

/** SMS_PROVIDER=aliyun|tencent sends for real; unset or `log`, the SMS show in the playground's SMS pane. */
function smsProviderFor(env: Env, database: DatabaseHandle, clock: () => Date): SmsProvider {
  const provider = createSmsProvider(env as Record<string, string | undefined>);
  return provider.name === 'log' ? new PlaygroundSmsProvider({ db: database.db, clock }) : provider;
}

/** The playground's order history and the risk models trained on it, at the demo's first start. */
async function seedDemoHistory(db: Database, config: BusinessConfig, now: Date, log: Logger): Promise<void> {
  if (!(await seedDemoRiskHistoryIfEmpty(db, now, config.lifecycle.deliverBy))) return;
  const outcomes = await retrainRiskModels({ db, now, config, log });
  log.info(
    { outcomes: outcomes.map((o) => `${o.target}:${o.kind}`) },
    'demo order history loaded, risk models trained',
  );
}
