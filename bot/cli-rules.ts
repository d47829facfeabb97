/**
 * The promotion rule commands.
 *
 * `orderbot rules eval --rules FILE`: evaluates canonical channel orders (domain/channels/order.ts), one JSON
 * object a line on stdin, against the rules of FILE (a rule sheet .csv/.xlsx/.xls, whose rows with status
 * active are used, or a .json array of ChannelRule), and prints one JSON line per order:
 *   {"order","applied":[{"code","version","amountFen","lines":[{"sku","amountFen"}],"label"}],
 *    "skipped":[{"code","reason"}],"expectedInvoiceFen"}
 * (an applied gift or points rule also carries "gift" / "points"). A sheet rule is version 1 unless the sheet's
 * version column says otherwise. Lines are printed as they are evaluated; the first bad input line (not JSON, a
 * missing or ill-typed field, an order breaking assertChannelOrder) stops the command with ONE error line on
 * stderr naming the order (its orderId, or the line number when it has none) and the field, exit code 2: the
 * lines before it have been printed already, the lines after it are not read. Blank lines are skipped.
 * A bad rule file: its errors on stderr, exit 2, no order read.
 *
 * `orderbot import rules FILE [--dry-run]`: reads and checks a rule sheet and saves it (db/channel-rules.ts:
 * a new version per changed code); prints `rules: N added, M new versions, K unchanged, 0 errors`. A sheet with
 * any error saves nothing (errors on stderr, exit 1).
 */
import { readFileSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { saveRuleSheet } from '../db/channel-rules';
import { assertChannelOrder, type ChannelOrder } from '../domain/channels/order';
import { compileRulePool, type RulePool } from '../domain/channels/rule-pool';
import type { ChannelRule } from '../domain/channels/rules';
import { readRuleSheet } from '../integrations/channels/rule-sheet';
import { errorLines } from '../integrations/import/import-file';
import type { CommandIo } from './cli-import';
import { withCommandDatabase } from './cli-database';

export const RULES_EVAL_USAGE = 'usage: orderbot rules eval --rules FILE  (orders as JSON lines on stdin)\n';
export const RULES_IMPORT_USAGE = 'usage: orderbot import rules FILE [--dry-run]\n';

const fen = z.number().int().nonnegative();
const channel = z.enum(['douyin', 'taobao', 'jd']);
const funder = z.enum(['shop', 'platform', 'talent']);
const discount = z.object({ ref: z.string(), amountFen: fen, fundedBy: funder });

export const ChannelOrderSchema = z.object({
  channel,
  shop: z.string(),
  orderId: z.string().min(1),
  buyerKey: z.string(),
  createdAt: z.string(),
  paidAt: z.string().nullable(),
  lines: z.array(
    z.object({
      sku: z.string().min(1),
      quantity: z.number().int().positive(),
      unitPriceFen: fen,
      discounts: z.array(discount),
    }),
  ),
  discounts: z.array(discount),
  totals: z.object({ freightFen: fen, paidFen: fen }),
});

const wall = z.string();
export const ChannelRuleSchema = z.object({
  code: z.string().min(1),
  version: z.number().int().positive(),
  label: z.string(),
  channel,
  shop: z.string().nullable(),
  skuScope: z.object({ include: z.array(z.string()), exclude: z.array(z.string()) }),
  conditions: z.object({ minSubtotalFen: fen.optional(), minQuantity: z.number().int().positive().optional() }),
  benefit: z.discriminatedUnion('type', [
    z.object({ type: z.literal('fixed_off'), amountFen: fen }),
    z.object({ type: z.literal('percent_off'), basisPoints: z.number().int().min(0).max(10000) }),
    z.object({ type: z.literal('gift'), sku: z.string().min(1), quantity: z.number().int().positive() }),
    z.object({ type: z.literal('points'), points: z.number().int().nonnegative() }),
  ]),
  target: z.enum(['item', 'order']),
  allocation: z.enum(['across', 'each']),
  priority: z.number().int(),
  stackGroup: z.string().nullable(),
  combinesWith: z.object({ item: z.boolean(), order: z.boolean() }),
  exclusiveWith: z.array(z.string()),
  stopFurther: z.boolean(),
  window: z.object({ from: wall, to: wall, basis: z.enum(['pay', 'create']) }),
  fundedBy: funder,
  platformRef: z.string().nullable(),
}) satisfies z.ZodType<ChannelRule>;

/** `lines[0].quantity`, or `(the order)` for the root. */
function pathText(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : `${out === '' ? '' : '.'}${String(p)}`;
  return out === '' ? '(the order)' : out;
}

function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0]!;
  return `${pathText(issue.path)}: ${issue.message}`;
}

/** The rules of a file: a rule sheet, or a JSON array of ChannelRule. Errors as lines to print. */
export function loadRulesFile(path: string): { rules: ChannelRule[] } | { errors: string[] } {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    return { errors: [`cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? err}`] };
  }
  if (extname(path).toLowerCase() === '.json') {
    let raw: unknown;
    try {
      raw = JSON.parse(bytes.toString('utf8'));
    } catch (err) {
      return { errors: [`${basename(path)} is not JSON: ${(err as Error).message}`] };
    }
    const parsed = z.array(ChannelRuleSchema).safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const [index, ...rest] = issue.path;
      const code = typeof index === 'number' ? (raw as Array<{ code?: unknown }>)[index]?.code : undefined;
      const who =
        typeof code === 'string' ? `rule ${code}` : typeof index === 'number' ? `rule [${index}]` : basename(path);
      return { errors: [`${basename(path)}: ${who}: ${pathText(rest)}: ${issue.message}`] };
    }
    return { rules: parsed.data as ChannelRule[] };
  }
  const read = readRuleSheet({ name: basename(path), bytes });
  if (!read.ok) return { errors: errorLines(read.errors) };
  return { rules: read.rules.filter((r) => r.status === 'active').map((r) => r.rule) };
}

/** The printed form of one order's evaluation. */
function evaluationLine(order: ChannelOrder, pool: RulePool): string {
  const result = pool.evaluate(order);
  return JSON.stringify({
    order: order.orderId,
    applied: result.applied.map((a) => ({
      code: a.code,
      version: a.version,
      amountFen: a.amountFen,
      lines: a.lines.map((l) => ({ sku: l.sku, amountFen: l.amountFen })),
      label: a.label,
      ...(a.gift ? { gift: a.gift } : {}),
      ...(a.points !== undefined ? { points: a.points } : {}),
    })),
    skipped: result.skipped.map((s) => ({ code: s.code, reason: s.reason })),
    expectedInvoiceFen: result.expectedInvoiceFen,
  });
}

/** `orderbot rules eval --rules FILE`; `stdinLines` are the lines of stdin. */
export async function rulesCommand(args: string[], io: CommandIo, stdinLines: AsyncIterable<string>): Promise<number> {
  let values: { rules?: string };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args,
      options: { rules: { type: 'string' } },
      allowPositionals: true,
      strict: true,
    }));
  } catch (err) {
    io.err(`orderbot rules: ${(err as Error).message}\n${RULES_EVAL_USAGE}`);
    return 2;
  }
  if (positionals[0] !== 'eval' || positionals.length > 1 || !values.rules) {
    io.err(RULES_EVAL_USAGE);
    return 2;
  }
  const loaded = loadRulesFile(values.rules);
  if ('errors' in loaded) {
    for (const line of loaded.errors) io.err(`${line}\n`);
    io.err(`orderbot rules: ${basename(values.rules)} has errors; no order was evaluated\n`);
    return 2;
  }
  let pool: RulePool;
  try {
    pool = compileRulePool(loaded.rules);
  } catch (err) {
    io.err(`orderbot rules: ${basename(values.rules)}: ${(err as Error).message}\n`);
    return 2;
  }
  let lineNo = 0;
  for await (const text of stdinLines) {
    lineNo += 1;
    if (text.trim() === '') continue;
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (err) {
      io.err(`orderbot rules: line ${lineNo}: not JSON (${(err as Error).message})\n`);
      return 2;
    }
    const id = (raw as { orderId?: unknown } | null)?.orderId;
    const who = typeof id === 'string' && id !== '' ? `order ${id}` : `line ${lineNo}`;
    const parsed = ChannelOrderSchema.safeParse(raw);
    if (!parsed.success) {
      io.err(`orderbot rules: ${who}: ${firstIssue(parsed.error)}\n`);
      return 2;
    }
    const order = parsed.data as ChannelOrder;
    try {
      assertChannelOrder(order);
    } catch (err) {
      // assertChannelOrder names the order and the field: "order O-1: createdAt must be a UTC ISO instant".
      io.err(`orderbot rules: ${(err as Error).message}\n`);
      return 2;
    }
    io.out(`${evaluationLine(order, pool)}\n`);
  }
  return 0;
}

/** `orderbot import rules FILE [--dry-run]`; `args` are what follows `import rules`. */
export async function rulesImportCommand(args: string[], io: CommandIo): Promise<number> {
  let values: { 'dry-run'?: boolean };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args,
      options: { 'dry-run': { type: 'boolean', default: false } },
      allowPositionals: true,
      strict: true,
    }));
  } catch (err) {
    io.err(`orderbot import rules: ${(err as Error).message}\n${RULES_IMPORT_USAGE}`);
    return 2;
  }
  const [path, ...extra] = positionals;
  if (!path || extra.length > 0) {
    io.err(`orderbot import rules: give one file\n${RULES_IMPORT_USAGE}`);
    return 2;
  }
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    io.err(`orderbot import rules: cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? err}\n`);
    return 1;
  }
  const name = basename(path);
  const read = readRuleSheet({ name, bytes });
  if (!read.ok) {
    for (const line of errorLines(read.errors)) io.err(`${line}\n`);
    const n = read.errors.length;
    io.out(`rules: 0 added, 0 new versions, 0 unchanged, ${n} ${n === 1 ? 'error' : 'errors'}\n`);
    io.err(`orderbot import rules: ${name} has errors; nothing was saved\n`);
    return 1;
  }
  return withCommandDatabase(io, 'import rules', async (db) => {
    const outcome = await saveRuleSheet(db, read.rules, {
      source: `import:${name}`,
      now: new Date(),
      dryRun: values['dry-run'],
    });
    io.out(
      `rules: ${outcome.added} added, ${outcome.newVersions} new versions, ${outcome.unchanged} unchanged, 0 errors\n`,
    );
    if (values['dry-run']) io.err('orderbot import rules: dry run, nothing was saved\n');
    return 0;
  });
}
