import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import type { Database } from '../../db/client';
import { releaseLease, takeLease } from '../../db/leases';

export interface StreamHolderOptions {
  db: Database;
  /** The lease's name: one per DingTalk app (`dingtalk-stream:<clientId>`). */
  name: string;
  /** How long a taken or renewed lease lasts (DINGTALK_STREAM_LEASE_MS, default 4 s). */
  leaseMs: number;
  /** How often the holder renews and the others try to take it (default a quarter of the lease). */
  renewMs?: number;
  log: Logger;
  /** Opens the Stream connection (it reconnects by itself until closed). */
  open(): Promise<void>;
  /** Drops the Stream connection at once. */
  close(): void;
  /** Closes the Stream connection gracefully (on stop). */
  shutdown(): Promise<void>;
}

/** The lease name of a DingTalk app's Stream connection. */
export function streamLeaseName(clientId: string): string {
  return `dingtalk-stream:${clientId}`;
}

/**
 * One Stream connection per DingTalk app across all orderbot processes (DingTalk: "一个 client-id 同一时间
 * 只启动一个 Stream 服务", or card callbacks go missing). Every process tries to take the app's lease
 * (db/leases.ts); the one that holds it opens the connection and renews the lease every `renewMs`, the
 * others try as often, ready to connect.
 *
 * Clocks. Expiry in the database is judged by the database's now() alone, so machines whose clocks
 * disagree still agree on who holds the lease. The holder keeps its own deadline on this process's
 * monotonic clock (performance.now(): real elapsed time, which neither the bot's clock, which tests and
 * the playground move by hours, nor an NTP step can move): the time it *sent* its last successful
 * renewal plus the lease. The database stamped that renewal's expiry later than the send, so the local
 * deadline always falls before the lease runs out in the database, and the holder has stopped before
 * another process can take over (as long as the two clocks run at the same rate, which they do).
 *
 * Fencing. When the deadline passes without a renewal (the database away or slow), or a renewal finds
 * the lease taken by another holder or under another fence, the holder drops its connection at once
 * and `holding()` turns false: a frame that still arrives is neither handled nor answered, so DingTalk
 * sends it again to the new holder (the inbound dedupe on messageId stays in the database regardless).
 */
export class StreamHolder {
  /** This process's name in the leases table (host, pid and a random part: each adapter instance its own). */
  readonly holder = `${hostname()}/${process.pid}/${randomBytes(4).toString('hex')}`;
  private fence: number | undefined;
  /** performance.now() after which this process no longer holds the lease, whatever the database says later. */
  private deadline = 0;
  private stopped = true;
  private abandoned = false;
  private timer: NodeJS.Timeout | undefined;
  private deadlineTimer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private opening: Promise<void> | undefined;

  constructor(private readonly options: StreamHolderOptions) {}

  private get renewMs(): number {
    return this.options.renewMs ?? Math.max(50, Math.round(this.options.leaseMs / 4));
  }

  /** Whether this process holds the lease now: it may read frames and answer them. */
  holding(): boolean {
    return !this.stopped && this.fence !== undefined && performance.now() < this.deadline;
  }

  /** The fence of the current tenure, while holding. */
  currentFence(): number | undefined {
    return this.holding() ? this.fence : undefined;
  }

  /** Tries to take the lease at once (a process alone connects without delay), then keeps trying or renewing. */
  async start(): Promise<void> {
    this.stopped = false;
    this.abandoned = false;
    await this.turn();
    await this.opening;
    this.schedule();
  }

  /** Closes the connection, then releases the lease, so that another process takes over on its next try. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    clearTimeout(this.deadlineTimer);
    await this.running;
    await this.options.shutdown();
    const fence = this.fence;
    this.fence = undefined;
    if (fence === undefined) return;
    try {
      await releaseLease(this.options.db, this.options.name, this.holder, fence);
      this.options.log.info({ lease: this.options.name, fence }, 'released the DingTalk Stream lease');
    } catch (err) {
      this.options.log.warn(
        { err, lease: this.options.name },
        'could not release the DingTalk Stream lease; it runs out',
      );
    }
  }

  /**
   * What a crash does (tests use it): stops renewing and drops the connection, without releasing the
   * lease; another process takes over once the lease runs out in the database.
   */
  abandon(): void {
    this.stopped = true;
    this.abandoned = true;
    clearTimeout(this.timer);
    clearTimeout(this.deadlineTimer);
    this.fence = undefined;
    this.options.close();
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(async () => {
      await this.turn();
      this.schedule();
    }, this.renewMs);
  }

  private turn(): Promise<void> {
    this.running = this.takeOrRenew().catch((err) => {
      this.options.log.error({ err, lease: this.options.name }, 'DingTalk Stream lease turn failed');
    });
    return this.running;
  }

  private async takeOrRenew(): Promise<void> {
    const { db, name, leaseMs, log } = this.options;
    const sentAt = performance.now();
    let fence: number | undefined;
    try {
      fence = await takeLease(db, name, this.holder, leaseMs);
    } catch (err) {
      // The deadline timer drops the connection if no renewal succeeds in time.
      if (this.fence !== undefined) log.warn({ err, lease: name }, 'could not renew the DingTalk Stream lease');
      return;
    }
    if (this.stopped) {
      // stop() waits for this turn and releases what it took; abandon() leaves it to run out.
      if (fence !== undefined && !this.abandoned) this.fence = fence;
      return;
    }
    if (fence === undefined) {
      if (this.fence !== undefined) this.lose('another process holds the lease');
      return;
    }
    const deadline = sentAt + leaseMs;
    if (this.fence !== undefined && fence !== this.fence) this.lose(`the lease moved to fence ${fence}`);
    if (deadline <= performance.now()) {
      // The answer came back after the lease it granted was already over by this process's clock.
      if (this.fence !== undefined) this.lose('the lease renewal came back too late');
      return;
    }
    const fresh = this.fence === undefined;
    this.fence = fence;
    this.deadline = deadline;
    clearTimeout(this.deadlineTimer);
    this.deadlineTimer = setTimeout(() => this.checkDeadline(), deadline - performance.now() + 1);
    if (fresh) {
      log.info({ lease: name, fence, holder: this.holder }, 'took the DingTalk Stream lease; connecting');
      this.opening = this.options.open().catch((err) => {
        log.warn({ err, lease: name }, 'could not open the DingTalk Stream connection');
      });
    }
  }

  private checkDeadline(): void {
    if (this.fence !== undefined && performance.now() >= this.deadline) this.lose('could not renew the lease in time');
  }

  /** Drops the connection at once: from now on another process may hold the lease. */
  private lose(reason: string): void {
    this.options.log.warn(
      { lease: this.options.name, fence: this.fence, reason },
      'lost the DingTalk Stream lease; disconnected',
    );
    this.fence = undefined;
    this.deadline = 0;
    clearTimeout(this.deadlineTimer);
    this.options.close();
  }
}
