import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { configCommand, withBoardUser } from '../../bot/cli-config';
import { type BusinessConfig, boardRole, readBusinessConfig } from '../../config/business-config';
import { openDatabase } from '../../db/client';
import { configHistory, latestConfig } from '../../db/config-versions';
import { verifyPassword } from '../../web/board/passwords';
import { runCommand } from '../support/cli';
import { backends, createTestDatabase } from '../support/databases';
import { migratedPgliteDir } from '../support/pglite-image';

const STARTER = fileURLToPath(new URL('../../config/starter.yaml', import.meta.url));

/** `orderbot config set-password …` as bot/cli.ts runs it, in this process, with `password` on stdin. */
const setPassword = (args: string[], env: Record<string, string | undefined>, password: string | undefined) =>
  runCommand((a, io) => configCommand(a, io, async () => password), ['set-password', ...args], env);

type Users = Array<{ username: string; person?: string; role?: string; passwordHash: string }>;
const usersOf = (input: unknown) => ((input as { board?: { users?: Users } }).board?.users ?? []) as Users;
const roleIn = (users: Users, username: string) =>
  boardRole({ board: { users } } as unknown as BusinessConfig, username);

describe('config/starter.yaml', () => {
  it('validates: one placeholder admin leads the three departments, no board users yet', () => {
    const { config } = readBusinessConfig(readFileSync(STARTER, 'utf8'), STARTER);
    expect(config.company).toBe('我的工厂');
    expect(config.people).toEqual([{ id: 'admin', name: '管理员' }]);
    expect(config.departments.map((d) => [d.key, d.leads, d.director])).toEqual([
      ['tech', ['admin'], 'admin'],
      ['purchasing', ['admin'], 'admin'],
      ['production', ['admin'], 'admin'],
    ]);
    expect(config.routing).toEqual({
      sample: ['tech', 'purchasing', 'production'],
      batch: ['tech', 'purchasing', 'production'],
    });
    expect(config.board.users).toEqual([]);
    expect(config.lines).toHaveLength(1);
  });
});

describe('withBoardUser (what set-password saves)', () => {
  const hash = 'scrypt$16384$8$1$c2FsdA==$aGFzaA==';
  const base = (users: Users) => ({ people: [{ id: 'ops' }], board: { sessionTtl: '12h', users } });

  it('adds a new user as an admin, with the person of the same id, unless --role says otherwise', () => {
    const added = withBoardUser(base([]), { username: 'ops', passwordHash: hash });
    expect(added.role).toBe('admin');
    expect(usersOf(added.input)).toEqual([{ username: 'ops', person: 'ops', role: 'admin', passwordHash: hash }]);
    expect(added.input.board?.sessionTtl).toBe('12h');
    const viewer = withBoardUser(base([]), { username: 'guest', passwordHash: hash, role: 'viewer' });
    expect(usersOf(viewer.input)).toEqual([{ username: 'guest', role: 'viewer', passwordHash: hash }]);
  });

  it("keeps an existing user's role unless --role is given, and everyone else's role as it was", () => {
    const input = base([
      { username: 'first', passwordHash: 'old' },
      { username: 'guest', role: 'viewer', passwordHash: 'old' },
    ]);
    const kept = withBoardUser(input, { username: 'guest', passwordHash: hash });
    expect(kept.role).toBe('viewer');
    expect(usersOf(kept.input)[1]).toEqual({ username: 'guest', role: 'viewer', passwordHash: hash });
    expect(usersOf(input)[1]!.passwordHash).toBe('old');

    // A new admin would make "first" (the admin only while nobody is) a viewer: its role is written down.
    const another = withBoardUser(input, { username: 'boss', passwordHash: hash });
    const users = usersOf(another.input);
    expect(users.map((u) => [u.username, roleIn(users, u.username)])).toEqual([
      ['first', 'admin'],
      ['guest', 'viewer'],
      ['boss', 'admin'],
    ]);
    expect(users[0]).toEqual({ username: 'first', role: 'admin', passwordHash: 'old' });

    const promoted = withBoardUser(input, { username: 'guest', passwordHash: hash, role: 'admin' });
    expect(usersOf(promoted.input).map((u) => u.role)).toEqual(['admin', 'admin']);
  });
});

describe.each(backends)('orderbot config set-password (%s)', (backend) => {
  const cleanup: Array<() => Promise<void> | void> = [];
  afterAll(async () => {
    for (const step of cleanup.reverse()) await step();
  });

  /** A migrated database that has no config yet: the product never started on it. */
  async function emptyDatabase(): Promise<Record<string, string>> {
    if (backend === 'postgres') {
      const database = await createTestDatabase('postgres');
      cleanup.push(() => database.close());
      return { DATABASE_URL: database.url! };
    }
    const dir = mkdtempSync(join(tmpdir(), 'orderbot-set-password-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    await migratedPgliteDir(dir);
    return { ORDERBOT_DATA_DIR: dir };
  }

  // Once, on the real PostgreSQL when there is one: an embedded data directory opened per command costs seconds.
  it.runIf(backend === backends.at(-1))(
    "refuses a bad call with nothing saved, then takes the config file and adds the plant's first admin",
    async () => {
      const env: Record<string, string> = { ...(await emptyDatabase()), ORDERBOT_CONFIG: STARTER };

      const short = await setPassword(['admin'], env, 'short');
      expect(short).toEqual({
        code: 2,
        stdout: '',
        stderr: 'orderbot config set-password: use at least 8 characters\n',
      });
      expect(await setPassword(['admin', '--role', 'owner'], env, 'long enough')).toMatchObject({
        code: 2,
        stderr: 'orderbot config set-password: --role is admin or viewer, not "owner"\n',
      });
      expect((await setPassword([], env, 'long enough')).code).toBe(2);
      expect((await setPassword(['admin'], env, undefined)).stderr).toContain('give the password on stdin');
      expect((await setPassword(['admin'], env, 'orderbot')).code).toBe(2);

      expect(await setPassword(['admin'], env, 'first-admin-pw')).toEqual({
        code: 0,
        stdout: 'config version 2: admin "admin" may sign in at /admin\n',
        stderr: `config version 1: the config file ${STARTER} (the database had no config yet)\n`,
      });

      const handle =
        backend === 'postgres'
          ? await openDatabase({ url: env.DATABASE_URL! })
          : await openDatabase({ dataDir: env.ORDERBOT_DATA_DIR! });
      try {
        // The refusals saved nothing, not even the config file.
        expect((await configHistory(handle.db)).map((v) => [v.version, v.source, v.savedBy])).toEqual([
          [2, 'import', 'cli'],
          [1, 'file', 'config file'],
        ]);
        const latest = await latestConfig(handle.db);
        const users = usersOf(latest!.input);
        expect(users).toEqual([
          { username: 'admin', person: 'admin', role: 'admin', passwordHash: expect.any(String) },
        ]);
        expect(await verifyPassword('first-admin-pw', users[0]!.passwordHash)).toBe(true);
        expect((latest!.input as { company: string }).company).toBe('我的工厂');
      } finally {
        await handle.close();
      }
    },
    60_000,
  );
});
