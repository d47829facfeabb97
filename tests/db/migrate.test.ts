import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { openDatabase, queryRows } from '../../db/client';
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
