import type Router from '@koa/router';
import type { Context } from 'koa';
import type { Database } from '../../db/client';
import { adminAudit } from '../../db/schema';
import { ColumnMappingSchema, EXPORT_KINDS, type ExportKind } from '../../integrations/excel/mapping';
import { DEFAULT_MAX_BYTES } from '../../integrations/excel/read-export';
import { errorLine, importFile } from '../../integrations/import/import-file';
import type { BoardUser } from '../board/routes';

/**
 * Master-data files uploaded from the console: `POST /api/admin/imports/:kind` with the file as the body
 * (its name in `x-file-name`) checks it and answers what an import would do; with `?confirm=1` it writes
 * (nothing at all on any row error) and records who imported what.
 */
export function importRoutes(router: Router, args: { db: Database; clock: () => Date }) {
  router.post('/imports/:kind', async (ctx) => {
    const kind = ctx.params.kind!;
    if (!(EXPORT_KINDS as readonly string[]).includes(kind)) {
      ctx.status = 404;
      ctx.body = { error: `the kind is one of ${EXPORT_KINDS.join(', ')}` };
      return;
    }
    const bytes = await readBody(ctx, DEFAULT_MAX_BYTES);
    if (!bytes) {
      ctx.status = 413;
      ctx.body = { error: `a file of at most ${DEFAULT_MAX_BYTES / 1024 / 1024} MB` };
      return;
    }
    const name = fileName(ctx.get('x-file-name')) ?? `${kind}.xlsx`;
    const confirm = ctx.query.confirm === '1';
    const outcome = await importFile({
      db: args.db,
      file: { name, bytes },
      mapping: ColumnMappingSchema.parse({}),
      kind: kind as ExportKind,
      options: { now: args.clock(), dryRun: !confirm },
    });
    if (outcome.written) {
      const { added, changed, unchanged } = outcome;
      await args.db.insert(adminAudit).values({
        at: args.clock(),
        actor: (ctx.state.user as BoardUser).username,
        action: 'import',
        detail: { file: name, kind, added, changed, unchanged },
      });
    }
    ctx.body = {
      file: name,
      kind: outcome.kind,
      added: outcome.added,
      changed: outcome.changed,
      unchanged: outcome.unchanged,
      written: outcome.written,
      errors: outcome.errors.map((e) => ({ ...e, line: errorLine(e) })),
    };
  });
}

/** The request's body as bytes; null when it is larger than `limit`. */
export async function readBody(ctx: Context, limit: number): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req) {
    size += (chunk as Buffer).length;
    if (size > limit) return null;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** The file's own name from the header (URL-encoded by the page), without any directory. */
export function fileName(header: string): string | null {
  if (!header) return null;
  let name: string;
  try {
    name = decodeURIComponent(header);
  } catch {
    return null;
  }
  const base = name.split(/[\\/]/).pop()?.trim();
  return base ? base.slice(0, 200) : null;
}
