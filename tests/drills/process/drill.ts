import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Report } from './verdict';

export interface DrillContext {
  short: boolean;
  report: Report;
  /** A temporary folder removed at the end (the bot's data dir and log live here). */
  tmp: string;
  /** Registers cleanup work; it runs last-in first-out at the end, on failure and on Ctrl-C too. */
  onCleanup(work: () => Promise<void> | void): void;
}

/**
 * Runs one drill: `--short` for CI, cleanup whatever happens, a hard time limit so it always ends, and
 * the exit code from the report (non-zero on any failed check or error).
 */
export async function runDrill(
  title: string,
  limits: { shortMs: number; fullMs: number },
  body: (ctx: DrillContext) => Promise<void>,
): Promise<never> {
  const short = process.argv.includes('--short');
  const report = new Report(`${title}${short ? ' (short)' : ''}`);
  const tmp = mkdtempSync(join(tmpdir(), 'orderbot-drill-'));
  let keepTmp = false;
  const cleanups: Array<() => Promise<void> | void> = [
    () => {
      if (keepTmp) process.stderr.write(`kept ${tmp} for inspection (bot.log has the bot's output)\n`);
      else rmSync(tmp, { recursive: true, force: true });
    },
  ];
  let cleaning: Promise<void> | undefined;
  const cleanup = () =>
    (cleaning ??= (async () => {
      for (const work of cleanups.reverse()) {
        try {
          await work();
        } catch (err) {
          process.stderr.write(`cleanup: ${(err as Error).message}\n`);
        }
      }
    })());
  const abort = (why: string) => {
    process.stderr.write(`${title}: ${why}; cleaning up\n`);
    void cleanup().finally(() => process.exit(2));
  };
  process.once('SIGINT', () => abort('interrupted'));
  process.once('SIGTERM', () => abort('terminated'));
  const limitMs = short ? limits.shortMs : limits.fullMs;
  const timer = setTimeout(() => abort(`did not finish within ${limitMs / 1000} s`), limitMs);
  const started = Date.now();
  let code = 1;
  try {
    await body({ short, report, tmp, onCleanup: (work) => cleanups.push(work) });
    report.line(`time: ${((Date.now() - started) / 1000).toFixed(1)} s in all`);
    code = report.finish();
  } catch (err) {
    process.stderr.write(`${title} failed to run: ${(err as Error).stack ?? err}\n`);
    report.check('the drill ran to the end', false, (err as Error).message);
    report.finish();
    code = 1;
  } finally {
    keepTmp = code !== 0;
    clearTimeout(timer);
    await cleanup();
  }
  process.exit(code);
}

/** Polls `check` every 50 ms until it holds; throws after `timeoutMs` naming `what`. */
export async function until(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
