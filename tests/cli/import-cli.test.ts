import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { importCommand } from '../../bot/cli-import';
import { openDatabase } from '../../db/client';
import { customers, inspectionReports, openSupply, stock } from '../../db/schema';
import { runCommand } from '../support/cli';
import { backends, createTestDatabase } from '../support/databases';
import { migratedPgliteDir } from '../support/pglite-image';

/** `orderbot …` as bot/cli.ts runs it, in this process. */
const cli = (args: string[], env: Record<string, string | undefined>) => runCommand(importCommand, args, env);

/** `npm run -s orderbot -- import …` in a child process, for the wiring of bot/cli.ts itself. */
function spawnCli(args: string[], env: Record<string, string | undefined>) {
  const clean = { ...process.env, DATABASE_URL: undefined, ORDERBOT_DATA_DIR: undefined, ...env } as NodeJS.ProcessEnv;
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'bot/cli.ts', 'import', ...args], {
    encoding: 'utf8',
    timeout: 60_000,
    env: clean,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const SAMPLES = 'docs/samples';

describe.each(backends)('orderbot import (CLI, %s)', (backend) => {
  const cleanup: Array<() => Promise<void> | void> = [];
  afterAll(async () => {
    for (const step of cleanup.reverse()) await step();
  });

  /** The environment that points the CLI at a fresh database, and a way to look into it afterwards. */
  async function target() {
    if (backend === 'postgres') {
      const database = await createTestDatabase('postgres');
      cleanup.push(() => database.close());
      return {
        env: { DATABASE_URL: database.url! },
        read: async <T>(q: (h: typeof database) => Promise<T>) => q(database),
      };
    }
    const dir = mkdtempSync(join(tmpdir(), 'orderbot-import-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    await migratedPgliteDir(dir);
    return {
      env: { ORDERBOT_DATA_DIR: dir },
      read: async <T>(q: (h: Awaited<ReturnType<typeof openDatabase>>) => Promise<T>) => {
        const handle = await openDatabase({ dataDir: dir });
        try {
          return await q(handle);
        } finally {
          await handle.close();
        }
      },
    };
  }

  // The importers run on both databases in tests/integrations/imports.test.ts; the command's own flow runs
  // once, on the real PostgreSQL when there is one (each run on an embedded data directory costs seconds).
  it.runIf(backend === backends.at(-1))(
    'imports the sample files, changes nothing the second time, and dry-runs a change',
    async () => {
      const { env, read } = await target();
      const expected = {
        customers: 'customers: 3 added, 0 changed, 0 unchanged, 0 errors',
        materials: 'materials: 3 added, 0 changed, 0 unchanged, 0 errors',
        ranges: 'ranges: 4 added, 0 changed, 0 unchanged, 0 errors',
        inspections: 'inspections: 4 added, 0 changed, 0 unchanged, 0 errors',
        stock: 'stock: 3 added, 0 changed, 0 unchanged, 0 errors',
        supply: 'supply: 3 added, 0 changed, 0 unchanged, 0 errors',
      };
      for (const [kind, summary] of Object.entries(expected)) {
        const run = await cli([kind, join(SAMPLES, `${kind}.csv`)], env);
        expect({ kind, ...run }).toEqual({ kind, code: 0, stdout: `${summary}\n`, stderr: '' });
      }
      const stored = await read(async (h) => ({
        customers: await h.db.select().from(customers).orderBy(customers.id),
        stock: await h.db.select().from(stock).orderBy(stock.materialCode),
        reports: await h.db.select().from(inspectionReports).orderBy(inspectionReports.id),
        supply: await h.db.select().from(openSupply).orderBy(openSupply.dueDate),
      }));
      const before = stored.customers;
      expect(before.map((c) => [c.name, c.contactPhone, c.erpCode])).toEqual([
        ['宁波华达汽车零部件有限公司', '13905741234', 'NB001'],
        ['苏州瑞克精密机械有限公司', '0512-65881234', 'SZ002'],
        ['杭州远航制动系统有限公司', '13757123456', 'HZ003'],
      ]);
      expect(stored.stock).toMatchObject([
        { materialCode: 'KT-2040', onHand: 80, source: 'import:stock.csv' },
        { materialCode: 'SP-0330', onHand: 2500 },
        { materialCode: 'ZJ-1001', onHand: 1500 },
      ]);
      expect(stored.supply.map((r) => [r.materialCode, r.quantity, r.dueDate, r.reference, r.source])).toEqual([
        ['ZJ-1001', 500, '2026-03-04', 'PO-2602-0118', 'supply'],
        ['ZJ-1001', 200, '2026-03-11', 'PO-2602-0118', 'supply'],
        ['KT-2040', 1000, '2026-03-20', 'PO-2602-0131', 'supply'],
      ]);
      // A dry run of the same feed without its first line: that line would be gone (changed), nothing written.
      const arrived = join(SAMPLES, 'supply.csv');
      const dryDir = mkdtempSync(join(tmpdir(), 'orderbot-import-supply-'));
      cleanup.push(() => rmSync(dryDir, { recursive: true, force: true }));
      const nextWeek = join(dryDir, 'supply-2026-03-09.csv');
      const [head, , ...rest] = readFileSync(arrived, 'utf8').split('\n');
      writeFileSync(nextWeek, [head, ...rest].join('\n'));
      expect(await cli(['supply', nextWeek, '--dry-run'], env)).toEqual({
        code: 0,
        stdout: 'supply: 0 added, 1 changed, 2 unchanged, 0 errors\n',
        stderr: 'orderbot import: dry run, nothing was written\n',
      });
      expect(await read((h) => h.db.select().from(openSupply))).toHaveLength(3);
      expect(stored.reports.map((r) => r.results)).toEqual([
        { Ra: 0.62, HRC: 58.5, 平面度: 0.03 },
        { Ra: 0.71, HRC: 59, 平面度: 0.04 },
        { Ra: 2.1, HRC: 44 },
        { Ra: 1.9, HRC: 46.5, 平面度: 0.02 },
      ]);

      const again = await cli(['customers', join(SAMPLES, 'customers.csv')], env);
      expect(again).toEqual({ code: 0, stdout: 'customers: 0 added, 0 changed, 3 unchanged, 0 errors\n', stderr: '' });

      const dir = mkdtempSync(join(tmpdir(), 'orderbot-import-files-'));
      cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
      const edited = join(dir, 'customers.csv');
      writeFileSync(edited, readFileSync(join(SAMPLES, 'customers.csv'), 'utf8').replace('王经理', '王总'));
      const dry = await cli(['customers', edited, '--dry-run'], env);
      expect(dry).toEqual({
        code: 0,
        stdout: 'customers: 0 added, 1 changed, 2 unchanged, 0 errors\n',
        stderr: 'orderbot import: dry run, nothing was written\n',
      });
      // Neither the second import nor the dry run touched a row (updated_at included).
      expect(await read((h) => h.db.select().from(customers).orderBy(customers.id))).toEqual(before);
    },
    120_000,
  );

  it('imports ERP customer codes, keeps them when a file lacks the column, and refuses an over-long one', async () => {
    const { env, read } = await target();
    const dir = mkdtempSync(join(tmpdir(), 'orderbot-import-files-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const file = (name: string, lines: string[]) => {
      const path = join(dir, name);
      writeFileSync(path, lines.join('\n'));
      return path;
    };
    const codes = () =>
      read(async (h) =>
        (await h.db.select().from(customers).orderBy(customers.id)).map((c) => [c.name, c.contactName, c.erpCode]),
      );
    const first = await cli(
      ['customers', file('客户.csv', ['客户名称,联系人,ERP编码', '甲公司,张三,C001', '乙公司,李四,'])],
      env,
    );
    expect(first).toEqual({ code: 0, stdout: 'customers: 2 added, 0 changed, 0 unchanged, 0 errors\n', stderr: '' });
    // A file written before the column existed: the codes stay.
    const old = await cli(['customers', file('old.csv', ['客户名称,联系人', '甲公司,张总', '乙公司,李四'])], env);
    expect(old.stdout).toBe('customers: 0 added, 1 changed, 1 unchanged, 0 errors\n');
    const codesOnly = await cli(['customers', file('codes.csv', ['客户名称,客户编码', '乙公司,C002'])], env);
    expect(codesOnly.stdout).toBe('customers: 0 added, 1 changed, 0 unchanged, 0 errors\n');
    expect(await codes()).toEqual([
      ['甲公司', '张总', 'C001'],
      ['乙公司', '李四', 'C002'],
    ]);

    const tooLong = await cli(
      ['customers', file('long.csv', ['客户名称,客户编码', '甲公司,C001', `乙公司,${'C'.repeat(70)}`])],
      env,
    );
    expect(tooLong.code).toBe(1);
    expect(tooLong.stdout).toBe('customers: 0 added, 0 changed, 0 unchanged, 1 error\n');
    expect(tooLong.stderr.split('\n')[0]).toBe(
      `row 3, column B (客户编码): "${'C'.repeat(20)}…" is 70 characters long; at most 64 are allowed`,
    );
    expect(await codes()).toEqual([
      ['甲公司', '张总', 'C001'],
      ['乙公司', '李四', 'C002'],
    ]);
  }, 60_000);

  it('lists the errors of a bad file, masks phone numbers, and writes nothing', async () => {
    const { env, read } = await target();
    const dir = mkdtempSync(join(tmpdir(), 'orderbot-import-files-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, '客户.csv');
    writeFileSync(
      file,
      [
        '客户名称,别名,联系人,电话,地址',
        '甲公司,甲,张三,13800138001,上海',
        '乙公司,乙,李四,1380013,杭州',
        '丙公司,甲,王五,138001380012,宁波',
        ...Array.from({ length: 60 }, (_, i) => `公司${i},,,12345,`),
      ].join('\n'),
    );
    const run = await cli(['customers', file], env);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('customers: 0 added, 0 changed, 0 unchanged, 64 errors\n');
    const lines = run.stderr.trim().split('\n');
    expect(lines.slice(0, 4)).toEqual([
      'row 2, column B (别名): the alias "甲" is also the name or an alias of "丙公司"',
      'row 3, column D (电话): "1380013" is not a mainland mobile or landline number',
      'row 4, column B (别名): the alias "甲" is also the name or an alias of "甲公司"',
      'row 4, column D (电话): "138****0012" is not a mainland mobile or landline number',
    ]);
    expect(lines.slice(-2)).toEqual([
      '… and 14 more errors (64 in all)',
      'orderbot import: 客户.csv has errors; nothing was written',
    ]);
    expect(run.stderr).not.toContain('13800138001');
    expect(await read((h) => h.db.select().from(customers))).toEqual([]);
  }, 60_000);
});

describe('orderbot import (CLI) refusals', () => {
  it('refuses bad arguments, a file it cannot read, and an embedded database the running product holds', async () => {
    expect(await cli([], {})).toMatchObject({ code: 2, stderr: expect.stringContaining('give the kind and one file') });
    expect(await cli(['orders', 'x.csv'], {})).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('one of customers, materials, ranges, inspections, stock, supply, not "orders"'),
    });
    expect(await cli(['stock', 'x.csv', '--force'], {})).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--force'),
    });
    const dir = mkdtempSync(join(tmpdir(), 'orderbot-held-'));
    try {
      expect(await cli(['stock', join(dir, 'missing.csv')], { ORDERBOT_DATA_DIR: dir })).toMatchObject({
        code: 1,
        stderr: expect.stringContaining('cannot read'),
      });
      // The process that holds the directory: here the test runner, alive and not this worker.
      writeFileSync(join(dir, 'orderbot.pid'), String(process.ppid));
      const held = await cli(['stock', join(SAMPLES, 'stock.csv')], { ORDERBOT_DATA_DIR: dir });
      expect(held.code).toBe(1);
      expect(held.stderr).toContain(`the running orderbot (pid ${process.ppid}) holds the embedded database`);
      expect(held.stderr).toContain('EXCEL_BRIDGE_DIR');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is what `npm run -s orderbot -- import` runs: exit code, summary on stdout, refusals on stderr', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'orderbot-spawned-'));
    try {
      await migratedPgliteDir(dir);
      expect(spawnCli(['orders', 'x.csv'], {})).toMatchObject({
        code: 2,
        stdout: '',
        stderr: expect.stringContaining('not "orders"'),
      });
      expect(spawnCli(['customers', join(SAMPLES, 'customers.csv')], { ORDERBOT_DATA_DIR: dir })).toEqual({
        code: 0,
        stdout: 'customers: 3 added, 0 changed, 0 unchanged, 0 errors\n',
        stderr: '',
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
