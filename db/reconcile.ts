/**
 * Reading what reconciliation needs (domain/channels/reconcile.ts): the channel orders paid in a period or whose
 * settlement has a line in it, every settlement line of those orders up to the period's end (and the lines of
 * orders nobody received), and the rule versions' funder and platform reference.
 */
import { and, eq, sql } from 'drizzle-orm';
import type { Channel } from '../domain/channels/order';
import {
  chinaPeriod,
  type ReconcileLine,
  type ReconcileOptions,
  type ReconcileOrder,
  type ReconcileReport,
  type RuleFacts,
  reconcile,
} from '../domain/channels/reconcile';
import type { Queryable } from './client';
import { channelOrders, channelRules, channelSettlements } from './schema';

export interface ReconcileQuery {
  /** China dates YYYY-MM-DD, both included. */
  from: string;
  to: string;
  channel?: Channel;
  options?: Partial<ReconcileOptions>;
}

/** The reconciliation of the period (RangeError on a bad period). */
export async function reconcileReport(q: Queryable, query: ReconcileQuery): Promise<ReconcileReport> {
  const { start, end } = chinaPeriod(query.from, query.to);
  const startAt = new Date(start).toISOString();
  const endAt = new Date(end).toISOString();
  const channelOnly = (column: typeof channelOrders.channel | typeof channelSettlements.channel) =>
    query.channel === undefined ? sql`true` : eq(column, query.channel);
  // The orders of the period: paid in it, or with a non-fee settlement line in it.
  const keys = sql`(
    select s2.channel, s2.order_id from ${channelSettlements} s2
      where s2.kind <> 'fee' and s2.settled_at >= ${startAt}::timestamptz and s2.settled_at < ${endAt}::timestamptz
    union
    select o2.channel, o2.order_id from ${channelOrders} o2
      where o2.paid_at >= ${startAt}::timestamptz and o2.paid_at < ${endAt}::timestamptz)`;

  const [orderRows, lineRows, ruleRows] = await Promise.all([
    q
      .select({
        body: channelOrders.body,
        status: channelOrders.status,
        expectedInvoiceFen: channelOrders.expectedInvoiceFen,
        evaluation: channelOrders.evaluation,
      })
      .from(channelOrders)
      .where(
        and(channelOnly(channelOrders.channel), sql`(${channelOrders.channel}, ${channelOrders.orderId}) in ${keys}`),
      ),
    q
      .select({
        channel: channelSettlements.channel,
        orderId: channelSettlements.orderId,
        kind: channelSettlements.kind,
        amountFen: channelSettlements.amountFen,
        settledAt: channelSettlements.settledAt,
      })
      .from(channelSettlements)
      .where(
        and(
          channelOnly(channelSettlements.channel),
          sql`${channelSettlements.settledAt} < ${endAt}::timestamptz`,
          sql`(${channelSettlements.channel}, ${channelSettlements.orderId}) in ${keys}`,
        ),
      ),
    q.select({ code: channelRules.code, version: channelRules.version, rule: channelRules.rule }).from(channelRules),
  ]);

  const orders: ReconcileOrder[] = orderRows.map((row) => ({
    order: row.body,
    status: row.status,
    expectedInvoiceFen: row.expectedInvoiceFen,
    applied: row.evaluation?.applied ?? null,
  }));
  const lines: ReconcileLine[] = lineRows.map((row) => ({
    channel: row.channel,
    orderId: row.orderId,
    kind: row.kind,
    amountFen: row.amountFen,
    settledAt: row.settledAt.toISOString(),
  }));
  const rules = new Map<string, RuleFacts>(
    ruleRows.map((row) => [
      `${row.code}@${row.version}`,
      { fundedBy: row.rule.fundedBy, platformRef: row.rule.platformRef },
    ]),
  );
  return reconcile({
    from: query.from,
    to: query.to,
    orders: sortOrders(orders),
    lines,
    rules,
    ...(query.options ? { options: query.options } : {}),
  });
}

/** Whether the plant has any channel order at all (the weekly digest's line appears only then). */
export async function hasChannelOrders(q: Queryable): Promise<boolean> {
  const [row] = await q.select({ id: channelOrders.id }).from(channelOrders).limit(1);
  return row !== undefined;
}

/** Rows come in no set order; the report does not depend on it, but a stable input keeps runs comparable. */
function sortOrders(orders: ReconcileOrder[]): ReconcileOrder[] {
  return orders.sort((a, b) =>
    a.order.channel === b.order.channel
      ? a.order.orderId < b.order.orderId
        ? -1
        : 1
      : a.order.channel < b.order.channel
        ? -1
        : 1,
  );
}
