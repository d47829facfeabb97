import type Router from '@koa/router';
import type { Context } from 'koa';
import { fileName, readBody } from './imports';
import { and, asc, eq, sql } from 'drizzle-orm';
import type { Database } from '../../db/client';
import { activeRulesWithUsage, type RuleStatus, ruleVersions, saveRuleSheet } from '../../db/channel-rules';
import { adminAudit, channelRules } from '../../db/schema';
import { formatFen } from '../../domain/channels/money';
import type { ChannelRule } from '../../domain/channels/rules';
import { MAX_SHEET_BYTES, readRuleSheet } from '../../integrations/channels/rule-sheet';
import { errorLine } from '../../integrations/import/import-file';
import type { Catalogue } from '../../texts/catalogue';
import type { BoardUser } from '../board/routes';

const PREFIX = '/api/admin/channel-rules';

const STATUS_ACTION = 'channel-rule-status';

/** The channel rules may be read by a viewer too; every other console call is an admin's. */
export function viewerMayRead(ctx: Context): boolean {
  return ctx.method === 'GET' && (ctx.path === PREFIX || ctx.path.startsWith(`${PREFIX}/`));
}

export interface ChannelRuleRouteDeps {
  db: Database;
  clock: () => Date;
  refuse: (ctx: Context, status: number, error: string, extra?: Record<string, unknown>) => void;
  words: (ctx: Context) => Catalogue['admin'];
}

/**
 * The promotion rule pool in the console (docs/channels-rules.md "In the admin console"):
 * - `GET /channel-rules`: each code's latest version, with its budget use while it is active;
 * - `GET /channel-rules/:code`: every version of a code, oldest first;
 * - `POST /channel-rules/sheet`: a rule sheet as the body (its name in `x-file-name`), checked and counted
 *   (added / new versions / unchanged, or every error line); with `?confirm=1` saved as versions (nothing on
 *   any error) and audited;
 * - `POST /channel-rules/:code/status` `{status: 'active' | 'paused', version}`: pauses or resumes the latest
 *   version in place (a status is not content: no new version); 409 when `version` is not the latest any more
 *   or the latest cannot take that status (archived, draft); audited.
 */
export function channelRuleRoutes(router: Router, deps: ChannelRuleRouteDeps) {
  const { db, clock, refuse, words } = deps;

  router.get('/channel-rules', async (ctx) => {
    const say = words(ctx);
    const [latest, active] = await Promise.all([latestVersions(db), activeRulesWithUsage(db)]);
    const usage = new Map(active.map((a) => [`${a.rule.code}@${a.rule.version}`, a]));
    ctx.body = {
      rules: latest.map((r) => {
        const counted = r.status === 'active' ? usage.get(`${r.code}@${r.version}`) : undefined;
        const budget = r.budget
          ? {
              ...r.budget,
              used: counted ? counted.used : null,
              spentFen: counted ? counted.spentFen : null,
              summary: budgetSummary(say, r.budget, counted),
            }
          : null;
        return {
          code: r.code,
          version: r.version,
          status: r.status,
          label: r.rule.label,
          channel: r.rule.channel,
          shop: r.rule.shop,
          benefit: r.rule.benefit,
          conditions: r.rule.conditions,
          benefitSummary: benefitSummary(say, r.rule),
          window: r.rule.window,
          priority: r.rule.priority,
          stackGroup: r.rule.stackGroup,
          exclusiveWith: r.rule.exclusiveWith,
          fundedBy: r.rule.fundedBy,
          budget,
          source: r.source,
          createdAt: r.createdAt,
        };
      }),
    };
  });

  router.post('/channel-rules/sheet', async (ctx) => {
    const bytes = await readBody(ctx, MAX_SHEET_BYTES);
    if (!bytes) return refuse(ctx, 413, `a rule sheet of at most ${MAX_SHEET_BYTES / 1024 / 1024} MB`);
    const name = fileName(ctx.get('x-file-name')) ?? 'rules.xlsx';
    const confirm = ctx.query.confirm === '1';
    const read = readRuleSheet({ name, bytes });
    if (!read.ok) {
      ctx.body = {
        file: name,
        added: 0,
        newVersions: 0,
        unchanged: 0,
        written: false,
        errors: read.errors.map((e) => ({ ...e, line: errorLine(e) })),
      };
      return;
    }
    const actor = (ctx.state.user as BoardUser).username;
    let outcome: Awaited<ReturnType<typeof saveRuleSheet>>;
    try {
      outcome = await saveRuleSheet(db, read.rules, {
        source: `admin:${actor}:${name}`,
        now: clock(),
        dryRun: !confirm,
      });
    } catch (err) {
      // Two saves of the same code at once: the second hits the unique (code, version) index and writes nothing.
      if (isUniqueViolation(err)) return refuse(ctx, 409, words(ctx).ruleSheetConflict);
      throw err;
    }
    const counts = { added: outcome.added, newVersions: outcome.newVersions, unchanged: outcome.unchanged };
    if (confirm && outcome.added + outcome.newVersions > 0) {
      await db.insert(adminAudit).values({
        at: clock(),
        actor,
        action: 'import',
        detail: { file: name, kind: 'channel-rules', ...counts, changed: outcome.newVersions },
      });
    }
    ctx.body = { file: name, ...counts, versions: outcome.versions, written: confirm, errors: [] };
  });

  router.get('/channel-rules/:code', async (ctx) => {
    const code = ctx.params.code!;
    const versions = await ruleVersions(db, code);
    if (versions.length === 0) return refuse(ctx, 404, words(ctx).noSuchRule(code));
    ctx.body = { code, versions };
  });

  router.post('/channel-rules/:code/status', async (ctx) => {
    const code = ctx.params.code!;
    const say = words(ctx);
    const body = (ctx.request.body ?? {}) as { status?: unknown; version?: unknown };
    if ((body.status !== 'active' && body.status !== 'paused') || !Number.isInteger(body.version)) {
      return refuse(ctx, 400, 'send {status: "active" | "paused", version}: the version the page shows');
    }
    const to: RuleStatus = body.status;
    const from: RuleStatus = to === 'active' ? 'paused' : 'active';
    const version = body.version as number;
    const actor = (ctx.state.user as BoardUser).username;
    const changed = await db.transaction(async (tx) => {
      // One statement: the row must still be the code's latest version and still have the status it leaves.
      const rows = await tx
        .update(channelRules)
        .set({ status: to })
        .where(
          and(
            eq(channelRules.code, code),
            eq(channelRules.version, version),
            eq(channelRules.status, from),
            sql`${channelRules.version} = (select max(r.version) from channel_rules r where r.code = ${code})`,
          ),
        )
        .returning({ id: channelRules.id });
      if (rows.length === 0) return false;
      await tx
        .insert(adminAudit)
        .values({ at: clock(), actor, action: STATUS_ACTION, detail: { code, version, from, to } });
      return true;
    });
    if (changed) {
      ctx.body = { code, version, status: to, changed: true };
      return;
    }
    const [latest] = await latestVersions(db, code);
    if (!latest) return refuse(ctx, 404, say.noSuchRule(code));
    if (latest.version !== version) {
      return refuse(ctx, 409, say.ruleStale(code, version, latest.version), {
        reason: 'stale',
        latest: latest.version,
        status: latest.status,
      });
    }
    if (latest.status === to) {
      ctx.body = { code, version, status: to, changed: false };
      return;
    }
    return refuse(ctx, 409, say.ruleCannotChange(code, version, say.ruleStatuses[latest.status] ?? latest.status), {
      reason: 'status',
      latest: latest.version,
      status: latest.status,
    });
  });
}

/** Each code's latest version (of one code, when given), by code. */
async function latestVersions(db: Database, code?: string) {
  return db
    .selectDistinctOn([channelRules.code], {
      code: channelRules.code,
      version: channelRules.version,
      status: channelRules.status,
      rule: channelRules.rule,
      budget: channelRules.budget,
      source: channelRules.source,
      createdAt: channelRules.createdAt,
    })
    .from(channelRules)
    .where(code === undefined ? undefined : eq(channelRules.code, code))
    .orderBy(asc(channelRules.code), sql`${channelRules.version} desc`);
}

/** "满 299.00 元 · 减 50.00 元", in the reader's language. */
function benefitSummary(say: Catalogue['admin'], rule: ChannelRule): string {
  const { benefit, conditions } = rule;
  const parts: string[] = [];
  if (conditions.minSubtotalFen !== undefined) parts.push(say.ruleMinSubtotal(formatFen(conditions.minSubtotalFen)));
  if (conditions.minQuantity !== undefined) parts.push(say.ruleMinQuantity(conditions.minQuantity));
  switch (benefit.type) {
    case 'fixed_off':
      parts.push(say.ruleFixedOff(formatFen(benefit.amountFen)));
      break;
    case 'percent_off':
      parts.push(say.rulePercentOff(percentText(benefit.basisPoints)));
      break;
    case 'gift':
      parts.push(say.ruleGift(benefit.sku, benefit.quantity));
      break;
    case 'points':
      parts.push(say.rulePoints(benefit.points));
      break;
  }
  if (rule.allocation === 'each') parts.push(say.ruleEach);
  return parts.join(' · ');
}

/** 500 → "5", 550 → "5.5", 1 → "0.01". */
function percentText(basisPoints: number): string {
  const whole = Math.floor(basisPoints / 100);
  const rest = String(basisPoints % 100)
    .padStart(2, '0')
    .replace(/0+$/, '');
  return rest ? `${whole}.${rest}` : String(whole);
}

/** "12 / 1000 单", "35.00 / 5000.00 元"; what is used is counted only while the version is active. */
function budgetSummary(
  say: Catalogue['admin'],
  budget: { type: 'usage' | 'spend'; limit: number },
  counted: { used: number; spentFen: number } | undefined,
): string {
  if (budget.type === 'usage') return say.ruleBudgetUsage(counted ? String(counted.used) : '—', budget.limit);
  return say.ruleBudgetSpend(counted ? formatFen(counted.spentFen) : '—', formatFen(budget.limit));
}

function isUniqueViolation(err: unknown): boolean {
  for (let e: unknown = err; e; e = (e as { cause?: unknown }).cause) {
    if ((e as { code?: unknown }).code === '23505') return true;
  }
  return false;
}
