import type Router from '@koa/router';
import type { Context } from 'koa';
import type { Logger } from 'pino';
import { type BusinessConfig, isSalesPerson, SALES_ROLE } from '../../config/business-config';
import type { Database } from '../../db/client';
import { directoryListing, directoryPerson, fillInPerson } from '../../db/directory';
import { latestConfig } from '../../db/config-versions';
import type { DirectoryPlatform, DirectoryReader } from '../../domain/directory';
import { assignDirectoryRole, type DirectoryRole } from '../../domain/directory-roles';
import { normalizePhone } from '../../domain/phone';
import { syncDirectories } from '../../handlers/directory-sync';
import type { BoardUser } from '../board/routes';

export interface DirectoryRouteDeps {
  db: Database;
  clock: () => Date;
  log: Logger;
  readers: DirectoryReader[];
  config: () => BusinessConfig;
  /** Saves a new config version (the caller answers 200/409/400 as for any save). */
  save: (ctx: Context, input: unknown, basedOn: number | null) => Promise<void>;
  refuse: (ctx: Context, status: number, error: string, extra?: Record<string, unknown>) => void;
  words: (ctx: Context) => {
    noDirectory: string;
    noSuchPerson: string;
    personNeedsName: string;
    unknownDepartment: (key: string) => string;
    badMobile: string;
  };
}

/**
 * The company directory in the console: `GET /directory` lists the synced people with the settings'
 * person each is (by platform id); `POST /directory/sync` reads WeCom/DingTalk now; `PUT
 * /directory/people/:platform/:userId` fills in a name or mobile the platform withholds;
 * `POST /directory/assign` makes a person a lead, director, sales person or just a known person.
 */
export function directoryRoutes(router: Router, deps: DirectoryRouteDeps) {
  const { db, refuse, words } = deps;

  router.get('/directory', async (ctx) => {
    const { people, lastSync } = await directoryListing(db);
    const config = deps.config();
    ctx.body = {
      platforms: deps.readers.map((r) => r.platform),
      lastSync,
      people: people.map((p) => {
        const person = config.people.find((c) => c[p.platform] === p.userId);
        return { ...p, person: person ? { id: person.id, roles: rolesOf(config, person.id) } : null };
      }),
    };
  });

  router.post('/directory/sync', async (ctx) => {
    if (deps.readers.length === 0) return refuse(ctx, 409, words(ctx).noDirectory);
    const results = await syncDirectories({
      db,
      readers: deps.readers,
      now: deps.clock,
      actor: (ctx.state.user as BoardUser).username,
      log: deps.log,
    });
    ctx.status = results.every((r) => r.ok) ? 200 : 502;
    ctx.body = { results };
  });

  router.put('/directory/people/:platform/:userId', async (ctx) => {
    const platform = platformOf(ctx.params.platform);
    const body = (ctx.request.body ?? {}) as { name?: unknown; mobile?: unknown };
    const name = optionalText(body.name);
    const mobile = optionalText(body.mobile);
    if (!platform || (name === undefined && mobile === undefined)) {
      return refuse(ctx, 400, 'send {name} and/or {mobile} (null clears what the admin wrote)');
    }
    const phone = mobile ? normalizePhone(mobile) : mobile;
    if (mobile && !phone) return refuse(ctx, 400, words(ctx).badMobile, { field: 'mobile' });
    const done = await fillInPerson(db, {
      platform,
      userId: ctx.params.userId!,
      ...(name !== undefined ? { name } : {}),
      ...(phone !== undefined ? { mobile: phone } : {}),
      actor: (ctx.state.user as BoardUser).username,
      now: deps.clock(),
    });
    if (!done) return refuse(ctx, 404, words(ctx).noSuchPerson);
    ctx.body = await directoryPerson(db, platform, ctx.params.userId!);
  });

  router.post('/directory/assign', async (ctx) => {
    const body = (ctx.request.body ?? {}) as { platform?: unknown; userId?: unknown; role?: unknown };
    const platform = platformOf(body.platform);
    const role = roleOf(body.role);
    if (!platform || typeof body.userId !== 'string' || !role) {
      return refuse(
        ctx,
        400,
        'send {platform, userId, role}: role is {as: "person"|"sales"} or {as: "lead"|"director", department}',
      );
    }
    const who = await directoryPerson(db, platform, body.userId);
    if (!who) return refuse(ctx, 404, words(ctx).noSuchPerson);
    const latest = await latestConfig(db);
    const outcome = assignDirectoryRole((latest?.input ?? {}) as Record<string, unknown>, who, role, SALES_ROLE);
    if (!outcome.ok) {
      return outcome.problem === 'no-name'
        ? refuse(ctx, 400, words(ctx).personNeedsName, { field: 'name' })
        : refuse(ctx, 400, words(ctx).unknownDepartment(String((role as { department?: string }).department)), {
            field: 'department',
          });
    }
    await deps.save(ctx, outcome.input, latest?.version ?? null);
  });
}

/** What the person is in the settings, for the list: "lead:tech", "director:purchasing", "sales". */
function rolesOf(config: BusinessConfig, personId: string): string[] {
  return [
    ...config.departments.flatMap((d) => [
      ...(d.leads.includes(personId) ? [`lead:${d.key}`] : []),
      ...(d.director === personId ? [`director:${d.key}`] : []),
    ]),
    ...(isSalesPerson(config, personId) ? ['sales'] : []),
  ];
}

function platformOf(value: unknown): DirectoryPlatform | undefined {
  return value === 'wecom' || value === 'dingtalk' ? value : undefined;
}

function roleOf(value: unknown): DirectoryRole | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { as, department } = value as { as?: unknown; department?: unknown };
  if (as === 'person' || as === 'sales') return { as };
  if ((as === 'lead' || as === 'director') && typeof department === 'string' && department) return { as, department };
  return undefined;
}

/** A text field: trimmed text, null to clear, undefined when not sent. */
function optionalText(value: unknown): string | null | undefined {
  if (value === null) return null;
  if (typeof value !== 'string') return undefined;
  return value.trim() || null;
}
