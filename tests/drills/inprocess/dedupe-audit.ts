import { sql } from 'drizzle-orm';
import { queryRows, type Database } from '../../../db/client';

export interface OrderFacts {
  id: number;
  number: string;
  status: string;
  approvals: number;
  cards: number;
}

/** Every order with its approval transitions (task-approved events) and its approval cards. */
export async function orderFacts(db: Database): Promise<OrderFacts[]> {
  return queryRows<OrderFacts>(
    db,
    sql`select o.id::int as id, o.number, o.status,
        (select count(*)::int from order_events e where e.order_id = o.id and e.type = 'task-approved') as approvals,
        (select count(*)::int from cards c where c.order_id = o.id and c.purpose = 'approval') as cards
      from orders o order by o.id`,
  );
}

/** Inbound rows per kind, and the message rows that share a platform message id (none expected). */
export async function inboundFacts(db: Database) {
  const kinds = await queryRows<{ kind: string; n: number }>(
    db,
    sql`select kind, count(*)::int as n from inbound_messages group by kind`,
  );
  const [failed] = await queryRows<{ n: number }>(
    db,
    sql`select count(*)::int as n from inbound_messages where status <> 'processed'`,
  );
  return {
    messages: kinds.find((k) => k.kind === 'message')?.n ?? 0,
    taps: kinds.find((k) => k.kind === 'card-action')?.n ?? 0,
    unprocessed: failed?.n ?? 0,
  };
}

/** `n×` of each count that is not `want`, labelled. */
export function offCount<T>(
  items: T[],
  count: (item: T) => number,
  want: number,
  label: (item: T) => string,
): string[] {
  return items.filter((i) => count(i) !== want).map((i) => `${label(i)}: ${count(i)} (want ${want})`);
}
