import { eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { fixedQuery, fixedText } from '../../db/fixed-query';
import { materials } from '../../db/schema';
import { backends, createTestDatabase, useTestDatabase } from '../support/databases';

const insertMaterial = fixedQuery((q) =>
  q
    .insert(materials)
    .values({
      code: sql.placeholder('code'),
      name: sql.placeholder('name'),
      unit: '件',
      line: sql.placeholder('line'),
      leadTimeDays: sql.placeholder('leadTimeDays'),
    })
    .returning(),
);
const materialNamed = fixedQuery((q) =>
  q
    .select()
    .from(materials)
    .where(eq(materials.code, sql.placeholder('code'))),
);

const namesOf = fixedText<{ name: string }>(
  () => sql`select name from materials where code = any(${sql.placeholder('codes')}::text[]) order by code`,
);

describe.each(backends)('a fixed statement (%s)', (backend) => {
  const database = useTestDatabase(backend);

  it('runs on the database and inside a transaction, where it sees that transaction only', async () => {
    const { db } = database();
    const [made] = await insertMaterial(db, { code: 'FX-1', name: '支架', line: null, leadTimeDays: 3 });
    expect(made).toMatchObject({ code: 'FX-1', name: '支架', unit: '件', line: null, leadTimeDays: 3 });
    const rolledBack = new Error('roll back');
    await expect(
      db.transaction(async (tx) => {
        await insertMaterial(tx, { code: 'FX-2', name: '底座', line: 'A', leadTimeDays: 0 });
        expect(await materialNamed(tx, { code: 'FX-2' })).toHaveLength(1);
        // Another connection does not see the uncommitted row (on the embedded database there is no other).
        if (backend === 'postgres') expect(await materialNamed(db, { code: 'FX-2' })).toHaveLength(0);
        throw rolledBack;
      }),
    ).rejects.toBe(rolledBack);
    expect(await materialNamed(db, { code: 'FX-2' })).toHaveLength(0);
    expect(await materialNamed(db, { code: 'FX-1' })).toEqual([made]);
  });

  it('of raw SQL runs with the values of each call, in a transaction too', async () => {
    const { db } = database();
    await insertMaterial(db, { code: 'FX-5', name: '垫片', line: null, leadTimeDays: 1 });
    await insertMaterial(db, { code: 'FX-6', name: '螺母', line: null, leadTimeDays: 1 });
    expect(await namesOf(db, { codes: ['FX-5'] })).toEqual([{ name: '垫片' }]);
    await db.transaction(async (tx) => {
      expect(await namesOf(tx, { codes: ['FX-5', 'FX-6'] })).toEqual([{ name: '垫片' }, { name: '螺母' }]);
    });
  });

  it('is built per driver: the same statement serves the embedded and the real database in one process', async () => {
    const other = await createTestDatabase(backend === 'pglite' ? backends.at(-1)! : 'pglite');
    try {
      await insertMaterial(other.db, { code: 'FX-3', name: '盖板', line: 'B', leadTimeDays: 1 });
      await insertMaterial(database().db, { code: 'FX-4', name: '端盖', line: 'C', leadTimeDays: 2 });
      expect((await materialNamed(other.db, { code: 'FX-3' }))[0]?.line).toBe('B');
      expect((await materialNamed(database().db, { code: 'FX-4' }))[0]?.line).toBe('C');
    } finally {
      await other.close();
    }
  });
});
