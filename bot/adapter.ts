import type Router from '@koa/router';
import type { Effect } from '../core/effects';
import type { DirectoryReader } from '../domain/directory';

/** What the outbox sender needs from a platform: deliver one effect, idempotently where the platform allows. */
export interface PlatformAdapter {
  readonly platform: string;
  deliver(effect: Effect, delivery: { idempotencyKey: string; attempt: number }): Promise<void>;
  /** HTTP routes the adapter receives on (callbacks, playground API), mounted on the shared koa server. */
  routes?(): Router;
  start?(): Promise<void>;
  /** The platform's company directory (departments and members), for the admin console's sync. */
  directory?(): DirectoryReader;
  stop?(): Promise<void>;
}
