import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import postgres from 'postgres';

const run = promisify(execFile);

export interface DrillDatabase {
  url: string;
  drop(): Promise<void>;
}

/** A fresh database on an existing server (DRILL_DATABASE_URL, else the local one), dropped afterwards. */
export async function createDatabase(
  adminUrl = process.env.DRILL_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
): Promise<DrillDatabase> {
  const name = `drill_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const again = postgres(adminUrl, { max: 1, onnotice: () => {} });
      try {
        await again.unsafe(`drop database if exists ${name} with (force)`);
      } finally {
        await again.end();
      }
    },
  };
}

/** The newest PostgreSQL server binaries Debian installed (/usr/lib/postgresql/<version>/bin). */
function postgresBin(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => /^\d+$/.test(v))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions.length === 0) throw new Error(`no PostgreSQL server under ${root}`);
  return join(root, versions[0]!, 'bin');
}

/**
 * A PostgreSQL cluster of the drill's own, in a temporary folder and on its own port, so stopping and
 * restarting it disturbs nothing else on the machine. initdb and the server run as the postgres user.
 */
export class PrivateCluster {
  private readonly bin = postgresBin();
  readonly dir: string;
  readonly dataDir: string;
  private started = false;

  private constructor(
    readonly port: number,
    readonly dbName: string,
  ) {
    this.dir = mkdtempSync(join(tmpdir(), 'orderbot-drill-pg-'));
    this.dataDir = join(this.dir, 'data');
  }

  static async create(port: number, dbName = 'orderbot'): Promise<PrivateCluster> {
    const cluster = new PrivateCluster(port, dbName);
    try {
      await cluster.init();
      await cluster.start();
      await run('psql', [
        '-h',
        cluster.dir,
        '-p',
        String(port),
        '-U',
        'postgres',
        '-d',
        'postgres',
        '-qc',
        `create database ${dbName}`,
      ]);
    } catch (err) {
      await cluster.destroy();
      throw err;
    }
    return cluster;
  }

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${this.dbName}`;
  }

  private async init() {
    const { uid, gid } = postgresUser();
    chownSync(this.dir, uid, gid);
    await this.asPostgres('initdb', [
      '-D',
      this.dataDir,
      '-A',
      'trust',
      '-U',
      'postgres',
      '--no-sync',
      '-E',
      'UTF8',
      '--locale=C',
    ]);
  }

  private get serverOptions(): string {
    return `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=50`;
  }

  async start(): Promise<void> {
    await this.asPostgres('pg_ctl', [
      '-D',
      this.dataDir,
      '-l',
      join(this.dir, 'server.log'),
      '-o',
      this.serverOptions,
      '-w',
      '-t',
      '30',
      'start',
    ]);
    this.started = true;
  }

  /** pg_ctl restart -m fast: open sessions are ended, running transactions rolled back. */
  async restart(): Promise<void> {
    await this.asPostgres('pg_ctl', [
      '-D',
      this.dataDir,
      '-l',
      join(this.dir, 'server.log'),
      '-o',
      this.serverOptions,
      '-m',
      'fast',
      '-w',
      '-t',
      '30',
      'restart',
    ]);
    this.started = true;
  }

  async stop(mode: 'fast' | 'immediate' = 'fast'): Promise<void> {
    await this.asPostgres('pg_ctl', ['-D', this.dataDir, '-m', mode, '-w', '-t', '30', 'stop']);
    this.started = false;
  }

  /** Stops the server if it runs and removes its folder; safe to call twice and after a failed start. */
  async destroy(): Promise<void> {
    if (this.started || existsSync(join(this.dataDir, 'postmaster.pid'))) {
      await this.stop('immediate').catch(() => {});
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  private asPostgres(tool: string, args: string[]) {
    const command = join(this.bin, tool);
    return process.getuid?.() === 0 ? run('runuser', ['-u', 'postgres', '--', command, ...args]) : run(command, args);
  }
}

function postgresUser(): { uid: number; gid: number } {
  if (process.getuid?.() !== 0) return { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 };
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('postgres:'));
  if (!line) throw new Error('there is no postgres OS user to run the private cluster as');
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}
