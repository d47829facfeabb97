import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import { type Database, queryRows } from './client';

const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations', import.meta.url));
/** Arbitrary constant shared by every orderbot process: the advisory lock key for migrations. */
const MIGRATION_LOCK_KEY = 7_431_001;

/**
 * Applies the committed drizzle-kit migrations that are not applied yet, in one transaction holding an
 * advisory lock, so processes starting together apply each migration exactly once.
 */
export async function migrate(db: Database): Promise<string[]> {
  const migrations = readMigrationFiles({ migrationsFolder: MIGRATIONS_DIR });
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`);
    await tx.execute(sql`create table if not exists orderbot_migrations (
      hash text primary key, created_at bigint not null, applied_at timestamptz not null default now())`);
    const rows = await queryRows<{ hash: string }>(tx, sql`select hash from orderbot_migrations`);
    const applied = new Set(rows.map((r) => r.hash));
    const done: string[] = [];
    for (const migration of migrations) {
      if (applied.has(migration.hash)) continue;
      for (const statement of migration.sql) {
        if (statement.trim()) await tx.execute(sql.raw(statement));
      }
      await tx.execute(
        sql`insert into orderbot_migrations (hash, created_at) values (${migration.hash}, ${migration.folderMillis})`,
      );
      done.push(migration.hash);
    }
    return done;
  });
}
