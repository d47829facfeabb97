import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../bot/logger';
import { Scheduler } from '../../jobs/scheduler';
import type { DatabaseHandle } from '../../db/client';
import { migrate } from '../../db/migrate';
import { bridgeFiles, materials, stock } from '../../db/schema';
import { seedDemoDataIfEmpty } from '../../integrations/import/demo-seed';
import { createErpClient } from '../../integrations/erp/erp-config';
import { syncFromErp } from '../../integrations/erp/sync-job';
import { runExcelBridge } from '../../integrations/excel/bridge-job';
import { defaultColumnMapping } from '../../integrations/excel/mapping';
import { FakeU8, U8_SECRETS } from '../fakes/erp/fake-u8';
import { u8Rows } from '../fakes/erp/fixtures';
import { TestClock } from '../support/clock';
import { backends, createTestDatabase, resetDatabase } from '../support/databases';
import { HEADER, sheetOf, workbookBytes } from './excel-builders';

const log = createLogger('silent');

describe.each(backends)('plant data sync on %s', (backend) => {
  let database: DatabaseHandle;
  const clock = new TestClock();
  beforeAll(async () => {
    database = await createTestDatabase(backend);
    await migrate(database.db);
  });
  afterAll(async () => {
    await database.close();
  });
  beforeEach(async () => {
    await resetDatabase(database.db);
    await seedDemoDataIfEmpty(database.db, clock.now());
  });
  const onHand = async (code: string) =>
    (await database.db.select().from(stock).where(eq(stock.materialCode, code)))[0]?.onHand;

  it('pulls the material master and stock from U8, and writes nothing when the ERP fails', async () => {
    const fake = await new FakeU8({ clock: clock.now, ...u8Rows(5) }).start();
    try {
      const erp = createErpClient({
        ERP_KIND: 'u8',
        ERP_BASE_URL: fake.url,
        ERP_APP_KEY: U8_SECRETS.appKey,
        ERP_APP_SECRET: U8_SECRETS.appSecret,
        ERP_FROM_ACCOUNT: U8_SECRETS.fromAccount,
        ERP_TO_ACCOUNT: U8_SECRETS.toAccount,
      })!;
      const result = await syncFromErp({ db: database.db, erp, now: clock.now(), log });
      expect(result).toMatchObject({ materials: 5, stock: 5, unknownCodes: [] });
      const [m] = await database.db.select().from(materials).where(eq(materials.code, '001'));
      expect(m).toMatchObject({ name: '轴承 001', unit: '件', leadTimeDays: 7 });
      // 001 is stocked in two warehouses: (7 + 0) + (7 + 3).
      expect(await onHand('001')).toBe(17);
      expect(await onHand('BRK-2026-01')).toBe(300);

      fake.fail('currentstock', { status: 500 });
      await expect(syncFromErp({ db: database.db, erp, now: clock.now(), log })).rejects.toThrow();
      expect(await onHand('001')).toBe(17);
    } finally {
      await fake.stop();
    }
  });

  it('imports a new stock export from the bridge folder once, and keeps the data when a file is broken', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bridge-'));
    try {
      const rows = [
        ['现存量查询'],
        [],
        HEADER,
        ['成品库', 'BRK-2026-01', '支架', '', '件', 100, null],
        ['半成品库', 'BRK-2026-01', '支架', '', '件', 50, null],
        ['成品库', 'ZZZ-9999', '?', '', '件', 5, null],
        ['合计', '', '', '', '', 155, null],
      ];
      writeFileSync(join(dir, 'stock.xlsx'), workbookBytes(sheetOf(rows), 'xlsx'));
      writeFileSync(join(dir, 'broken.xlsx'), Buffer.from('not a workbook'));
      const later = new Date(Date.now() + 60_000);
      const bridge = (at: Date) =>
        runExcelBridge({ db: database.db, dir, mapping: defaultColumnMapping(), now: at, log });
      // A code the material master lacks is an error: the whole file waits, nothing of it is written.
      const report = await bridge(later);
      expect(report.imported).toEqual([]);
      expect(report.failed.map((f) => f.name).sort()).toEqual(['broken.xlsx', 'stock.xlsx']);
      expect(report.failed.find((f) => f.name === 'stock.xlsx')!.error).toBe(
        'row 6, column B (存货编码): material "ZZZ-9999" is not in the material master (import it with the materials first)',
      );
      expect(report.failed[0]!.sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(await onHand('BRK-2026-01')).toBe(300);

      writeFileSync(join(dir, 'stock.xlsx'), workbookBytes(sheetOf(rows.filter((r) => r[1] !== 'ZZZ-9999')), 'xlsx'));
      const fixed = await bridge(new Date(later.getTime() + 60_000));
      expect(fixed.imported).toEqual([{ name: 'stock.xlsx', kind: 'stock', added: 0, changed: 1, unchanged: 0 }]);
      expect(fixed.failed).toEqual([]);
      expect(await onHand('BRK-2026-01')).toBe(150);
      expect(await onHand('BRK-2026-02')).toBe(500);
      const again = await bridge(new Date(later.getTime() + 60_000));
      expect(again).toEqual({ imported: [], failed: [] });
      expect((await database.db.select().from(bridgeFiles)).map((f) => [f.name, f.status]).sort()).toEqual([
        ['broken.xlsx', 'failed'],
        ['stock.xlsx', 'imported'],
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('runs a scheduled job once per turn however many processes tick', async () => {
    let runs = 0;
    const job = {
      name: 'count',
      everyMs: 60_000,
      run: async () => {
        runs += 1;
      },
    };
    const schedulers = [1, 2, 3].map(() => new Scheduler({ db: database.db, clock: clock.now, log, jobs: [job] }));
    await schedulers[0]!.register();
    const ran = await Promise.all(schedulers.map((s) => s.tick()));
    expect(runs).toBe(1);
    expect(ran.flat()).toEqual(['count']);
    await Promise.all(schedulers.map((s) => s.tick()));
    expect(runs).toBe(1);
    clock.advance(61_000);
    await Promise.all(schedulers.map((s) => s.tick()));
    expect(runs).toBe(2);
  });
});
