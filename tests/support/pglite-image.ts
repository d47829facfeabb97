import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Database, DatabaseHandle } from '../../db/client';
import { migrate } from '../../db/migrate';
import * as schema from '../../db/schema';

const DB_DIR = fileURLToPath(new URL('../../db/', import.meta.url));
const IMAGE_DIR = join(tmpdir(), 'orderbot-test-pglite');

/**
 * An in-memory PGlite with every migration applied. A fresh PGlite runs initdb and the migrations
 * (seconds, once per test file); loading a data directory dumped after the first migrate takes a
 * fraction of that. The image lives in the temp directory, keyed by what it depends on, written under a
 * temporary name and renamed, so files starting at once never read half of one. `migrate` runs after
 * loading anyway (nothing to apply on a current image).
 */
export async function migratedPglite(): Promise<DatabaseHandle> {
  const [{ PGlite }, { drizzle }] = await Promise.all([import('@electric-sql/pglite'), import('drizzle-orm/pglite')]);
  const image = join(IMAGE_DIR, `migrated-${imageKey()}.tar`);
  const saved = readImage(image);
  const client = saved ? new PGlite({ loadDataDir: new Blob([saved]) }) : new PGlite();
  await client.waitReady;
  const db = drizzle({ client, schema }) as unknown as Database;
  await migrate(db);
  if (!saved) await saveImage(client, image);
  return { db, kind: 'pglite', close: () => client.close() };
}

/** A data directory on disk holding the migrated image, for a process started on it (the CLI, the product). */
export async function migratedPgliteDir(dir: string): Promise<void> {
  const image = join(IMAGE_DIR, `migrated-${imageKey()}.tar`);
  if (!readImage(image)) await (await migratedPglite()).close();
  const { PGlite } = await import('@electric-sql/pglite');
  const client = new PGlite(dir, { loadDataDir: new Blob([readFileSync(image)]) });
  await client.waitReady;
  await client.close();
}

function readImage(path: string): Buffer | undefined {
  try {
    return readFileSync(path);
  } catch {
    return undefined;
  }
}

async function saveImage(
  client: { exec(sql: string): Promise<unknown>; dumpDataDir(c: 'none'): Promise<Blob> },
  path: string,
) {
  // A checkpointed image starts without replaying the log.
  await client.exec('checkpoint');
  const dump = await client.dumpDataDir('none');
  mkdirSync(IMAGE_DIR, { recursive: true });
  const partial = `${path}.${process.pid}.partial`;
  writeFileSync(partial, Buffer.from(await dump.arrayBuffer()));
  renameSync(partial, path);
  // Images of older migrations are of no more use.
  for (const old of readdirSync(IMAGE_DIR)) {
    if (join(IMAGE_DIR, old) !== path && !old.endsWith('.partial')) rmSync(join(IMAGE_DIR, old), { force: true });
  }
}

/** What the image depends on: the migrations, the migrator, the PGlite version and this file. */
export function imageKey(): string {
  const hash = createHash('sha256');
  const migrations = join(DB_DIR, 'migrations');
  const files = [
    ...readdirSync(migrations, { recursive: true, withFileTypes: true })
      .filter((f) => f.isFile())
      .map((f) => join(f.parentPath, f.name))
      .sort(),
    join(DB_DIR, 'migrate.ts'),
    fileURLToPath(new URL('../../node_modules/@electric-sql/pglite/package.json', import.meta.url)),
    fileURLToPath(import.meta.url),
  ];
  for (const file of files) hash.update(file).update(readFileSync(file));
  return hash.digest('hex').slice(0, 16);
}
