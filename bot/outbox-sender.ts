import { and, eq, getTableColumns, inArray, isNull, lt, lte, or, sql } from 'drizzle-orm';
import type DataLoader from 'dataloader';
import pLimit, { type LimitFunction } from 'p-limit';
import type { Logger } from 'pino';
import { anyOfList, type Database, isDatabaseUnavailable } from '../db/client';
import { outbox } from '../db/schema';
import { outboxRowHasReplyWindow, outboxRowReplyUrl } from '../db/reply-windows';
import type { Effect } from '../core/effects';
import type { LeasedRow } from '../core/outbox';
import { DeliveryError } from '../core/errors';
import type { DeliveryRecord, RecordWriter } from './adapter';
import { writeBatcher } from './write-batcher';
import { fixedQuery } from '../db/fixed-query';

// biome-ignore lint/suspicious/noConfusingVoidType: most deliveries record nothing and return nothing
export type Deliver = (row: LeasedRow, effect: Effect) => Promise<DeliveryRecord | void>;

export interface OutboxSenderOptions {
  db: Database;
  clock: () => Date;
  log: Logger;
  deliver: Deliver;
  pollMs?: number;
  batchSize?: number;
  /** How long a claimed row stays invisible to other processes while it is being delivered. */
  leaseMs?: number;
  maxAttempts?: number;
  /** How many deliveries run at once. */
  concurrency?: number;
  /** How long an idle sender's first sent mark waits for others to share its statement (default 5 ms). */
  markWindowMs?: number;
}

/** Effects sharing a key must arrive in the order they were made (a card's update after the card). */
function orderingKey(effect: Effect): string {
  switch (effect.kind) {
    case 'post':
      return 'conversationId' in effect.to ? `chat:${effect.to.conversationId}` : `user:${effect.to.userId}`;
    case 'send-card':
      // A card posted into a chat lands after the messages made before it (a confirmation, then its ETD card).
      return 'conversationId' in effect.to ? `chat:${effect.to.conversationId}` : `card:${effect.card.id}`;
    case 'update-card':
      return effect.conversationId ? `chat:${effect.conversationId}` : `card:${effect.cardId}`;
    case 'sms':
      return `sms:${effect.phone}`;
    case 'erp-sale-order':
      return `erp:${effect.orderId}`;
  }
}

class LeaseRunningOut extends Error {
  constructor(readonly id: number) {
    super(`outbox row ${id} waited for its turn until its lease nearly ran out; it goes again after the lease`);
  }
}

/** Exponential backoff with jitter, capped at 10 minutes: 1s, 2s, 4s ... */
export function backoffMs(attempt: number, random = Math.random): number {
  const base = Math.min(600_000, 1000 * 2 ** Math.max(0, attempt - 1));
  return Math.round(base * (0.75 + random() * 0.5));
}

/** Due rows, oldest first, leased to this sender; rows another sender is claiming are skipped. */
const claimDue = fixedQuery((q) => {
  const now = sql.placeholder('now');
  const due = q
    .select({ id: outbox.id })
    .from(outbox)
    .where(
      and(
        // Written into the statement, not bound: a prepared statement's generic plan can then use the partial index
        // on pending rows, instead of being planned again on every claim.
        sql`${outbox.status} = 'pending'`,
        lte(outbox.nextAttemptAt, now),
        or(isNull(outbox.lockedUntil), lt(outbox.lockedUntil, now)),
      ),
    )
    .orderBy(outbox.nextAttemptAt, outbox.id)
    .limit(sql.placeholder('limit'))
    .for('update', { skipLocked: true });
  return q
    .update(outbox)
    .set({ lockedUntil: sql`${sql.placeholder('until')}::timestamptz`, attempts: sql`${outbox.attempts} + 1` })
    .where(inArray(outbox.id, due))
    .returning({
      ...getTableColumns(outbox),
      // A window opened after the claim is missed only by rows enqueued before it, as if delivered a moment earlier.
      replyWindow: outboxRowHasReplyWindow(now),
      replyUrl: outboxRowReplyUrl(now),
    });
});

/** The ids are one jsonb parameter: one statement text for any number of rows. */
const markRowsSent = fixedQuery((q) =>
  q
    .update(outbox)
    .set({ status: 'sent', sentAt: sql`${sql.placeholder('at')}::timestamptz`, lockedUntil: null, lastError: null })
    .where(sql`${outbox.id} = ${anyOfList(sql.placeholder('ids'), 'bigint')}`),
);

/** A delivery made, with what its platform answered to keep. */
interface Sent {
  record?: DeliveryRecord;
}

interface SentMark {
  id: number;
  record?: DeliveryRecord;
}

/** The sent mark of `ids`, with each writer's records written by a CTE of the same statement. */
function markSentWithRecords(ids: readonly number[], at: string, records: Map<RecordWriter<unknown>, unknown[]>) {
  const writes = [...records].map(
    ([writer, values], i) => sql`${sql.raw(`record${i}`)} as (${writer.statement(values)})`,
  );
  return sql`with ${sql.join(writes, sql`, `)}
    update ${outbox} set status = 'sent', sent_at = ${at}::timestamptz, locked_until = null, last_error = null
    where id = ${anyOfList(ids, 'bigint')}`;
}

function recordsByWriter(marks: readonly SentMark[]): Map<RecordWriter<unknown>, unknown[]> {
  const records = new Map<RecordWriter<unknown>, unknown[]>();
  for (const { record } of marks) {
    if (!record) continue;
    const values = records.get(record.writer);
    if (values) values.push(record.value);
    else records.set(record.writer, [record.value]);
  }
  return records;
}

/**
 * Delivers outbox rows. Rows are claimed with FOR UPDATE SKIP LOCKED and a lease, so several processes
 * share the work and a crashed process's rows are picked up again once the lease runs out. A handler's effects come
 * leased already (core/outbox.ts startEffects) and are handed over by deliverLeased, without a claim.
 */
export class OutboxSender {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = true;
  private readonly pollMs: number;
  private readonly batchSize: number;
  private readonly leaseMs: number;
  private readonly maxAttempts: number;
  private readonly slots: LimitFunction;
  /** Per ordering key, the last delivery started or queued: the next one of that key goes after it. */
  private readonly tails = new Map<string, Promise<void>>();
  /**
   * Rows this process has queued, is delivering or is marking. A claim can take one of them again when its lease ran
   * out meanwhile (the playground's time travel moves the clock by hours): the delivery under way settles it, under
   * the claim's new lease.
   */
  private readonly underWay = new Map<number, LeasedRow>();
  /**
   * Deliveries that finish while a mark is being written are marked sent together, with their records, by the
   * next UPDATE (one commit instead of one each); idle, a mark waits `markWindowMs` for the deliveries finishing
   * with it (an order's cards), so the window in which a crash could send a row again stays about one round trip.
   */
  private readonly sentMarks: DataLoader<SentMark, true>;

  constructor(private readonly options: OutboxSenderOptions) {
    this.sentMarks = writeBatcher(
      async (marks: readonly SentMark[]) => {
        await this.writeSentMarks(marks);
        return marks.map(() => true as const);
      },
      { maxBatchSize: 500, windowMs: options.markWindowMs ?? 5 },
    );
    this.pollMs = options.pollMs ?? 500;
    this.batchSize = options.batchSize ?? 50;
    this.leaseMs = options.leaseMs ?? 60_000;
    this.maxAttempts = options.maxAttempts ?? 10;
    this.slots = pLimit(options.concurrency ?? 8);
  }

  /** A lease for rows written at `now` to be delivered by this sender; none while it is stopped. */
  leaseUntil(now: Date): Date | undefined {
    return this.stopped ? undefined : new Date(now.getTime() + this.leaseMs);
  }

  /** Delivers rows inserted leased to this process (committed), in order with anything of theirs under way. */
  deliverLeased(rows: LeasedRow[]): void {
    if (rows.length === 0) return;
    void this.settle(this.dispatch(rows)).catch((err) =>
      this.options.log.error({ err }, 'outbox sender failed on leased rows; they wait out their lease'),
    );
  }

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
    await Promise.allSettled([...this.tails.values()]);
  }

  /** Deliver now rather than at the next poll: called after a transaction that enqueued effects. */
  wake(): void {
    if (this.stopped) return;
    if (this.running) this.again = true;
    else this.schedule(0);
  }

  private schedule(delay: number) {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.tick(), delay);
  }

  private async tick() {
    if (this.running || this.stopped) return;
    this.running = (async () => {
      try {
        do {
          this.again = false;
          const delivered = await this.runOnce();
          if (delivered === this.batchSize) this.again = true;
        } while (this.again && !this.stopped);
      } catch (err) {
        this.options.log.error({ err }, 'outbox sender failed');
      }
    })();
    await this.running;
    this.running = undefined;
    if (!this.stopped) this.schedule(this.pollMs);
  }

  /**
   * Claims and delivers one batch of due rows; returns how many were claimed. Rows for the same card or
   * the same chat go one after another in id order; different ones go in parallel.
   */
  async runOnce(): Promise<number> {
    const rows = await this.claim();
    await this.settle(this.dispatch(rows));
    return rows.length;
  }

  /** Waits for the deliveries; one not started for its lease is told, not an error (it goes again after it). */
  private async settle(deliveries: Array<Promise<void>>): Promise<void> {
    await Promise.all(
      deliveries.map((delivery) =>
        delivery.catch((err) => {
          if (!(err instanceof LeaseRunningOut)) throw err;
          this.options.log.warn({ outboxId: err.id }, err.message);
        }),
      ),
    );
  }

  /**
   * Starts the rows' deliveries, each after the last one of its ordering key (claimed or leased), at most
   * `concurrency` at once. A row whose delivery could not be settled (the database away) stops the rest of its key:
   * they wait out their lease, and go again in order. A row not started for its lease does not stop them: its next
   * claim may be queued behind it.
   */
  private dispatch(rows: LeasedRow[]): Array<Promise<void>> {
    return rows
      .filter((row) => !this.leaseRenewed(row))
      .sort((a, b) => a.id - b.id)
      .map((row) => {
        this.underWay.set(row.id, row);
        const key = orderingKey(row.payload as Effect);
        const before = this.tails.get(key);
        // The slot is held for the platform call only: the sent mark waits for others to share its statement.
        const run = () =>
          this.slots(() => this.deliverWhileLeased(row)).then((sent) => sent && this.markSent(row, sent.record));
        const done = before
          ? before.then(run, (err) => (err instanceof LeaseRunningOut ? run() : Promise.reject(err)))
          : run();
        this.tails.set(key, done);
        const forget = () => {
          this.underWay.delete(row.id);
          if (this.tails.get(key) === done) this.tails.delete(key);
        };
        done.then(forget, forget);
        return done;
      });
  }

  /** Whether the row is under way here already: then it goes on under the lease just taken. */
  private leaseRenewed(row: LeasedRow): boolean {
    const underWay = this.underWay.get(row.id);
    if (!underWay) return false;
    underWay.lockedUntil = row.lockedUntil;
    underWay.attempts = row.attempts;
    return true;
  }

  /**
   * A row that waited for its turn until less than half its lease is left is not started: another process may take
   * it when the lease ends, and must not find it half sent. It goes again, in order, once the lease has run out.
   */
  private async deliverWhileLeased(row: LeasedRow): Promise<Sent | undefined> {
    const left = (row.lockedUntil?.getTime() ?? 0) - this.options.clock().getTime();
    if (left < this.leaseMs / 2) throw new LeaseRunningOut(row.id);
    return this.deliverOne(row);
  }

  private claim(): Promise<LeasedRow[]> {
    const now = this.options.clock();
    return claimDue(this.options.db, {
      now: now.toISOString(),
      until: new Date(now.getTime() + this.leaseMs).toISOString(),
      limit: this.batchSize,
    });
  }

  /**
   * Delivers one row; the caller marks it at once: some platforms cannot dedupe (webhook robots), so the window
   * in which a crash could send something twice is kept to this one row (and those finishing with it). A failed
   * delivery is scheduled again (or given up) here, and answers nothing.
   */
  private async deliverOne(row: LeasedRow): Promise<Sent | undefined> {
    const { db, clock, log } = this.options;
    let record: DeliveryRecord | undefined;
    try {
      record = (await this.options.deliver(row, row.payload as Effect)) ?? undefined;
    } catch (err) {
      const error = err instanceof DeliveryError ? err : DeliveryError.retry(String((err as Error)?.message ?? err));
      const giveUp = !error.throttled && (!error.retryable || row.attempts >= this.maxAttempts);
      const wait = error.afterMs ?? backoffMs(row.attempts);
      log.warn(
        { outboxId: row.id, orderId: row.orderId, kind: row.kind, attempt: row.attempts, err: error.message, giveUp },
        'delivery failed',
      );
      await db
        .update(outbox)
        .set({
          status: giveUp ? 'failed' : 'pending',
          ...(error.throttled ? { attempts: sql`${outbox.attempts} - 1` } : {}),
          lastError: error.message.slice(0, 1000),
          lockedUntil: null,
          nextAttemptAt: new Date(clock().getTime() + wait),
        })
        .where(eq(outbox.id, row.id));
      return undefined;
    }
    return { record };
  }

  /**
   * The effect is out: its row must not go back to pending. While the database is briefly away (a
   * restart, a failover) the mark is retried until just before the lease ends (no other sender takes
   * the row before that), or the row would be sent again.
   */
  private async markSent(row: LeasedRow, record?: DeliveryRecord): Promise<void> {
    const leaseLeft = (row.lockedUntil?.getTime() ?? 0) - this.options.clock().getTime();
    const giveUpAt = Date.now() + leaseLeft - 1000;
    for (let wait = 100; ; wait = Math.min(wait * 2, 2000)) {
      try {
        await this.sentMarks.load({ id: row.id, record });
        return;
      } catch (err) {
        if (Date.now() + wait > giveUpAt) {
          this.options.log.error(
            { err, outboxId: row.id },
            'delivered, but could not be marked sent: it will be delivered again',
          );
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, wait));
      }
    }
  }

  /**
   * One statement marks the rows sent and writes their records. Should the database refuse it (a record it cannot
   * take, rather than being away), the marks go alone and each writer's records after them: a record must not keep
   * the rows pending, or they would be delivered again.
   */
  private async writeSentMarks(marks: readonly SentMark[]): Promise<void> {
    const { db, clock, log } = this.options;
    const ids = marks.map((m) => m.id);
    const at = clock().toISOString();
    const records = recordsByWriter(marks);
    if (records.size === 0) {
      await markRowsSent(db, { ids: JSON.stringify(ids), at });
      return;
    }
    try {
      await db.execute(markSentWithRecords(ids, at, records));
      return;
    } catch (err) {
      if (isDatabaseUnavailable(err)) throw err;
      log.error({ err, outboxIds: ids }, 'the database refused delivery records: marking the rows sent without them');
    }
    await markRowsSent(db, { ids: JSON.stringify(ids), at });
    for (const [writer, values] of records) {
      await db.execute(writer.statement(values)).catch((err) => {
        log.error({ err, outboxIds: ids }, 'delivered and marked sent, but its platform records could not be written');
      });
    }
  }
}
