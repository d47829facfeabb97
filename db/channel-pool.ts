/** What storing a channel order needs from the database: the active rule pool and the material codes. */
import type { ReceivedOrder } from '../domain/channels/received';
import { compileRulePool } from '../domain/channels/rule-pool';
import type { RuleEvaluation } from '../domain/channels/rules';
import { activeRules } from './channel-rules';
import type { Queryable } from './client';
import { materials } from './schema';

/**
 * Skips kept in a stored evaluation: a rule the order qualified for but that another rule blocked (stop-further,
 * stack group, exclusion, combination) or that had nothing left to take. Rules the order did not qualify for
 * (another channel or shop, outside the window or scope, below the threshold) are most of the pool and say nothing
 * about the order: `orderbot rules eval` lists them when asked.
 */
const STORED_SKIP =
  /^(stopped_by|stack_group_taken_by|excluded_by|not_combinable_with):|^(nothing_left|rounds_to_zero)$/;

/**
 * Evaluates a paid copy against the active rules (budgets not yet used up), compiled once per intake pass;
 * null for an unpaid one. A budget used up within a pass is seen by the next pass.
 */
export async function channelRuleEvaluator(db: Queryable): Promise<(copy: ReceivedOrder) => RuleEvaluation | null> {
  const pool = compileRulePool(await activeRules(db));
  return (copy) => {
    if (copy.order.paidAt === null) return null;
    const result = pool.evaluate(copy.order);
    return { ...result, skipped: result.skipped.filter((skip) => STORED_SKIP.test(skip.reason)) };
  };
}

/** Material codes keyed by their upper-case form. */
export async function materialCodes(db: Queryable): Promise<Map<string, string>> {
  const rows = await db.select({ code: materials.code }).from(materials);
  return new Map(rows.map((row) => [row.code.toUpperCase(), row.code]));
}
