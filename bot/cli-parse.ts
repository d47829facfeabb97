import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import {
  buildCustomerIndex,
  type CustomerIndex,
  type CustomerMatch,
  parseCustomerList,
  recognizeCustomers,
} from '../domain/customers';
import { parseMessage, type ParsedMessage } from '../domain/parse';
import type { CommandIo } from './cli-import';

/**
 * The public parse contract: exactly these keys, in this order. With a customer list (`matches`
 * given), `customer` is the one customer the message names when it names exactly one (else the
 * parser's labelled name), and `customerMatches` follows it: every customer named, longest first.
 */
function contractView(parsed: ParsedMessage, matches?: readonly CustomerMatch[]) {
  const head = {
    intent: parsed.intent,
    items: parsed.items.map(({ sku, quantity, unit, kind }) => ({ sku, quantity, unit, kind })),
    dueDate: parsed.dueDate,
    urgent: parsed.urgent,
    specs: parsed.specs.map(({ param, op, value, unit }) => ({ param, op, value, unit })),
  };
  if (matches === undefined) return { ...head, customer: parsed.customer, missing: parsed.missing };
  return {
    ...head,
    customer: matches.length === 1 ? (matches[0] as CustomerMatch).name : parsed.customer,
    customerMatches: matches.map((m) => m.name),
    missing: parsed.missing,
  };
}

/** The --customers file (one customer a line: name, then aliases, tab-separated), or why it cannot be used. */
function readCustomerFile(file: string): { index: CustomerIndex } | { error: string } {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(readFileSync(file));
  } catch (err) {
    const why = err instanceof TypeError ? 'it is not UTF-8 text' : (err as Error).message;
    return { error: `cannot read the --customers file "${file}": ${why}` };
  }
  const list = parseCustomerList(text);
  if (!list.ok) {
    const why = list.error === 'no-name' ? 'no customer name before the first tab' : 'this customer is already listed';
    return { error: `--customers file "${file}", line ${list.line}: ${why}: "${list.text}"` };
  }
  return { index: buildCustomerIndex(list.customers) };
}

/**
 * `orderbot parse`: one JSON object per message line read from `lines` (stdin), in the public contract's
 * shape; `--customers FILE` adds the customers each line names.
 */
export async function parseCommand(
  args: string[],
  io: CommandIo,
  lines: AsyncIterable<string> | Iterable<string>,
): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { now: { type: 'string' }, customers: { type: 'string' } },
    strict: true,
  });
  const now = values.now ? new Date(values.now) : new Date();
  if (Number.isNaN(now.getTime())) {
    io.err(`orderbot parse: --now is not a valid time: "${values.now}" (e.g. 2026-02-24T10:00:00+08:00)\n`);
    return 2;
  }
  const customers = values.customers === undefined ? undefined : readCustomerFile(values.customers);
  if (customers && 'error' in customers) {
    io.err(`orderbot parse: ${customers.error}\n`);
    return 2;
  }
  for await (const line of lines) {
    if (line.trim() === '') continue;
    const matches = customers ? recognizeCustomers(line, customers.index) : undefined;
    io.out(`${JSON.stringify(contractView(parseMessage(line, now), matches))}\n`);
  }
  return 0;
}
