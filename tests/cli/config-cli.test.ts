import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { configCommand } from '../../bot/cli-config';
import { readFileSync } from 'node:fs';
import { DEMO_CONFIG_PATH, readBusinessConfig } from '../../config/business-config';
import { type DatabaseHandle, openDatabase } from '../../db/client';
import { migrate } from '../../db/migrate';
import { adoptConfigFile, configHistory } from '../../db/config-versions';
import { runCommand } from '../support/cli';
import { backends, createTestDatabase } from '../support/databases';
import { migratedPgliteDir } from '../support/pglite-image';

/** `orderbot …` as bot/cli.ts runs it, in this process. */
const cli = (args: string[], env: Record<string, string | undefined>) => runCommand(configCommand, args, env);

const demoInput = () => readBusinessConfig(readFileSync(DEMO_CONFIG_PATH, 'utf8')).input;

describe.each(backends)('orderbot config export / import (%s)', (backend) => {
  const cleanup: Array<() => Promise<void> | void> = [];
  afterAll(async () => {
    for (const step of cleanup.reverse()) await step();
  });

  /** A database holding the demo config as version 1, as the product's first start leaves it. */
  async function startedDatabase(): Promise<{ env: Record<string, string> }> {
    const seed = async (handle: DatabaseHandle) => {
      await migrate(handle.db);
      await adoptConfigFile(handle.db, { input: demoInput(), savedBy: 'config file', now: new Date() });
    };
    if (backend === 'postgres') {
      const database = await createTestDatabase('postgres');
      cleanup.push(() => database.close());
      await seed(database);
      return { env: { DATABASE_URL: database.url! } };
    }
    const dir = mkdtempSync(join(tmpdir(), 'orderbot-config-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    await migratedPgliteDir(dir);
    const database = await openDatabase({ dataDir: dir });
    await seed(database);
    await database.close();
    return { env: { ORDERBOT_DATA_DIR: dir } };
  }

  // Once, on the real PostgreSQL when there is one: an embedded data directory opened per command costs seconds,
  // and the database handling is the import command's (tests/cli/import-cli.test.ts).
  it.runIf(backend === backends.at(-1))(
    'exports the running config as YAML, imports an edited copy as a new version, and refuses an invalid one',
    async () => {
      const { env } = await startedDatabase();
      const exported = await cli(['export'], env);
      expect(exported).toMatchObject({ code: 0, stderr: '' });
      expect(exported.stdout).toMatch(/^# orderbot config, version 1\n/);
      expect(exported.stdout).toContain('escalateAfter: 2h');

      const dir = mkdtempSync(join(tmpdir(), 'orderbot-config-files-'));
      cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
      const edited = join(dir, 'plant.yaml');
      writeFileSync(edited, exported.stdout.replace('escalateAfter: 2h', 'escalateAfter: 90m'));
      expect(await cli(['import', edited], env)).toEqual({
        code: 0,
        stdout: 'config: version 2, 1 changes\n',
        stderr: 'thresholds.escalateAfter: 2h → 90m\n',
      });

      const broken = join(dir, 'broken.yaml');
      writeFileSync(broken, exported.stdout.replace('escalateAfter: 2h', 'escalateAfter: soon'));
      const refused = await cli(['import', broken], env);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain('thresholds.escalateAfter: not a duration: "soon"');
      expect(await cli(['import'], env)).toMatchObject({ code: 2 });

      const handle =
        backend === 'postgres'
          ? await openDatabase({ url: env.DATABASE_URL! })
          : await openDatabase({ dataDir: env.ORDERBOT_DATA_DIR! });
      try {
        const history = await configHistory(handle.db);
        expect(history.map((v) => [v.version, v.source, v.savedBy])).toEqual([
          [2, 'import', 'cli'],
          [1, 'file', 'config file'],
        ]);
      } finally {
        await handle.close();
      }
    },
    60_000,
  );
});
