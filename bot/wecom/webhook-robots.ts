import { and, asc, eq, gt, inArray, isNull, lt, ne, or, sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { Database } from '../../db/client';
import { outbox } from '../../db/schema';
import type { Effect } from '../../core/effects';
import { DeliveryError } from '../../core/errors';
import type { WecomApi } from './api-client';
import { WecomError } from './http-json';
import { withoutClaimedResponseUrl } from './reply-windows';
import { clipBytes } from './text-limits';

const WINDOW_MS = 60_000;
const MARKDOWN_BYTES = 4096;
const BACKLOG_LEASE_MS = 10 * 60_000;

type Row = { id: number; text: string };

/**
 * Group webhook robots (群机器人): send-only, 20 messages a minute each. When a robot's minute is used
 * up, posts wait; the next one that goes out carries the posts to the same group that are still
 * waiting, as one message, and marks their outbox rows sent.
 */
export class WebhookRobots {
  private readonly recent = new Map<string, number[]>();

  constructor(
    private readonly deps: { api: WecomApi; db: Database; clock: () => Date; log: Logger; perMinute: number },
  ) {}

  async post(robotKey: string, conversationId: string, text: string, idempotencyKey: string): Promise<void> {
    const now = this.deps.clock();
    const wait = this.budgetWait(robotKey, now);
    if (wait > 0) throw await this.deferral(conversationId, now, wait, 'webhook robot: 20 messages a minute used up');
    const ownId = await this.outboxId(idempotencyKey);
    const backlog = await this.claimBacklog(conversationId, idempotencyKey, now);
    const { content, included } = compose({ id: ownId, text }, backlog);
    try {
      const url = this.deps.api.url(`webhook/send?key=${encodeURIComponent(robotKey)}`);
      await this.deps.api.postTo('webhook/send', url, { msgtype: 'markdown', markdown: { content } });
    } catch (err) {
      await this.release(backlog.map((r) => r.id));
      if (err instanceof WecomError && err.errcode === 45009) {
        this.recent.set(
          robotKey,
          Array.from({ length: this.deps.perMinute }, () => now.getTime()),
        );
        throw await this.deferral(conversationId, now, WINDOW_MS, err.message);
      }
      throw err;
    }
    this.note(robotKey, now);
    await this.settle(included, backlog, idempotencyKey, now);
  }

  private budgetWait(robotKey: string, now: Date): number {
    const since = now.getTime() - WINDOW_MS;
    const times = (this.recent.get(robotKey) ?? []).filter((t) => t > since);
    this.recent.set(robotKey, times);
    return times.length < this.deps.perMinute ? 0 : times[0]! + WINDOW_MS - now.getTime();
  }

  private note(robotKey: string, now: Date) {
    this.recent.set(robotKey, [...(this.recent.get(robotKey) ?? []), now.getTime()]);
  }

  /** Waiting posts come due one after another, so the first to go out can carry the rest. */
  private async deferral(conversationId: string, now: Date, waitMs: number, reason: string): Promise<DeliveryError> {
    const [row] = await this.deps.db
      .select({ n: sql<number>`count(*)::int` })
      .from(outbox)
      .where(and(sameGroup(conversationId), eq(outbox.status, 'pending'), gt(outbox.nextAttemptAt, now)));
    return DeliveryError.throttled(reason, { afterMs: waitMs + 200 * (row?.n ?? 0) });
  }

  private async outboxId(idempotencyKey: string): Promise<number> {
    const [row] = await this.deps.db
      .select({ id: outbox.id })
      .from(outbox)
      .where(eq(outbox.idempotencyKey, idempotencyKey));
    return row?.id ?? Number.MAX_SAFE_INTEGER;
  }

  /** Posts to the same group that no sender holds right now, leased to this send. */
  private async claimBacklog(conversationId: string, idempotencyKey: string, now: Date): Promise<Row[]> {
    return this.deps.db.transaction(async (tx) => {
      const rows = await tx
        .select({ id: outbox.id, payload: outbox.payload })
        .from(outbox)
        .where(
          and(
            sameGroup(conversationId),
            eq(outbox.status, 'pending'),
            ne(outbox.idempotencyKey, idempotencyKey),
            or(isNull(outbox.lockedUntil), lt(outbox.lockedUntil, now)),
            // A post that may already be in the group through a response_url is not carried along.
            withoutClaimedResponseUrl(outbox.idempotencyKey),
          ),
        )
        .orderBy(asc(outbox.id))
        .limit(20)
        .for('update', { skipLocked: true });
      if (rows.length === 0) return [];
      await tx
        .update(outbox)
        .set({ lockedUntil: new Date(now.getTime() + BACKLOG_LEASE_MS) })
        .where(
          inArray(
            outbox.id,
            rows.map((r) => r.id),
          ),
        );
      return rows.map((r) => ({ id: r.id, text: (r.payload as Extract<Effect, { kind: 'post' }>).text }));
    });
  }

  private async settle(included: number[], backlog: Row[], idempotencyKey: string, now: Date) {
    const carried = backlog.filter((r) => included.includes(r.id)).map((r) => r.id);
    if (carried.length > 0) {
      await this.deps.db
        .update(outbox)
        .set({ status: 'sent', sentAt: now, lockedUntil: null, lastError: null })
        .where(and(inArray(outbox.id, carried), eq(outbox.status, 'pending')));
      this.deps.log.info({ carried, with: idempotencyKey }, 'webhook robot: waiting posts sent together');
    }
    await this.release(backlog.filter((r) => !included.includes(r.id)).map((r) => r.id));
  }

  private async release(ids: number[]) {
    if (ids.length === 0) return;
    await this.deps.db
      .update(outbox)
      .set({ lockedUntil: null })
      .where(and(inArray(outbox.id, ids), eq(outbox.status, 'pending')));
  }
}

function sameGroup(conversationId: string) {
  return and(
    eq(outbox.platform, 'wecom'),
    eq(outbox.kind, 'post'),
    sql`${outbox.payload} -> 'to' ->> 'conversationId' = ${conversationId}`,
  );
}

/** The posts in the order they were made, as many as fit one markdown message. */
function compose(own: Row, backlog: Row[]): { content: string; included: number[] } {
  const all = [own, ...backlog].sort((a, b) => a.id - b.id);
  const included: number[] = [];
  let content = '';
  for (const row of all) {
    const next = content ? `${content}\n\n${row.text}` : row.text;
    if (row !== own && Buffer.byteLength(next) > MARKDOWN_BYTES) continue;
    content = next;
    if (row !== own) included.push(row.id);
  }
  return { content: clipBytes(content, MARKDOWN_BYTES), included };
}
