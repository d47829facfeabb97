/**
 * A customer list as plain text, as `orderbot parse --customers FILE` reads it: one customer per line,
 * the name first, then its aliases, separated by tabs. Blank lines and lines starting with # are
 * skipped; spaces around each field are trimmed; empty fields are dropped. Customers are numbered 1, 2, …
 * in the order of the file.
 */
import type { CustomerName } from './recognize';

export type CustomerListResult =
  | { ok: true; customers: CustomerName[] }
  | { ok: false; line: number; error: 'no-name' | 'duplicate-name'; text: string };

export function parseCustomerList(text: string): CustomerListResult {
  const customers: CustomerName[] = [];
  const names = new Set<string>();
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  for (const [i, line] of lines.entries()) {
    if (line.trim() === '' || line.trimStart().startsWith('#')) continue;
    const [name = '', ...aliases] = line.split('\t').map((field) => field.trim());
    if (name === '') return { ok: false, line: i + 1, error: 'no-name', text: line };
    if (names.has(name)) return { ok: false, line: i + 1, error: 'duplicate-name', text: line };
    names.add(name);
    customers.push({ id: customers.length + 1, name, aliases: aliases.filter((a) => a !== '') });
  }
  return { ok: true, customers };
}
