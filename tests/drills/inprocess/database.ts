import type { DatabaseHandle } from '../../../db/client';
import { createTestDatabase } from '../../support/databases';

export const DEFAULT_ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/test';

/** A fresh database of its own (dropped on close): on the DRILL_DATABASE_URL server (else the local one), or in-memory PGlite. */
export async function drillDatabase(backend: 'postgres' | 'pglite'): Promise<DatabaseHandle> {
  if (backend === 'postgres') process.env.TEST_DATABASE_URL = process.env.DRILL_DATABASE_URL ?? DEFAULT_ADMIN_URL;
  return createTestDatabase(backend, { poolSize: 20 });
}
