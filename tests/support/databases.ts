import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll } from 'vitest';
import postgres from 'postgres';
import { openDatabase, queryRows, type Database, type DatabaseHandle } from '../../db/client';
import { migratedPglite } from './pglite-image';
import { createFromTemplate } from './postgres-template';

export type Backend = 'pglite' | 'postgres';

/** PGlite always; the real PostgreSQL too when TEST_DATABASE_URL is set (CI sets it). */
export const backends: Backend[] = process.env.TEST_DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];

/**
 * A fresh database with no data: in-memory PGlite (migrated already, from a cached image, unless `empty`),
 * or a new database on the TEST_DATABASE_URL server (copied from a migrated template, unless `empty`) that is
 * dropped on close, so test files running in
 * parallel never share state. Either way the app (or the test) runs `migrate` on it.
 */
export async function createTestDatabase(
  backend: Backend,
  options: { poolSize?: number; empty?: boolean } = {},
): Promise<DatabaseHandle & { url?: string }> {
  if (backend === 'pglite') return options.empty ? openDatabase({}) : migratedPglite();
  const adminUrl = process.env.TEST_DATABASE_URL!;
  const name = `orderbot_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  if (options.empty) await admin.unsafe(`create database ${name}`);
  else await createFromTemplate(admin, adminUrl, name);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const handle = await openDatabase({ url: url.toString(), poolSize: options.poolSize });
  return {
    ...handle,
    url: url.toString(),
    async close() {
      await handle.close();
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}

/** Empties every table but the migration log, so one database can serve a whole test file. */
export async function resetDatabase(db: Database): Promise<void> {
  const tables = await queryRows<{ name: string }>(
    db,
    sql`select tablename as name from pg_tables where schemaname = 'public' and tablename <> 'orderbot_migrations'`,
  );
  if (tables.length === 0) return;
  await db.execute(sql.raw(`truncate table ${tables.map((t) => `"${t.name}"`).join(', ')} restart identity cascade`));
}

/** One database for a whole test file: created before its first test, dropped after its last. */
export function useTestDatabase(backend: Backend): () => DatabaseHandle {
  let database: DatabaseHandle | undefined;
  beforeAll(async () => {
    database = await createTestDatabase(backend);
  });
  afterAll(async () => {
    await database?.close();
  });
  return () => {
    if (!database) throw new Error('useTestDatabase: the database is made in beforeAll; call the getter inside a test');
    return database;
  };
}
