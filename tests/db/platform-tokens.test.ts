import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../db/client';
import { migrate } from '../../db/migrate';
import { cachedToken, invalidateToken } from '../../db/platform-tokens';
import { openDatabase } from '../../db/client';
import { TestClock } from '../support/clock';
import { backends, createTestDatabase } from '../support/databases';

describe.each(backends)('platform token cache on %s', (backend) => {
  let database: DatabaseHandle & { url?: string };
  beforeAll(async () => {
    database = await createTestDatabase(backend);
    await migrate(database.db);
  });
  afterAll(async () => {
    await database.close();
  });

  it('fetches once for concurrent callers, refreshes near expiry and after invalidation', async () => {
    const clock = new TestClock();
    let fetches = 0;
    const fetchToken = async () => {
      fetches += 1;
      await new Promise((r) => setTimeout(r, 20));
      return { token: `t${fetches}`, expiresInSeconds: 7200 };
    };
    // Several "processes" (separate connection pools on PostgreSQL) asking at once.
    const others = database.url
      ? await Promise.all([1, 2, 3].map(() => openDatabase({ url: database.url, poolSize: 2 })))
      : [];
    const dbs = [database.db, ...others.map((o) => o.db)];
    const tokens = await Promise.all(
      dbs.flatMap((db) => [1, 2].map(() => cachedToken(db, 'wecom:app', clock.now(), fetchToken))),
    );
    expect(new Set(tokens)).toEqual(new Set(['t1']));
    expect(fetches).toBe(1);

    clock.advance(7200_000 - 4 * 60_000); // inside the 5-minute refresh margin
    expect(await cachedToken(database.db, 'wecom:app', clock.now(), fetchToken)).toBe('t2');
    await invalidateToken(database.db, 'wecom:app', 't1'); // stale: someone already refreshed
    expect(await cachedToken(database.db, 'wecom:app', clock.now(), fetchToken)).toBe('t2');
    await invalidateToken(database.db, 'wecom:app', 't2');
    expect(await cachedToken(database.db, 'wecom:app', clock.now(), fetchToken)).toBe('t3');
    await Promise.all(others.map((o) => o.close()));
  });
});
