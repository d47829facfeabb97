import { type Column, getTableColumns, getTableName, SQL, sql } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import { type BuiltQuery, builtQuery, type Queryable, queryText } from './client';

type Key<T extends PgTable> = keyof T['$inferSelect'] & string;

interface InsertOptions<T extends PgTable, K extends Key<T> = Key<T>> {
  /** Skip rows that conflict on these columns (their keys in the table). */
  onConflictDoNothing?: ReadonlyArray<keyof T['$inferSelect'] & string>;
  /** Answer the inserted rows, in the order given: all their columns, or these. */
  returning?: boolean | readonly K[];
  /**
   * Values computed for each inserted row, answered beside `returning`'s columns under these keys: SQL text that may
   * name the row's columns as `<table>.<column>`, and binds no parameters.
   */
  returningAlso?: Readonly<Record<string, string>>;
  /**
   * Data-modifying statements of other tables to run by the same statement (as CTEs): an inbound row's
   * "processed" mark with the handler's effects. Run alone when there are no rows.
   */
  alongside?: SQL | readonly SQL[];
  /**
   * The rows and the alongside write go out as one statement, made before insertRows first waits: rows that would
   * need drizzle's builder (see insertRows) are an error instead.
   */
  oneStatement?: boolean;
}

interface Statement {
  /** The statement's text up to its one parameter, and after it; and the whole, the parameter as $1. */
  head: string;
  tail: string;
  text: string;
  /** The table's name and the given columns' names (the parent's id aside), quoted: withComputed's own head. */
  table: string;
  names: string;
  /** The columns the rows give, by their key in the rows. */
  columns: Array<[string, Column]>;
  /** The columns answered. */
  returned: Array<[string, Column]>;
}

const statements = new Map<string, Statement>();

/**
 * Inserts rows by one statement whose text depends only on the table, the columns given and the options: the rows
 * travel as one jsonb parameter (`jsonb_to_recordset`), so the driver keeps one prepared statement for any number
 * of rows, and nothing walks the table's columns per call as drizzle's insert builder does (6% of the
 * product's CPU samples in the e2e bench went there). Rows go in, and come back, in the order given.
 *
 * Every row must give the same columns; a column left out takes its default. Rows that differ in which columns
 * they give, or that give an SQL expression, go through drizzle's builder instead (same result, built per call).
 */
export async function insertRows<T extends PgTable, K extends Key<T> = Key<T>>(
  q: Queryable,
  table: T,
  rows: ReadonlyArray<T['$inferInsert']>,
  options: InsertOptions<T, K> = {},
): Promise<Array<Pick<T['$inferSelect'], K>>> {
  const alongside = statementsOf(options.alongside);
  if (rows.length === 0) {
    for (const statement of alongside) await q.execute(statement);
    return [];
  }
  const keys = sharedKeys(rows);
  if (keys === '') {
    if (options.oneStatement)
      throw new Error('insertRows: rows giving different columns or SQL values need two statements');
    if (options.returningAlso)
      throw new Error('insertRows: rows giving different columns or SQL values cannot answer computed values');
    for (const statement of alongside) await q.execute(statement);
    return insertWithBuilder(q, table, rows, options);
  }
  const statement = statementFor(table, keys, options);
  const records = recordsOf(statement, rows);
  const result = await queryText<Record<string, unknown>>(
    q,
    alongside.length > 0 ? withAlongside(q, alongside, statement, records) : { sql: statement.text, params: [records] },
  );
  if (!options.returning) return [];
  return result.map((raw) => fromDriver<Pick<T['$inferSelect'], K>>(statement.returned, raw, options.returningAlso));
}

/** A child table's rows, each given its parent row's id in `parentKey`. */
export interface ChildRows<C extends PgTable, K extends keyof C['$inferInsert'] & string> {
  table: C;
  parentKey: K;
  rows: ReadonlyArray<Omit<C['$inferInsert'], K>>;
  /** With several parent rows: each child row's parent, by the value of the parents' `matchOn` column. */
  parents?: readonly string[];
}

/** A child set for insertWithChildren, with its rows' type checked against its table. */
export function childRows<C extends PgTable, K extends keyof C['$inferInsert'] & string>(
  table: C,
  parentKey: K,
  rows: ReadonlyArray<Omit<C['$inferInsert'], K>>,
  /** With several parent rows: each row's parent, by the value of the parents' `matchOn` column. */
  parents?: readonly string[],
): ChildRows<C, K> {
  if (parents && parents.length !== rows.length) throw new Error('childRows: one parent per row');
  return { table, parentKey, rows, parents };
}

/**
 * Rows of another table that go in by the same statement but belong to no new parent row (a new order's tracking
 * card beside its approval cards).
 */
export function siblingRows<C extends PgTable>(table: C, rows: ReadonlyArray<C['$inferInsert']>): AnyChildRows {
  return { table, parentKey: null, rows };
}

// biome-ignore lint/suspicious/noExplicitAny: each child set is of its own table
type AnyChildRows = ChildRows<any, any> | { table: PgTable; parentKey: null; rows: readonly object[]; parents?: never };

/**
 * A new row and the rows that belong to it (an order, its items and events), by one statement: the parent is
 * inserted in a data-modifying CTE and each child set takes its id from there. Answers the parent row. A child set
 * without rows is left out; child rows follow insertRows' rule (the same columns in every row, no SQL values).
 */
export async function insertWithChildren<P extends PgTable, C extends keyof P['$inferInsert'] & string = never>(
  q: Queryable,
  parent: {
    table: P;
    /** The row; a column computed may be left out. */
    row: Omit<P['$inferInsert'], C> & Partial<Pick<P['$inferInsert'], C>>;
    /** Columns whose value an SQL expression gives (the order's number, from the day's sequence). */
    computed?: Partial<Record<C, SQL>>;
  },
  children: readonly AnyChildRows[],
): Promise<P['$inferSelect']> {
  const [row] = await insertParentsWithChildren(
    q,
    { table: parent.table, rows: [parent.row as P['$inferInsert']], computed: parent.computed },
    children,
  );
  return row!;
}

/**
 * Several new rows and the rows that belong to each (approval tasks and their cards), by one statement, as
 * insertWithChildren: each child row names its parent by the value of the parents' `matchOn` column (unique
 * among them). Sibling rows (`siblingRows`) go in by the same statement. Answers the parent rows in the order given.
 */
export async function insertParentsWithChildren<P extends PgTable>(
  q: Queryable,
  parent: {
    table: P;
    rows: ReadonlyArray<P['$inferInsert']>;
    matchOn?: keyof P['$inferSelect'] & string;
    /** Columns whose value an SQL expression gives, the same for every row. */
    computed?: Partial<Record<string, SQL>>;
  },
  children: readonly AnyChildRows[],
): Promise<Array<P['$inferSelect']>> {
  if (parent.rows.length === 0) {
    // Children have no parent to take, siblings still go in.
    for (const set of children) if (set.parentKey === null) await insertRows(q, set.table, set.rows);
    return [];
  }
  const keys = sharedKeys(parent.rows);
  const sets = children.filter((child) => child.rows.length > 0);
  const childKeys = sets.map((child) => sharedKeys(child.rows));
  if (keys === '' || childKeys.includes(''))
    throw new Error('insertWithChildren: a row gives an SQL value, or rows of one table give different columns');
  const several = parent.rows.length > 1 || parent.matchOn !== undefined;
  if (sets.some((child) => child.parentKey !== null && (child.parents !== undefined) !== several))
    throw new Error('insertWithChildren: child rows name their parents when, and only when, there are several');
  const head = statementFor(parent.table, keys, { returning: true });
  const params: unknown[] = [];
  // The computed expressions' parameters come first: they are written out numbered from $1.
  const parentHead = withComputed(q, parent.table, head, params, parent.computed);
  const param = (value: string) => `$${params.push(value)}`;
  let text = `with parent as (${parentHead}${param(recordsOf(head, parent.rows))}${head.tail})`;
  sets.forEach((child, i) => {
    const matchOn = child.parents ? getTableColumns(parent.table)[parent.matchOn!]!.name : undefined;
    const statement =
      child.parentKey === null
        ? statementFor(child.table, childKeys[i]!, {})
        : childStatementFor(child.table, childKeys[i]!, child.parentKey, matchOn);
    text += `, child${i} as (${statement.head}${param(recordsOf(statement, child.rows, child.parents))}${statement.tail})`;
  });
  const raw = await queryText<Record<string, unknown>>(q, { sql: `${text} select * from parent`, params });
  return raw.map((r) => fromDriver<P['$inferSelect']>(head.returned, r));
}

/**
 * The statement's head with computed columns: their names after the given ones, their expressions likewise, written
 * out with their parameters added to `params`.
 */
function withComputed(
  q: Queryable,
  table: PgTable,
  statement: Statement,
  params: unknown[],
  computed?: Record<string, SQL | undefined>,
): string {
  const entries = Object.entries(computed ?? {}).filter((entry): entry is [string, SQL] => entry[1] !== undefined);
  if (entries.length === 0) return statement.head;
  const all = getTableColumns(table);
  if (entries.some(([key]) => statement.columns.some(([given]) => given === key)))
    throw new Error('insertWithChildren: a column is both given and computed');
  const names = `${statement.names}${entries.map(([key]) => `, "${all[key]!.name}"`).join('')}`;
  const expressions = builtQuery(q, sql.join(entries.map(([, expression]) => sql`, ${expression}`)));
  params.push(...expressions.params);
  return `${insertSelect(statement.table, names, statement.names)}${expressions.sql}${FROM_RECORDS}`;
}

const NO_STATEMENTS: readonly SQL[] = [];

function statementsOf(alongside: SQL | readonly SQL[] | undefined): readonly SQL[] {
  if (alongside === undefined) return NO_STATEMENTS;
  return alongside instanceof SQL ? [alongside] : alongside;
}

/** The insert after data-modifying statements of other tables, run as its CTEs; their parameters first. */
function withAlongside(q: Queryable, alongside: readonly SQL[], statement: Statement, records: string): BuiltQuery {
  const first = builtQuery(
    q,
    sql.join(
      alongside.map((s, i) => sql`${sql.raw(i === 0 ? 'alongside' : `alongside${i}`)} as (${s})`),
      sql`, `,
    ),
  );
  return {
    sql: `with ${first.sql} ${statement.head}$${first.params.length + 1}${statement.tail}`,
    params: [...first.params, records],
  };
}

/** A statement's head: the insert, the columns it selects, then FROM_RECORDS and the records' one parameter. */
function insertSelect(table: string, names: string, selected: string): string {
  return `insert into "${table}" (${names}) select ${selected}`;
}

const FROM_RECORDS = ' from rows from (jsonb_to_recordset(';

function recordsOf(statement: Statement, rows: ReadonlyArray<object>, parents?: readonly string[]): string {
  return JSON.stringify(
    rows.map((row, i) => {
      const record: Record<string, unknown> = {};
      for (const [key, column] of statement.columns)
        record[column.name] = encode(column, (row as Record<string, unknown>)[key]);
      if (parents) record[PARENT_MATCH] = parents[i];
      return record;
    }),
  );
}

/** The record column a child row names its parent in (not a column of any table). */
const PARENT_MATCH = '@parent';

/** A table's row as raw SQL or `row_to_json` answers it (column names, times as text), as drizzle would. */
export function rowFromDriver<T extends PgTable>(table: T, raw: Record<string, unknown>): T['$inferSelect'] {
  return fromDriver(Object.entries(getTableColumns(table)), raw);
}

function fromDriver<R>(
  columns: Array<[string, Column]>,
  raw: Record<string, unknown>,
  computed?: Readonly<Record<string, string>>,
): R {
  const row: Record<string, unknown> = {};
  for (const [key, column] of columns) {
    const value = raw[column.name];
    row[key] = value === null || value === undefined ? null : column.mapFromDriverValue(value);
  }
  for (const key in computed) row[key] = raw[key];
  return row as R;
}

/**
 * A child set's insert: its parent key from the `parent` CTE, its other columns from the record set; with several
 * parents, each row's own, matched on the parents' `matchOn` column.
 */
function childStatementFor(table: PgTable, keys: string, parentKey: string, matchOn?: string): Statement {
  const id = `child\n${getTableName(table)}\n${parentKey}\n${matchOn ?? ''}\n${keys}`;
  let statement = statements.get(id);
  if (statement) return statement;
  const given = new Set(keys.split('\n'));
  const all = getTableColumns(table);
  const columns = Object.entries(all).filter(([key]) => given.has(key) && key !== parentKey);
  const names = columns.map(([, column]) => `"${column.name}"`).join(', ');
  const fromSet = columns.map(([, column]) => `x."${column.name}"`).join(', ');
  const types = columns.map(([, column]) => `"${column.name}" ${recordType(column)}`).join(', ');
  const [match, matchType, join] = matchOn
    ? [`, "${PARENT_MATCH}"`, `, "${PARENT_MATCH}" text`, ` where parent."${matchOn}"::text = x."${PARENT_MATCH}"`]
    : ['', '', ''];
  statement = withText({
    head: `insert into "${getTableName(table)}" ("${all[parentKey]!.name}", ${names}) select parent."id", ${fromSet} from parent, rows from (jsonb_to_recordset(`,
    tail: `::jsonb) as (${types}${matchType})) with ordinality as x(${names}${match}, "ordinality")${join} order by x."ordinality"`,
    table: getTableName(table),
    names,
    columns,
    returned: [],
  });
  statements.set(id, statement);
  return statement;
}

/**
 * The columns every row gives, as a key; '' when the rows differ in which columns they give, or a value is an SQL
 * expression (or any other object of a class but Date). The rows after the first are checked without allocating:
 * this runs for every row of every insert.
 */
function sharedKeys(rows: ReadonlyArray<object>): string {
  const first = rows[0] as Record<string, unknown>;
  const keys: string[] = [];
  for (const key in first) {
    const value = first[key];
    if (value === undefined) continue;
    if (!isPlainOrScalar(value)) return '';
    keys.push(key);
  }
  for (let i = 1; i < rows.length; i++) {
    const row = rows[i] as Record<string, unknown>;
    let given = 0;
    for (const key in row) {
      const value = row[key];
      if (value === undefined) continue;
      if (!isPlainOrScalar(value) || first[key] === undefined) return '';
      given++;
    }
    if (given !== keys.length) return '';
  }
  return keys.sort().join('\n');
}

function isPlainOrScalar(value: unknown): boolean {
  return typeof value !== 'object' || value === null || isPlainValue(value);
}

function isPlainValue(value: object): boolean {
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null || Array.isArray(value) || value instanceof Date;
}

function statementFor<T extends PgTable, K extends Key<T>>(
  table: T,
  keys: string,
  options: InsertOptions<T, K>,
): Statement {
  const returning = options.returning === true ? '*' : options.returning ? options.returning.join(',') : '';
  const computed = Object.entries(options.returningAlso ?? {}).map(([key, text]) => `${text} as "${key}"`);
  const id = `${getTableName(table)}\n${returning}\n${computed.join(',')}\n${options.onConflictDoNothing?.join(',') ?? ''}\n${keys}`;
  let statement = statements.get(id);
  if (statement) return statement;
  const given = new Set(keys.split('\n'));
  const all = getTableColumns(table);
  const columns = Object.entries(all).filter(([key]) => given.has(key));
  const names = columns.map(([, column]) => `"${column.name}"`).join(', ');
  const types = columns.map(([, column]) => `"${column.name}" ${recordType(column)}`).join(', ');
  const returned = Object.entries(all).filter(([key]) => returning === '*' || returning.split(',').includes(key));
  const conflict = options.onConflictDoNothing
    ? ` on conflict (${options.onConflictDoNothing.map((key) => `"${all[key]!.name}"`).join(', ')}) do nothing`
    : '';
  statement = withText({
    head: `${insertSelect(getTableName(table), names, names)}${FROM_RECORDS}`,
    table: getTableName(table),
    names,
    tail: `::jsonb) as (${types})) with ordinality as x(${names}, "ordinality") order by "ordinality"${conflict}${
      returning ? ` returning ${[...returned.map(([, column]) => `"${column.name}"`), ...computed].join(', ')}` : ''
    }`,
    columns,
    returned,
  });
  statements.set(id, statement);
  return statement;
}

function withText(statement: Omit<Statement, 'text'>): Statement {
  return { ...statement, text: `${statement.head}$1${statement.tail}` };
}

/** The column's type as a record column: serial types are their integers. */
function recordType(column: Column): string {
  const type = column.getSQLType();
  return type === 'bigserial' ? 'bigint' : type === 'serial' ? 'integer' : type;
}

/** A value as the JSON the record column reads: JSON and arrays as themselves, times and the like as the driver's. */
function encode(column: Column, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (column.columnType === 'PgJsonb' || column.columnType === 'PgJson' || column.columnType === 'PgArray')
    return value;
  return column.mapToDriverValue(value);
}

function insertWithBuilder<T extends PgTable, K extends Key<T>>(
  q: Queryable,
  table: T,
  rows: ReadonlyArray<T['$inferInsert']>,
  options: InsertOptions<T, K>,
): Promise<Array<Pick<T['$inferSelect'], K>>> {
  const all = getTableColumns(table);
  // biome-ignore lint/suspicious/noExplicitAny: the builder's types cannot follow a table given as a parameter
  let insert: any = q.insert(table).values(rows as any);
  if (options.onConflictDoNothing)
    insert = insert.onConflictDoNothing({ target: options.onConflictDoNothing.map((key) => all[key]!) });
  if (!options.returning) return insert.then(() => []);
  const returned = Object.entries(all).filter(
    ([key]) => options.returning === true || (options.returning as readonly string[]).includes(key),
  );
  return insert.returning(Object.fromEntries(returned));
}
