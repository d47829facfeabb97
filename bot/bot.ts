import { and, asc, eq, sql } from 'drizzle-orm';
import pLimit, { type LimitFunction } from 'p-limit';
import type { Logger } from 'pino';
import type { BusinessConfig, ConfigSource } from '../config/business-config';
import { isDatabaseUnavailable, isTransactionConflict, type Database, type Queryable, type Tx } from '../db/client';
import { inboundMessages } from '../db/schema';
import { fixedQuery } from '../db/fixed-query';
import { insertRows } from '../db/insert-rows';
import { keepReplyWindows, type ReplyWindowToKeep } from '../db/reply-windows';
import { createHandlerContext, type HandlerContext } from '../core/context';
import type { InboundEvent } from '../core/events';
import type { Effect } from '../core/effects';
import { enqueueEffects, type LeasedRow } from '../core/outbox';
import { handlingErrorText } from '../handlers/routes';
import type { PlatformAdapter } from './adapter';
import { DeliveryError } from '../core/errors';
import { OutboxSender } from './outbox-sender';
import { routeEvent } from './router';
import { storableEvent, storableText } from './storable-text';
import { writeBatcher } from './write-batcher';

/** The inbound row to handle, locked; none when another process has it or it was handled. */
const claimInbound = fixedQuery((q) =>
  q
    .select({
      id: inboundMessages.id,
      platform: inboundMessages.platform,
      externalId: inboundMessages.externalId,
      payload: inboundMessages.payload,
    })
    .from(inboundMessages)
    .where(and(eq(inboundMessages.id, sql.placeholder('id')), eq(inboundMessages.status, 'received')))
    .for('update', { skipLocked: true }),
);

type InboundRow = { id: number; platform: string; externalId: string; payload: unknown };

/**
 * The inbound row's mark, made by the statement that writes the handler's effects. A row handled without a claim
 * (just received) may have been handled by another process's sweep meanwhile: the check (migration 0022) then fails
 * the transaction as a serialization failure, and nothing of this run is kept.
 */
function markProcessed(id: number, at: Date) {
  return sql`update inbound_messages set status = 'processed', processed_at = ${at.toISOString()}::timestamptz
    where id = ${id} and inbound_still_received(status, id)`;
}

/**
 * A row the sweep takes is this old at least: a message just received is being handled by the process that stored
 * it, without a claim, and another process's sweep leaves it to that one meanwhile. Measured by the later of the
 * database's clock and the process's own (which the playground's time travel moves forward).
 */
const SWEEP_AFTER = "interval '10 seconds'";

/** What an adapter stores with an inbound event. */
export interface IngestExtras {
  /** The adapter's own record, written in a transaction with the event's row (only when the event is new). */
  alsoInTx?: (tx: Tx) => Promise<void>;
  /** The reply window the event came with, stored by the event's own statement, seen before or not. */
  replyWindow?: ReplyWindowToKeep;
}

interface InboundToStore extends IngestExtras {
  event: InboundEvent;
  externalId: string;
}

export interface BotOptions {
  db: Database;
  config: ConfigSource;
  clock: () => Date;
  log: Logger;
  /** How often inbound rows left unprocessed (e.g. by a crash) are swept up. */
  sweepMs?: number;
  /** Handler transactions running at once; keep it below the connection pool so ingest never waits. */
  handlerConcurrency?: number;
  outboxPollMs?: number;
  /** The outbox sender's lease on the rows it claims (default 60 s). */
  outboxLeaseMs?: number;
}

/**
 * The platform-neutral core. Adapters hand it events with `ingest` (which commits the inbound row and
 * returns at once); the bot runs the handler afterwards, each event in one transaction with its effects,
 * and its outbox sender delivers those effects through the adapters.
 */
export class Bot {
  readonly sender: OutboxSender;
  private readonly adapters = new Map<string, PlatformAdapter>();
  private sweepTimer: NodeJS.Timeout | undefined;
  private readonly inFlight = new Set<Promise<void>>();
  /** Inbound rows this process has queued or is handling: its sweep leaves them alone. */
  private readonly handling = new Set<number>();
  private stopped = true;
  private readonly handlerSlots: LimitFunction;
  private readonly inboundWrites = writeBatcher((batch: readonly InboundToStore[]) => this.storeInbound(batch));

  constructor(private readonly options: BotOptions) {
    this.handlerSlots = pLimit(options.handlerConcurrency ?? 4);
    this.sender = new OutboxSender({
      db: options.db,
      clock: options.clock,
      log: options.log,
      pollMs: options.outboxPollMs,
      leaseMs: options.outboxLeaseMs,
      deliver: (row, effect) => {
        const adapter = this.adapters.get(row.platform);
        if (!adapter)
          throw DeliveryError.retry(`no adapter for platform "${row.platform}" in this process`, { afterMs: 30_000 });
        return adapter.deliver(effect, {
          idempotencyKey: row.idempotencyKey,
          attempt: row.attempts,
          replyWindow: row.replyWindow,
          replyUrl: row.replyUrl ?? undefined,
        });
      },
    });
  }

  /** The business config's latest version (read it when needed: it changes while the bot runs). */
  get config(): BusinessConfig {
    return this.options.config.current;
  }

  get configSource(): ConfigSource {
    return this.options.config;
  }

  get db(): Database {
    return this.options.db;
  }

  get log(): Logger {
    return this.options.log;
  }

  now(): Date {
    return this.options.clock();
  }

  register(adapter: PlatformAdapter): void {
    this.adapters.set(adapter.platform, adapter);
  }

  listAdapters(): PlatformAdapter[] {
    return [...this.adapters.values()];
  }

  /**
   * Stores an inbound event unless its (platform, externalId) was seen before. Returns once the row is
   * committed; handling happens afterwards.
   */
  async ingest(
    event: InboundEvent,
    externalId: string,
    { alsoInTx, replyWindow }: IngestExtras = {},
  ): Promise<{ inboundId: number | null; duplicate: boolean; handled?: Promise<void> }> {
    const stored = storableEvent(event);
    const storedId = storableText(externalId);
    const inboundId = await this.inboundWrites.load({
      event: stored,
      externalId: storedId,
      alsoInTx,
      // Cleaned as the event is, so that the window is found under the event's conversation.
      replyWindow: replyWindow && {
        ...replyWindow,
        conversationId: storableText(replyWindow.conversationId),
        url: storableText(replyWindow.url),
      },
    });
    if (inboundId === null) return { inboundId, duplicate: true };
    if (this.stopped) return { inboundId, duplicate: false };
    // Handled from memory, as the row holds it (its payload is the event as JSON), without a statement to claim
    // the row: the sweep of another process leaves it alone for a while, and the mark checks that none took it.
    const row: InboundRow = {
      id: inboundId,
      platform: stored.platform,
      externalId: storedId,
      payload: JSON.parse(JSON.stringify(stored)),
    };
    // Settles once the handler's transaction has ended (committed, failed, or left to the sweep).
    const handled = this.queue(inboundId, row);
    this.track(handled);
    return { inboundId, duplicate: false, handled };
  }

  /**
   * Stores the events that arrived together in one transaction; an event seen before gets null. Should the
   * batch fail, each event is tried alone, so one bad event cannot refuse the others.
   */
  private async storeInbound(batch: readonly InboundToStore[]): Promise<Array<number | null | Error>> {
    try {
      return await this.insertInbound(batch);
    } catch (err) {
      if (batch.length === 1) throw err;
      return Promise.all(
        batch.map((item) =>
          this.insertInbound([item]).then(
            ([id]) => id ?? null,
            (e: Error) => e,
          ),
        ),
      );
    }
  }

  private insertInbound(batch: readonly InboundToStore[]): Promise<Array<number | null>> {
    const receivedAt = this.now();
    // One statement is atomic on its own: a transaction only when rows come with writes of their own.
    const inTx = batch.some((item) => item.alsoInTx);
    const windows = batch.flatMap((item) => (item.replyWindow ? [item.replyWindow] : []));
    const store = async (q: Queryable, tx?: Tx) => {
      const rows = await insertRows(
        q,
        inboundMessages,
        batch.map(({ event, externalId }) => ({
          platform: event.platform,
          externalId,
          kind: event.kind,
          payload: event,
          receivedAt,
        })),
        {
          onConflictDoNothing: ['platform', 'externalId'],
          returning: ['id', 'platform', 'externalId'],
          ...(windows.length > 0 ? { alongside: keepReplyWindows(windows, receivedAt) } : {}),
        },
      );
      // The same event twice in one batch (a retry racing the original): the first takes the row.
      const stored = new Map(rows.map((r) => [`${r.platform}\n${r.externalId}`, r.id]));
      const ids = batch.map(({ event, externalId }) => {
        const key = `${event.platform}\n${externalId}`;
        const id = stored.get(key) ?? null;
        stored.delete(key);
        return id;
      });
      for (const [i, item] of batch.entries()) if (tx && ids[i] !== null && item.alsoInTx) await item.alsoInTx(tx);
      return ids;
    };
    return inTx ? this.options.db.transaction((tx) => store(tx, tx)) : store(this.options.db);
  }

  /** Handles the row in a handler slot; the sweep leaves it alone until then. */
  private queue(inboundId: number, received?: InboundRow): Promise<void> {
    this.handling.add(inboundId);
    return this.handlerSlots(() => this.process(inboundId, received)).finally(() => this.handling.delete(inboundId));
  }

  /**
   * Runs the handler for one inbound row: the row just received, as given, or else the row claimed (unless another
   * process has it or it was handled already).
   */
  async process(inboundId: number, received?: InboundRow): Promise<void> {
    const { db, log } = this.options;
    let event: InboundEvent | undefined;
    let written: Promise<LeasedRow[]> | undefined;
    try {
      const handled = await db.transaction(async (tx) => {
        const row = received ?? (await claimInbound(tx, { id: inboundId }))[0];
        if (!row) return false;
        event = row.payload as InboundEvent;
        const now = this.now();
        const ctx = createHandlerContext({
          tx,
          now,
          config: this.config,
          log: log.child({ inboundId, platform: row.platform, externalId: row.externalId }),
          eventKey: `in:${row.id}`,
          platform: row.platform,
        });
        await routeEvent(event, ctx);
        // The effects and the mark: one statement, in the transaction that holds both or neither. The COMMIT goes
        // out right behind it, not after its answer; if it fails, the COMMIT is a rollback and the transaction fails.
        // The effects are written leased to this process, which delivers them once committed.
        written = (await ctx.flushLast(markProcessed(inboundId, now), this.sender.leaseUntil(now))).last;
        return true;
      });
      const leased = await written;
      // Effects not leased (the sender stopped; an earlier run of the event wrote them) wait for the next claim.
      if (handled && leased) this.sender.deliverLeased(leased);
    } catch (caught) {
      // The statement's own error when it was the last one that failed: PGlite only says the COMMIT rolled back.
      const err =
        (await written?.then(
          () => undefined,
          (e: unknown) => e,
        )) ?? caught;
      if (isDatabaseUnavailable(err) || isTransactionConflict(err)) {
        // Not the event's fault: it stays received, and the sweep handles it again (once the database is back).
        log.warn(
          { err, inboundId },
          'database unavailable or a conflict while handling an inbound event; it will be retried',
        );
        return;
      }
      log.error({ err, inboundId }, 'handling an inbound event failed');
      await this.markFailed(inboundId, event, err as Error).catch((e) =>
        log.error({ err: e, inboundId }, 'could not record the failure'),
      );
    }
  }

  /** The event is kept, marked failed, and the sender is told something went wrong (no stack trace). */
  private async markFailed(inboundId: number, event: InboundEvent | undefined, error: Error) {
    const now = this.now();
    await this.options.db.transaction(async (tx) => {
      const updated = await tx
        .update(inboundMessages)
        .set({ status: 'failed', processedAt: now, error: String(error.message).slice(0, 1000) })
        .where(and(eq(inboundMessages.id, inboundId), eq(inboundMessages.status, 'received')))
        .returning({ id: inboundMessages.id });
      // Only a person in a chat is told (the MES reads its answer over HTTP).
      if (updated.length === 0 || !event || (event.kind !== 'message' && event.kind !== 'card-action')) return;
      const to = event.kind === 'message' ? { conversationId: event.conversationId } : { userId: event.actorId };
      const effect: Effect = { kind: 'post', to, text: handlingErrorText(event) };
      await enqueueEffects(tx, [{ effect, key: `in:${inboundId}:error` }], { platform: event.platform, now });
    });
    this.sender.wake();
  }

  /** Runs scheduled work (an escalation tick…) in one transaction with a handler context, then delivers its effects. */
  async runScheduled(name: string, work: (ctx: HandlerContext) => Promise<unknown>): Promise<void> {
    const now = this.now();
    const platform = this.listAdapters()[0]?.platform ?? 'playground';
    await this.options.db.transaction(async (tx) => {
      const ctx = createHandlerContext({
        tx,
        now,
        config: this.config,
        log: this.options.log.child({ job: name }),
        eventKey: `job:${name}:${now.getTime()}`,
        platform,
      });
      await work(ctx);
      await ctx.flush();
    });
    this.sender.wake();
  }

  /** Handles inbound rows left behind by a crash or a failed immediate run, oldest first. */
  async sweep(limit = 100): Promise<number> {
    const rows = await this.options.db
      .select({ id: inboundMessages.id })
      .from(inboundMessages)
      .where(
        and(
          eq(inboundMessages.status, 'received'),
          sql`${inboundMessages.receivedAt} < greatest(now(), ${this.now().toISOString()}::timestamptz) - ${sql.raw(SWEEP_AFTER)}`,
        ),
      )
      .orderBy(asc(inboundMessages.id))
      .limit(limit);
    const left = rows.filter((row) => !this.handling.has(row.id));
    await Promise.all(left.map((row) => this.queue(row.id)));
    return left.length;
  }

  async start(): Promise<void> {
    this.stopped = false;
    for (const adapter of this.adapters.values()) await adapter.start?.();
    this.sender.start();
    const loop = async () => {
      await this.sweep().catch((err) => this.options.log.error({ err }, 'inbound sweep failed'));
      if (!this.stopped) this.sweepTimer = setTimeout(loop, this.options.sweepMs ?? 2000);
    };
    void loop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.sweepTimer);
    for (const adapter of this.adapters.values()) await adapter.stop?.();
    await Promise.allSettled([...this.inFlight]);
    await this.sender.stop();
  }

  private track(work: Promise<void>) {
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work));
  }
}
