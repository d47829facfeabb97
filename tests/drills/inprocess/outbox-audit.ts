import { sql } from 'drizzle-orm';
import { queryRows, type Database } from '../../../db/client';
import type { Effect } from '../../../core/effects';

export interface OutboxRow {
  id: number;
  key: string;
  platform: string;
  kind: string;
  status: 'pending' | 'sent' | 'failed';
  attempts: number;
  lastError: string | null;
  payload: Effect;
}

export async function outboxRows(db: Database): Promise<OutboxRow[]> {
  return queryRows<OutboxRow>(
    db,
    sql`select id::int as id, idempotency_key as key, platform, kind, status, attempts, last_error as "lastError", payload from outbox order by id`,
  );
}

/** Where every outbox row ended, and how many attempts the sent ones needed beyond the first. */
export function outboxSummary(rows: OutboxRow[]) {
  const by = (status: OutboxRow['status']) => rows.filter((r) => r.status === status);
  const kinds = new Map<string, number>();
  for (const r of rows) kinds.set(r.kind, (kinds.get(r.kind) ?? 0) + 1);
  const retries = rows.reduce((sum, r) => sum + Math.max(0, r.attempts - 1), 0);
  return {
    total: rows.length,
    sent: by('sent').length,
    failed: by('failed'),
    pending: by('pending'),
    retries,
    maxAttempts: Math.max(0, ...rows.map((r) => r.attempts)),
    kinds: [...kinds].map(([k, n]) => `${k} ${n}`).join(', '),
  };
}

/** How the product sees one platform's inbound side: rows, and orders per inbound message. */
export async function inboundAudit(db: Database) {
  const [row] = await queryRows<{
    inbound: number;
    failed: number;
    unhandled: number;
    orders: number;
    messages: number;
  }>(
    db,
    sql`select (select count(*)::int from inbound_messages) as inbound,
      (select count(*)::int from inbound_messages where status = 'failed') as failed,
      (select count(*)::int from inbound_messages where status = 'received') as unhandled,
      (select count(*)::int from orders) as orders,
      (select count(*)::int from inbound_messages where kind = 'message') as messages`,
  );
  const twice = await queryRows<{ source: string; n: number }>(
    db,
    sql`select source_text as source, count(*)::int as n from orders group by source_text having count(*) > 1`,
  );
  return { ...row!, ordersCreatedTwice: twice.map((t) => `${t.n}× "${t.source.slice(0, 40)}"`) };
}

export function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Counts per key. */
export function tally<T>(items: T[], keyOf: (item: T) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(keyOf(item), (counts.get(keyOf(item)) ?? 0) + 1);
  return counts;
}
