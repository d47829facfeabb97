import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { DEMO_CONFIG_PATH, readBusinessConfig } from '../config/business-config';
import { ConfigError } from '../core/errors';
import { readEnv } from '../config/env';
import { openDatabase } from '../db/client';
import { startApp } from './app';
import { createLogger } from './logger';
import { markDataDirInUse } from './data-dir-lock';

if (existsSync('.env')) process.loadEnvFile('.env');

async function main() {
  const env = readEnv();
  const log = createLogger(env.LOG_LEVEL);
  const configPath = env.ORDERBOT_CONFIG ?? DEMO_CONFIG_PATH;
  const { input: configInput, config } = readBusinessConfig(readFileSync(configPath, 'utf8'), configPath);
  const database = await openDatabase({ url: env.DATABASE_URL, dataDir: env.ORDERBOT_DATA_DIR });
  // The playground's clock can be moved forward to watch escalations; real platforms run on real time.
  let offsetMs = 0;
  const clock = () => new Date(Date.now() + offsetMs);
  const timeTravel = {
    offsetMs: () => offsetMs,
    advance: (ms: number) => {
      offsetMs += ms;
    },
  };
  const app = await startApp({
    database,
    config,
    configInput,
    log,
    env,
    clock,
    timeTravel,
    // The demo's customers and materials belong with the demo's people; a plant's own config starts empty.
    seedDemoData: resolve(configPath) === DEMO_CONFIG_PATH,
    seedDemoHistory: resolve(configPath) === DEMO_CONFIG_PATH,
    port: env.PORT,
    host: env.HOST,
  });
  const releaseDataDir = database.kind === 'pglite' ? markDataDirInUse(env.ORDERBOT_DATA_DIR) : () => {};
  log.info({ database: database.kind, url: app.url }, 'orderbot is running');
  const where = database.kind === 'pglite' ? `embedded PGlite in ${env.ORDERBOT_DATA_DIR}` : 'PostgreSQL';
  const platforms = app.bot
    .listAdapters()
    .map((a) => a.platform)
    .join(', ');
  const playground = app.bot.listAdapters().some((a) => a.platform === 'playground') ? `playground: ${app.url}\n` : '';
  process.stdout.write(`\norderbot is running at ${app.url} (${platforms}; database: ${where})\n${playground}\n`);

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping');
    await app.close();
    await database.close();
    releaseDataDir();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((err) => {
  if (err instanceof ConfigError) process.stderr.write(`${err.message}\n`);
  else process.stderr.write(`orderbot failed to start: ${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
