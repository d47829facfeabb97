import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { productCommand, REPO_ROOT } from '../../bench/product-command';

/**
 * A port nobody listens on right now (the first free one from `from` on, else any); the bot keeps its
 * port across restarts so WeCom's callback URL stays valid.
 */
export async function freePort(from = 0): Promise<number> {
  for (let port = from; port < from + 100; port++) {
    const got = await tryListen(port);
    if (got !== undefined) return got;
    if (from === 0) break;
  }
  const any = await tryListen(0);
  if (any === undefined) throw new Error('no free TCP port');
  return any;
}

function tryListen(port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(undefined));
    server.listen(port, '127.0.0.1', () => {
      const { port: bound } = server.address() as { port: number };
      server.close(() => resolve(bound));
    });
  });
}

/**
 * orderbot as its own OS process, started as `npm start` starts it, so a drill can SIGKILL it or take its
 * database away, and a bench can read its own CPU and memory, without touching the caller's process.
 */
export class BotProcess {
  private child: ChildProcess | undefined;
  private exit: Promise<number | string> | undefined;
  /** Every start and how each run ended, e.g. "exit 0", "signal SIGKILL". */
  readonly runs: Array<{ pid: number; startedAt: number; ended?: string }> = [];

  /** `logFile` collects stdout and stderr of every run (pino writes its JSON lines to stdout); `nodeArgs` go after the start script's node flags (the last value of a V8 flag wins). */
  constructor(
    readonly port: number,
    private readonly env: Record<string, string>,
    readonly logFile: string,
    private readonly nodeArgs: string[] = [],
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Starts the bot and waits until /healthz answers 200. */
  async start(timeoutMs = 30_000): Promise<void> {
    if (this.running) throw new Error('the bot is already running');
    const log = openSync(this.logFile, 'a');
    const child = spawn(process.execPath, productCommand(this.nodeArgs), {
      cwd: REPO_ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '/tmp',
        ...this.env,
        PORT: String(this.port),
        HOST: '127.0.0.1',
      },
      stdio: ['ignore', log, log],
    });
    closeSync(log);
    this.child = child;
    const run: (typeof this.runs)[number] = { pid: child.pid ?? -1, startedAt: Date.now() };
    this.runs.push(run);
    this.exit = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        run.ended = signal ? `signal ${signal}` : `exit ${code}`;
        resolve(signal ?? code ?? -1);
      });
    });
    await this.waitHealthy(timeoutMs);
  }

  /** Polls /healthz until it answers 200 (the database is reachable too). */
  async waitHealthy(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (!this.running)
        throw new Error(`the bot exited (${this.runs.at(-1)?.ended}) before it was healthy:\n${this.logTail()}`);
      const ok = await fetch(`${this.url}/healthz`, { signal: AbortSignal.timeout(2000) })
        .then((r) => r.ok)
        .catch(() => false);
      if (ok) return;
      if (Date.now() > deadline) throw new Error(`the bot was not healthy within ${timeoutMs} ms:\n${this.logTail()}`);
      await sleep(100);
    }
  }

  /** kill -9: no shutdown handler runs, connections and timers die with the process. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (!this.child || !this.running) return;
    this.child.kill(signal);
    await this.exit;
  }

  /** A graceful stop (SIGTERM), with a SIGKILL after `graceMs`. */
  async stop(graceMs = 10_000): Promise<void> {
    if (!this.child || !this.running) return;
    this.child.kill('SIGTERM');
    const ended = await Promise.race([this.exit!.then(() => true), sleep(graceMs).then(() => false)]);
    if (!ended) await this.kill('SIGKILL');
  }

  /** The running process's resident memory now (VmRSS) or at its peak (VmHWM), in MB. */
  memoryMb(field: 'VmRSS' | 'VmHWM'): number {
    const status = readFileSync(`/proc/${this.pid}/status`, 'utf8');
    return Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? Number.NaN) / 1024;
  }

  /** The end of what the bot wrote (its warnings and errors at LOG_LEVEL=warn). */
  logTail(chars = 3000): string {
    try {
      return readFileSync(this.logFile, 'utf8').slice(-chars);
    } catch {
      return '';
    }
  }

  /** Log lines at level error or fatal (pino levels 50, 60), across all runs. */
  errorLines(): string[] {
    let text = '';
    try {
      text = readFileSync(this.logFile, 'utf8');
    } catch {
      return [];
    }
    return text
      .split('\n')
      .filter((line) => /^\{"level":(50|60)/.test(line) || /^(orderbot failed|\w*Error\b)/.test(line));
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
