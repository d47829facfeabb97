import type Router from '@koa/router';
import type { SQL } from 'drizzle-orm';
import type { Effect } from '../core/effects';
import type { DirectoryReader } from '../domain/directory';

/**
 * What a delivered effect leaves to record, such as a card's platform reference. The outbox sender writes it
 * with the statement that marks the effect's row sent: the record and the mark commit together, by one statement
 * for all the deliveries that finish at once.
 */
export interface DeliveryRecord<T = unknown> {
  writer: RecordWriter<T>;
  value: T;
}

/** Writes the records of one kind that finish together: a data-modifying statement, run as a CTE of the sent mark. */
export interface RecordWriter<T> {
  statement(values: readonly T[]): SQL;
}

export function deliveryRecord<T>(writer: RecordWriter<T>, value: T): DeliveryRecord {
  return { writer, value } as DeliveryRecord;
}

/** An effect's outbox row, as the adapter sees it. */
export interface Delivery {
  idempotencyKey: string;
  /** 1 on the first try. */
  attempt: number;
  /** False when the conversation had no open reply window (reply_windows) as the row was claimed: none is looked for. */
  replyWindow?: boolean;
  /** An open window any number of messages may use (a DingTalk session webhook), found as the row was claimed. */
  replyUrl?: string;
}

/** What the outbox sender needs from a platform: deliver one effect, idempotently where the platform allows. */
export interface PlatformAdapter {
  readonly platform: string;
  // biome-ignore lint/suspicious/noConfusingVoidType: most deliveries record nothing and return nothing
  deliver(effect: Effect, delivery: Delivery): Promise<DeliveryRecord | void>;
  /** HTTP routes the adapter receives on (callbacks, playground API), mounted on the shared koa server. */
  routes?(): Router;
  start?(): Promise<void>;
  /** The platform's company directory (departments and members), for the admin console's sync. */
  directory?(): DirectoryReader;
  stop?(): Promise<void>;
}
