import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { openDatabase, queryRows } from '../../db/client';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import { migrate } from '../../db/migrate';
import { backends, createTestDatabase } from '../support/databases';

describe.each(backends)('migrations on %s', (backend) => {
  it('apply once, even when several processes start together', async () => {
    const database = await createTestDatabase(backend, { empty: true });
    try {
      const others = database.url
        ? await Promise.all([1, 2].map(() => openDatabase({ url: database.url, poolSize: 2 })))
        : [];
      const results = await Promise.all([database, ...others].map((d) => migrate(d.db)));
      expect(await migrate(database.db)).toEqual([]);
      const rows = await queryRows<{ n: number }>(database.db, sql`select count(*)::int as n from orderbot_migrations`);
      expect(rows[0]!.n).toBeGreaterThan(0);
      // Every migration was applied by exactly one of the processes.
      expect(results.flat()).toHaveLength(rows[0]!.n);
      expect(new Set(results.flat()).size).toBe(rows[0]!.n);
      await Promise.all(others.map((o) => o.close()));
    } finally {
      await database.close();
    }
  });
});

describe.each(backends)('the complaint return flag (migration 0019) on %s', (backend) => {
  it('marks the returns recorded before it: pieces said, or the order’s returned event written with the row', async () => {
    const database = await createTestDatabase(backend);
    try {
      const { db } = database;
      const [flag] = readMigrationFiles({ migrationsFolder: 'db/migrations' }).filter((m) =>
        m.sql.some((s) => s.includes('"is_return" boolean')),
      );
      // The database as it was before the migration, with the rows the product wrote then.
      await db.execute(sql`alter table order_complaints drop column is_return`);
      await db.execute(sql`delete from orderbot_migrations where hash = ${flag!.hash}`);
      await db.execute(sql`insert into materials (code, name) values ('M', 'm')`);
      await db.execute(sql`insert into orders (number, platform, conversation_id, requester_id, requester_name, kind,
        language, requested_date, status, source_text, requested_at, created_at) values
        ('SO-1', 'playground', 'c', 'u', 'U', 'batch', 'zh', '2026-03-01', 'delivered', 'x', now(), now())`);
      await db.execute(sql`insert into order_complaints (order_id, kind, returned_quantity, event_key, at) values
        ((select id from orders), 'packaging', null, 'a', '2026-03-02T10:00:00Z'),
        ((select id from orders), 'dimension', 3, 'b', '2026-03-03T10:00:00Z'),
        ((select id from orders), 'surface', null, 'c', '2026-03-04T10:00:00Z')`);
      await db.execute(sql`insert into order_events (order_id, at, type, data) values
        ((select id from orders), '2026-03-02T10:00:00Z', 'complaint', '{}'),
        ((select id from orders), '2026-03-03T10:00:00Z', 'returned', '{}'),
        ((select id from orders), '2026-03-04T10:00:00Z', 'returned', '{}')`);
      expect(await migrate(db)).toEqual([flag!.hash]);
      const rows = await queryRows<{ event_key: string; is_return: boolean }>(
        db,
        sql`select event_key, is_return from order_complaints order by event_key`,
      );
      expect(rows).toEqual([
        { event_key: 'a', is_return: false },
        { event_key: 'b', is_return: true },
        { event_key: 'c', is_return: true },
      ]);
    } finally {
      await database.close();
    }
  });
});

describe.each(backends)('room for updates on the page (migration 0021) on %s', (backend) => {
  it('leaves room in outbox and card pages, keeping the rows there were', async () => {
    const database = await createTestDatabase(backend);
    try {
      const { db } = database;
      const [room] = readMigrationFiles({ migrationsFolder: 'db/migrations' }).filter((m) =>
        m.sql.some((s) => s.includes('fillfactor')),
      );
      await db.execute(sql`alter table outbox reset (fillfactor)`);
      await db.execute(sql`alter table cards reset (fillfactor)`);
      await db.execute(sql`delete from orderbot_migrations where hash = ${room!.hash}`);
      await db.execute(sql`insert into outbox (idempotency_key, platform, kind, payload, next_attempt_at, created_at)
        values ('k-1', 'wecom', 'post', '{"kind":"post"}', now(), now())`);
      expect(await migrate(db)).toEqual([room!.hash]);
      const options = await queryRows<{ relname: string; reloptions: string[] }>(
        db,
        sql`select relname, reloptions from pg_class where relname in ('outbox', 'cards') order by relname`,
      );
      expect(options).toEqual([
        { relname: 'cards', reloptions: ['fillfactor=80'] },
        { relname: 'outbox', reloptions: ['fillfactor=70'] },
      ]);
      const kept = await queryRows<{ k: string }>(db, sql`select idempotency_key as k from outbox`);
      expect(kept).toEqual([{ k: 'k-1' }]);
    } finally {
      await database.close();
    }
  });
});
