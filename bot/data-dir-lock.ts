import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The embedded database lives in one directory that only one process may open. The running product
 * marks the directory with its pid; the CLI checks the mark before opening it.
 */
const LOCK_FILE = 'orderbot.pid';

export function markDataDirInUse(dataDir: string): () => void {
  const path = join(dataDir, LOCK_FILE);
  writeFileSync(path, String(process.pid));
  return () => rmSync(path, { force: true });
}

/** The pid of a live process holding the directory, or null. */
export function dataDirHolder(dataDir: string): number | null {
  const path = join(dataDir, LOCK_FILE);
  if (!existsSync(path)) return null;
  const pid = Number(readFileSync(path, 'utf8').trim());
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return null;
  try {
    process.kill(pid, 0);
    return pid;
  } catch {
    return null;
  }
}
