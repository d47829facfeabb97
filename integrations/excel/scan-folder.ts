/**
 * Looking in the folder accountants export to for files that are new or changed since last time.
 *
 * "Changed" is by content (SHA-256), not by modification time: re-exporting the same report yields
 * the same hash and is skipped. The caller keeps name → hash in the database and records the new
 * hash in the same transaction as the import, so a failed import is retried on the next scan.
 *
 * Skipped without a word: sub-folders, Office lock/temp files (~$x.xlsx, .~lock.x.xlsx#, *.tmp),
 * hidden files and anything that is not .xlsx/.xls/.csv. Reported as skipped: files modified in
 * the last `settleMs` (probably still being written or copied; a file whose time is in the future,
 * e.g. from a share with a fast clock, waits until it is in the past), files over `maxBytes`, and
 * files that could not be read.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { DEFAULT_MAX_BYTES } from './read-export';

export const DEFAULT_SETTLE_MS = 10_000;

export interface ScannedFile {
  name: string;
  bytes: Buffer;
  /** Hex SHA-256 of `bytes`. */
  sha256: string;
  modifiedAt: Date;
}

export interface SkippedFile {
  name: string;
  reason: 'being-written' | 'too-large' | 'unreadable';
  detail: string;
}

export interface FolderScan {
  /** New or changed files, sorted by name. */
  files: ScannedFile[];
  skipped: SkippedFile[];
}

export interface ScanFolderOptions {
  now?: () => Date;
  /** A file must be unmodified this long before it is read. */
  settleMs?: number;
  maxBytes?: number;
}

const EXPORT_FILE = /\.(xlsx|xls|csv)$/i;

export function isCandidateFileName(name: string): boolean {
  // ~$x.xlsx (Excel owner file), ~x.tmp, .~lock.x.xlsx# (LibreOffice), .hidden
  if (name.startsWith('~') || name.startsWith('.')) return false;
  return EXPORT_FILE.test(name);
}

export async function scanFolder(
  dir: string,
  known: ReadonlyMap<string, string>,
  options: ScanFolderOptions = {},
): Promise<FolderScan> {
  const now = options.now ?? (() => new Date());
  const settleMs = options.settleMs ?? DEFAULT_SETTLE_MS;
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const files: ScannedFile[] = [];
  const skipped: SkippedFile[] = [];

  const entries = await readdir(dir, { withFileTypes: true });
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    if (!entry.isFile() || !isCandidateFileName(entry.name)) continue;
    const path = join(dir, entry.name);
    try {
      const before = await stat(path);
      const age = now().getTime() - before.mtimeMs;
      if (age < settleMs) {
        skipped.push({ name: entry.name, reason: 'being-written', detail: `modified ${Math.round(age / 1000)}s ago` });
        continue;
      }
      if (before.size > maxBytes) {
        skipped.push({ name: entry.name, reason: 'too-large', detail: `${before.size} bytes, limit ${maxBytes}` });
        continue;
      }
      const bytes = await readFile(path);
      const after = await stat(path);
      if (after.size !== before.size || after.mtimeMs !== before.mtimeMs || bytes.length !== after.size) {
        skipped.push({ name: entry.name, reason: 'being-written', detail: 'changed while it was read' });
        continue;
      }
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      if (known.get(entry.name) === sha256) continue;
      files.push({ name: entry.name, bytes, sha256, modifiedAt: after.mtime });
    } catch (e) {
      // Deleted or locked between listing and reading (Windows shares lock files being written).
      skipped.push({ name: entry.name, reason: 'unreadable', detail: e instanceof Error ? e.message : String(e) });
    }
  }
  return { files, skipped };
}
