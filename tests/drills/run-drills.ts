/**
 * npm run drill [-- --short] [names…]: runs the fault drills one after another, each in its own process, and
 * ends with one line per drill and a total. Exit status 1 when any drill found a loss or a duplicate.
 * The drills: crash-restart (kill -9), postgres-restart, platform-faults (30% failing API calls) and
 * duplicate-delivery (WeCom's retries, a stream frame twice, double taps). They need PostgreSQL:
 * DRILL_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test) names the server they make their databases on.
 */
import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';

const DRILLS = ['duplicate-delivery', 'platform-faults', 'crash-restart', 'postgres-restart'];

function main(): number {
  const args = process.argv.slice(2);
  const short = args.includes('--short');
  const named = args.filter((a) => !a.startsWith('--'));
  const unknown = named.filter((n) => !DRILLS.includes(n));
  if (unknown.length > 0) {
    process.stderr.write(`unknown drill: ${unknown.join(', ')} (drills: ${DRILLS.join(', ')})\n`);
    return 2;
  }
  const results: Array<{ name: string; ok: boolean; seconds: number }> = [];
  for (const name of named.length > 0 ? named : DRILLS) {
    process.stdout.write(`\n=== drill ${name}${short ? ' (short)' : ''}\n`);
    const started = performance.now();
    const run = spawnSync(
      process.execPath,
      ['--import', 'tsx', `tests/drills/${name}.ts`, ...(short ? ['--short'] : [])],
      { stdio: 'inherit' },
    );
    results.push({ name, ok: run.status === 0, seconds: (performance.now() - started) / 1000 });
  }
  process.stdout.write('\n');
  for (const r of results)
    process.stdout.write(`drill ${r.name}: ${r.ok ? 'passed' : 'FAILED'} (${r.seconds.toFixed(0)} s)\n`);
  const failed = results.filter((r) => !r.ok).length;
  process.stdout.write(`drills: ${results.length - failed} passed, ${failed} failed\n`);
  return failed === 0 ? 0 : 1;
}

process.exitCode = main();
