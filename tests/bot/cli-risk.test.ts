import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { riskCommand } from '../../bot/cli-risk';
import { openDatabase } from '../../db/client';
import { migrate } from '../../db/migrate';
import { seedDemoRiskHistoryIfEmpty } from '../../integrations/import/demo-risk-history';
import { seedDemoDataIfEmpty } from '../../integrations/import/demo-seed';
import { runCommand } from '../support/cli';

const NUM = String.raw`\d\.\d{3}`;
const lineOf = (target: string) =>
  new RegExp(
    `^${target}: n=\\d+ ${target}_rate=${NUM} auc=${NUM} \\[ci ${NUM}–${NUM}\\] baseline_auc=${NUM} ` +
      `precision@alert=${NUM} recall@alert=${NUM} brier=${NUM} base_brier=${NUM}$`,
  );

describe('orderbot risk backtest', () => {
  it('prints one line per model and the demand line, the same for the same seed', async () => {
    const run = () => runCommand(riskCommand, ['backtest', '--orders', '2000', '--seed', '3'], {});
    const first = await run();
    expect(first.code).toBe(0);
    const lines = first.stdout.trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(lineOf('late'));
    expect(lines[1]).toMatch(lineOf('complaint'));
    expect(lines[2]).toMatch(/^demand: materials=\d+ mase=\d+\.\d{3} naive_mase=\d+\.\d{3}$/);
    // At a small plant's volume the interval is wide, and it is printed, not hidden.
    const [, lo, hi] = /\[ci (\S+)–(\S+)\]/.exec(lines[0]!)!;
    expect(Number(hi) - Number(lo)).toBeGreaterThan(0.1);
    expect((await run()).stdout).toBe(first.stdout);
  });

  it('trains the plant’s models now with train, and measures them on the plant’s own orders with --from-db (saying when the history is too short)', async () => {
    // The demo history is laid out back from today and the backtest cuts it at calendar months, so whether a first
    // model beats the base rate depends on the date: the test fixes it (Date only; timers run as usual).
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-12-04T08:00:00Z'));
    const dir = mkdtempSync(join(tmpdir(), 'orderbot-risk-'));
    try {
      const short = await runCommand(riskCommand, ['backtest', '--from-db'], { ORDERBOT_DATA_DIR: dir });
      expect(short).toMatchObject({
        code: 1,
        stdout: '',
        stderr: expect.stringContaining('0 orders with a promise, 0 of them delivered'),
      });
      const empty = await runCommand(riskCommand, ['train'], { ORDERBOT_DATA_DIR: dir });
      expect(empty.stdout).toBe(
        'late: no model (too few delivered orders or positives) orders=0 late=0\n' +
          'complaint: no model (too few delivered orders or positives) orders=0 complained=0\n',
      );
      const database = await openDatabase({ dataDir: dir });
      try {
        await migrate(database.db);
        await seedDemoDataIfEmpty(database.db, new Date());
        await seedDemoRiskHistoryIfEmpty(database.db, new Date(), '18:00', 800);
      } finally {
        await database.close();
      }
      const trained = await runCommand(riskCommand, ['train'], { ORDERBOT_DATA_DIR: dir });
      expect(trained.code).toBe(0);
      expect(trained.stdout).toMatch(
        /^late: version 1 active \(first\) orders=\d{3,4} late=\d+\ncomplaint: version 1 active \(first\) orders=\d{3,4} complained=\d+\n$/,
      );
      const measured = await runCommand(riskCommand, ['backtest', '--from-db'], { ORDERBOT_DATA_DIR: dir });
      expect(measured.code).toBe(0);
      const lines = measured.stdout.trim().split('\n');
      expect(lines[0]).toMatch(lineOf('late'));
      expect(lines[1]).toMatch(lineOf('complaint'));
    } finally {
      vi.useRealTimers();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('refuses bad arguments', async () => {
    expect(await runCommand(riskCommand, ['backtest', '--months', '3'], {})).toMatchObject({ code: 2 });
    expect(await runCommand(riskCommand, ['backtest', '--seed', 'x'], {})).toMatchObject({ code: 2 });
    expect(await runCommand(riskCommand, ['train', 'now'], {})).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('usage'),
    });
  });
});
