import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Database, DatabaseHandle } from '../../db/client';
import { migrate } from '../../db/migrate';

const DB_DIR = fileURLToPath(new URL('../../db/', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const STALE_IMAGE_MS = 24 * 3600_000;
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
  const reused = await reusedClient();
  const fresh = reused ? undefined : await newClient(PGlite);
  const client = reused ?? fresh!.client;
  const handle = { open: true };
  const db = drizzle({ client: guarded(client, handle) }) as unknown as Database;
  await migrate(db);
  if (fresh?.imageToSave) await saveImage(client, fresh.imageToSave);
  if (fresh) migratedTables ??= (await tablesOf(client)).join();
  return {
    db,
    kind: 'pglite',
    close: async () => {
      if (!handle.open) return;
      handle.open = false;
      if (idle.length < MAX_IDLE) idle.push(client);
      else await client.close();
    },
  };
}

/**
 * The client as one handle sees it: once that handle is closed, every call fails as on a closed database,
 * so a timer or a sender a test left running cannot write into the next file's database. (A transaction
 * already running finishes first: PGlite runs one at a time, and the next file's emptying waits for it.)
 */
function guarded(client: Client, handle: { open: boolean }): Client {
  return new Proxy(client, {
    get(target, key) {
      const value = Reflect.get(target, key, target);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        if (!handle.open) return Promise.reject(new Error('PGlite is closed'));
        return value.apply(target, args);
      };
    },
  });
}

type Client = import('@electric-sql/pglite').PGlite;

/**
 * Loading the image still takes about 1.5 s (the data directory is unpacked and PostgreSQL starts), so a
 * closed database is kept for the next test file of the same worker and emptied for it instead: the
 * transaction and session state dropped (DISCARD ALL), every table but the migration log truncated and
 * every sequence restarted, as a fresh image has them.
 */
const idle: Client[] = [];
const MAX_IDLE = 2;

async function reusedClient(): Promise<Client | undefined> {
  for (let client = idle.pop(); client; client = idle.pop()) {
    try {
      await emptied(client);
      return client;
    } catch {
      await client.close().catch(() => {});
    }
  }
  return undefined;
}

/** The tables of a freshly migrated database: one whose tables differ (a test renamed one) is not reused. */
let migratedTables: string | undefined;

async function tablesOf(client: Client): Promise<string[]> {
  const { rows } = await client.query<{ name: string }>(
    `select tablename as name from pg_tables where schemaname = 'public' and tablename <> 'orderbot_migrations' order by 1`,
  );
  return rows.map((r) => r.name);
}

async function emptied(client: Client): Promise<void> {
  await client.exec('rollback').catch(() => {});
  await client.exec('discard all');
  const names = await tablesOf(client);
  if (names.join() !== migratedTables) throw new Error('the schema was changed: not reused');
  const { rows: sequences } = await client.query<{ name: string }>(
    `select sequencename as name from pg_sequences where schemaname = 'public'`,
  );
  await client.exec(
    [
      `truncate table ${names.map((name) => `"${name}"`).join(', ')} restart identity cascade;`,
      ...sequences.map((q) => `alter sequence "${q.name}" restart;`),
    ].join('\n'),
  );
}

/** A PGlite from the image, or a new one (migrated by the caller, then saved as the image). */
async function newClient(
  PGlite: typeof import('@electric-sql/pglite').PGlite,
): Promise<{ client: Client; imageToSave?: string }> {
  const image = join(IMAGE_DIR, `migrated-${imageKey()}.tar`);
  const saved = readImage(image);
  const client = saved ? new PGlite({ loadDataDir: new Blob([saved]) }) : new PGlite();
  await client.waitReady;
  return saved ? { client } : { client, imageToSave: image };
}

/** A data directory on disk holding the migrated image, for a process started on it (the CLI, the product). */
export async function migratedPgliteDir(dir: string): Promise<void> {
  const image = join(IMAGE_DIR, `migrated-${imageKey()}.tar`);
  if (!readImage(image)) await (await migratedPglite()).close();
  const saved = readImage(image);
  if (!saved) throw new Error(`the migrated PGlite image ${image} was not written`);
  const { PGlite } = await import('@electric-sql/pglite');
  const client = new PGlite(dir, { loadDataDir: new Blob([saved]) });
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
  // Images of older migrations are of no more use; one less than a day old may be another checkout's, running now.
  for (const old of readdirSync(IMAGE_DIR)) {
    const file = join(IMAGE_DIR, old);
    if (file === path || old.endsWith('.partial')) continue;
    const written = statSync(file, { throwIfNoEntry: false })?.mtimeMs;
    if (written !== undefined && Date.now() - written > STALE_IMAGE_MS) rmSync(file, { force: true });
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
  // Paths relative to the checkout: two checkouts of the same migrations share one image.
  for (const file of files) hash.update(relative(ROOT, file)).update(readFileSync(file));
  return hash.digest('hex').slice(0, 16);
}
