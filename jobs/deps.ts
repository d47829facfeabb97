import type { Logger } from 'pino';
import type { BusinessConfig } from '../config/business-config';
import type { Env } from '../config/env';
import type { HandlerContext } from '../core/context';
import type { Database } from '../db/client';
import type { DirectoryReader } from '../domain/directory';

/** What a job needs: the database to claim its work in, and a way to run a handler on what it found. */
export interface JobDeps {
  db: Database;
  config: BusinessConfig;
  env: Env;
  log: Logger;
  clock: () => Date;
  /** The company directories of the chat platforms this deployment runs on. */
  directoryReaders?: DirectoryReader[];
  /** Runs `work` in one transaction with a handler context; its effects are delivered after the commit. */
  runInContext(name: string, work: (ctx: HandlerContext) => Promise<unknown>): Promise<void>;
}
