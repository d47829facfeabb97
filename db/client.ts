import { once } from 'node:events';
import { mkdirSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from 'drizzle-orm/pg-core';
import { type ExtractTablesWithRelations, type Placeholder, type SQL, sql } from 'drizzle-orm';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';

/**
 * The drizzle database, whichever driver is below it. Code above db/ only sees this type. It is made without the
 * schema: drizzle's relational queries (`db.query.<table>`), which the product does not use, would otherwise build
 * a query builder for each of the 52 tables in every transaction it opens.
 */
type NoSchema = Record<string, never>;
export type Database = PgDatabase<PgQueryResultHKT, NoSchema>;
export type Tx = PgTransaction<PgQueryResultHKT, NoSchema, ExtractTablesWithRelations<NoSchema>>;
export type Queryable = Database | Tx;

export interface DatabaseHandle {
  db: Database;
  kind: 'pglite' | 'postgres';
  close(): Promise<void>;
  /** Only with ORDERBOT_DB_STATS=1 on PostgreSQL: what this handle sent so far (the e2e bench reads it). */
  stats?: () => DatabaseStats;
}

/** Counted since the handle was opened, over all its connections. */
export interface DatabaseStats {
  /** Queries handed to the driver (each `begin`, `commit` and statement; one per execution, prepared or not). */
  statements: number;
  /** Writes to the connections' sockets: the driver sends what it has pipelined in one write, then waits. */
  roundTrips: number;
  /** Executions by query text, to see which statements an order costs. */
  byText: Record<string, number>;
}

export interface DatabaseOptions {
  /** PostgreSQL connection string; when absent the embedded PGlite is used. */
  url?: string;
  /** PGlite data directory; absent means in memory (tests). */
  dataDir?: string;
  /** Connection pool size for PostgreSQL. */
  poolSize?: number;
}

export async function openDatabase(options: DatabaseOptions): Promise<DatabaseHandle> {
  if (options.url) {
    const stats: DatabaseStats | undefined =
      process.env.ORDERBOT_DB_STATS === '1' ? { statements: 0, roundTrips: 0, byText: {} } : undefined;
    const client = postgres(options.url, {
      max: options.poolSize ?? 10,
      onnotice: () => {},
      connection: { application_name: 'orderbot' },
      // The driver's default waits up to 20 s before a connection tries again, counting every failure
      // of the pool: after a database restart the bot would stay away that long. At most 2 s here.
      backoff: (retries: number) => Math.min(0.1 * 2 ** retries, 2),
      ...(stats && countingOptions(stats)),
    });
    const db = drizzlePostgres({ client: preparing(client, stats) }) as unknown as Database;
    return {
      db,
      kind: 'postgres',
      close: () => client.end({ timeout: 5 }),
      ...(stats && { stats: () => ({ ...stats, byText: { ...stats.byText } }) }),
    };
  }
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  // Loaded only here: a process on PostgreSQL does not carry the embedded database's code (tens of MB of RSS).
  const [{ PGlite }, { drizzle: drizzlePglite }] = await Promise.all([
    import('@electric-sql/pglite'),
    import('drizzle-orm/pglite'),
  ]);
  const client = options.dataDir ? new PGlite(options.dataDir) : new PGlite();
  await client.waitReady;
  const db = drizzlePglite({ client }) as unknown as Database;
  return { db, kind: 'pglite', close: () => client.close() };
}

/**
 * The driver option that counts round trips (each write to a socket; the driver writes what it has queued once
 * per tick or when it must wait for an answer). The sockets are connected here because the driver skips its own
 * connecting when given a `socket` (plain TCP or a Unix socket; with TLS the driver wraps the socket and its
 * writes are not counted). Statements are counted by `preparing`, not by the driver's `debug` hook: with `debug`
 * set, the driver captures a stack trace for every query, a cost the product does not have without it.
 */
function countingOptions(stats: DatabaseStats) {
  return {
    socket: async (o: { host: string[]; port: number[]; path?: string | false; connect_timeout?: number }) => {
      const socket = o.path ? connect(o.path) : connect(o.port[0]!, o.host[0]!);
      socket.setTimeout((o.connect_timeout ?? 30) * 1000, () =>
        socket.destroy(Object.assign(new Error('connect timeout'), { code: 'CONNECT_TIMEOUT' })),
      );
      await once(socket, 'connect');
      socket.setTimeout(0);
      const write = socket.write;
      socket.write = function (this: Socket, ...args: unknown[]) {
        stats.roundTrips++;
        return (write as (...a: unknown[]) => boolean).apply(this, args);
      } as Socket['write'];
      return socket;
    },
  };
}

/**
 * The driver with every statement prepared on the server. drizzle hands each query to postgres.js `unsafe` with
 * `prepare: false` (unless the query was `.prepare(name)`d), so PostgreSQL parsed and planned every statement of
 * every order again; postgres.js keeps a named statement per query text and connection when asked to prepare.
 * Transactions and savepoints get a driver wrapped the same way. Query texts are bounded: drizzle writes values
 * as parameters, and a list is one parameter (`= any($1)`) or a fixed number of them per list length.
 */
// biome-ignore lint/suspicious/noExplicitAny: a transparent wrapper around the driver's callable object
function preparing(sql: any, stats?: DatabaseStats): any {
  // Functions bound once per wrapped driver: drizzle reads the driver's methods on every query.
  const bound = new Map<string | symbol, unknown>();
  return new Proxy(sql, {
    get(target, prop) {
      if (bound.has(prop)) return bound.get(prop);
      const value = Reflect.get(target, prop, target);
      if (prop === 'unsafe') {
        const unsafe = (query: string, args?: unknown[], options?: Record<string, unknown>) => {
          if (stats) count(stats, query);
          return target.unsafe(query, args, options ? { ...options, prepare: true } : PREPARE);
        };
        bound.set(prop, unsafe);
        return unsafe;
      }
      if (prop === 'begin' || prop === 'savepoint') {
        return (...args: unknown[]) => {
          const last = args.length - 1;
          const work = args[last] as (inner: unknown) => unknown;
          args[last] = (inner: unknown) => work(preparing(inner, stats));
          // Its opening statement and its commit, release or rollback.
          if (stats) {
            count(stats, prop);
            count(stats, prop === 'begin' ? 'commit' : 'release');
          }
          return value.apply(target, args);
        };
      }
      if (typeof value !== 'function') return value;
      const method = value.bind(target);
      bound.set(prop, method);
      return method;
    },
  });
}

const PREPARE = Object.freeze({ prepare: true });

function count(stats: DatabaseStats, query: string) {
  stats.statements++;
  stats.byText[query] = (stats.byText[query] ?? 0) + 1;
}

/**
 * `= ${anyOfList(…)}`: a match against a list sent as one jsonb parameter, so the statement's text is the same for
 * any length. The array is read first and the column's index used; with `in (select jsonb_array_elements_text(…))`
 * the planner guesses a hundred elements and scans the table (20,000 stock rows: 1.9 ms against 0.02 ms). The list
 * is the values, or a placeholder of a fixed statement whose value is their JSON text.
 */
export function anyOfList(list: ReadonlyArray<string | number> | Placeholder, cast: 'text' | 'bigint' = 'text'): SQL {
  const param = Array.isArray(list) ? JSON.stringify(list) : list;
  return sql`any(array(select jsonb_array_elements_text(${param}::jsonb)::${sql.raw(cast)}))`;
}

/** A json value of raw SQL's answer as the driver gives it: postgres.js parses it, PGlite may hand over its text. */
export function fromJson<T>(value: T | string): T {
  return typeof value === 'string' ? (JSON.parse(value) as T) : value;
}

/** Runs raw SQL and returns its rows; postgres.js answers an array, PGlite an object with `rows`. */
export async function queryRows<T = Record<string, unknown>>(q: Queryable, query: SQL): Promise<T[]> {
  return rowsOf<T>(await q.execute(query));
}

/** A statement already written out: its text (parameters as $1, $2, …) and their values. */
export interface BuiltQuery {
  sql: string;
  params: unknown[];
}

interface Session {
  prepareQuery(
    query: BuiltQuery,
    fields: undefined,
    name: undefined,
    arrayMode: false,
  ): { execute(): Promise<unknown> };
}

/**
 * Runs a statement whose text the caller wrote (from parts built once) and returns its rows, as queryRows does:
 * drizzle's session runs it, but nothing walks an `sql` template's chunks to write the text again.
 */
export async function queryText<T = Record<string, unknown>>(q: Queryable, query: BuiltQuery): Promise<T[]> {
  const session = (q as unknown as { session: Session }).session;
  return rowsOf<T>(await session.prepareQuery(query, undefined, undefined, false).execute());
}

/** An `sql` template written out, its parameters numbered from $1. */
export function builtQuery(q: Queryable, query: SQL): BuiltQuery {
  return (q as unknown as { dialect: { sqlToQuery(query: SQL): BuiltQuery } }).dialect.sqlToQuery(query);
}

function rowsOf<T>(result: unknown): T[] {
  if (Array.isArray(result)) return result as T[];
  return ((result as { rows?: T[] }).rows ?? []) as T[];
}

const CONNECTION_CODES = new Set([
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  'CONNECT_TIMEOUT',
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
]);

/**
 * The database was away rather than the work wrong: a lost connection, a server shutting down or
 * starting up (SQLSTATE class 08, 57P01-57P03). Trying the same work again later can succeed.
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  for (
    let e = err as { code?: unknown; cause?: unknown } | undefined, depth = 0;
    e && depth < 5;
    e = e.cause as typeof e, depth++
  ) {
    const code = typeof e.code === 'string' ? e.code : '';
    if (CONNECTION_CODES.has(code) || code.startsWith('08') || /^57P0[123]$/.test(code)) return true;
  }
  return false;
}

/**
 * The transaction lost a race with another one (a deadlock, a serialization failure, a lock it may not wait for):
 * nothing was wrong with the work, and doing it again in a new transaction can succeed.
 */
export function isTransactionConflict(err: unknown): boolean {
  for (
    let e = err as { code?: unknown; cause?: unknown } | undefined, depth = 0;
    e && depth < 5;
    e = e.cause as typeof e, depth++
  ) {
    if (e.code === '40P01' || e.code === '40001' || e.code === '55P03') return true;
  }
  return false;
}
