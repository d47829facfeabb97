import Router from '@koa/router';
import type { Context, Next } from 'koa';
import { type BusinessConfig, boardThresholds, type ConfigSource } from '../../config/business-config';
import { desc } from 'drizzle-orm';
import { adminAudit, seenGroups } from '../../db/schema';
import { importRoutes } from './imports';
import { channelRuleRoutes, viewerMayRead } from './channel-rules';
import { directoryRoutes } from './directory';
import type { Logger } from 'pino';
import type { DirectoryReader } from '../../domain/directory';
import { unknownGroupName, unknownGroupOf } from '../../core/events';
import type { Database } from '../../db/client';
import { configHistory, latestConfig, rollbackConfig, type SaveOutcome, saveConfig } from '../../db/config-versions';
import { changeLine } from '../../domain/config-changes';
import { newestOfficialYear, officialCalendar } from '../../domain/official-calendar';
import { type BoardUser, signedInUser } from '../board/routes';
import { hashPassword } from '../board/passwords';
import { isLang, LANG_COOKIE } from '../lang';
import { type Lang, texts } from '../../texts';

/** What the console shows in place of a stored password hash, and takes back as "keep the stored one". */
export const HIDDEN_PASSWORD = '(unchanged)';
const MIN_PASSWORD = 8;

/** The process's live config: refreshed right after a save so this process applies it at once. */
export interface AdminConfig extends ConfigSource {
  refresh(): Promise<void>;
}

interface ConfigInput {
  board?: { users?: Array<Record<string, unknown>> };
  [key: string]: unknown;
}

/**
 * The admin console's JSON API (README "Admin console"). Behind the board's session: a viewer gets 403,
 * and every write must carry the session's CSRF token in the `x-csrf-token` header. Each save is a new
 * config version; every process picks it up within seconds.
 */
export function adminApiRoutes(args: {
  db: Database;
  config: AdminConfig;
  clock: () => Date;
  log: Logger;
  directoryReaders: DirectoryReader[];
}): Router {
  const { db, config, clock } = args;
  const router = new Router({ prefix: '/api/admin' });
  const session = { db, config, clock };

  router.use(async (ctx: Context, next: Next) => {
    const user = await signedInUser(ctx, session);
    if (!user) return refuse(ctx, 401, 'sign in at /board/login first');
    if (ctx.path !== '/api/admin/session' && user.role !== 'admin' && !viewerMayRead(ctx)) {
      return refuse(ctx, 403, 'only an admin may use the console');
    }
    if (ctx.method !== 'GET' && ctx.get('x-csrf-token') !== user.csrfToken) {
      return refuse(ctx, 403, 'the CSRF token is missing or wrong: send the one GET /api/admin/session gives');
    }
    ctx.state.user = user;
    await next();
  });

  router.use(async (ctx, next) => {
    ctx.state.lang = isLang(ctx.cookies.get(LANG_COOKIE)) ? ctx.cookies.get(LANG_COOKIE) : 'zh';
    await next();
  });

  router.get('/session', (ctx) => {
    const { username, name, role, csrfToken } = ctx.state.user as BoardUser;
    ctx.body = { username, name, role, csrfToken };
  });

  // `defaults`: the settings in force, defaults filled in, so the form can offer the keys the stored config leaves out.
  router.get('/config', async (ctx) => {
    const latest = await latestConfig(db);
    ctx.body = {
      version: latest?.version ?? 0,
      config: withHiddenPasswords(latest?.input),
      defaults: formDefaults(config.current),
    };
  });

  router.put('/config', async (ctx) => {
    const body = (ctx.request.body ?? {}) as { version?: unknown; config?: unknown };
    if (!Number.isInteger(body.version) || !isObject(body.config)) {
      return refuse(ctx, 400, 'send {version, config}: the version the change was made on, and the whole config');
    }
    const latest = await latestConfig(db);
    const input = withStoredPasswords(body.config as ConfigInput, latest?.input as ConfigInput | undefined);
    if ('field' in input) return refuse(ctx, 400, input.error, { field: input.field });
    const outcome = await saveConfig(db, {
      input: input.config,
      basedOn: body.version as number,
      source: 'console',
      savedBy: (ctx.state.user as BoardUser).username,
      now: clock(),
      lang: langOf(ctx),
    });
    await answerSave(ctx, outcome);
  });

  router.get('/config/versions', async (ctx) => {
    const versions = await configHistory(db);
    ctx.body = { versions: versions.map((v) => ({ ...v, changes: v.changes.map(changeLine) })) };
  });

  router.post('/config/rollback', async (ctx) => {
    const body = (ctx.request.body ?? {}) as { version?: unknown; basedOn?: unknown };
    if (!Number.isInteger(body.version)) return refuse(ctx, 400, 'send {version}: the version to go back to');
    const basedOn = Number.isInteger(body.basedOn) ? (body.basedOn as number) : (await latestConfig(db))?.version;
    const outcome = await rollbackConfig(db, {
      to: body.version as number,
      basedOn: basedOn ?? 0,
      savedBy: (ctx.state.user as BoardUser).username,
      now: clock(),
      lang: langOf(ctx),
    });
    await answerSave(ctx, outcome);
  });

  // A board user added, or their password, person or role changed: a config version like any other save.
  router.put('/users/:username', async (ctx) => {
    const username = ctx.params.username!.trim();
    const body = (ctx.request.body ?? {}) as { password?: unknown; person?: unknown; role?: unknown };
    const latest = await latestConfig(db);
    const input = structuredClone((latest?.input ?? {}) as ConfigInput);
    input.board ??= {};
    input.board.users ??= [];
    const users = input.board.users;
    const existing = users.find((u) => u.username === username);
    if (body.password !== undefined && (typeof body.password !== 'string' || body.password.length < MIN_PASSWORD)) {
      return refuse(ctx, 400, words(ctx).passwordTooShort(MIN_PASSWORD), { field: 'password' });
    }
    if (!existing && body.password === undefined) {
      return refuse(ctx, 400, words(ctx).newUserNeedsPassword, { field: 'password' });
    }
    const user = existing ?? { username };
    if (!existing) users.push(user);
    if (typeof body.password === 'string') user.passwordHash = await hashPassword(body.password);
    if (body.person !== undefined) user.person = body.person === null ? undefined : body.person;
    if (body.role !== undefined) user.role = body.role;
    const outcome = await saveConfig(db, {
      input: JSON.parse(JSON.stringify(input)),
      basedOn: latest?.version ?? null,
      source: 'console',
      savedBy: (ctx.state.user as BoardUser).username,
      now: clock(),
      lang: langOf(ctx),
    });
    await answerSave(ctx, outcome, `board.users.${users.indexOf(user)}.`);
  });

  // Groups the bot heard from that the config does not know yet, newest first.
  router.get('/groups/new', async (ctx) => {
    const known = knownGroupIds(config.current);
    const rows = await db.select().from(seenGroups).orderBy(desc(seenGroups.lastSeenAt));
    ctx.body = { groups: rows.filter((g) => !known.has(g.conversationId)) };
  });

  // A new group named and taken on as a sales group: a conversation of the config, with its platform id.
  router.post('/groups', async (ctx) => {
    const body = (ctx.request.body ?? {}) as { conversationId?: unknown; id?: unknown; name?: unknown };
    const seen = typeof body.conversationId === 'string' ? unknownGroupOf(body.conversationId) : null;
    if (!seen) return refuse(ctx, 400, 'send the conversationId of a new group', { field: 'conversationId' });
    if (typeof body.id !== 'string' || !/^[a-z0-9][a-z0-9_-]{0,31}$/.test(body.id)) {
      return refuse(ctx, 400, words(ctx).groupIdInvalid, { field: 'id' });
    }
    if (typeof body.name !== 'string' || !body.name.trim())
      return refuse(ctx, 400, words(ctx).groupNameMissing, { field: 'name' });
    const latest = await latestConfig(db);
    const input = structuredClone(
      (latest?.input ?? {}) as ConfigInput & { conversations?: Array<Record<string, unknown>> },
    );
    input.conversations ??= [];
    if (input.conversations.some((c) => c.id === body.id)) {
      return refuse(ctx, 400, words(ctx).groupExists(String(body.id)), { field: 'id' });
    }
    const { platform, groupId } = seen;
    input.conversations.push({
      id: body.id,
      name: body.name.trim(),
      ...(platform === 'wecom' ? { wecom: { chatId: groupId } } : { dingtalk: { openConversationId: groupId } }),
    });
    const outcome = await saveConfig(db, {
      input,
      basedOn: latest?.version ?? null,
      source: 'console',
      savedBy: (ctx.state.user as BoardUser).username,
      now: clock(),
      lang: langOf(ctx),
    });
    await answerSave(ctx, outcome);
  });

  importRoutes(router, { db, clock });
  channelRuleRoutes(router, { db, clock, refuse, words });
  directoryRoutes(router, {
    db,
    clock,
    log: args.log,
    readers: args.directoryReaders,
    config: () => config.current,
    refuse,
    words,
    save: async (ctx, input, basedOn) =>
      answerSave(
        ctx,
        await saveConfig(db, {
          input,
          basedOn,
          source: 'console',
          savedBy: (ctx.state.user as BoardUser).username,
          now: clock(),
          lang: langOf(ctx),
        }),
      ),
  });

  // The official holidays and make-up working days of a year, for the calendar form to take in.
  router.get('/calendar/:year', (ctx) => {
    const year = Number(ctx.params.year);
    const official = Number.isInteger(year) ? officialCalendar(year) : null;
    if (!official) {
      return refuse(
        ctx,
        404,
        texts(langOf(ctx)).admin.noOfficialCalendar(String(ctx.params.year), newestOfficialYear()),
      );
    }
    ctx.body = { year, ...official };
  });

  // Who did what: the settings' versions and the imports, newest first.
  router.get('/audit', async (ctx) => {
    const [versions, actions] = await Promise.all([
      configHistory(db),
      db.select().from(adminAudit).orderBy(desc(adminAudit.at)).limit(100),
    ]);
    const entries = [
      ...versions.map((v) => ({
        at: v.savedAt,
        actor: v.savedBy,
        action: 'settings',
        detail: { version: v.version, source: v.source, changes: v.changes.map(changeLine) },
      })),
      ...actions.map((a) => ({ at: a.at, actor: a.actor, action: a.action, detail: a.detail })),
    ];
    ctx.body = { entries: entries.sort((a, b) => b.at.getTime() - a.at.getTime()) };
  });

  /** 200 {version, changes}; 409 when another save came first; 400 naming the first field that is wrong. */
  async function answerSave(ctx: Context, outcome: SaveOutcome, fieldPrefix = '') {
    if (outcome.ok) {
      await config.refresh();
      ctx.body = { version: outcome.version, changes: outcome.changes.map(changeLine) };
      return;
    }
    if (outcome.reason === 'conflict') {
      return refuse(ctx, 409, `the config was saved by someone else meanwhile (now version ${outcome.latest})`, {
        latest: outcome.latest,
      });
    }
    if (outcome.reason === 'unknown-version') return refuse(ctx, 404, 'there is no such config version');
    const say = words(ctx).configIssue;
    const issues = outcome.issues.map((i) => ({ path: i.path, message: say(i.message) }));
    const [first] = issues;
    const field =
      fieldPrefix && first?.path.startsWith(fieldPrefix) ? first.path.slice(fieldPrefix.length) : first?.path;
    return refuse(ctx, 400, first ? `${first.path || '(root)'}: ${first.message}` : 'invalid config', {
      field: field ?? '',
      issues,
    });
  }

  return router;
}

/** The settings in force as the form's defaults: the board's thresholds as they apply, no users (they have their own form). */
function formDefaults(config: BusinessConfig) {
  const { lineLoad, lateness } = boardThresholds(config);
  return { ...config, board: undefined, kpi: { ...config.kpi, lineLoad, lateness } };
}

/** The handlers' ids of the groups the config knows, as an unknown one would be named. */
function knownGroupIds(config: BusinessConfig): Set<string> {
  return new Set(
    config.conversations.flatMap((c) => [
      ...(c.wecom ? [unknownGroupName('wecom', c.wecom.chatId)] : []),
      ...(c.dingtalk ? [unknownGroupName('dingtalk', c.dingtalk.openConversationId)] : []),
    ]),
  );
}

/** The console's words in the reader's language. */
function words(ctx: Context) {
  return texts(langOf(ctx)).admin;
}

function langOf(ctx: Context): Lang {
  return isLang(ctx.state.lang) ? ctx.state.lang : 'zh';
}

function refuse(ctx: Context, status: number, error: string, extra: Record<string, unknown> = {}) {
  ctx.status = status;
  ctx.body = { error, ...extra };
}

/** The config as the console gets it: password hashes never leave the server. */
function withHiddenPasswords(input: unknown): unknown {
  if (!isObject(input)) return input ?? null;
  const copy = structuredClone(input) as ConfigInput;
  for (const user of copy.board?.users ?? []) if (user.passwordHash) user.passwordHash = HIDDEN_PASSWORD;
  return copy;
}

/** The console's config with each hidden password hash put back from the stored version (same username). */
function withStoredPasswords(
  input: ConfigInput,
  stored: ConfigInput | undefined,
): { config: ConfigInput } | { error: string; field: string } {
  const copy = structuredClone(input);
  const users = copy.board?.users ?? [];
  for (const [i, user] of users.entries()) {
    if (user.passwordHash !== undefined && user.passwordHash !== HIDDEN_PASSWORD) continue;
    const hash = stored?.board?.users?.find((u) => u.username === user.username)?.passwordHash;
    if (typeof hash !== 'string') {
      return {
        error: `board.users.${i}.passwordHash: a new user gets a password with PUT /api/admin/users/${String(user.username)}`,
        field: `board.users.${i}.passwordHash`,
      };
    }
    user.passwordHash = hash;
  }
  return { config: copy };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
