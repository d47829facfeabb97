import { sql } from 'drizzle-orm';
import { queryRows, type Database } from '../../../db/client';
import type { TestClock } from '../../support/clock';

export interface DrainResult {
  /** How far business time was moved to bring retries due. */
  clockMovedMs: number;
  jumps: number;
  settled: boolean;
}

interface Backlog {
  received: number;
  due: number;
  waiting: number;
  next: Date | null;
}

async function backlog(db: Database, now: Date): Promise<Backlog> {
  const [row] = await queryRows<{
    received: string | number;
    due: string | number;
    waiting: string | number;
    next: string | Date | null;
  }>(
    db,
    sql`select (select count(*) from inbound_messages where status = 'received') as received,
      (select count(*) from outbox where status = 'pending' and next_attempt_at <= ${now.toISOString()}::timestamptz) as due,
      (select count(*) from outbox where status = 'pending' and next_attempt_at > ${now.toISOString()}::timestamptz) as waiting,
      (select min(next_attempt_at) from outbox where status = 'pending' and next_attempt_at > ${now.toISOString()}::timestamptz) as next`,
  );
  return {
    received: Number(row?.received),
    due: Number(row?.due),
    waiting: Number(row?.waiting),
    next: row?.next ? new Date(row.next) : null,
  };
}

/**
 * Waits until every inbound row is handled and every outbox row settled. While rows only wait for a
 * retry that is not due yet (and nothing is in flight), business time jumps to the next one: backoffs
 * and rate-limit waits pass at once. `busy` holds the end (not the jumps) while the fakes still have work in
 * hand. Gives up after `timeoutMs` of real time (rows stuck pending).
 */
export async function drain(
  db: Database,
  clock: TestClock,
  options: { timeoutMs?: number; quietMs?: number; busy?: () => boolean } = {},
): Promise<DrainResult> {
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  const start = clock.now().getTime();
  let jumps = 0;
  let quietSince: number | undefined;
  while (Date.now() < deadline) {
    const now = clock.now();
    const b = await backlog(db, now);
    const busy = options.busy?.() ?? false;
    if (b.received === 0 && b.due === 0 && b.waiting === 0 && !busy) {
      // Settled twice in a row, some time apart: late answers and wake-ups have landed.
      quietSince ??= Date.now();
      if (Date.now() - quietSince >= (options.quietMs ?? 150))
        return { clockMovedMs: clock.now().getTime() - start, jumps, settled: true };
    } else {
      quietSince = undefined;
    }
    // Jumps do not wait for requests a fake is holding: the bot retries while the platform may still carry out the first.
    if (b.received === 0 && b.due === 0 && b.next) {
      clock.advance(b.next.getTime() - now.getTime() + 1);
      jumps += 1;
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  return { clockMovedMs: clock.now().getTime() - start, jumps, settled: false };
}
