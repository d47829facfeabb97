import { readFileSync } from 'node:fs';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../db/client';
import { migrate } from '../../db/migrate';
import { qualifiedRangesFor } from '../../db/orders';
import { customers, inspectionReports, materials, openSupply, qualifiedRanges, stock } from '../../db/schema';
import { seedDemoDataIfEmpty } from '../../integrations/import/demo-seed';
import { checkSpec } from '../../domain/spec-check';
import { normalizePhone } from '../../domain/phone';
import { parseFlag, splitList } from '../../integrations/excel/cell-values';
import { ColumnMappingSchema, defaultColumnMapping } from '../../integrations/excel/mapping';
import {
  errorLine,
  errorLines,
  importFile,
  type ImportKind,
  type ImportOutcome,
  importSummary,
  readImportFile,
} from '../../integrations/import/import-file';
import { backends, createTestDatabase, resetDatabase } from '../support/databases';
import { type CellSpec, csvText, encodeGbk, sheetOf, workbookBytes } from './excel-builders';

const mapping = defaultColumnMapping();
const NOW = new Date('2026-02-24T10:00:00+08:00');

type Format = 'xlsx' | 'csv';
function fileOf(name: string, rows: CellSpec[][], format: Format): { name: string; bytes: Buffer } {
  if (format === 'xlsx') return { name: `${name}.xlsx`, bytes: workbookBytes(sheetOf(rows), 'xlsx', 'Sheet1') };
  const plain = rows.map((r) => r.map((c) => (c !== null && typeof c === 'object' ? (c.w ?? String(c.v)) : c)));
  return { name: `${name}.csv`, bytes: Buffer.from(`\ufeff${csvText(plain)}`) };
}

const CUSTOMERS: CellSpec[][] = [
  ['客户资料'],
  ['客户名称', '简称', '联系人', '手机', '地址'],
  ['宁波华达汽车零部件有限公司', '华达、Huada，华达汽配', '王经理', '139 0574 1234', '宁波市北仑区明州路88号'],
  ['苏州瑞克精密机械有限公司', '瑞克; Ruike / RK', '李工', '0512-65881234', null],
  ['杭州远航制动系统有限公司', null, null, '+8613757123456', null],
  ['北京京安机电', 'Jingan', null, '01088886666', null],
];

const MATERIALS: CellSpec[][] = [
  ['Material code', 'Material name', 'Spec', 'Unit', 'Line', 'Mould', 'Lead time (days)'],
  ['ZJ-1001', '制动钳支架', 'ZJ-1001-A', '件', 'A', 'M-21', 0],
  ['KT-2040', '卡钳壳体', null, null, 'C', 'M-22', 7],
  [{ t: 'n', v: 7, z: '000', w: '007' }, '垫片', 'Φ8', '片', null, null, null],
];

const RANGES: CellSpec[][] = [
  ['物料编码', '参数', '下限', '上限', '单位'],
  ['ZJ-1001', 'Ra', 0.4, 0.8, 'μm'],
  ['ZJ-1001', 'HRC', 56, 62, null],
  ['KT-2040', '平面度', null, 0.05, 'mm'],
];

const INSPECTIONS: CellSpec[][] = [
  ['检验记录表'],
  ['报告编号', '物料编码', '物料名称', '检验日期', '判定', '检验员', '备注', 'Ra(μm)', 'HRC', '平面度'],
  ['QC-001', 'ZJ-1001', '制动钳支架', '2026-01-05', '合格', '张三', '首件', 0.62, 58.5, 0.03],
  ['QC-002', 'ZJ-1001', '制动钳支架', '2026/1/12', 'OK', '张三', null, '0.71', 59, null],
  ['QC-003', 'KT-2040', '卡钳壳体', '2026年1月15日', '不合格', '李四', '硬度偏低', 2.1, 44, null],
  ['QC-004', 'KT-2040', '卡钳壳体', '20260120', 'Y', '李四', null, 1.9, 46.5, 0.02],
];

const STOCK: CellSpec[][] = [
  ['仓库', '存货编码', '存货名称', '现存数量'],
  ['成品库', 'ZJ-1001', '制动钳支架', 1200],
  ['半成品库', 'ZJ-1001', '制动钳支架', '300.4'],
  ['成品库', 'KT-2040', '卡钳壳体', '1,500'],
  ['合计', null, null, 3000.4],
];

const SUPPLY: CellSpec[][] = [
  ['采购在途明细'],
  ['订单号', '存货编码', '存货名称', '未到货数量', '预计到货日期'],
  ['PO-2602-01', 'ZJ-1001', '制动钳支架', 500, '2026-03-04'],
  ['PO-2602-01', 'ZJ-1001', '制动钳支架', '200', '2026/3/11'],
  ['MO-2602-07', 'KT-2040', '卡钳壳体', '1,000', '2026年3月20日'],
];

const TABLES: Record<ImportKind, CellSpec[][]> = {
  customers: CUSTOMERS,
  materials: MATERIALS,
  ranges: RANGES,
  inspections: INSPECTIONS,
  stock: STOCK,
  supply: SUPPLY,
};

describe('cell values of master data', () => {
  it('normalises mainland mobiles and landlines, and refuses anything else', () => {
    expect(normalizePhone('13800138001')).toBe('13800138001');
    expect(normalizePhone('+86 138-0013-8001')).toBe('13800138001');
    expect(normalizePhone('8613800138001')).toBe('13800138001');
    expect(normalizePhone('１３８００１３８００１')).toBe('13800138001');
    expect(normalizePhone('0571-88886666')).toBe('0571-88886666');
    expect(normalizePhone('057188886666')).toBe('0571-88886666');
    expect(normalizePhone('05718888666')).toBe('0571-8888666');
    expect(normalizePhone('(0571) 8888 6666')).toBe('0571-88886666');
    expect(normalizePhone('010-88886666')).toBe('010-88886666');
    expect(normalizePhone('02188886666')).toBe('021-88886666');
    expect(normalizePhone('0512-65881234转802')).toBe('0512-65881234-802');
    for (const bad of [
      '1380013',
      '12800138001',
      '138001380012',
      '0571-12345678',
      '021-8888666',
      '057-188886666',
      'abc',
    ]) {
      expect(normalizePhone(bad), bad).toBeNull();
    }
  });

  it('reads pass and fail words and splits alias lists', () => {
    for (const yes of ['合格', '是', 'Y', 'yes', 'TRUE', 'ok', '1'])
      expect(parseFlag({ t: 's', v: yes })).toEqual({ ok: true, value: true });
    for (const no of ['不合格', '否', 'n', 'No', 'false', 'NG', '0'])
      expect(parseFlag({ t: 's', v: no })).toEqual({ ok: true, value: false });
    expect(parseFlag({ t: 'b', v: false })).toEqual({ ok: true, value: false });
    expect(parseFlag({ t: 'n', v: 1 })).toEqual({ ok: true, value: true });
    expect(parseFlag({ t: 's', v: '待定' }).ok).toBe(false);
    expect(splitList('Continental、大陆，Conti, conti; 大陆集团 / ZF；X')).toEqual([
      'Continental',
      '大陆',
      'Conti',
      '大陆集团',
      'ZF',
      'X',
    ]);
  });

  it('keeps a column mapping written before the new kinds loading, and takes aliases for them', () => {
    const old = ColumnMappingSchema.parse({ stock: { onHand: ['期末数量'] } });
    expect(old.customers.name).toEqual(mapping.customers.name);
    const custom = ColumnMappingSchema.parse({
      customers: { contactPhone: ['移动电话'] },
      inspectionOtherColumns: ['班组'],
    });
    const read = readImportFile(
      fileOf(
        'c',
        [
          ['客户名称', '移动电话'],
          ['甲', '13800138001'],
        ],
        'csv',
      ),
      custom,
      'customers',
    );
    expect(read.ok && read.data.rows).toEqual([
      {
        row: 2,
        name: '甲',
        aliases: null,
        contactName: null,
        contactPhone: '13800138001',
        address: null,
        erpCode: null,
      },
    ]);
    expect(custom.inspectionOtherColumns).toContain('班组');
    expect(custom.inspectionOtherColumns).toContain('检验员');
  });

  it('tells each kind from its headers, in Chinese or English', () => {
    for (const [kind, rows] of Object.entries(TABLES)) {
      const read = readImportFile(fileOf('x', rows, 'xlsx'), mapping);
      expect(read.kind, kind).toBe(kind);
    }
    const english = readImportFile(
      fileOf(
        'x',
        [
          ['Customer', 'Aliases', 'Contact', 'Phone', 'Address'],
          ['ACME', 'A', 'Bob', '13800138001', 'X'],
        ],
        'csv',
      ),
      mapping,
    );
    expect(english.kind).toBe('customers');
  });

  it('lists every error with its row and column, capped with a count', () => {
    expect(
      errorLine({
        row: 17,
        column: 'D',
        header: '电话',
        message: '"1380013" is not a mainland mobile or landline number',
      }),
    ).toBe('row 17, column D (电话): "1380013" is not a mainland mobile or landline number');
    const many = Array.from({ length: 60 }, (_, i) => ({ row: i + 2, column: 'A', header: 'x', message: 'bad' }));
    const lines = errorLines(many, 50);
    expect(lines).toHaveLength(51);
    expect(lines.at(-1)).toBe('… and 10 more errors (60 in all)');
  });
});

describe.each(backends)('importing master data on %s', (backend) => {
  let database: DatabaseHandle;
  beforeAll(async () => {
    database = await createTestDatabase(backend);
    await migrate(database.db);
  });
  afterAll(async () => {
    await database.close();
  });
  beforeEach(async () => {
    await resetDatabase(database.db);
  });
  const db = () => database.db;

  const run = (
    kind: ImportKind,
    file: { name: string; bytes: Buffer },
    options: { dryRun?: boolean; now?: Date } = {},
  ) => importFile({ db: db(), file, mapping, kind, options: { now: options.now ?? NOW, dryRun: options.dryRun } });

  async function importAll(format: Format, upTo: ImportKind = 'stock') {
    const outcomes: Partial<Record<ImportKind, ImportOutcome>> = {};
    for (const kind of ['customers', 'materials', 'ranges', 'inspections', 'stock'] as const) {
      outcomes[kind] = await run(kind, fileOf(kind, TABLES[kind], format));
      expect(outcomes[kind]!.errors, kind).toEqual([]);
      if (kind === upTo) break;
    }
    return outcomes;
  }

  it.each(['xlsx', 'csv'] as const)('imports each kind from %s', async (format) => {
    const outcomes = await importAll(format);
    expect(Object.values(outcomes).map((o) => importSummary(o!))).toEqual([
      'customers: 4 added, 0 changed, 0 unchanged, 0 errors',
      'materials: 3 added, 0 changed, 0 unchanged, 0 errors',
      'ranges: 3 added, 0 changed, 0 unchanged, 0 errors',
      'inspections: 4 added, 0 changed, 0 unchanged, 0 errors',
      'stock: 2 added, 0 changed, 0 unchanged, 0 errors',
    ]);

    const c = await db().select().from(customers).orderBy(customers.id);
    expect(c.map(({ id: _, ...rest }) => rest)).toEqual([
      {
        name: '宁波华达汽车零部件有限公司',
        aliases: ['华达', 'Huada', '华达汽配'],
        contactName: '王经理',
        contactPhone: '13905741234',
        address: '宁波市北仑区明州路88号',
        erpCode: null,
        updatedAt: NOW,
      },
      {
        name: '苏州瑞克精密机械有限公司',
        aliases: ['瑞克', 'Ruike', 'RK'],
        contactName: '李工',
        contactPhone: '0512-65881234',
        address: null,
        erpCode: null,
        updatedAt: NOW,
      },
      {
        name: '杭州远航制动系统有限公司',
        aliases: [],
        contactName: null,
        contactPhone: '13757123456',
        address: null,
        erpCode: null,
        updatedAt: NOW,
      },
      {
        name: '北京京安机电',
        aliases: ['Jingan'],
        contactName: null,
        contactPhone: '010-88886666',
        address: null,
        erpCode: null,
        updatedAt: NOW,
      },
    ]);
    expect(await db().select().from(materials).orderBy(materials.code)).toEqual([
      { code: '007', name: '垫片', spec: 'Φ8', unit: '片', line: null, mould: null, leadTimeDays: 0 },
      { code: 'KT-2040', name: '卡钳壳体', spec: null, unit: '件', line: 'C', mould: 'M-22', leadTimeDays: 7 },
      { code: 'ZJ-1001', name: '制动钳支架', spec: 'ZJ-1001-A', unit: '件', line: 'A', mould: 'M-21', leadTimeDays: 0 },
    ]);
    expect(
      await db().select().from(qualifiedRanges).orderBy(qualifiedRanges.materialCode, qualifiedRanges.param),
    ).toEqual([
      { materialCode: 'KT-2040', param: '平面度', minValue: null, maxValue: 0.05, unit: 'mm' },
      { materialCode: 'ZJ-1001', param: 'HRC', minValue: 56, maxValue: 62, unit: null },
      { materialCode: 'ZJ-1001', param: 'Ra', minValue: 0.4, maxValue: 0.8, unit: 'μm' },
    ]);
    const reports = await db().select().from(inspectionReports).orderBy(inspectionReports.id);
    expect(reports.map(({ id: _, ...r }) => r)).toEqual([
      {
        reportNo: 'QC-001',
        materialCode: 'ZJ-1001',
        inspectedOn: '2026-01-05',
        passed: true,
        results: { Ra: 0.62, HRC: 58.5, 平面度: 0.03 },
        summary: '首件',
      },
      {
        reportNo: 'QC-002',
        materialCode: 'ZJ-1001',
        inspectedOn: '2026-01-12',
        passed: true,
        results: { Ra: 0.71, HRC: 59 },
        summary: null,
      },
      {
        reportNo: 'QC-003',
        materialCode: 'KT-2040',
        inspectedOn: '2026-01-15',
        passed: false,
        results: { Ra: 2.1, HRC: 44 },
        summary: '硬度偏低',
      },
      {
        reportNo: 'QC-004',
        materialCode: 'KT-2040',
        inspectedOn: '2026-01-20',
        passed: true,
        results: { Ra: 1.9, HRC: 46.5, 平面度: 0.02 },
        summary: null,
      },
    ]);
    // Two warehouses of one code are summed, then rounded; the 合计 row is skipped.
    expect(await db().select().from(stock).orderBy(stock.materialCode)).toEqual([
      { materialCode: 'KT-2040', onHand: 1500, source: `import:stock.${format}`, updatedAt: NOW },
      { materialCode: 'ZJ-1001', onHand: 1500, source: `import:stock.${format}`, updatedAt: NOW },
    ]);
  });

  it('reads a GBK CSV (what Chinese Excel saves) like a UTF-8 one', async () => {
    const gbk = (rows: CellSpec[][]) =>
      encodeGbk(
        csvText(rows.map((r) => r.map((c) => (c !== null && typeof c === 'object' ? (c.w ?? String(c.v)) : c)))),
      );
    const outcome = await run('customers', { name: '客户.csv', bytes: gbk(CUSTOMERS) });
    expect(importSummary(outcome)).toBe('customers: 4 added, 0 changed, 0 unchanged, 0 errors');
    const [first] = await db().select().from(customers).where(eq(customers.name, '宁波华达汽车零部件有限公司'));
    expect(first).toMatchObject({ aliases: ['华达', 'Huada', '华达汽配'], contactName: '王经理' });
    await run('materials', fileOf('m', MATERIALS, 'xlsx'));
    const inspections = await run('inspections', { name: '检验.csv', bytes: gbk(INSPECTIONS) });
    expect(importSummary(inspections)).toBe('inspections: 4 added, 0 changed, 0 unchanged, 0 errors');
    const [qc] = await db().select().from(inspectionReports).where(eq(inspectionReports.reportNo, 'QC-001'));
    expect(qc!.results).toEqual({ Ra: 0.62, HRC: 58.5, 平面度: 0.03 });
  });

  it('changes nothing when the same files are imported again, and counts what a changed file changes', async () => {
    await importAll('xlsx');
    const before = await db().select().from(customers).orderBy(customers.id);
    const later = new Date(NOW.getTime() + 86_400_000);
    for (const kind of ['customers', 'materials', 'ranges', 'inspections', 'stock'] as const) {
      const again = await run(kind, fileOf(kind, TABLES[kind], 'xlsx'), { now: later });
      expect(again.written, kind).toBe(false);
      expect(importSummary(again)).toMatch(new RegExp(`^${kind}: 0 added, 0 changed, \\d+ unchanged, 0 errors$`));
    }
    expect(await db().select().from(customers).orderBy(customers.id)).toEqual(before);
    expect((await db().select().from(stock)).every((s) => s.updatedAt.getTime() === NOW.getTime())).toBe(true);

    // One customer gets a new phone; an empty cell leaves a stored value as it is.
    const edited = CUSTOMERS.map((r) => [...r]);
    edited[3]![3] = '0512-65889999';
    edited[2]![4] = null;
    edited.push(['新客户', null, null, null, null]);
    const outcome = await run('customers', fileOf('customers', edited, 'csv'), { now: later });
    expect(importSummary(outcome)).toBe('customers: 1 added, 1 changed, 3 unchanged, 0 errors');
    const after = await db().select().from(customers).orderBy(customers.id);
    expect(after[0]).toEqual(before[0]);
    expect(after[1]).toMatchObject({ contactPhone: '0512-65889999', updatedAt: later });
    expect(after[4]).toMatchObject({ name: '新客户', updatedAt: later });
  });

  it('writes nothing on a dry run, and says what it would do', async () => {
    await importAll('csv', 'materials');
    const outcome = await run('ranges', fileOf('ranges', RANGES, 'csv'), { dryRun: true });
    expect(importSummary(outcome)).toBe('ranges: 3 added, 0 changed, 0 unchanged, 0 errors');
    expect(outcome.written).toBe(false);
    expect(await db().select().from(qualifiedRanges)).toEqual([]);
    const customersDry = await run('customers', fileOf('customers', [...CUSTOMERS, ['新客户']], 'csv'), {
      dryRun: true,
    });
    expect(importSummary(customersDry)).toBe('customers: 1 added, 0 changed, 4 unchanged, 0 errors');
    expect(await db().select().from(customers)).toHaveLength(4);
  });

  const BAD_ROWS: Array<[ImportKind, (rows: CellSpec[][]) => void, string]> = [
    [
      'customers',
      (rows) => {
        rows[3]![3] = '1380013';
      },
      'row 4, column D (手机): "1380013" is not a mainland mobile or landline number',
    ],
    [
      'materials',
      (rows) => {
        rows[2]![6] = '7.5';
      },
      'row 3, column G (Lead time (days)): 7.5 is not a whole number of days',
    ],
    [
      'ranges',
      (rows) => {
        rows[2]![0] = 'NOPE-1';
      },
      'row 3, column A (物料编码): material "NOPE-1" is not in the material master (import it with the materials first)',
    ],
    [
      'inspections',
      (rows) => {
        rows[4]![8] = '44 HRC';
      },
      'row 5, column I (HRC): "44 HRC" is not a number',
    ],
    [
      'stock',
      (rows) => {
        rows[3]![3] = '约1500';
      },
      'row 4, column D (现存数量): "约1500" is not a number',
    ],
    [
      'supply',
      (rows) => {
        rows[3]![4] = '下周';
      },
      'row 4, column E (预计到货日期): "下周" is not a date',
    ],
  ];

  it.each(BAD_ROWS)('refuses a %s file with one bad row, naming it, and writes nothing', async (kind, spoil, error) => {
    // Only what the file refers to is there: accepted, the file would add rows.
    if (kind !== 'customers' && kind !== 'materials') await importAll('xlsx', 'materials');
    const rows = TABLES[kind].map((r) => [...r]);
    spoil(rows);
    const tables = {
      customers,
      materials,
      ranges: qualifiedRanges,
      inspections: inspectionReports,
      stock,
      supply: openSupply,
    } as const;
    const before = await db().select().from(tables[kind]);
    for (const format of ['xlsx', 'csv'] as const) {
      const outcome = await run(kind, fileOf(kind, rows, format));
      expect(outcome.errors.map(errorLine)).toEqual([error]);
      expect(importSummary(outcome)).toBe(`${kind}: 0 added, 0 changed, 0 unchanged, 1 error`);
      expect(outcome.written).toBe(false);
      expect(await db().select().from(tables[kind])).toEqual(before);
    }
  });

  it('finds every error of a file at once: cells, repeats, limits, unknown materials, clashing aliases', async () => {
    await importAll('xlsx', 'materials');
    const ranges = await run(
      'ranges',
      fileOf(
        'ranges',
        [
          ['物料编码', '参数', '下限', '上限', '单位'],
          ['ZJ-1001', 'Ra', 0.8, 0.4, 'μm'],
          ['ZJ-1001', 'ra', 0.1, 0.2, 'μm'],
          ['ZJ-1001', 'HRC', null, null, null],
          ['X-1', 'HRC', 'abc', 3, null],
          [null, 'HRC', 1, 3, null],
        ],
        'csv',
      ),
    );
    expect(ranges.errors.map(errorLine)).toEqual([
      'row 2, column D (上限): 0.4 is below the lower limit 0.8',
      'row 3, column B (参数): the range of ra for ZJ-1001 is already on row 2',
      'row 4, column C (下限): is empty, and so is the upper limit: give one or both',
      'row 5, column A (物料编码): material "X-1" is not in the material master (import it with the materials first)',
      'row 5, column C (下限): "abc" is not a number',
      'row 6, column A (物料编码): is empty; a value is required',
    ]);
    const clash = await run(
      'customers',
      fileOf(
        'customers',
        [
          ['客户名称', '别名', '电话'],
          ['新华达', '华达', null],
          ['宁波华达汽车零部件有限公司', null, '138001380019'],
          ['新华达', null, null],
        ],
        'csv',
      ),
    );
    expect(clash.errors.map(errorLine)).toEqual([
      'row 2, column B (别名): the alias "华达" is also the name or an alias of "宁波华达汽车零部件有限公司"',
      'row 3, column C (电话): "138****0019" is not a mainland mobile or landline number',
      'row 4, column A (客户名称): customer "新华达" is already on row 2',
    ]);
    expect(await db().select().from(customers)).toHaveLength(4);
    const material = await run(
      'materials',
      fileOf(
        'materials',
        [
          ['物料编码', '物料名称'],
          ['NEW-1', null],
        ],
        'csv',
      ),
    );
    expect(material.errors.map(errorLine)).toEqual([
      'row 2, column B (物料名称): is empty; a new material needs a name',
    ]);
  });

  it('reads the ERP customer code (客户编码) and keeps it when a later file leaves it out', async () => {
    const codes = async () =>
      (await db().select().from(customers).orderBy(customers.id)).map((c) => [c.name, c.erpCode]);
    for (const format of ['xlsx', 'csv'] as const) {
      await resetDatabase(db());
      const withCodes = CUSTOMERS.map((r, i) => [...r, i === 1 ? '客户编码' : null]);
      withCodes[2]![5] = '  NB001 ';
      withCodes[3]![5] = format === 'xlsx' ? { t: 'n', v: 1002, z: '00000', w: '01002' } : '01002';
      withCodes[5]![5] = 'X'.repeat(64);
      const first = await run('customers', fileOf('customers', withCodes, format));
      expect(importSummary(first)).toBe('customers: 4 added, 0 changed, 0 unchanged, 0 errors');
      expect(await codes(), format).toEqual([
        ['宁波华达汽车零部件有限公司', 'NB001'],
        ['苏州瑞克精密机械有限公司', '01002'],
        ['杭州远航制动系统有限公司', null],
        ['北京京安机电', 'X'.repeat(64)],
      ]);

      // The old file, without the column: nothing changes, the codes included.
      const old = await run('customers', fileOf('customers', CUSTOMERS, format));
      expect(importSummary(old)).toBe('customers: 0 added, 0 changed, 4 unchanged, 0 errors');
      // Two columns are enough to give codes; an empty cell keeps the stored one.
      const later = new Date(NOW.getTime() + 86_400_000);
      const two = await run(
        'customers',
        fileOf(
          'customers',
          [
            ['Customer name', 'ERP code'],
            ['杭州远航制动系统有限公司', 'HZ003'],
            ['宁波华达汽车零部件有限公司', null],
          ],
          format,
        ),
        { now: later },
      );
      expect(importSummary(two)).toBe('customers: 0 added, 1 changed, 1 unchanged, 0 errors');
      expect(await codes()).toEqual([
        ['宁波华达汽车零部件有限公司', 'NB001'],
        ['苏州瑞克精密机械有限公司', '01002'],
        ['杭州远航制动系统有限公司', 'HZ003'],
        ['北京京安机电', 'X'.repeat(64)],
      ]);
      const [hz] = await db().select().from(customers).where(eq(customers.name, '杭州远航制动系统有限公司'));
      expect(hz).toMatchObject({ contactPhone: '13757123456', updatedAt: later });
    }
    // Every header the column may have; a file of name and code is told apart as customers.
    for (const header of ['客户编码', 'ERP编码', 'ERP客户编码', 'Customer code', 'ERP code', '客户编码（U8）']) {
      const read = readImportFile(
        fileOf(
          'c',
          [
            ['客户名称', header],
            ['甲', 'C-1'],
          ],
          'csv',
        ),
        mapping,
      );
      expect(read.ok && read.kind, header).toBe('customers');
      expect(read.ok && read.data.rows, header).toMatchObject([{ name: '甲', erpCode: 'C-1' }]);
    }
  });

  it('refuses an ERP code over 64 characters, naming the row, and writes nothing', async () => {
    await run('customers', fileOf('customers', CUSTOMERS, 'csv'));
    const before = await db().select().from(customers).orderBy(customers.id);
    const long = `U8-${'9'.repeat(62)}`;
    for (const format of ['xlsx', 'csv'] as const) {
      const outcome = await run(
        'customers',
        fileOf(
          'customers',
          [
            ['客户名称', '电话', '客户编码'],
            ['宁波华达汽车零部件有限公司', null, 'NB001'],
            ['苏州瑞克精密机械有限公司', null, long],
            ['新客户', '1380013', null],
          ],
          format,
        ),
      );
      expect(outcome.errors.map(errorLine)).toEqual([
        `row 3, column C (客户编码): "U8-99999999999999999…" is 65 characters long; at most 64 are allowed`,
        'row 4, column B (电话): "1380013" is not a mainland mobile or landline number',
      ]);
      expect(importSummary(outcome)).toBe('customers: 0 added, 0 changed, 0 unchanged, 2 errors');
      expect(await db().select().from(customers).orderBy(customers.id)).toEqual(before);
    }
  });

  it('refuses a file of the wrong kind or with two columns for one parameter', async () => {
    const wrong = await run('stock', fileOf('stock', CUSTOMERS, 'csv'));
    expect(wrong.errors).toHaveLength(1);
    expect(errorLine(wrong.errors[0]!)).toMatch(/^stock\.csv: no header row found .* 现存数量/);
    const twice = await run(
      'inspections',
      fileOf(
        'inspections',
        [
          ['报告编号', '物料编码', '检验日期', '结果', 'Ra', 'Ra(μm)'],
          ['Q', 'A', '2026-01-01', '合格', 1, 1],
        ],
        'csv',
      ),
    );
    expect(twice.errors.map(errorLine)).toEqual(['inspections.csv: columns E and F both measure Ra']);
  });

  it('derives the qualified range of a parameter from passing inspections when no explicit range exists', async () => {
    await importAll('xlsx', 'inspections');
    const ranges = await qualifiedRangesFor(db(), ['ZJ-1001', 'KT-2040']);
    const view = ranges
      .map((r) => [r.materialCode, r.param, r.minValue, r.maxValue, r.unit])
      .sort((a, b) => String(a[0]).localeCompare(String(b[0])) || String(a[1]).localeCompare(String(b[1])));
    expect(view).toEqual([
      // KT-2040: 平面度 is explicit (≤ 0.05 mm); Ra and HRC come from QC-004 only (QC-003 failed).
      ['KT-2040', 'HRC', 46.5, 46.5, null],
      ['KT-2040', 'Ra', 1.9, 1.9, null],
      ['KT-2040', '平面度', null, 0.05, 'mm'],
      // ZJ-1001: Ra and HRC are explicit and win over the reports; 平面度 comes from QC-001.
      ['ZJ-1001', 'HRC', 56, 62, null],
      ['ZJ-1001', 'Ra', 0.4, 0.8, 'μm'],
      ['ZJ-1001', '平面度', 0.03, 0.03, null],
    ]);
    const own = ranges
      .filter((r) => r.materialCode === 'KT-2040')
      .map((r) => ({ param: r.param, min: r.minValue, max: r.maxValue, unit: r.unit }));
    expect(checkSpec({ param: 'ra', op: '<=', value: 3.2, unit: 'μm' }, own).status).toBe('qualified');
    expect(checkSpec({ param: 'Ra', op: '<=', value: 1.6, unit: 'μm' }, own).status).toBe('outside');
    expect(checkSpec({ param: 'HRC', op: '>=', value: 45, unit: null }, own).status).toBe('qualified');

    // An explicit range imported later replaces the derived one.
    await run(
      'ranges',
      fileOf(
        'ranges',
        [
          ['物料编码', '参数', '下限', '上限'],
          ['KT-2040', 'ra', 0.8, 1.6],
        ],
        'csv',
      ),
    );
    const after = await qualifiedRangesFor(db(), ['KT-2040']);
    expect(after.filter((r) => r.param.toLowerCase() === 'ra')).toEqual([
      { materialCode: 'KT-2040', param: 'ra', minValue: 0.8, maxValue: 1.6, unit: null },
    ]);
    expect(await qualifiedRangesFor(db(), [])).toEqual([]);
  });

  it('imports open supply as a snapshot: a later file of the same feed replaces it, another feed is kept', async () => {
    await importAll('xlsx', 'materials');
    const view = async () =>
      (await db().select().from(openSupply).orderBy(openSupply.materialCode, openSupply.dueDate)).map((r) => [
        r.materialCode,
        r.quantity,
        r.dueDate,
        r.reference,
        r.source,
      ]);
    const first = await run('supply', { name: '采购在途-2026-02-23.xlsx', bytes: fileOf('s', SUPPLY, 'xlsx').bytes });
    expect(importSummary(first)).toBe('supply: 3 added, 0 changed, 0 unchanged, 0 errors');
    expect(await view()).toEqual([
      ['KT-2040', 1000, '2026-03-20', 'MO-2602-07', '采购在途'],
      ['ZJ-1001', 500, '2026-03-04', 'PO-2602-01', '采购在途'],
      ['ZJ-1001', 200, '2026-03-11', 'PO-2602-01', '采购在途'],
    ]);
    // Another feed (production orders) is kept apart.
    const production = await run('supply', {
      name: '生产订单.csv',
      bytes: fileOf(
        's',
        [
          ['生产订单号', '物料编码', '数量', '完工日期'],
          ['MO-1', 'ZJ-1001', 300, '2026-03-06'],
        ],
        'csv',
      ).bytes,
    });
    expect(importSummary(production)).toBe('supply: 1 added, 0 changed, 0 unchanged, 0 errors');
    // The same file again changes nothing.
    const again = await run('supply', { name: '采购在途-2026-02-23.xlsx', bytes: fileOf('s', SUPPLY, 'xlsx').bytes });
    expect(importSummary(again)).toBe('supply: 0 added, 0 changed, 3 unchanged, 0 errors');
    expect(again.written).toBe(false);
    // A week later: the first line has arrived (gone), the second is smaller, a new one has come.
    const later = SUPPLY.map((r) => [...r]);
    later.splice(2, 1);
    later[2]![3] = 150;
    later.push(['PO-2603-02', 'KT-2040', '卡钳壳体', 80, '2026-03-25']);
    const next = await run('supply', { name: '采购在途_W10.xlsx', bytes: fileOf('s', later, 'xlsx').bytes });
    expect(importSummary(next)).toBe('supply: 1 added, 2 changed, 1 unchanged, 0 errors');
    expect(await view()).toEqual([
      ['KT-2040', 1000, '2026-03-20', 'MO-2602-07', '采购在途'],
      ['KT-2040', 80, '2026-03-25', 'PO-2603-02', '采购在途'],
      ['ZJ-1001', 300, '2026-03-06', 'MO-1', '生产订单'],
      ['ZJ-1001', 150, '2026-03-11', 'PO-2602-01', '采购在途'],
    ]);
    // A negative quantity and an unknown material are named by row and column; nothing changes.
    const bad = later.map((r) => [...r]);
    bad[2]![3] = -5;
    bad[3]![1] = 'NOPE-9';
    const refused = await run('supply', { name: '采购在途.xlsx', bytes: fileOf('s', bad, 'xlsx').bytes });
    expect(refused.errors.map(errorLine)).toEqual([
      'row 3, column D (未到货数量): -5 is negative',
      'row 4, column B (存货编码): material "NOPE-9" is not in the material master (import it with the materials first)',
    ]);
    expect(refused.written).toBe(false);
    expect(await view()).toHaveLength(4);
  });

  it('seeds the demo through the importers from config/demo, only into an empty database', async () => {
    expect(await seedDemoDataIfEmpty(db(), NOW)).toBe(true);
    expect(await db().select().from(customers)).toHaveLength(4);
    expect(await db().select().from(inspectionReports)).toHaveLength(39);
    expect((await db().select().from(stock)).every((s) => s.source === 'demo')).toBe(true);
    // The demo files are importable as they are: importing one again changes nothing.
    const file = { name: 'inspections.csv', bytes: readFileSync('config/demo/inspections.csv') };
    expect(importSummary(await run('inspections', file))).toBe(
      'inspections: 0 added, 0 changed, 39 unchanged, 0 errors',
    );
    expect(await seedDemoDataIfEmpty(db(), NOW)).toBe(false);

    // A plant that imported its customers before the first start gets no demo data.
    await resetDatabase(db());
    await run('customers', fileOf('customers', CUSTOMERS, 'csv'));
    expect(await seedDemoDataIfEmpty(db(), NOW)).toBe(false);
    expect(await db().select().from(materials)).toEqual([]);
  });
});
