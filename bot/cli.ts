import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { parseMessage, type ParsedMessage } from '../domain/parse';

const USAGE = `usage: orderbot <command> [options]

commands:
  parse [--now <ISO time>]   read one message per line on stdin, print one JSON object per line
`;

/** The public parse contract: exactly these keys, in this order. */
function contractView(parsed: ParsedMessage) {
  return {
    intent: parsed.intent,
    items: parsed.items.map(({ sku, quantity, unit, kind }) => ({ sku, quantity, unit, kind })),
    dueDate: parsed.dueDate,
    urgent: parsed.urgent,
    specs: parsed.specs.map(({ param, op, value, unit }) => ({ param, op, value, unit })),
    customer: parsed.customer,
    missing: parsed.missing,
  };
}

async function parseCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { now: { type: 'string' } }, strict: true });
  const now = values.now ? new Date(values.now) : new Date();
  if (Number.isNaN(now.getTime())) {
    process.stderr.write(`orderbot parse: --now is not a valid time: "${values.now}" (e.g. 2026-02-24T10:00:00+08:00)\n`);
    return 2;
  }
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of lines) {
    if (line.trim() === '') continue;
    process.stdout.write(`${JSON.stringify(contractView(parseMessage(line, now)))}\n`);
  }
  return 0;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'parse':
      return parseCommand(rest);
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

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: Error) => {
    process.stderr.write(`orderbot: ${err.message}\n`);
    process.exitCode = 1;
  },
);
