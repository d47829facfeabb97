import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { type ColumnMapping, ColumnMappingSchema, EXPORT_KINDS, type ExportKind } from '../integrations/excel/mapping';
import { errorLines, importFile, importSummary } from '../integrations/import/import-file';
import { withCommandDatabase } from './cli-database';
import { type CommandIo, processIo } from './command-io';

export { type CommandIo, processIo } from './command-io';

/** How many errors are listed before "… and N more". */
const ERRORS_LISTED = 50;

/**
 * `orderbot import <kind> FILE [--dry-run] [--columns FILE]`: checks a whole file of master data and,
 * with no error, writes it in one transaction. Prints the errors (stderr, exit 1, nothing written) and
 * the summary line `customers: 12 added, 3 changed, 40 unchanged, 0 errors` (stdout). `--dry-run`
 * checks and counts without writing; `--columns` reads header aliases (YAML or JSON, the shape of
 * ColumnMappingSchema, e.g. `customers: { contactPhone: [手机号码] }`).
 */
export async function importCommand(args: string[], io: CommandIo = processIo): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(args);
  } catch (err) {
    io.err(`orderbot import: ${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [kind, path, ...extra] = positionals;
  if (!kind || !isKind(kind) || !path || extra.length > 0) {
    io.err(
      kind && !isKind(kind)
        ? `orderbot import: the kind is one of ${EXPORT_KINDS.join(', ')}, not "${kind}"\n`
        : `orderbot import: give the kind and one file\n${USAGE}`,
    );
    return 2;
  }
  let mapping: ColumnMapping;
  let bytes: Buffer;
  try {
    mapping = ColumnMappingSchema.parse(values.columns ? (parseYaml(readFileSync(values.columns, 'utf8')) ?? {}) : {});
  } catch (err) {
    io.err(`orderbot import: --columns ${values.columns}: ${(err as Error).message.split('\n')[0]}\n`);
    return 2;
  }
  try {
    bytes = readFileSync(path);
  } catch (err) {
    io.err(`orderbot import: cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? err}\n`);
    return 1;
  }
  return withCommandDatabase(
    io,
    'import',
    async (db) => {
      const outcome = await importFile({
        db,
        file: { name: basename(path), bytes },
        mapping,
        kind,
        options: { now: new Date(), dryRun: values['dry-run'] },
      });
      for (const line of errorLines(outcome.errors, ERRORS_LISTED)) io.err(`${line}\n`);
      io.out(`${importSummary({ ...outcome, kind })}\n`);
      if (outcome.errors.length > 0) {
        io.err(`orderbot import: ${basename(path)} has errors; nothing was written\n`);
        return 1;
      }
      if (values['dry-run']) io.err('orderbot import: dry run, nothing was written\n');
      return 0;
    },
    'drop the file into its Excel bridge folder (EXCEL_BRIDGE_DIR)',
  );
}

const USAGE = `usage: orderbot import <customers|materials|ranges|inspections|stock|supply> FILE [--dry-run] [--columns FILE]\n`;

function parse(args: string[]) {
  return parseArgs({
    args,
    options: { 'dry-run': { type: 'boolean', default: false }, columns: { type: 'string' } },
    allowPositionals: true,
    strict: true,
  });
}

function isKind(kind: string): kind is ExportKind {
  return (EXPORT_KINDS as readonly string[]).includes(kind);
}
