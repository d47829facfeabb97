import { fillPlaceholders, type SQL } from 'drizzle-orm';
import { type BuiltQuery, builtQuery, type Queryable, queryText } from './client';

/** What drizzle's `.prepare(name)` answers: the built statement, run with its placeholders' values. */
interface Prepared<R> {
  execute(values?: Record<string, unknown>): Promise<R>;
}

let made = 0;

/**
 * A statement whose shape never changes, built once per driver and then run on the database or in any
 * transaction with its placeholders' values. drizzle's builders walk the table's columns and re-render the SQL
 * on every call, the largest share of the product's CPU per order after the driver itself (perf.md, issue 22);
 * a built statement only fills its parameters and maps the rows back, with drizzle's own code.
 *
 * Placeholders in conditions and in raw `sql` reach the driver as given: pass a time as its ISO string. Those in
 * an insert's values go through their column's encoder, null included: use them only for values that are never
 * null, or whose column's encoder passes null through (text, integer, boolean).
 */
export function fixedQuery<R>(build: (q: Queryable) => { prepare(name: string): Prepared<R> }) {
  const name = `fixed_${++made}`;
  // One per driver (its session class): the embedded and the real PostgreSQL can share a process (tests).
  const built = new Map<unknown, Prepared<R>>();
  return (q: Queryable, values?: Record<string, unknown>): Promise<R> => {
    // The session holds the connection or transaction the statement must run on (drizzle's `client`).
    const session = (q as unknown as { session: { client: unknown } }).session;
    let template = built.get(session.constructor);
    if (!template) {
      template = build(q).prepare(name);
      built.set(session.constructor, template);
    }
    const bound = Object.create(template, { client: { value: session.client } }) as Prepared<R>;
    return bound.execute(values);
  };
}

/**
 * fixedQuery for raw SQL (drizzle cannot prepare an `sql` template): the template, its values as
 * `sql.placeholder`s, is written out on first use and then only has its placeholders filled; answers the rows.
 */
export function fixedText<R = Record<string, unknown>>(build: () => SQL) {
  let built: BuiltQuery | undefined;
  return (q: Queryable, values: Record<string, unknown>): Promise<R[]> => {
    built ??= builtQuery(q, build());
    return queryText<R>(q, { sql: built.sql, params: fillPlaceholders(built.params, values) });
  };
}
