import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { ConfigError } from '../core/errors';
import { hashPassword } from '../web/board/passwords';
import { configCommand } from './cli-config';
import { importCommand, processIo } from './cli-import';
import { kpiCommand } from './cli-kpi';
import { parseCommand } from './cli-parse';
import { reconcileCommand } from './cli-reconcile';
import { riskCommand } from './cli-risk';
import { rulesCommand, rulesImportCommand } from './cli-rules';
import { settlementsImportCommand } from './cli-settlements';

const USAGE = `usage: orderbot <command> [options]

commands:
  parse [--now <ISO time>] [--customers FILE]
                             read one message per line on stdin, print one JSON object per line
  kpi --from <YYYY-MM-DD> --to <YYYY-MM-DD> [--format csv|json]
                             the KPIs per week and for the whole range (China dates, both included)
  import <customers|materials|ranges|inspections|stock|supply> FILE [--dry-run] [--columns FILE]
                             check a whole .xlsx/.xls/.csv of master data, then write it in one transaction
                             (nothing on any error); --dry-run checks and counts only
  import rules FILE [--dry-run]
                             save a promotion rule sheet (.xlsx/.xls/.csv) as new rule versions (docs/channels-rules.md)
  import settlements FILE --channel douyin|taobao|jd --shop SHOP [--dry-run]
                             store a platform's settlement export (e.g. the JD merchant bill export), each line once
  rules eval --rules FILE    read canonical channel orders as JSON lines on stdin, print the rules each gets
  reconcile --from <YYYY-MM-DD> --to <YYYY-MM-DD> [--channel C] [--format text|csv|json] [--lang zh|en]
                             channel orders' expected invoice amounts against the platforms' settlements
  risk backtest [--months 18] [--seed N] [--orders N] [--from-db]
                             the lateness and complaint models and the demand forecast measured on a time split
  risk train                 retrain the plant's risk models now (as the nightly job does)
  config export | config import FILE
                             print the running config (the latest version) as YAML, or save a YAML file as the
                             newest version (running processes pick it up within seconds)
  config set-password USERNAME [--role admin|viewer]
                             read a password from stdin and save a config version in which that board user
                             has it (a new user is an admin unless --role says otherwise), e.g. a plant's
                             first admin: read -s p; echo "$p" | npm run -s orderbot -- config set-password admin
  hash-password              read a password from stdin, print the hash for the board's users in the config
`;

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
      return kpiCommand(rest, processIo);
    case 'import':
      if (rest[0] === 'rules') return rulesImportCommand(rest.slice(1), processIo);
      if (rest[0] === 'settlements') return settlementsImportCommand(rest.slice(1), processIo);
      return importCommand(rest);
    case 'rules':
      return rulesCommand(rest, processIo, createInterface({ input: process.stdin, crlfDelay: Infinity }));
    case 'reconcile':
      return reconcileCommand(rest, processIo);
    case 'risk':
      return riskCommand(rest, processIo);
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
