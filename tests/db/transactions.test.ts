import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type DatabaseHandle, queryRows, type Tx } from '../../db/client';
import { backends, createTestDatabase } from '../support/databases';

/**
 * On PostgreSQL a transaction's BEGIN goes out with its first statements (patches/postgres+3.4.9.patch): these
 * hold a transaction to its promises all the same, whatever its first statement is.
 */
describe.each(backends)('transactions on %s', (backend) => {
  let database: DatabaseHandle;
  beforeAll(async () => {
    // One connection: anything the pool gave the transaction's connection by mistake would run inside it.
    database = await createTestDatabase(backend, { poolSize: 1 });
    await database.db.execute(sql`create table if not exists tx_probe (n int not null)`);
  });
  afterAll(async () => {
    await database.close();
  });
  beforeEach(async () => {
    await database.db.execute(sql`truncate tx_probe`);
  });

  const probe = async () =>
    (await queryRows<{ n: number }>(database.db, sql`select n from tx_probe order by n`)).map((r) => r.n);

  it('undo their first statement when they fail later, and keep what ran outside them', async () => {
    let outside: Promise<unknown> | undefined;
    const failed = database.db.transaction(async (tx) => {
      // Sent (drizzle's queries wait for `then`) while the transaction holds the only connection, its BEGIN not
      // yet answered: it waits, and commits on its own.
      outside = database.db.execute(sql`insert into tx_probe values (2)`).then(() => 'inserted');
      await tx.execute(sql`insert into tx_probe values (1)`);
      await new Promise((r) => setTimeout(r, 30));
      throw new Error('given up');
    });
    await expect(failed).rejects.toThrow('given up');
    expect(await outside).toBe('inserted');
    expect(await probe()).toEqual([2]);
  });

  it('answer the error of a first statement that fails, and commit nothing of it', async () => {
    const failed = database.db.transaction(async (tx) => {
      await Promise.all([
        tx.execute(sql`insert into tx_probe values (3)`),
        tx.execute(sql`insert into tx_probe values (null)`),
      ]);
    });
    await expect(failed).rejects.toThrow(/insert into tx_probe values \(null\)/);
    expect(await probe()).toEqual([]);
    // The connection is whole again.
    await database.db.transaction((tx) => tx.execute(sql`insert into tx_probe values (4)`));
    expect(await probe()).toEqual([4]);
  });

  it('answer first statements sent at once, one of them new to the connection (described before it runs)', async () => {
    // A text the connection has not prepared yet, with a parameter: the driver asks for its description first,
    // and must not send the next statement before it.
    const fresh = sql.raw(`/* ${Math.random()} */`);
    const answers = database.db.transaction((tx) =>
      Promise.all([
        queryRows<{ n: number }>(tx, sql`select ${1}::int + 1 as n ${fresh}`),
        queryRows<{ n: number }>(tx, sql`select 7 as n`),
      ]),
    );
    const timeout = new Promise((_, reject) => setTimeout(() => reject(new Error('no answer in 5 s')), 5000));
    expect(await Promise.race([answers, timeout])).toEqual([[{ n: 2 }], [{ n: 7 }]]);
  });

  it('commit a statement sent last and not waited for, which goes out with the COMMIT', async () => {
    let last: Promise<unknown> | undefined;
    await database.db.transaction(async (tx) => {
      await tx.execute(sql`insert into tx_probe values (7)`);
      last = queryRows(tx, sql`insert into tx_probe values (8)`);
    });
    await last;
    expect(await probe()).toEqual([7, 8]);
  });

  it.runIf(backend === 'postgres')(
    'fail with the error of a statement sent last that failed, its COMMIT a rollback (postgres.js patch)',
    async () => {
      let last: Promise<unknown> | undefined;
      const failed = database.db.transaction(async (tx) => {
        await tx.execute(sql`insert into tx_probe values (9)`);
        last = queryRows(tx, sql`insert into tx_probe values (null)`);
        last.catch(() => {});
      });
      await expect(failed).rejects.toMatchObject({ code: '23502' });
      await expect(last).rejects.toThrow(/insert into tx_probe values \(null\)/);
      expect(await probe()).toEqual([]);
    },
  );

  it.runIf(backend === 'postgres')('refuse a statement sent after their commit, which never runs', async () => {
    let kept: Tx | undefined;
    await database.db.transaction(async (tx) => {
      kept = tx;
      await tx.execute(sql`insert into tx_probe values (10)`);
    });
    await expect(queryRows(kept!, sql`insert into tx_probe values (11)`)).rejects.toMatchObject({
      cause: { message: expect.stringMatching(/after its commit/) },
    });
    expect(await probe()).toEqual([10]);
  });

  it('keep a savepoint that is their first statement, and undo it alone', async () => {
    await database.db.transaction(async (tx) => {
      await tx
        .transaction(async (inner) => {
          await inner.execute(sql`insert into tx_probe values (5)`);
          throw new Error('inner given up');
        })
        .catch(() => {});
      await tx.transaction((inner) => inner.execute(sql`insert into tx_probe values (6)`));
    });
    expect(await probe()).toEqual([6]);
  });
});
