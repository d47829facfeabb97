import { type BusinessConfig, loadBusinessConfig, validateBusinessConfig } from '../config/business-config';
import { readEnv } from '../config/env';
import { ConfigError } from '../core/errors';
import type { Database } from '../db/client';
import { latestConfig } from '../db/config-versions';
import { openDatabase } from '../db/client';
import { migrate } from '../db/migrate';
import type { CommandIo } from './command-io';
import { dataDirHolder } from './data-dir-lock';

/**
 * Runs a command's work on the plant's database (DATABASE_URL, else the embedded one), migrated, closed after.
 * The embedded database cannot be opened while the running product holds it: the command says so (with
 * `elsewhere`, what to do instead) and exits 1.
 */
export async function withCommandDatabase(
  io: CommandIo,
  command: string,
  work: (db: Database) => Promise<number>,
  elsewhere = '',
): Promise<number> {
  const env = readEnv(io.env);
  const holder = env.DATABASE_URL ? null : dataDirHolder(env.ORDERBOT_DATA_DIR);
  if (holder) {
    io.err(
      `orderbot ${command}: the running orderbot (pid ${holder}) holds the embedded database in ${env.ORDERBOT_DATA_DIR}; stop it first${elsewhere ? `, or ${elsewhere}` : ''}\n`,
    );
    return 1;
  }
  const database = await openDatabase({ url: env.DATABASE_URL, dataDir: env.ORDERBOT_DATA_DIR, poolSize: 2 });
  try {
    await migrate(database.db);
    return await work(database.db);
  } finally {
    await database.close();
  }
}

/** The config the product runs on: the database's latest version, or the config file before the first start. */
export async function runningConfig(db: Database, file: string): Promise<BusinessConfig> {
  const latest = await latestConfig(db);
  if (!latest) return loadBusinessConfig(file);
  const checked = validateBusinessConfig(latest.input);
  if (!checked.ok) throw new ConfigError(`config version ${latest.version} in the database is invalid`);
  return checked.config;
}
