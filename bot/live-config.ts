import type { Logger } from 'pino';
import { type BusinessConfig, type ConfigSource, validateBusinessConfig } from '../config/business-config';
import { ConfigError } from '../core/errors';
import type { Database } from '../db/client';
import { adoptConfigFile, latestConfig, latestConfigVersion, type StoredConfig } from '../db/config-versions';

type LoadedConfig = StoredConfig & { config: BusinessConfig };

/** How often a process looks for a newer config version: saves reach every process within this. */
export const CONFIG_POLL_MS = 5_000;

/**
 * The business config a process runs on: the database's latest version, re-read when a newer one is
 * saved (by this process or any other). A version that fails to load is logged and the process keeps
 * the one it has.
 */
export class LiveConfig implements ConfigSource {
  private timer: NodeJS.Timeout | undefined;
  private refreshing: Promise<void> | undefined;

  private constructor(
    private readonly db: Database,
    private readonly log: Logger,
    private stored: LoadedConfig,
  ) {}

  /** Takes the config file as a version when it is new or changed, then loads the latest. */
  static async open(db: Database, log: Logger, file: { input: unknown; now: Date }): Promise<LiveConfig> {
    const adopted = await adoptConfigFile(db, { ...file, savedBy: 'config file' });
    if (adopted.taken) log.info({ version: adopted.version }, 'the config file was saved as a new config version');
    const stored = await latestConfig(db);
    if (!stored) throw new Error('no config version after adopting the config file');
    return new LiveConfig(db, log, loaded(stored));
  }

  get current(): BusinessConfig {
    return this.stored.config;
  }

  get version(): number {
    return this.stored.version;
  }

  get input(): unknown {
    return this.stored.input;
  }

  /** Starts looking for newer versions every `pollMs`. */
  start(pollMs = CONFIG_POLL_MS) {
    this.timer = setInterval(() => void this.refresh(), pollMs);
    this.timer.unref();
  }

  stop() {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Loads the latest version if it is newer than the one in use (one refresh at a time). */
  refresh(): Promise<void> {
    this.refreshing ??= this.load().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  private async load() {
    try {
      if ((await latestConfigVersion(this.db)) <= this.stored.version) return;
      const next = await latestConfig(this.db);
      if (!next || next.version <= this.stored.version) return;
      this.log.info({ from: this.stored.version, to: next.version }, 'config version changed');
      this.stored = loaded(next);
    } catch (err) {
      this.log.error(
        { err, version: this.stored.version },
        'could not load the latest config version; keeping the one in use',
      );
    }
  }
}

/** A stored version, validated (a version that no longer validates names its fields). */
function loaded(stored: StoredConfig): LoadedConfig {
  const checked = validateBusinessConfig(stored.input);
  if (!checked.ok) {
    const lines = checked.issues.map((i) => `  ${i.path || '(root)'}: ${i.message}`).join('\n');
    throw new ConfigError(`config version ${stored.version} in the database is invalid:\n${lines}`);
  }
  return { ...stored, config: checked.config };
}
