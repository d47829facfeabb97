/** What storing a channel order needs from the database: the active rule pool and the material codes. */
import type { ReceivedOrder } from '../domain/channels/received';
import { compileRulePool } from '../domain/channels/rule-pool';
import type { RuleEvaluation } from '../domain/channels/rules';
import { activeRules } from './channel-rules';
import type { Queryable } from './client';
import { materials } from './schema';

/** Skips kept out of a stored evaluation: rules of another channel or shop say nothing about this order. */
const NOT_STORED = new Set(['wrong_channel', 'wrong_shop']);

/**
 * Evaluates a paid copy against the active rules (budgets not yet used up), compiled once per intake pass;
 * null for an unpaid one. A budget used up within a pass is seen by the next pass.
 */
export async function channelRuleEvaluator(db: Queryable): Promise<(copy: ReceivedOrder) => RuleEvaluation | null> {
  const pool = compileRulePool(await activeRules(db));
  return (copy) => {
    if (copy.order.paidAt === null) return null;
    const result = pool.evaluate(copy.order);
    return { ...result, skipped: result.skipped.filter((skip) => !NOT_STORED.has(skip.reason)) };
  };
}

/** Material codes keyed by their upper-case form. */
export async function materialCodes(db: Queryable): Promise<Map<string, string>> {
  const rows = await db.select({ code: materials.code }).from(materials);
  return new Map(rows.map((row) => [row.code.toUpperCase(), row.code]));
}
