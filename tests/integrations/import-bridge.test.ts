import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../bot/logger';
import { loadBusinessConfig } from '../../config/business-config';
import type { Env } from '../../config/env';
import type { HandlerContext } from '../../core/context';
import type { DatabaseHandle } from '../../db/client';
import { migrate } from '../../db/migrate';
import { bridgeFiles, customers, inspectionReports, materials, qualifiedRanges, stock } from '../../db/schema';
import { runExcelBridge } from '../../integrations/excel/bridge-job';
import { defaultColumnMapping, kindOfFileName } from '../../integrations/excel/mapping';
import { plantSyncJobs } from '../../jobs/plant-sync-jobs';
import { backends, createTestDatabase, resetDatabase } from '../support/databases';
import { type CellSpec, csvText, sheetOf, workbookBytes } from './excel-builders';

const log = createLogger('silent');

const xlsx = (rows: CellSpec[][]) => workbookBytes(sheetOf(rows), 'xlsx', 'Sheet1');
const xls = (rows: CellSpec[][]) => workbookBytes(sheetOf(rows), 'biff8', 'Sheet1');
const csv = (rows: Array<Array<string | number | null>>) => Buffer.from(csvText(rows));

/** One file of each kind; the stock refers to a material only the material file of the same drop has. */
const DROP: Record<string, Buffer> = {
  '客户资料.xlsx': xlsx([
    ['客户名称', '别名', '联系人', '电话'],
    ['宁波华达', '华达/Huada', '王经理', '13905741234'],
  ]),
  'materials-2026-02.csv': csv([
    ['存货编码', '存货名称', '规格型号', '计量单位'],
    ['ZJ-1001', '制动钳支架', 'ZJ-A', '件'],
  ]),
  '合格范围.xlsx': xlsx([
    ['物料编码', '参数', '下限', '上限', '单位'],
    ['ZJ-1001', 'Ra', 0.4, 0.8, 'μm'],
  ]),
  // No prefix: told by its headers (a QC weekly sheet).
  'QC-weekly-W08.xlsx': xlsx([
    ['质检周报'],
    ['报告编号', '物料编码', '检验日期', '结果', 'Ra', '平面度'],
    ['QC-2608-01', 'ZJ-1001', '2026-02-20', '合格', 0.6, 0.03],
  ]),
  // No prefix either: a U8 现存量 export, which sorts before the material list but is imported after it.
  'A-u8-export.xls': xls([
    ['现存量查询'],
    ['仓库', '存货编码', '存货名称', '现存数量'],
    ['成品库', 'ZJ-1001', '制动钳支架', 40],
    ['合计', null, null, 40],
  ]),
};

describe('bridge file names', () => {
  it('tell the kind by prefix, in English or Chinese, or leave it to the headers', () => {
    expect(
      ['customers.xlsx', 'Customer list.csv', '客户资料.xlsx', 'materials.xls', '物料清单.csv', 'Ranges-2026.xlsx'].map(
        kindOfFileName,
      ),
    ).toEqual(['customers', 'customers', 'customers', 'materials', 'materials', 'ranges']);
    expect(
      ['合格范围.csv', 'inspections_w08.xlsx', '检验记录.xlsx', 'stock.csv', '库存.xlsx'].map(kindOfFileName),
    ).toEqual(['ranges', 'inspections', 'inspections', 'stock', 'stock']);
    expect(kindOfFileName('现存量查询.xls')).toBe('stock');
    expect(
      ['在途-2026-03-02.xlsx', '采购在途.xls', '采购订单明细.csv', '生产订单.xlsx', 'supply_w10.csv'].map(
        kindOfFileName,
      ),
    ).toEqual(['supply', 'supply', 'supply', 'supply', 'supply']);
    expect(kindOfFileName('QC-weekly.xlsx')).toBeNull();
  });
});

describe.each(backends)('the Excel bridge folder with master data on %s', (backend) => {
  let database: DatabaseHandle;
  let dir: string;
  beforeAll(async () => {
    database = await createTestDatabase(backend);
    await migrate(database.db);
  });
  afterAll(async () => {
    await database.close();
  });
  beforeEach(async () => {
    await resetDatabase(database.db);
    dir = mkdtempSync(join(tmpdir(), 'bridge-imports-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  const db = () => database.db;
  let minute = 1;
  const later = () => new Date(Date.now() + 60_000 * minute++);
  const bridge = () => runExcelBridge({ db: db(), dir, mapping: defaultColumnMapping(), now: later(), log });

  it('imports each kind, by name or by headers, materials before what refers to them, each content once', async () => {
    for (const [name, bytes] of Object.entries(DROP)) writeFileSync(join(dir, name), bytes);
    const report = await bridge();
    expect(report.failed).toEqual([]);
    expect(report.imported).toEqual([
      { name: '客户资料.xlsx', kind: 'customers', added: 1, changed: 0, unchanged: 0 },
      { name: 'materials-2026-02.csv', kind: 'materials', added: 1, changed: 0, unchanged: 0 },
      { name: '合格范围.xlsx', kind: 'ranges', added: 1, changed: 0, unchanged: 0 },
      { name: 'QC-weekly-W08.xlsx', kind: 'inspections', added: 1, changed: 0, unchanged: 0 },
      { name: 'A-u8-export.xls', kind: 'stock', added: 1, changed: 0, unchanged: 0 },
    ]);
    expect(await db().select().from(customers)).toMatchObject([{ name: '宁波华达', aliases: ['华达', 'Huada'] }]);
    expect(await db().select().from(materials)).toMatchObject([{ code: 'ZJ-1001', spec: 'ZJ-A' }]);
    expect(await db().select().from(qualifiedRanges)).toMatchObject([{ param: 'Ra', minValue: 0.4 }]);
    expect(await db().select().from(inspectionReports)).toMatchObject([{ results: { Ra: 0.6, 平面度: 0.03 } }]);
    expect(await db().select().from(stock)).toMatchObject([{ onHand: 40, source: 'excel:A-u8-export.xls' }]);
    expect((await db().select().from(bridgeFiles)).map((f) => [f.name, f.status, f.rows]).sort()).toEqual(
      Object.keys(DROP)
        .sort()
        .map((name) => [name, 'imported', 1]),
    );

    expect(await bridge()).toEqual({ imported: [], failed: [] });
    // QC's next weekly export: one more report, the earlier one as it was.
    writeFileSync(
      join(dir, 'QC-weekly-W08.xlsx'),
      xlsx([
        ['报告编号', '物料编码', '检验日期', '结果', 'Ra', '平面度'],
        ['QC-2608-01', 'ZJ-1001', '2026-02-20', '合格', 0.6, 0.03],
        ['QC-2609-01', 'ZJ-1001', '2026-02-27', '合格', 0.7, null],
      ]),
    );
    expect((await bridge()).imported).toEqual([
      { name: 'QC-weekly-W08.xlsx', kind: 'inspections', added: 1, changed: 0, unchanged: 1 },
    ]);
  });

  it('takes the ERP customer code from a customers file, keeps it when a later one lacks it, and refuses one too long', async () => {
    const codes = async () =>
      (await db().select().from(customers).orderBy(customers.id)).map((c) => [c.name, c.contactName, c.erpCode]);
    writeFileSync(
      join(dir, '客户资料.xlsx'),
      xlsx([
        ['客户编码', '客户名称', '联系人'],
        [{ t: 'n', v: 1001, z: '00000', w: '01001' }, '宁波华达', '王经理'],
        ['SZ-002 ', '苏州瑞克', '李工'],
      ]),
    );
    expect((await bridge()).imported).toEqual([
      { name: '客户资料.xlsx', kind: 'customers', added: 2, changed: 0, unchanged: 0 },
    ]);
    // The next export, from a tool that has no code column: the codes stay.
    writeFileSync(
      join(dir, '客户资料.xlsx'),
      xlsx([
        ['客户名称', '联系人'],
        ['宁波华达', '王总'],
        ['苏州瑞克', '李工'],
      ]),
    );
    expect((await bridge()).imported).toEqual([
      { name: '客户资料.xlsx', kind: 'customers', added: 0, changed: 1, unchanged: 1 },
    ]);
    expect(await codes()).toEqual([
      ['宁波华达', '王总', '01001'],
      ['苏州瑞克', '李工', 'SZ-002'],
    ]);

    writeFileSync(
      join(dir, 'customers-codes.csv'),
      csv([
        ['Customer name', 'Customer code'],
        ['苏州瑞克', 'K'.repeat(65)],
      ]),
    );
    const report = await bridge();
    expect(report.imported).toEqual([]);
    expect(report.failed.map((f) => [f.name, f.error])).toEqual([
      [
        'customers-codes.csv',
        `row 2, column B (Customer code): "${'K'.repeat(20)}…" is 65 characters long; at most 64 are allowed`,
      ],
    ]);
    expect(await codes()).toEqual([
      ['宁波华达', '王总', '01001'],
      ['苏州瑞克', '李工', 'SZ-002'],
    ]);
  });

  it('reports a file with errors, writes nothing of it, and tells the ops conversation once per content', async () => {
    writeFileSync(join(dir, 'materials.csv'), DROP['materials-2026-02.csv']!);
    writeFileSync(
      join(dir, 'inspections.csv'),
      csv([
        ['报告编号', '物料编码', '检验日期', '结果', 'Ra'],
        ['QC-1', 'ZJ-1001', '2026-02-20', '合格', 0.6],
        ['QC-2', 'ZJ-1001', '2026-02-21', '待定', '0.7μm'],
        ['QC-3', 'ZJ-9999', '2026-02-22', '合格', 0.5],
      ]),
    );
    // Named stock but holding customers: the name decides the kind, and the headers do not fit it.
    writeFileSync(join(dir, 'stock-list.csv'), csv([['客户名称'], ['甲']]));
    const posts: Array<{ text: string; key: string }> = [];
    const config = { ...loadBusinessConfig(), opsConversation: 'ops-room' };
    const [job] = plantSyncJobs({
      db: db(),
      config,
      env: { EXCEL_BRIDGE_DIR: dir } as Env,
      log,
      clock: () => new Date(),
      runInContext: async (_name, work) => {
        const ctx = {
          config,
          now: new Date(),
          emit: async (effect: { text: string }, key: string) => {
            posts.push({ text: effect.text, key });
          },
        };
        await work(ctx as unknown as HandlerContext);
      },
    });
    expect(job!.name).toBe('excel-bridge');
    await job!.run(later());
    expect(await db().select().from(inspectionReports)).toEqual([]);
    expect(await db().select().from(materials)).toHaveLength(1);
    expect(posts.map((p) => p.key.split(':').slice(0, 2).join(':'))).toEqual([
      'bridge-failed:inspections.csv',
      'bridge-failed:stock-list.csv',
    ]);
    expect(posts[0]!.text).toContain(
      'row 3, column D (结果): "待定" is neither pass (合格/是/Y/OK/1) nor fail (不合格/否/N/NG/0); ' +
        'row 3, column E (Ra): "0.7μm" is not a number; ' +
        'row 4, column B (物料编码): material "ZJ-9999" is not in the material master (import it with the materials first)',
    );
    expect(posts[1]!.text).toContain('stock-list.csv: no header row found');

    await job!.run(later());
    expect(posts).toHaveLength(2);
    expect((await db().select().from(bridgeFiles)).map((f) => [f.name, f.status]).sort()).toEqual([
      ['inspections.csv', 'failed'],
      ['materials.csv', 'imported'],
      ['stock-list.csv', 'failed'],
    ]);
  });
});
