/**
 * Channel promotion rules, stored as immutable versions (table channel_rules, unique (code, version)).
 *
 * Saving a rule sheet (saveRuleSheet):
 * - per code, the sheet's rule is compared with the code's latest stored version: the rule itself (every field
 *   but `version`), its status and its budget. Equal: nothing is written ("unchanged"). Different: a new
 *   version latest + 1 is inserted ("new version"), and every earlier version of the code that is not archived
 *   yet becomes 'archived', so a code has at most one live version and an order's evaluation always names the
 *   exact version it used: a version that may have been used is never changed in place. A code not stored yet
 *   gets version 1 ("added"). The version a sheet may give is not used here: the database numbers versions.
 * - codes stored but absent from the sheet are left alone (a sheet may hold some of the rules only);
 * - one transaction: all or nothing. Two imports of the same code at once: one fails on the unique
 *   (code, version) index and writes nothing.
 *
 * Budgets (activeRules): { type: 'usage', limit } = at most `limit` orders; { type: 'spend', limit } = at most
 * `limit` 分 of discount. Usage is counted from the stored orders' evaluations (channel_orders.evaluation): every
 * entry of `applied` with the rule's code, of any version and whatever the order's status now, counts one use
 * and its amountFen as spend. A rule whose usage or spend has reached its limit is left out of activeRules.
 * The budget is checked before an order is evaluated, not clamped within it: the order that reaches the limit
 * gets the whole discount, and orders evaluated at the same moment may pass it together.
 */
import { and, asc, eq, inArray, ne, sql } from 'drizzle-orm';
import type { ChannelRule } from '../domain/channels/rules';
import { fromJson, type Queryable, queryRows } from './client';
import { channelRules } from './schema';

export type RuleStatus = 'draft' | 'active' | 'paused' | 'archived';
export const RULE_STATUSES: readonly RuleStatus[] = ['draft', 'active', 'paused', 'archived'];

export interface RuleBudget {
  type: 'usage' | 'spend';
  /** Orders (usage) or 分 of discount (spend). */
  limit: number;
}

/** One rule of a sheet, as saved: `rule.version` is ignored (the database numbers versions). */
export interface RuleToSave {
  rule: ChannelRule;
  status: RuleStatus;
  budget: RuleBudget | null;
}

export interface SaveOutcome {
  /** Codes stored for the first time (version 1). */
  added: number;
  newVersions: number;
  unchanged: number;
  /** The version each code of the sheet has after the save (the new one, or the latest unchanged one). */
  versions: Record<string, number>;
}

/** JSON with the object keys sorted: jsonb gives its keys back in its own order. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
        )
      : v,
  );
}

function content(rule: ChannelRule, status: RuleStatus, budget: RuleBudget | null): string {
  const { version: _version, ...rest } = rule;
  return canonical({ rule: rest, status, budget });
}

/** Saves the rules of a sheet as new versions where they changed; `dryRun` counts without writing. */
export async function saveRuleSheet(
  db: Queryable,
  rules: readonly RuleToSave[],
  options: { source: string; now: Date; dryRun?: boolean },
): Promise<SaveOutcome> {
  const codes = rules.map((r) => r.rule.code);
  const repeated = codes.find((c, i) => codes.indexOf(c) !== i);
  if (repeated !== undefined) throw new RangeError(`rule ${repeated} is given twice`);
  const outcome: SaveOutcome = { added: 0, newVersions: 0, unchanged: 0, versions: {} };
  if (rules.length === 0) return outcome;
  const write = async (tx: Queryable) => {
    const stored = await tx
      .selectDistinctOn([channelRules.code], {
        code: channelRules.code,
        version: channelRules.version,
        status: channelRules.status,
        rule: channelRules.rule,
        budget: channelRules.budget,
      })
      .from(channelRules)
      .where(inArray(channelRules.code, codes))
      .orderBy(asc(channelRules.code), sql`${channelRules.version} desc`);
    const latest = new Map(stored.map((s) => [s.code, s]));
    const inserts: (typeof channelRules.$inferInsert)[] = [];
    for (const { rule, status, budget } of rules) {
      const held = latest.get(rule.code);
      if (held && content(held.rule, held.status, held.budget ?? null) === content(rule, status, budget)) {
        outcome.unchanged += 1;
        outcome.versions[rule.code] = held.version;
        continue;
      }
      const version = held ? held.version + 1 : 1;
      if (held) outcome.newVersions += 1;
      else outcome.added += 1;
      outcome.versions[rule.code] = version;
      inserts.push({
        code: rule.code,
        version,
        status,
        rule: { ...rule, version },
        budget,
        source: options.source,
        createdAt: options.now,
      });
    }
    if (options.dryRun || inserts.length === 0) return;
    const changed = inserts.filter((i) => i.version > 1).map((i) => i.code);
    if (changed.length > 0) {
      await tx
        .update(channelRules)
        .set({ status: 'archived' })
        .where(and(inArray(channelRules.code, changed), ne(channelRules.status, 'archived')));
    }
    await tx.insert(channelRules).values(inserts);
  };
  if (options.dryRun) await write(db);
  else await db.transaction((tx) => write(tx));
  return outcome;
}

export interface ActiveRule {
  rule: ChannelRule;
  budget: RuleBudget | null;
  /** Orders whose evaluation applied the code, and the 分 they were given (0 and 0 without a budget). */
  used: number;
  spentFen: number;
}

/** The active versions with their budget usage, in one query (usage counted only for rules with a budget). */
export async function activeRulesWithUsage(db: Queryable): Promise<ActiveRule[]> {
  const rows = await queryRows<{
    rule: ChannelRule;
    budget: RuleBudget | null;
    used: string | number;
    spent: string | number;
  }>(
    db,
    sql`select r.rule, r.budget, coalesce(u.used, 0) as used, coalesce(u.spent, 0) as spent
        from channel_rules r
        left join lateral (
          select count(*) as used, sum((a.entry->>'amountFen')::bigint) as spent
          from channel_orders o
          cross join lateral jsonb_array_elements(o.evaluation->'applied') as a(entry)
          where o.evaluation @> jsonb_build_object('applied', jsonb_build_array(jsonb_build_object('code', r.code)))
            and a.entry->>'code' = r.code
        ) u on r.budget is not null
        where r.status = 'active'
        order by r.code, r.version`,
  );
  return rows.map((r) => ({
    rule: fromJson(r.rule),
    budget: fromJson(r.budget),
    used: Number(r.used),
    spentFen: Number(r.spent),
  }));
}

/** Has the budget run out: usage or spend has reached the limit. */
export function exhausted(rule: Pick<ActiveRule, 'budget' | 'used' | 'spentFen'>): boolean {
  if (rule.budget === null) return false;
  return (rule.budget.type === 'usage' ? rule.used : rule.spentFen) >= rule.budget.limit;
}

/** The active rules whose budget is not exhausted, for compileRulePool. */
export async function activeRules(db: Queryable): Promise<ChannelRule[]> {
  return (await activeRulesWithUsage(db)).filter((r) => !exhausted(r)).map((r) => r.rule);
}

/** Every stored version of a code, oldest first (for tests and the admin view). */
export async function ruleVersions(db: Queryable, code: string) {
  return db
    .select({
      version: channelRules.version,
      status: channelRules.status,
      rule: channelRules.rule,
      source: channelRules.source,
    })
    .from(channelRules)
    .where(eq(channelRules.code, code))
    .orderBy(asc(channelRules.version));
}
