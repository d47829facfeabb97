import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import {
  type BusinessConfig,
  DEMO_CONFIG_PATH,
  loadBusinessConfig,
  validateBusinessConfig,
} from '../config/business-config';
import { latestConfig } from '../db/config-versions';
import { ConfigError } from '../core/errors';
import { readEnv } from '../config/env';
import { type Database, openDatabase } from '../db/client';
import { migrate } from '../db/migrate';
import { dateRange } from '../domain/kpi';
import { hashPassword } from '../web/board/passwords';
import { configCommand } from './cli-config';
import { parseCommand } from './cli-parse';
import { importCommand, processIo } from './cli-import';
import { dataDirHolder } from './data-dir-lock';
import { kpiCsv, kpiRows } from '../handlers/kpi-export';

const USAGE = `usage: orderbot <command> [options]

commands:
  parse [--now <ISO time>] [--customers FILE]
                             read one message per line on stdin, print one JSON object per line
  kpi --from <YYYY-MM-DD> --to <YYYY-MM-DD> [--format csv|json]
                             the KPIs per week and for the whole range (China dates, both included)
  import <customers|materials|ranges|inspections|stock> FILE [--dry-run] [--columns FILE]
                             check a whole .xlsx/.xls/.csv of master data, then write it in one transaction
                             (nothing on any error); --dry-run checks and counts only
  config export | config import FILE
                             print the running config (the latest version) as YAML, or save a YAML file as the
                             newest version (running processes pick it up within seconds)
  config set-password USERNAME [--role admin|viewer]
                             read a password from stdin and save a config version in which that board user
                             has it (a new user is an admin unless --role says otherwise), e.g. a plant's
                             first admin: read -s p; echo "$p" | npm run -s orderbot -- config set-password admin
  hash-password              read a password from stdin, print the hash for the board's users in the config
`;

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

async function kpiCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { from: { type: 'string' }, to: { type: 'string' }, format: { type: 'string', default: 'csv' } },
    strict: true,
  });
  const { from, to, format } = values;
  if (
    !from ||
    !to ||
    !ISO_DATE.test(from) ||
    !ISO_DATE.test(to) ||
    Number.isNaN(Date.parse(from)) ||
    Number.isNaN(Date.parse(to)) ||
    from > to
  ) {
    process.stderr.write(
      'orderbot kpi: give --from and --to as YYYY-MM-DD, --from not after --to (e.g. --from 2026-02-01 --to 2026-02-28)\n',
    );
    return 2;
  }
  if (format !== 'csv' && format !== 'json') {
    process.stderr.write(`orderbot kpi: --format is csv or json, not "${format}"\n`);
    return 2;
  }
  const env = readEnv();
  const holder = env.DATABASE_URL ? null : dataDirHolder(env.ORDERBOT_DATA_DIR);
  if (holder) {
    process.stderr.write(
      `orderbot kpi: the running orderbot (pid ${holder}) holds the embedded database in ${env.ORDERBOT_DATA_DIR}; stop it first, or download the same figures from its ops board: /board/kpi.csv?from=${from}&to=${to}\n`,
    );
    return 1;
  }
  const database = await openDatabase({ url: env.DATABASE_URL, dataDir: env.ORDERBOT_DATA_DIR, poolSize: 2 });
  try {
    await migrate(database.db);
    const config = await runningConfig(database.db, env.ORDERBOT_CONFIG ?? DEMO_CONFIG_PATH);
    const range = dateRange(from, to);
    if (format === 'csv') process.stdout.write(await kpiCsv(database.db, config, range));
    else process.stdout.write(`${JSON.stringify(await kpiRows(database.db, config, range), null, 2)}\n`);
    return 0;
  } finally {
    await database.close();
  }
}

/** The config the product runs on: the database's latest version, or the config file before the first start. */
async function runningConfig(db: Database, file: string): Promise<BusinessConfig> {
  const latest = await latestConfig(db);
  if (!latest) return loadBusinessConfig(file);
  const checked = validateBusinessConfig(latest.input);
  if (!checked.ok) throw new ConfigError(`config version ${latest.version} in the database is invalid`);
  return checked.config;
}

async function hashPasswordCommand(): Promise<number> {
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of lines) {
    if (line.length < 8) {
      process.stderr.write('orderbot hash-password: use at least 8 characters\n');
      return 2;
    }
    process.stdout.write(`${await hashPassword(line)}\n`);
    return 0;
  }
  process.stderr.write(
    'orderbot hash-password: give the password on stdin, e.g. `read -s p; echo "$p" | npm run -s orderbot -- hash-password`\n',
  );
  return 2;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'parse':
      return parseCommand(rest, processIo, createInterface({ input: process.stdin, crlfDelay: Infinity }));
    case 'kpi':
      return kpiCommand(rest);
    case 'import':
      return importCommand(rest);
    case 'config':
      return configCommand(rest);
    case 'hash-password':
      return hashPasswordCommand();
    case undefined:
    case 'help':
    case '--help':
      process.stdout.write(USAGE);
      return command === undefined ? 2 : 0;
    default:
      process.stderr.write(`orderbot: unknown command "${command}"\n${USAGE}`);
      return 2;
  }
}

// As the server does: a plant's DATABASE_URL and ORDERBOT_CONFIG in .env reach the commands too.
if (existsSync('.env')) process.loadEnvFile('.env');

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: Error) => {
    process.stderr.write(`orderbot: ${err instanceof ConfigError ? err.message : err.message.split('\n')[0]}\n`);
    process.exitCode = 1;
  },
);
