import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { stringify } from 'yaml';
import { type BusinessConfig, boardRole, DEMO_CONFIG_PATH, readBusinessConfig } from '../config/business-config';
import { readEnv } from '../config/env';
import { ConfigError } from '../core/errors';
import { openDatabase } from '../db/client';
import { adoptConfigFile, latestConfig, saveConfig } from '../db/config-versions';
import { migrate } from '../db/migrate';
import { changeLine } from '../domain/config-changes';
import { hashPassword } from '../web/board/passwords';
import { type CommandIo, processIo } from './cli-import';
import { dataDirHolder } from './data-dir-lock';

const USAGE =
  'usage: orderbot config export > plant.yaml | orderbot config import plant.yaml\n' +
  '       orderbot config set-password USERNAME [--role admin|viewer]   (the password on stdin)\n';

const MIN_PASSWORD = 8;
/** The demo config's password: the sign-in refuses it once a real chat platform runs (web/board/routes.ts). */
const DEMO_PASSWORD = 'orderbot';
const ROLES = ['admin', 'viewer'] as const;
type Role = (typeof ROLES)[number];

/** Where set-password reads the password: the first line on stdin; undefined when there is none (or a terminal). */
export type PasswordReader = () => Promise<string | undefined>;

/**
 * `orderbot config export`: the latest config version as YAML on stdout (a plant's set-up, to copy or
 * keep). `orderbot config import FILE`: a YAML config saved as the newest version, as the console would
 * save it (every running process picks it up within seconds); an invalid file names its fields and
 * changes nothing. `orderbot config set-password USERNAME [--role admin|viewer]`: see setPassword.
 */
export async function configCommand(
  args: string[],
  io: CommandIo = processIo,
  readPassword: PasswordReader = stdinLine,
): Promise<number> {
  const [action, path, ...extra] = args;
  if (action === 'set-password') return setPassword(args.slice(1), io, readPassword);
  if (!(action === 'export' && !path) && !(action === 'import' && path && extra.length === 0)) {
    io.err(`orderbot config: ${USAGE}`);
    return 2;
  }
  let input: unknown;
  if (action === 'import') {
    try {
      input = readBusinessConfig(readFileSync(path!, 'utf8'), path).input;
    } catch (err) {
      io.err(
        `orderbot config: ${err instanceof ConfigError ? err.message : `cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? err}`}\n`,
      );
      return 1;
    }
  }
  const env = readEnv(io.env);
  const holder = env.DATABASE_URL ? null : dataDirHolder(env.ORDERBOT_DATA_DIR);
  if (holder) {
    io.err(
      `orderbot config: the running orderbot (pid ${holder}) holds the embedded database in ${env.ORDERBOT_DATA_DIR}; stop it first, or use the admin console (/admin)\n`,
    );
    return 1;
  }
  const database = await openDatabase({ url: env.DATABASE_URL, dataDir: env.ORDERBOT_DATA_DIR, poolSize: 2 });
  try {
    await migrate(database.db);
    const latest = await latestConfig(database.db);
    if (action === 'export') {
      if (!latest) {
        io.err('orderbot config: no config version yet (the product saves its config file at first start)\n');
        return 1;
      }
      io.out(`# orderbot config, version ${latest.version}\n${stringify(latest.input)}`);
      return 0;
    }
    const outcome = await saveConfig(database.db, {
      input,
      basedOn: latest?.version ?? null,
      source: 'import',
      savedBy: 'cli',
      now: new Date(),
    });
    if (!outcome.ok) {
      io.err(`orderbot config: not saved: ${JSON.stringify(outcome)}\n`);
      return 1;
    }
    for (const change of outcome.changes) io.err(`${changeLine(change)}\n`);
    io.out(`config: version ${outcome.version}, ${outcome.changes.length} changes\n`);
    return 0;
  } finally {
    await database.close();
  }
}

/**
 * `orderbot config set-password USERNAME [--role admin|viewer]`: the board user USERNAME gets the password
 * read from stdin, in a new config version (how a plant that starts for real gets its first admin, and how
 * a locked-out admin gets back in). A new user is an admin unless --role says otherwise; an existing one
 * keeps their role unless --role is given. On a database without a config yet, the config file
 * (ORDERBOT_CONFIG) is taken first, as the server's first start would, so the version lands on top of it.
 */
async function setPassword(args: string[], io: CommandIo, readPassword: PasswordReader): Promise<number> {
  const refuse = (message: string) => {
    io.err(`orderbot config set-password: ${message}\n`);
    return 2;
  };
  let parsed: { values: { role?: string }; positionals: string[] };
  try {
    parsed = parseArgs({ args, options: { role: { type: 'string' } }, allowPositionals: true, strict: true });
  } catch (err) {
    return refuse(`${(err as Error).message}\n${USAGE}`);
  }
  const username = parsed.positionals[0]?.trim();
  if (!username || parsed.positionals.length !== 1) return refuse(`give one username\n${USAGE}`);
  const role = parsed.values.role;
  if (role !== undefined && !isRole(role)) return refuse(`--role is admin or viewer, not "${role}"`);
  const password = await readPassword();
  if (password === undefined) {
    return refuse(
      `give the password on stdin, e.g. \`read -s p; echo "$p" | npm run -s orderbot -- config set-password ${username}\``,
    );
  }
  if (password.length < MIN_PASSWORD) return refuse(`use at least ${MIN_PASSWORD} characters`);
  if (password === DEMO_PASSWORD) {
    return refuse(`"${DEMO_PASSWORD}" is the demo's password, refused at sign-in once a chat platform runs`);
  }
  const passwordHash = await hashPassword(password);

  const env = readEnv(io.env);
  const holder = env.DATABASE_URL ? null : dataDirHolder(env.ORDERBOT_DATA_DIR);
  if (holder) {
    io.err(
      `orderbot config set-password: the running orderbot (pid ${holder}) holds the embedded database in ${env.ORDERBOT_DATA_DIR}; stop it first, or use the admin console (/admin)\n`,
    );
    return 1;
  }
  const database = await openDatabase({ url: env.DATABASE_URL, dataDir: env.ORDERBOT_DATA_DIR, poolSize: 2 });
  try {
    await migrate(database.db);
    let latest = await latestConfig(database.db);
    if (!latest) {
      const file = env.ORDERBOT_CONFIG ?? DEMO_CONFIG_PATH;
      let input: unknown;
      try {
        input = readBusinessConfig(readFileSync(file, 'utf8'), file).input;
      } catch (err) {
        io.err(
          `orderbot config set-password: ${err instanceof ConfigError ? err.message : `cannot read the config file ${file}: ${(err as NodeJS.ErrnoException).code ?? err}`}\n`,
        );
        return 1;
      }
      const adopted = await adoptConfigFile(database.db, { input, savedBy: 'config file', now: new Date() });
      io.err(`config version ${adopted.version}: the config file ${file} (the database had no config yet)\n`);
      latest = await latestConfig(database.db);
      if (!latest) throw new Error('no config version after adopting the config file');
    }
    const next = withBoardUser(latest.input, { username, passwordHash, role });
    const outcome = await saveConfig(database.db, {
      input: next.input,
      basedOn: latest.version,
      source: 'import',
      savedBy: 'cli',
      now: new Date(),
    });
    if (!outcome.ok) {
      io.err(
        `orderbot config set-password: not saved: ${
          outcome.reason === 'conflict'
            ? `version ${outcome.latest} was saved meanwhile; run the command again`
            : outcome.reason === 'invalid'
              ? `the config would not validate:\n${outcome.issues.map((i) => `  ${i.path || '(root)'}: ${i.message}`).join('\n')}`
              : outcome.reason
        }\n`,
      );
      return 1;
    }
    io.out(
      `config version ${outcome.version}: ${next.role} "${username}" may sign in at ${next.role === 'admin' ? '/admin' : '/board'}\n`,
    );
    return 0;
  } finally {
    await database.close();
  }
}

interface BoardUserInput {
  username: string;
  person?: string;
  role?: Role;
  passwordHash: string;
  [key: string]: unknown;
}

interface ConfigInput {
  people?: Array<{ id?: unknown }>;
  board?: { users?: BoardUserInput[]; [key: string]: unknown };
  [key: string]: unknown;
}

/**
 * A config's input form in which the board user `username` has the password hash: an existing user keeps
 * their role unless `role` is given; a new one gets `role` or admin, and the person of the same id when
 * there is one. Everyone else keeps the role they had: a user without one whose role the rule of
 * boardRole would change (the first user, an admin only while nobody else is) gets it written down.
 */
export function withBoardUser(
  input: unknown,
  change: { username: string; passwordHash: string; role?: Role },
): { input: ConfigInput; role: Role } {
  const next = structuredClone((input ?? {}) as ConfigInput);
  next.board ??= {};
  next.board.users ??= [];
  const users = next.board.users;
  const roleOf = (username: string) => boardRole({ board: { users } } as unknown as BusinessConfig, username);
  const before = new Map(users.map((u) => [u.username, roleOf(u.username)]));
  const existing = users.find((u) => u.username === change.username);
  if (existing) {
    existing.passwordHash = change.passwordHash;
    if (change.role) existing.role = change.role;
  } else {
    const person = next.people?.some((p) => p.id === change.username) ? { person: change.username } : {};
    users.push({
      username: change.username,
      ...person,
      role: change.role ?? 'admin',
      passwordHash: change.passwordHash,
    });
  }
  for (const user of users) {
    const had = before.get(user.username);
    if (user.username !== change.username && !user.role && had && roleOf(user.username) !== had) user.role = had;
  }
  return { input: next, role: roleOf(change.username) ?? 'admin' };
}

function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

/** The first line on stdin; undefined on a terminal (the password would show as it is typed) or without input. */
async function stdinLine(): Promise<string | undefined> {
  if (process.stdin.isTTY) return undefined;
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of lines) return line;
  return undefined;
}
