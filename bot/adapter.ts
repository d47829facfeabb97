import type Router from '@koa/router';
import type { Effect } from '../handlers/events';

/** What the outbox sender needs from a platform: deliver one effect, idempotently where the platform allows. */
export interface PlatformAdapter {
  readonly platform: string;
  deliver(effect: Effect, delivery: { idempotencyKey: string; attempt: number }): Promise<void>;
  /** HTTP routes the adapter receives on (callbacks, playground API), mounted on the shared koa server. */
  routes?(): Router;
  start?(): Promise<void>;
  stop?(): Promise<void>;
}

/** A failed delivery. Retryable ones are tried again with backoff; permanent ones are recorded and surfaced. */
export class DeliveryError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly retryAfterMs?: number,
    /** Nothing was attempted (a rate limit said "not yet"): the wait does not count towards giving up. */
    readonly deferred = false,
  ) {
    super(message);
    this.name = 'DeliveryError';
  }
}
