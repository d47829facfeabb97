/**
 * The business config as versions in the database: the latest is what every process runs on. A save
 * names the version it was based on and is refused when another save came first; each version keeps
 * who saved it, when, and what changed. Saves are serialised by an advisory lock.
 */
import { createHash } from 'node:crypto';
import { desc, eq, sql } from 'drizzle-orm';
import { type ConfigIssue, validateBusinessConfig } from '../config/business-config';
import { type ConfigChange, configChanges } from '../domain/config-changes';
import type { Database, Queryable, Tx } from './client';
import type { WorkCalendar } from '../domain/promise';
import { recordPlantChange } from './repromise';
import { configVersions } from './schema';

/** The advisory lock that serialises config saves across processes. */
const CONFIG_LOCK = 7_010_420_001;

export interface StoredConfig {
  version: number;
  /** The input form, as saved. */
  input: unknown;
}

export type SaveOutcome =
  | { ok: true; version: number; changes: ConfigChange[] }
  | { ok: false; reason: 'conflict'; latest: number }
  | { ok: false; reason: 'invalid'; issues: ConfigIssue[] }
  | { ok: false; reason: 'unknown-version' };

export interface SaveRequest {
  input: unknown;
  /** The version the change was made on; null only for the first version or a file at start. */
  basedOn: number | null;
  source: 'file' | 'console' | 'import' | 'rollback';
  savedBy: string;
  now: Date;
  fileHash?: string;
  restores?: number;
  /** The language of the refusal's messages (the console's reader). */
  lang?: 'zh' | 'en';
}

/** The number of the latest version (0 when there is none): one cheap query, for the processes' polling. */
export async function latestConfigVersion(q: Queryable): Promise<number> {
  const [row] = await q
    .select({ v: sql<number>`coalesce(max(${configVersions.version}), 0)::int` })
    .from(configVersions);
  return Number(row?.v ?? 0);
}

/** The latest version (validate it before use); null when none was saved yet. */
export async function latestConfig(q: Queryable): Promise<StoredConfig | null> {
  const [row] = await q.select().from(configVersions).orderBy(desc(configVersions.version)).limit(1);
  return row ? { version: row.version, input: row.config } : null;
}

/** Saves a new version, unless another save came after `basedOn` or the config does not validate. */
export async function saveConfig(db: Database, request: SaveRequest): Promise<SaveOutcome> {
  return db.transaction((tx) => saveInTx(tx, request));
}

/**
 * At start: the config file (or the config the process was given) becomes a version when the database
 * has none, or when the file changed since it was last taken; otherwise the database's latest stands.
 */
export async function adoptConfigFile(
  db: Database,
  file: { input: unknown; savedBy: string; now: Date },
): Promise<{ taken: boolean; version: number }> {
  const fileHash = hashOf(file.input);
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${CONFIG_LOCK})`);
    const [lastFile] = await tx
      .select({ fileHash: configVersions.fileHash })
      .from(configVersions)
      .where(eq(configVersions.source, 'file'))
      .orderBy(desc(configVersions.version))
      .limit(1);
    const latest = await latestConfigVersion(tx);
    if (latest > 0 && lastFile?.fileHash === fileHash) return { taken: false, version: latest };
    const outcome = await saveInTx(tx, { ...file, basedOn: latest || null, source: 'file', fileHash }, true);
    if (!outcome.ok) {
      // The caller validated the file already; a refusal here is a bug, not a user's mistake.
      throw new Error(`the config file could not be saved as a version: ${JSON.stringify(outcome)}`);
    }
    return { taken: true, version: outcome.version };
  });
}

/** Goes back to an earlier version by saving it again as the newest (history is never rewritten). */
export async function rollbackConfig(
  db: Database,
  request: { to: number; basedOn: number; savedBy: string; now: Date; lang?: 'zh' | 'en' },
): Promise<SaveOutcome> {
  return db.transaction(async (tx) => {
    const [target] = await tx.select().from(configVersions).where(eq(configVersions.version, request.to));
    if (!target) return { ok: false, reason: 'unknown-version' } as const;
    return saveInTx(tx, {
      input: target.config,
      basedOn: request.basedOn,
      source: 'rollback',
      savedBy: request.savedBy,
      now: request.now,
      restores: request.to,
      lang: request.lang,
    });
  });
}

/** The versions, newest first, without their bodies. */
export async function configHistory(q: Queryable, limit = 100) {
  return q
    .select({
      version: configVersions.version,
      source: configVersions.source,
      savedBy: configVersions.savedBy,
      savedAt: configVersions.savedAt,
      changes: configVersions.changes,
      restores: configVersions.restores,
    })
    .from(configVersions)
    .orderBy(desc(configVersions.version))
    .limit(limit);
}

async function saveInTx(tx: Tx, request: SaveRequest, locked = false): Promise<SaveOutcome> {
  if (!locked) await tx.execute(sql`select pg_advisory_xact_lock(${CONFIG_LOCK})`);
  const [latest] = await tx.select().from(configVersions).orderBy(desc(configVersions.version)).limit(1);
  const latestVersion = latest?.version ?? 0;
  if (request.source !== 'file' && (request.basedOn ?? 0) !== latestVersion) {
    return { ok: false, reason: 'conflict', latest: latestVersion };
  }
  const checked = validateBusinessConfig(request.input, { lang: request.lang });
  if (!checked.ok) return { ok: false, reason: 'invalid', issues: checked.issues };
  const changes = latest ? configChanges(latest.config, request.input) : [];
  // A save that changes nothing is no new version (a rollback to the latest, a form saved as it was).
  if (latest && changes.length === 0 && request.source !== 'file') {
    return { ok: true, version: latestVersion, changes };
  }
  const version = latestVersion + 1;
  await tx.insert(configVersions).values({
    version,
    config: request.input as object,
    source: request.source,
    fileHash: request.fileHash ?? null,
    savedBy: request.savedBy,
    savedAt: request.now,
    changes,
    restores: request.restores ?? null,
  });
  const before = latest ? validateBusinessConfig(latest.config) : null;
  if (before?.ok) await noteClosedDays(tx, request.now, before.config.calendar, checked.config.calendar);
  return { ok: true, version, changes };
}

/** Days the plant now rests that it worked before (a holiday added, a make-up day taken back) re-check every promise. */
async function noteClosedDays(tx: Tx, now: Date, before: WorkCalendar, after: WorkCalendar) {
  const holidays = [
    ...after.holidays.filter((d) => !before.holidays.includes(d)),
    ...before.makeUpWorkdays.filter((d) => !after.makeUpWorkdays.includes(d)),
  ].sort();
  if (holidays.length === 0) return;
  await recordPlantChange(tx, now, {
    kind: 'calendar',
    cause: { kind: 'calendar', holidays },
    source: 'config',
    everything: true,
  });
}

/** A stable hash of a config's input form (object keys sorted), to tell a changed file from the same one. */
function hashOf(input: unknown): string {
  return createHash('sha256').update(stableJson(input)).digest('hex');
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
