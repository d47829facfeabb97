/** What storing a channel order needs from the database: the active rule pool and the material codes. */
import { eq } from 'drizzle-orm';
import type { ReceivedOrder } from '../domain/channels/received';
import { type RuleEvaluation, evaluateRules } from '../domain/channels/rules';
import type { Queryable } from './client';
import { channelRules, materials } from './schema';

/** Evaluates a paid copy against the active rules of its channel; null for an unpaid one. */
export async function channelRuleEvaluator(db: Queryable): Promise<(copy: ReceivedOrder) => RuleEvaluation | null> {
  const rows = await db.select({ rule: channelRules.rule }).from(channelRules).where(eq(channelRules.status, 'active'));
  const rules = rows.map((row) => row.rule);
  return (copy) =>
    copy.order.paidAt === null
      ? null
      : evaluateRules(
          copy.order,
          rules.filter((rule) => rule.channel === copy.order.channel),
        );
}

/** Material codes keyed by their upper-case form. */
export async function materialCodes(db: Queryable): Promise<Map<string, string>> {
  const rows = await db.select({ code: materials.code }).from(materials);
  return new Map(rows.map((row) => [row.code.toUpperCase(), row.code]));
}
