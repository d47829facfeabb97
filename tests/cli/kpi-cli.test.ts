import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { kpiCommand } from '../../bot/cli-kpi';
import { runCommand } from '../support/cli';
import { verifyPassword } from '../../web/board/passwords';
import { openDatabase, type Database } from '../../db/client';
import { migrate } from '../../db/migrate';
import { approvalTasks, orders, orderComplaints } from '../../db/schema';
import { migratedPgliteDir } from '../support/pglite-image';
import { backends, createTestDatabase } from '../support/databases';

const HOUR = 3_600_000;
const at = (iso: string) => new Date(`${iso}+08:00`);

function cli(args: string[], env: Record<string, string | undefined>, input = '') {
  const clean = { ...process.env, DATABASE_URL: undefined, ORDERBOT_DATA_DIR: undefined, ...env } as NodeJS.ProcessEnv;
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'bot/cli.ts', ...args], {
    input,
    encoding: 'utf8',
    timeout: 60_000,
    env: clean,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** The kpi command in this process, as bot/cli.ts runs it: exit code and output (`code` as `cli` gives it). */
async function kpi(args: string[], env: Record<string, string | undefined>) {
  const { code, stdout, stderr } = await runCommand(kpiCommand, args.slice(1), env);
  return { code, stdout, stderr };
}

/** Two weeks of February: W06 one order confirmed in 2h, delivered on time; W07 one in 4h, delivered a day late. */
async function seed(db: Database) {
  await migrate(db);
  const base = {
    platform: 'playground',
    conversationId: 'sales-east',
    requesterId: 'zhangsan',
    requesterName: '张三',
    kind: 'sample' as const,
    language: 'zh' as const,
    requestedDate: '2026-02-20',
    sourceText: 'x',
    status: 'delivered' as const,
  };
  const [a] = await db
    .insert(orders)
    .values({
      ...base,
      number: 'SO-A',
      requestedAt: at('2026-02-03T09:00:00'),
      createdAt: at('2026-02-03T09:00:00'),
      confirmedAt: at('2026-02-03T11:00:00'),
      latencyMs: 2 * HOUR,
      promisedAt: at('2026-02-06T18:00:00'),
      deliveredAt: at('2026-02-06T10:00:00'),
    })
    .returning();
  // A packaging complaint on SO-A, recorded the week after it was delivered (W07).
  await db
    .insert(orderComplaints)
    .values({ orderId: a!.id, kind: 'packaging', eventKey: 'e1', at: at('2026-02-10T15:00:00') });
  await db.insert(orders).values({
    ...base,
    number: 'SO-B',
    requestedAt: at('2026-02-10T09:00:00'),
    createdAt: at('2026-02-10T09:00:00'),
    confirmedAt: at('2026-02-10T13:00:00'),
    latencyMs: 4 * HOUR,
    promisedAt: at('2026-02-12T18:00:00'),
    deliveredAt: at('2026-02-13T18:00:00'),
  });
  await db.insert(approvalTasks).values({
    orderId: a!.id,
    department: 'tech',
    assignees: ['wanggong'],
    status: 'approved',
    dueAt: at('2026-02-03T11:00:00'),
    createdAt: at('2026-02-03T09:00:00'),
    decidedAt: at('2026-02-03T09:45:00'),
  });
}

describe.each(backends)('orderbot kpi (CLI, %s)', (backend) => {
  const cleanup: Array<() => Promise<void> | void> = [];
  afterAll(async () => {
    for (const step of cleanup.reverse()) await step();
  });

  async function databaseEnv(): Promise<Record<string, string>> {
    if (backend === 'postgres') {
      const database = await createTestDatabase('postgres');
      cleanup.push(() => database.close());
      await seed(database.db);
      return { DATABASE_URL: database.url! };
    }
    const dir = mkdtempSync(join(tmpdir(), 'orderbot-kpi-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    await migratedPgliteDir(dir);
    const database = await openDatabase({ dataDir: dir });
    await seed(database.db);
    await database.close();
    return { ORDERBOT_DATA_DIR: dir };
  }

  it('exports the figures per week and for the range as CSV, and as JSON', async () => {
    const env = await databaseEnv();
    const csv = await kpi(['kpi', '--from', '2026-02-01', '--to', '2026-02-15', '--format', 'csv'], env);
    expect(csv.stderr).toBe('');
    expect(csv.code).toBe(0);
    expect(csv.stdout.trim().split('\n')).toEqual([
      'period,from,to,confirmed_orders,latency_p50_hours,latency_p90_hours,delivered_orders,on_time_rate,promise_accuracy,complaint_orders,complaint_rate,handling_p50_hours,handling_p50_hours_tech,handling_p50_hours_purchasing,handling_p50_hours_production,handling_p50_hours_quality,handling_p50_hours_logistics',
      '2026-W05,2026-02-01,2026-02-01,0,,,0,,,0,,,,,,,',
      '2026-W06,2026-02-02,2026-02-08,1,2.00,2.00,1,1.0000,1.0000,0,0.0000,0.75,0.75,,,,',
      '2026-W07,2026-02-09,2026-02-15,1,4.00,4.00,1,0.0000,0.0000,1,1.0000,,,,,,',
      'total,2026-02-01,2026-02-15,2,3.00,3.80,2,0.5000,0.5000,1,0.5000,0.75,0.75,,,,',
    ]);
    if (backend !== 'pglite') return; // the same rows, printed another way
    const json = await kpi(['kpi', '--from', '2026-02-09', '--to', '2026-02-15', '--format', 'json'], env);
    expect(json.code).toBe(0);
    const rows = JSON.parse(json.stdout);
    expect(rows.at(-1)).toMatchObject({
      period: 'total',
      figures: { confirmedCount: 1, latencyP50Ms: 4 * HOUR, onTimeRate: 0 },
    });
  });
});

describe('orderbot kpi (CLI) refusals', () => {
  it('refuses bad arguments with a clear message, and an embedded database the running product holds', async () => {
    expect(await kpi(['kpi', '--from', '2026-02-28', '--to', '2026-02-01'], {})).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--from not after --to'),
    });
    expect(await kpi(['kpi', '--from', '2026-02-01', '--to', '2026-02-02', '--format', 'xlsx'], {})).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('csv or json'),
    });
    const dir = mkdtempSync(join(tmpdir(), 'orderbot-held-'));
    try {
      // Another live process (this one's parent) holds it: the command's own pid would not count.
      writeFileSync(join(dir, 'orderbot.pid'), String(process.ppid));
      const held = await kpi(['kpi', '--from', '2026-02-01', '--to', '2026-02-02'], { ORDERBOT_DATA_DIR: dir });
      expect(held.code).toBe(1);
      expect(held.stderr).toContain(`the running orderbot (pid ${process.ppid}) holds the embedded database`);
      expect(held.stderr).toContain('/board/kpi.csv?from=2026-02-01&to=2026-02-02');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('orderbot hash-password (CLI)', () => {
  it('prints a hash the board accepts, and refuses a short password', async () => {
    const made = cli(['hash-password'], {}, 'correct horse battery\n');
    expect(made.code).toBe(0);
    const hash = made.stdout.trim();
    expect(hash).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(await verifyPassword('correct horse battery', hash)).toBe(true);
    expect(await verifyPassword('correct horse', hash)).toBe(false);
    expect(cli(['hash-password'], {}, 'short\n')).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('at least 8'),
    });
  });
});
