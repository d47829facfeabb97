import type postgres from 'postgres';
import { openDatabase } from '../../db/client';
import { migrate } from '../../db/migrate';
import { imageKey } from './pglite-image';

/** Serialises making the template and copying it across the test files of every run on the server. */
const TEMPLATE_LOCK = 7_301_514;
const PREFIX = 'orderbot_tpl_';

/**
 * A new database on the test server copied from a migrated template (CREATE DATABASE … TEMPLATE), instead
 * of migrating every test file's database again. The template is named for what it depends on (the
 * migrations: imageKey), made by the first file that needs it, and templates of older migrations are
 * dropped then. Copying needs nobody connected to the template, so making and copying hold one advisory
 * lock. `migrate` still runs on the copy (nothing to apply).
 */
export async function createFromTemplate(admin: postgres.Sql, adminUrl: string, name: string): Promise<void> {
  const template = `${PREFIX}${imageKey()}`;
  await admin.begin(async (tx) => {
    await tx`select pg_advisory_xact_lock(${TEMPLATE_LOCK})`;
    const [found] = await tx`select 1 as found from pg_database where datname = ${template}`;
    if (!found) await makeTemplate(tx, adminUrl, template);
  });
  // CREATE DATABASE cannot run in a transaction: the lock is taken again on this session for the copy.
  await admin`select pg_advisory_lock(${TEMPLATE_LOCK})`;
  try {
    await admin.unsafe(`create database ${name} template ${template}`);
  } finally {
    await admin`select pg_advisory_unlock(${TEMPLATE_LOCK})`;
  }
}

async function makeTemplate(tx: postgres.TransactionSql, adminUrl: string, template: string) {
  const stale = await tx<
    { name: string }[]
  >`select datname as name from pg_database where datname like ${`${PREFIX}%`}`;
  const building = `${template}_building`;
  // CREATE/DROP DATABASE cannot run inside the transaction: a second session does them while it holds the lock.
  const { default: connect } = await import('postgres');
  const other = connect(adminUrl, { max: 1, onnotice: () => {} });
  try {
    for (const { name } of stale) await other.unsafe(`drop database if exists ${name} with (force)`);
    await other.unsafe(`drop database if exists ${building} with (force)`);
    await other.unsafe(`create database ${building}`);
    const url = new URL(adminUrl);
    url.pathname = `/${building}`;
    const handle = await openDatabase({ url: url.toString() });
    try {
      await migrate(handle.db);
    } finally {
      await handle.close();
    }
    await other.unsafe(`alter database ${building} rename to ${template}`);
  } finally {
    await other.end();
  }
}
