import type { Logger } from 'pino';
import type { Database } from '../db/client';
import { saveDirectory, type SyncCounts } from '../db/directory';
import type { DirectoryPlatform, DirectoryReader } from '../domain/directory';

export type SyncOutcome =
  | ({ platform: DirectoryPlatform; ok: true } & SyncCounts)
  | { platform: DirectoryPlatform; ok: false; error: string };

/**
 * Reads each platform's directory and stores it; one platform failing (no permission, network) does
 * not stop the other, and leaves what was synced before untouched.
 */
export async function syncDirectories(args: {
  db: Database;
  readers: DirectoryReader[];
  now: () => Date;
  actor: string;
  log: Logger;
}): Promise<SyncOutcome[]> {
  const outcomes: SyncOutcome[] = [];
  for (const reader of args.readers) {
    try {
      const snapshot = await reader.read();
      const counts = await saveDirectory(args.db, snapshot, { now: args.now(), actor: args.actor });
      args.log.info({ platform: reader.platform, ...counts }, 'company directory synced');
      outcomes.push({ platform: reader.platform, ok: true, ...counts });
    } catch (err) {
      args.log.warn({ platform: reader.platform, err: (err as Error).message }, 'company directory sync failed');
      outcomes.push({ platform: reader.platform, ok: false, error: (err as Error).message });
    }
  }
  return outcomes;
}
