import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { CHANNELS } from '../config/business-config';
import { storeSettlements } from '../db/channel-settlements';
import type { Channel } from '../domain/channels/order';
import { readSettlementExport } from '../integrations/channels/settlement-export';
import { type CommandIo, processIo } from './cli-import';
import { withCommandDatabase } from './cli-database';

/** How many errors are listed before "… and N more". */
const ERRORS_LISTED = 50;

const USAGE = `usage: orderbot import settlements FILE --channel <${CHANNELS.join('|')}> --shop SHOP [--dry-run]\n`;

class DryRun extends Error {}

/**
 * `orderbot import settlements FILE --channel jd --shop SHOP [--dry-run]`: reads a settlement export (the JD
 * 京麦 bill export, or the generic layout; integrations/channels/settlement-export.ts) and stores its lines
 * once each (source `upload:<file name>`): a second upload of the same file adds nothing. Prints
 * `settlements: 3 added, 1 already there, 0 errors`. A file with a bad row stores nothing: its errors go to
 * stderr, each naming the row and the column, and the exit code is 1. Bad usage exits 2.
 */
export async function settlementsImportCommand(args: string[], io: CommandIo = processIo): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(args);
  } catch (err) {
    io.err(`orderbot import settlements: ${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  const { values } = parsed;
  // The caller may pass the words after "import" or after "import settlements".
  const positionals = parsed.positionals[0] === 'settlements' ? parsed.positionals.slice(1) : parsed.positionals;
  const [path, ...extra] = positionals;
  const channel = values.channel;
  const shop = values.shop?.trim();
  if (!path || extra.length > 0 || !channel || !shop) {
    io.err(`orderbot import settlements: give one file, --channel and --shop\n${USAGE}`);
    return 2;
  }
  if (!(CHANNELS as readonly string[]).includes(channel)) {
    io.err(`orderbot import settlements: the channel is one of ${CHANNELS.join(', ')}, not "${channel}"\n`);
    return 2;
  }
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    io.err(`orderbot import settlements: cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? err}\n`);
    return 1;
  }
  const name = basename(path);
  const read = readSettlementExport({ name, bytes }, { channel: channel as Channel, shop });
  if (!read.ok) {
    for (const line of read.errors.slice(0, ERRORS_LISTED)) io.err(`${line}\n`);
    if (read.errors.length > ERRORS_LISTED) io.err(`… and ${read.errors.length - ERRORS_LISTED} more\n`);
    io.out(`settlements: 0 added, 0 already there, ${read.errors.length} errors\n`);
    io.err(`orderbot import settlements: ${name} has errors; nothing was stored\n`);
    return 1;
  }

  return withCommandDatabase(io, 'import settlements', async (db) => {
    let added = 0;
    try {
      await db.transaction(async (tx) => {
        added = await storeSettlements(tx, channel as Channel, shop, read.lines, `upload:${name}`, new Date());
        // A dry run counts inside the transaction and rolls it back.
        if (values['dry-run']) throw new DryRun();
      });
    } catch (err) {
      if (!(err instanceof DryRun)) throw err;
    }
    io.out(`settlements: ${added} added, ${read.lines.length - added} already there, 0 errors\n`);
    if (read.skipped.notSettled > 0) {
      io.err(`orderbot import settlements: left out, not settled yet: ${read.skipped.notSettled}\n`);
    }
    if (values['dry-run']) io.err('orderbot import settlements: dry run, nothing was stored\n');
    return 0;
  });
}

function parse(args: string[]) {
  return parseArgs({
    args,
    options: {
      'dry-run': { type: 'boolean', default: false },
      channel: { type: 'string' },
      shop: { type: 'string' },
    },
    allowPositionals: true,
    strict: true,
  });
}
