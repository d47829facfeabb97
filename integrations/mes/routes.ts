import { RequestRefused } from '../../core/errors';
import { createHash, timingSafeEqual } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { bodyParser } from '@koa/bodyparser';
import Router from '@koa/router';
import { and, eq, ne } from 'drizzle-orm';
import type { Context, Next } from 'koa';
import { z } from 'zod';
import type { ConfigSource } from '../../config/business-config';
import type { MesStageOutcome, MesStageReportEvent } from '../../core/events';
import type { Database } from '../../db/client';
import { lockPlant } from '../../db/plant';
import { recordPlantChange } from '../../db/repromise';
import { inboundMessages, lineLoads, moulds } from '../../db/schema';
import type { WorkStage } from '../../domain/lifecycle';
import { carrierCode, guessCarrier } from '../courier/carriers';

/** What a MES pushes is recorded with this source / updatedBy. */
export const MES_SOURCE = 'mes';
/** Shortest accepted API token: a write interface deserves a real secret (e.g. `openssl rand -hex 32`). */
export const MIN_TOKEN_LENGTH = 16;
const MAX_PERIODS = 1000;
/** How far in the future a stage report's `at` may be: the MES's clock and ours differ a little. */
export const CLOCK_SKEW_MS = 5 * 60_000;
export const NOTE_MAX = 500;
/** How long a stage report waits for its answer (the order row may be locked by another decision). */
const ANSWER_WAIT_MS = 10_000;

/** Hands a stage report to the bot (Bot.ingest): stored once per key, then handled. */
export type MesIngest = (
  event: MesStageReportEvent,
  externalId: string,
) => Promise<{ inboundId: number | null; duplicate: boolean; handled?: Promise<void> }>;

export interface MesRoutesOptions {
  db: Database;
  clock: () => Date;
  /** MES_API_TOKEN: the bearer token the MES sends. */
  token: string;
  /** The business config; only its `lines` are used. */
  config: ConfigSource;
  /** The bot's inbound path, for stage reports; without it `PUT /orders/:number/stage` is not served. */
  ingest?: MesIngest;
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

const WORK_STAGES = ['in_production', 'qc_passed', 'packed', 'shipped', 'delivered'] as const satisfies WorkStage[];
const WAYBILL = /^[A-Za-z]{0,4}\d{8,20}$/;
// Tabs and line breaks are kept; other control characters and half surrogate pairs cannot be stored as sent.
const NOT_PLAIN = /(?![\t\n\r])\p{Cc}|\p{Cs}/u;

const stageBody = z
  .strictObject({
    stage: z.enum(WORK_STAGES),
    at: z.iso
      .datetime({ offset: true, error: 'must be an ISO 8601 time with an offset, e.g. 2026-02-24T10:30:00+08:00' })
      .nullish(),
    note: z
      .string()
      .max(NOTE_MAX, `must be at most ${NOTE_MAX} characters`)
      .refine((text) => !NOT_PLAIN.test(text), 'must be plain text')
      .nullish(),
    carrier: z.string().max(40).nullish(),
    waybill: z.string().regex(WAYBILL, 'must be 0-4 letters and 8-20 digits, e.g. SF1234567890').nullish(),
  })
  .superRefine((body, ctx) => {
    for (const field of ['carrier', 'waybill'] as const) {
      if (body[field] != null && body.stage !== 'shipped') {
        ctx.addIssue({ code: 'custom', path: [field], message: 'only with stage "shipped"' });
      }
    }
    if (body.carrier != null && body.waybill == null) {
      ctx.addIssue({ code: 'custom', path: ['carrier'], message: 'needs a waybill' });
    } else if (body.carrier != null && !carrierCode(body.carrier)) {
      ctx.addIssue({
        code: 'custom',
        path: ['carrier'],
        message: 'unknown carrier (a Kuaidi100 code or a carrier name, e.g. shunfeng, SF)',
      });
    }
  });

const orderNumber = z
  .string()
  .regex(
    /^SO-\d{8}-\d{4,}(?:-\d{1,3})?$/i,
    'must be an order number, e.g. SO-20260224-0001 (a split delivery: SO-20260224-0001-2)',
  );
const idempotencyKey = z
  .string()
  .regex(/^[A-Za-z0-9._:-]{1,128}$/, 'must be 1-128 letters, digits, ".", "_", ":" or "-" (a UUID will do)');

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
      const [before] = await tx.select().from(moulds).where(eq(moulds.id, id)).for('update');
      const [row] = await tx
        .insert(moulds)
        .values({ id, ...values })
        .onConflictDoUpdate({ target: moulds.id, set: values })
        .returning();
      const same = before?.status === body.status && before.availableFrom === values.availableFrom;
      if (body.status !== 'ok' && !same) {
        const cause = { kind: 'mould' as const, mould: id, status: body.status, availableFrom: values.availableFrom };
        await recordPlantChange(tx, values.updatedAt, { kind: 'mould', cause, source: MES_SOURCE });
      }
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
      // A heavier load may break promises on the line: the re-promise job re-checks them (a lighter one breaks none).
      await recordPlantChange(tx, clock(), {
        kind: 'line-load',
        cause: { kind: 'line-load', line: line.id },
        source: MES_SOURCE,
        lines: [line.id],
      });
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

  if (options.ingest) {
    const reports = stageReports(db, options.ingest);
    router.put('/orders/:number/stage', async (ctx) => {
      const number = parse(orderNumber, ctx.params.number, 'number').toUpperCase();
      const body = parse(stageBody, ctx.request.body);
      const header = ctx.get('idempotency-key');
      const key = header ? parse(idempotencyKey, header, 'Idempotency-Key') : null;
      const now = clock();
      if (body.at && Date.parse(body.at) > now.getTime() + CLOCK_SKEW_MS) {
        throw RequestRefused.malformed(`at: is in the future (orderbot's clock says ${now.toISOString()})`);
      }
      const waybill = body.waybill?.toUpperCase() ?? null;
      const event: MesStageReportEvent = {
        kind: 'mes-stage-report',
        platform: MES_SOURCE,
        // Without a key, a shipment's waybill is part of the report: one sent after a bare "shipped" is news.
        key: key ? `key:${key}` : `stage:${number}:${body.stage}${waybill ? `:${waybill}` : ''}`,
        orderNumber: number,
        stage: body.stage,
        at: body.at ?? null,
        note: body.note || null,
        carrier: body.carrier ? carrierCode(body.carrier)! : waybill ? (guessCarrier(waybill) ?? null) : null,
        waybill,
        receivedAt: now.toISOString(),
      };
      const result = await reports.report(event);
      if (result === 'busy') {
        ctx.status = 503;
        ctx.set('Retry-After', '1');
        ctx.body = { error: 'the report is stored and still being handled: send it again for the answer' };
        return;
      }
      if (result.replayed) ctx.set('Idempotent-Replayed', 'true');
      const answer = stageAnswer(event, result.outcome);
      ctx.status = answer.status;
      ctx.body = answer.body;
    });
  }

  return router;
}

type ReportRow = Pick<typeof inboundMessages.$inferSelect, 'id' | 'status' | 'payload'>;

/**
 * A stage report goes through the bot's inbound path, stored under its key: the Idempotency-Key, or the
 * order and stage. A report that changed the order holds its key: a repeat gets its answer and changes
 * nothing. One that changed nothing (refused, already done, failed) lets go of it, so a repeat is decided
 * afresh (nothing having changed, it gets the same answer; a refusal no longer holds once the order moved).
 */
function stageReports(db: Database, ingest: MesIngest) {
  const rowById = async (id: number): Promise<ReportRow | undefined> => {
    const [row] = await db
      .select({ id: inboundMessages.id, status: inboundMessages.status, payload: inboundMessages.payload })
      .from(inboundMessages)
      .where(eq(inboundMessages.id, id));
    return row;
  };
  const idOfKey = async (key: string): Promise<number | null> => {
    const [row] = await db
      .select({ id: inboundMessages.id })
      .from(inboundMessages)
      .where(and(eq(inboundMessages.platform, MES_SOURCE), eq(inboundMessages.externalId, key)));
    return row?.id ?? null;
  };
  /** The row once handled (processed or failed); undefined while another process still holds it. */
  const handledRow = async (id: number): Promise<ReportRow | undefined> => {
    const deadline = Date.now() + ANSWER_WAIT_MS;
    for (;;) {
      const row = await rowById(id);
      if (row && row.status !== 'received') return row;
      if (Date.now() >= deadline) return undefined;
      await sleep(20);
    }
  };
  /** The row keeps the report under another id (`released:<row id>:<key>`); the key is free again. */
  const release = async (row: ReportRow, key: string) => {
    await db
      .update(inboundMessages)
      .set({ externalId: `released:${row.id}:${key}` })
      .where(
        and(
          eq(inboundMessages.id, row.id),
          eq(inboundMessages.externalId, key),
          ne(inboundMessages.status, 'received'),
        ),
      );
  };

  return {
    async report(event: MesStageReportEvent): Promise<{ outcome: MesStageOutcome; replayed: boolean } | 'busy'> {
      // A few rounds at most: each one that does not answer found a key let go of by a concurrent report.
      for (let round = 0; round < 5; round++) {
        const stored = await ingest(event, event.key);
        const id = stored.inboundId ?? (await idOfKey(event.key));
        if (id === null) continue;
        await stored.handled;
        const row = await handledRow(id);
        if (!row) return 'busy';
        const { outcome, ...before } = row.payload as MesStageReportEvent & { outcome?: MesStageOutcome };
        const holds = row.status === 'processed' && (outcome?.status === 'done' || outcome?.status === 'waybill-added');
        if (stored.duplicate) {
          if (!holds) {
            await release(row, event.key);
            continue;
          }
          if (event.key.startsWith('key:') && !sameReport(before, event)) {
            throw RequestRefused.conflict(
              `Idempotency-Key: already used for another report (${before.orderNumber} ${before.stage})`,
            );
          }
          return { outcome: outcome!, replayed: true };
        }
        if (!holds) await release(row, event.key);
        if (row.status === 'failed' || !outcome) throw new Error(`handling the MES stage report ${id} failed`);
        return { outcome, replayed: false };
      }
      return 'busy';
    },
  };
}

function sameReport(a: MesStageReportEvent, b: MesStageReportEvent): boolean {
  return (['orderNumber', 'stage', 'at', 'note', 'carrier', 'waybill'] as const).every(
    (field) => a[field] === b[field],
  );
}

/** What the MES is told: 200 when the stage is done (now or before), 4xx with the reason when it is refused. */
function stageAnswer(event: MesStageReportEvent, outcome: MesStageOutcome): { status: number; body: object } {
  const { orderNumber: order, stage } = event;
  switch (outcome.status) {
    case 'done':
      return { status: 200, body: { order, stage, completed: outcome.completed, status: 'done' } };
    case 'waybill-added':
      return { status: 200, body: { order, stage, completed: [], status: 'waybill-added', waybill: outcome.waybill } };
    case 'already': {
      const { current, by, at } = outcome;
      return { status: 200, body: { order, stage, completed: [], status: 'already', current, by, at } };
    }
    case 'refused': {
      const [status, error] = refusal(event, outcome);
      return { status, body: { error, order, stage, status: 'refused', reason: outcome.reason } };
    }
  }
}

function refusal(
  event: MesStageReportEvent,
  outcome: Extract<MesStageOutcome, { status: 'refused' }>,
): [number, string] {
  const { orderNumber: order, stage } = event;
  switch (outcome.reason) {
    case 'unknown-order':
      return [404, `order "${order}" not found`];
    case 'not-allowed':
      return [403, `stage: the MES may not report "${stage}"`];
    case 'before-confirmation':
      return [400, `at: before ${order} was confirmed (${outcome.confirmedAt})`];
    case 'not-confirmed':
      return [409, `${order} is not confirmed: its stages are reported once it is`];
    case 'skipped':
      return [409, `${order} ships from stock: it has no stage "${stage}"`];
  }
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
