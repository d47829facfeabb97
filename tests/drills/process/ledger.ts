import postgres from 'postgres';
import type { Effect } from '../../../core/effects';
import { sleep } from './bot-process';

export interface InboundRow {
  id: number;
  externalId: string;
  status: 'received' | 'processed' | 'failed';
  error: string | null;
}

export interface OutboxRow {
  id: number;
  idempotencyKey: string;
  kind: Effect['kind'];
  status: 'pending' | 'sent' | 'failed';
  payload: Effect;
  attempts: number;
  lockedUntil: Date | null;
  lastError: string | null;
}

/** The drill's own read-only view of the product's database (what happened, row by row). */
export class Ledger {
  private readonly sql: postgres.Sql;

  constructor(url: string) {
    this.sql = postgres(url, { max: 2, onnotice: () => {}, connection: { application_name: 'orderbot-drill' } });
  }

  async close(): Promise<void> {
    await this.sql.end({ timeout: 5 });
  }

  async inbound(): Promise<InboundRow[]> {
    const rows = await this.sql<
      InboundRow[]
    >`select id::int as id, external_id as "externalId", status, error from inbound_messages order by id`;
    return [...rows];
  }

  /** How many orders each WeCom message id became (the order's 'created' event names its message). */
  async ordersByMessage(): Promise<Map<string, number>> {
    const rows = await this.sql<Array<{ messageId: string; n: number }>>`
      select e.data ->> 'messageId' as "messageId", count(distinct e.order_id)::int as n
      from order_events e where e.type = 'created' group by 1`;
    return new Map(rows.map((r) => [r.messageId, r.n]));
  }

  async orderCount(): Promise<number> {
    const [row] = await this.sql<Array<{ n: number }>>`select count(*)::int as n from orders`;
    return row?.n ?? 0;
  }

  async outbox(): Promise<OutboxRow[]> {
    const rows = await this.sql<OutboxRow[]>`
      select id::int as id, idempotency_key as "idempotencyKey", kind, status, payload, attempts, locked_until as "lockedUntil", last_error as "lastError"
      from outbox order by id`;
    return [...rows];
  }

  /** Inbound rows not handled yet, outbox rows not delivered yet, and of those the ones leased by a sender. */
  async backlog(): Promise<{ received: number; pending: number; leased: number }> {
    const [row] = await this.sql<Array<{ received: number; pending: number; leased: number }>>`
      select (select count(*)::int from inbound_messages where status = 'received') as received,
             (select count(*)::int from outbox where status = 'pending') as pending,
             (select count(*)::int from outbox where status = 'pending' and locked_until > now()) as leased`;
    return row ?? { received: 0, pending: 0, leased: 0 };
  }

  /**
   * Waits until nothing is left to handle or deliver (checked twice, a poll apart, since handling one
   * row makes new ones); returns how long that took, or undefined when `timeoutMs` ran out.
   */
  async quiescence(timeoutMs: number, pollMs = 250): Promise<number | undefined> {
    const started = Date.now();
    let quietOnce = false;
    while (Date.now() - started < timeoutMs) {
      const b = await this.backlog().catch(() => undefined);
      const quiet = b !== undefined && b.received === 0 && b.pending === 0;
      if (quiet && quietOnce) return Date.now() - started;
      quietOnce = quiet;
      await sleep(pollMs);
    }
    return undefined;
  }
}
