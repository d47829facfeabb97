import { RequestRefused } from '../../core/errors';
import { createHash, timingSafeEqual } from 'node:crypto';
import { bodyParser } from '@koa/bodyparser';
import Router from '@koa/router';
import { eq } from 'drizzle-orm';
import type { Context, Next } from 'koa';
import { z } from 'zod';
import type { ConfigSource } from '../../config/business-config';
import type { Database } from '../../db/client';
import { lockPlant } from '../../db/plant';
import { lineLoads, moulds } from '../../db/schema';

/** What a MES pushes is recorded with this source / updatedBy. */
export const MES_SOURCE = 'mes';
/** Shortest accepted API token: a write interface deserves a real secret (e.g. `openssl rand -hex 32`). */
export const MIN_TOKEN_LENGTH = 16;
const MAX_PERIODS = 1000;

export interface MesRoutesOptions {
  db: Database;
  clock: () => Date;
  /** MES_API_TOKEN: the bearer token the MES sends. */
  token: string;
  /** The business config; only its `lines` are used. */
  config: ConfigSource;
}

const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD')
  .refine((text) => {
    const date = new Date(`${text}T00:00:00Z`);
    return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === text;
  }, 'not a calendar date');

const mouldBody = z
  .strictObject({
    status: z.enum(['ok', 'repair', 'maintenance']),
    availableFrom: isoDate.nullable().optional(),
  })
  .superRefine((body, ctx) => {
    if (body.status === 'ok' && body.availableFrom != null) {
      ctx.addIssue({ code: 'custom', path: ['availableFrom'], message: 'must be null or absent when status is "ok"' });
    }
  });

const loadBody = z.strictObject({
  periods: z
    .array(
      z
        .strictObject({ from: isoDate, to: isoDate, load: z.number().min(0).max(1) })
        .refine((p) => p.from <= p.to, { message: 'must not be after "to"', path: ['from'] }),
    )
    .max(MAX_PERIODS),
});

const mouldId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'must be 1-64 letters, digits, ".", "_" or "-"');

function parse<T>(schema: z.ZodType<T>, value: unknown, prefix = ''): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const field = [prefix, ...issue.path.map(String)].filter(Boolean).join('.');
  throw RequestRefused.malformed(`${field || 'body'}: ${issue.message}`);
}

/**
 * The HTTP JSON interface through which a MES pushes mould states and line loads (see README.md).
 * Every route needs `Authorization: Bearer <token>`; the token is compared in constant time.
 */
export function mesRoutes(options: MesRoutesOptions): Router {
  const { db, clock, config } = options;
  if (typeof options.token !== 'string' || options.token.trim().length < MIN_TOKEN_LENGTH) {
    throw new Error(`MES_API_TOKEN must be at least ${MIN_TOKEN_LENGTH} characters`);
  }
  const expected = digest(options.token.trim());
  const router = new Router({ prefix: '/api/mes' });

  router.use(async (ctx: Context, next: Next) => {
    try {
      await next();
    } catch (err) {
      const error = err as { status?: number; statusCode?: number; message?: string };
      const status = err instanceof RequestRefused ? err.status : (error.status ?? error.statusCode ?? 500);
      if (status >= 500) throw err;
      ctx.status = status;
      ctx.body = { error: err instanceof RequestRefused ? err.message : bodyParserMessage(error.message) };
    }
  });
  router.use(async (ctx: Context, next: Next) => {
    const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(ctx.get('authorization'));
    if (!match || !timingSafeEqual(digest(match[1]!), expected)) {
      ctx.set('WWW-Authenticate', 'Bearer realm="orderbot-mes"');
      throw RequestRefused.unauthorized('missing or wrong bearer token');
    }
    await next();
  });
  // Only authenticated bodies are read; a no-op when the app already parsed the body.
  router.use(bodyParser({ enableTypes: ['json'], jsonLimit: '256kb', encoding: 'utf-8' }));

  router.get('/moulds', async (ctx) => {
    const rows = await db.select().from(moulds);
    rows.sort((a, b) => a.id.localeCompare(b.id, 'en', { numeric: true }));
    ctx.body = { moulds: rows.map(mouldJson) };
  });

  router.put('/moulds/:id', async (ctx) => {
    const id = parse(mouldId, ctx.params.id, 'id');
    const body = parse(mouldBody, ctx.request.body);
    const values = {
      status: body.status,
      availableFrom: body.availableFrom ?? null,
      updatedAt: clock(),
      updatedBy: MES_SOURCE,
    };
    const { row, created } = await db.transaction(async (tx) => {
      const [before] = await tx.select({ id: moulds.id }).from(moulds).where(eq(moulds.id, id)).for('update');
      const [row] = await tx
        .insert(moulds)
        .values({ id, ...values })
        .onConflictDoUpdate({ target: moulds.id, set: values })
        .returning();
      return { row: row!, created: before === undefined };
    });
    ctx.status = created ? 201 : 200;
    ctx.body = { mould: mouldJson(row) };
  });

  router.put('/lines/:id/load', async (ctx) => {
    const line = config.current.lines.find((l) => l.id === ctx.params.id);
    if (!line) {
      throw RequestRefused.notFound(
        `line "${ctx.params.id}" is not configured (lines: ${config.current.lines.map((l) => l.id).join(', ') || 'none'})`,
      );
    }
    const { periods } = parse(loadBody, ctx.request.body);
    const stored = await db.transaction(async (tx) => {
      // Serialise with promise confirmations that read this line's capacity.
      await lockPlant(tx, [], [line.id]);
      await tx.delete(lineLoads).where(eq(lineLoads.line, line.id));
      if (periods.length === 0) return [];
      return tx
        .insert(lineLoads)
        .values(
          periods.map((p) => ({ line: line.id, fromDate: p.from, toDate: p.to, load: p.load, source: MES_SOURCE })),
        )
        .returning();
    });
    ctx.body = {
      line: line.id,
      periods: stored
        .sort((a, b) => a.fromDate.localeCompare(b.fromDate) || a.id - b.id)
        .map((p) => ({ from: p.fromDate, to: p.toDate, load: p.load })),
    };
  });

  return router;
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

function mouldJson(row: typeof moulds.$inferSelect) {
  return {
    id: row.id,
    status: row.status,
    availableFrom: row.availableFrom,
    updatedAt: row.updatedAt.toISOString(),
    updatedBy: row.updatedBy,
  };
}

function bodyParserMessage(message: string | undefined): string {
  if (!message) return 'body: bad request';
  if (/JSON|Unexpected token|invalid json/i.test(message)) return 'malformed JSON body';
  return `body: ${message}`;
}
