import { readFileSync } from 'node:fs';
import { stringify } from 'yaml';
import { readBusinessConfig } from '../config/business-config';
import { readEnv } from '../config/env';
import { ConfigError } from '../core/errors';
import { openDatabase } from '../db/client';
import { latestConfig, saveConfig } from '../db/config-versions';
import { migrate } from '../db/migrate';
import { changeLine } from '../domain/config-changes';
import { type CommandIo, processIo } from './cli-import';
import { dataDirHolder } from './data-dir-lock';

const USAGE = 'usage: orderbot config export > plant.yaml | orderbot config import plant.yaml\n';

/**
 * `orderbot config export`: the latest config version as YAML on stdout (a plant's set-up, to copy or
 * keep). `orderbot config import FILE`: a YAML config saved as the newest version, as the console would
 * save it (every running process picks it up within seconds); an invalid file names its fields and
 * changes nothing.
 */
export async function configCommand(args: string[], io: CommandIo = processIo): Promise<number> {
  const [action, path, ...extra] = args;
  if (!(action === 'export' && !path) && !(action === 'import' && path && extra.length === 0)) {
    io.err(`orderbot config: ${USAGE}`);
    return 2;
  }
  let input: unknown;
  if (action === 'import') {
    try {
      input = readBusinessConfig(readFileSync(path!, 'utf8'), path).input;
    } catch (err) {
      io.err(
        `orderbot config: ${err instanceof ConfigError ? err.message : `cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? err}`}\n`,
      );
      return 1;
    }
  }
  const env = readEnv(io.env);
  const holder = env.DATABASE_URL ? null : dataDirHolder(env.ORDERBOT_DATA_DIR);
  if (holder) {
    io.err(
      `orderbot config: the running orderbot (pid ${holder}) holds the embedded database in ${env.ORDERBOT_DATA_DIR}; stop it first, or use the admin console (/admin)\n`,
    );
    return 1;
  }
  const database = await openDatabase({ url: env.DATABASE_URL, dataDir: env.ORDERBOT_DATA_DIR, poolSize: 2 });
  try {
    await migrate(database.db);
    const latest = await latestConfig(database.db);
    if (action === 'export') {
      if (!latest) {
        io.err('orderbot config: no config version yet (the product saves its config file at first start)\n');
        return 1;
      }
      io.out(`# orderbot config, version ${latest.version}\n${stringify(latest.input)}`);
      return 0;
    }
    const outcome = await saveConfig(database.db, {
      input,
      basedOn: latest?.version ?? null,
      source: 'import',
      savedBy: 'cli',
      now: new Date(),
    });
    if (!outcome.ok) {
      io.err(`orderbot config: not saved: ${JSON.stringify(outcome)}\n`);
      return 1;
    }
    for (const change of outcome.changes) io.err(`${changeLine(change)}\n`);
    io.out(`config: version ${outcome.version}, ${outcome.changes.length} changes\n`);
    return 0;
  } finally {
    await database.close();
  }
}
