/**
 * npm run bench -- directory: a company directory of 40 departments and 500 people read from the fake
 * WeCom (department/simplelist, department/get and user/list per department, four calls in flight) and
 * stored; a second sync of the same directory (all updates); and the console's listing. PGlite always;
 * PostgreSQL too when BENCH_DATABASE_URL (or TEST_DATABASE_URL) is set.
 */
import { performance } from 'node:perf_hooks';
import { WecomApi } from '../../bot/wecom/api-client';
import { WecomDirectoryReader } from '../../bot/wecom/directory-reader';
import { wecomSettings } from '../../bot/wecom/settings';
import { createLogger } from '../../bot/logger';
import { readEnv } from '../../config/env';
import type { DatabaseHandle } from '../../db/client';
import { directoryListing, saveDirectory } from '../../db/directory';
import { migrate } from '../../db/migrate';
import type { FakeDepartment, FakeMember } from '../fakes/wecom/directory-api';
import { FakeWecom } from '../fakes/wecom/fake-wecom';
import { createTestDatabase } from '../support/databases';

const DEPARTMENTS = 40;
const PEOPLE = 500;

function plant(): { departments: FakeDepartment[]; members: FakeMember[] } {
  const departments: FakeDepartment[] = [{ id: 1, name: '华东精密制造有限公司', parentid: 0 }];
  for (let i = 2; i <= DEPARTMENTS; i++)
    departments.push({ id: i, name: `部门${i}`, parentid: i <= 8 ? 1 : (i % 7) + 2 });
  const members: FakeMember[] = [];
  for (let i = 0; i < PEOPLE; i++) {
    const home = (i % (DEPARTMENTS - 1)) + 2;
    members.push({
      userid: `User${String(i).padStart(4, '0')}`,
      name: `员工${i}`,
      department: i % 10 === 0 ? [home, 1] : [home],
      position: '工程师',
    });
  }
  return { departments, members };
}

const ms = (t: number) => `${(performance.now() - t).toFixed(0)} ms`;

async function benchOn(label: string, open: () => Promise<DatabaseHandle>): Promise<void> {
  const fake = await new FakeWecom({ directory: plant() }).start();
  const database = await open();
  try {
    await migrate(database.db);
    const log = createLogger('silent');
    const api = new WecomApi(wecomSettings(readEnv(fake.envVars())), database.db, () => new Date(), log);
    const reader = new WecomDirectoryReader(api, log);
    for (const pass of ['first sync', 'second sync']) {
      const t0 = performance.now();
      const snapshot = await reader.read();
      const read = ms(t0);
      const t1 = performance.now();
      const counts = await saveDirectory(database.db, snapshot, { now: new Date(), actor: 'bench' });
      console.log(
        `${label} ${pass}: read ${read} (${fake.requests.length} WeCom calls so far), stored ${ms(t1)} — ${counts.people} people, ${counts.added} new`,
      );
    }
    const t2 = performance.now();
    const { people } = await directoryListing(database.db);
    console.log(`${label} console listing: ${people.length} people in ${ms(t2)}`);
  } finally {
    await database.close();
    await fake.stop();
  }
}

export async function benchDirectory(): Promise<void> {
  await benchOn('PGlite', () => createTestDatabase('pglite', { empty: true }));
  const pgUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
  if (pgUrl) {
    process.env.TEST_DATABASE_URL = pgUrl;
    await benchOn('PostgreSQL', () => createTestDatabase('postgres'));
  } else {
    console.log('(set BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test to also measure PostgreSQL)');
  }
}
