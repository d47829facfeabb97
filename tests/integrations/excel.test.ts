import { createHash } from 'node:crypto';
import { mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ColumnMappingSchema, defaultColumnMapping } from '../../integrations/excel/mapping';
import { DEFAULT_MAX_BYTES, readExport, type ExportRead } from '../../integrations/excel/read-export';
import { scanFolder } from '../../integrations/excel/scan-folder';
import { TestClock } from '../support/clock';
import {
  csvText,
  encodeGbk,
  EXPECTED_STOCK_ROWS,
  HEADER,
  sheetOf,
  u8StockCsvRows,
  u8StockRows,
  U8_STOCK_MERGES,
  workbookBytes,
  type CellSpec,
} from './excel-builders';

const mapping = defaultColumnMapping();

function okRead(r: ExportRead): Extract<ExportRead, { ok: true }> {
  if (!r.ok) throw new Error(`expected a successful read, got ${JSON.stringify(r.errors)}`);
  return r;
}

function errorOf(r: ExportRead) {
  if (r.ok) throw new Error('expected the file to be refused');
  expect(r.errors).toHaveLength(1);
  return r.errors[0]!;
}

describe('readExport: a U8 stock export', () => {
  const ws = () => sheetOf(u8StockRows(), U8_STOCK_MERGES);

  it.each([
    ['xlsx', 'xlsx'],
    ['xls', 'biff8'],
  ] as const)('reads the .%s with title rows, merged title, blank rows, repeated header and 合计', (ext, bookType) => {
    const r = okRead(readExport({ name: `现存量.${ext}`, bytes: workbookBytes(ws(), bookType) }, mapping));
    expect(r.kind).toBe('stock');
    expect(r.format).toBe(ext);
    expect(r.headerRow).toBe(5);
    expect(r.reportDate).toBe('2026-02-24');
    expect(r.columns.onHand).toEqual({ header: '现存数量', column: 'F' });
    expect(r.rows).toEqual(EXPECTED_STOCK_ROWS);
    expect(r.problems).toEqual([]);
    expect(r.skipped).toEqual({ blank: 1, total: 1, repeatedHeader: 1 });
  });

  it('reads the .xls and the .xlsx identically', () => {
    const { format: _a, ...xlsx } = okRead(readExport({ name: 'a.xlsx', bytes: workbookBytes(ws(), 'xlsx') }, mapping));
    const { format: _b, ...xls } = okRead(readExport({ name: 'a.xls', bytes: workbookBytes(ws(), 'biff8') }, mapping));
    expect(xls).toEqual(xlsx);
  });

  it('reads CSV in UTF-8 with a BOM and in GBK to the same rows', () => {
    const text = csvText(u8StockCsvRows());
    const utf8 = okRead(readExport({ name: 'stock.csv', bytes: Buffer.from(`\ufeff${text}`, 'utf8') }, mapping));
    const gbkBytes = encodeGbk(text);
    expect(() => new TextDecoder('utf-8', { fatal: true }).decode(gbkBytes)).toThrow();
    const gbk = okRead(readExport({ name: 'stock.csv', bytes: gbkBytes }, mapping));
    const noBom = okRead(readExport({ name: 'stock.csv', bytes: Buffer.from(text, 'utf8') }, mapping));
    for (const r of [utf8, gbk, noBom]) {
      expect(r.format).toBe('csv');
      expect(r.rows).toEqual(EXPECTED_STOCK_ROWS);
      expect(r.problems).toEqual([]);
      expect(r.skipped).toEqual({ blank: 1, total: 1, repeatedHeader: 1 });
    }
  });

  it('reads an HTML table saved as .xls (what some 导出Excel buttons write), in GBK', () => {
    const html = `<html><head><meta charset="gbk"></head><body><table>
      <tr><td colspan="3">现存量查询</td></tr>
      <tr><td>存货编码</td><td>存货名称</td><td>结存数量</td></tr>
      <tr><td>007</td><td>螺丝</td><td>1,200</td></tr></table></body></html>`;
    const r = okRead(readExport({ name: 'export.xls', bytes: encodeGbk(html) }, mapping));
    expect(r.rows).toMatchObject([{ row: 3, materialCode: '007', name: '螺丝', onHand: 1200 }]);
  });

  it('finds the first warehouse alias present and fills a warehouse merged down several rows', () => {
    const rows: CellSpec[][] = [
      ['仓库名称', '存货编码', '存货名称', '现存量'],
      ['一号库', 'X1', '甲', 5],
      [null, 'X2', '乙', 6],
    ];
    const bytes = workbookBytes(sheetOf(rows, [{ s: { r: 1, c: 0 }, e: { r: 2, c: 0 } }]), 'xlsx');
    const r = okRead(readExport({ name: 's.xlsx', bytes }, mapping));
    expect(r.rows.map((x) => ('warehouse' in x ? [x.warehouse, x.materialCode] : null))).toEqual([
      ['一号库', 'X1'],
      ['一号库', 'X2'],
    ]);
  });
});

describe('readExport: total rows', () => {
  it('skips 小计/合计 rows in any label column but keeps materials whose name contains those words', () => {
    const rows: CellSpec[][] = [
      ['仓库', '存货编码', '存货名称', '现存数量'],
      ['一号库', 'A1', '合计器', 2],
      ['一号库小计：', null, null, 2],
      ['二号库', 'B1', '总计数器', 3],
      [' 合 计 ', null, null, 5],
      [null, '总计', null, 5],
    ];
    const r = okRead(readExport({ name: 't.xlsx', bytes: workbookBytes(sheetOf(rows), 'xlsx') }, mapping));
    expect(r.kind).toBe('stock');
    expect(r.rows.map((x) => ('materialCode' in x ? x.materialCode : null))).toEqual(['A1', 'B1']);
    expect(r.skipped.total).toBe(3);
  });
});

describe('readExport: problems and refusals', () => {
  it('reports a bad quantity as a row problem with the Excel row number and keeps the other rows', () => {
    const rows = u8StockRows();
    rows[6]![5] = '约100'; // Excel row 7
    rows[9]![5] = null; // Excel row 10: empty quantity
    const r = okRead(readExport({ name: 'bad.xlsx', bytes: workbookBytes(sheetOf(rows), 'xlsx') }, mapping));
    expect(r.problems).toEqual([
      expect.objectContaining({
        row: 7,
        cell: 'F7',
        field: 'onHand',
        header: '现存数量',
        value: '约100',
        rowDropped: true,
      }),
      expect.objectContaining({
        row: 10,
        cell: 'F10',
        field: 'onHand',
        message: '现存数量 is empty',
        rowDropped: true,
      }),
    ]);
    expect(r.problems[0]!.message).toContain('"约100" is not a number');
    expect(r.rows.map((x) => x.row)).toEqual([6, 11]);
  });

  it('keeps a row whose optional value is bad, with that field null and a problem', () => {
    const rows = u8StockRows();
    rows[5]![6] = '下周'; // Excel row 6, date column
    const r = okRead(readExport({ name: 'd.xlsx', bytes: workbookBytes(sheetOf(rows), 'xlsx') }, mapping));
    expect(r.problems).toEqual([
      expect.objectContaining({ row: 6, cell: 'G6', field: 'lastInboundDate', rowDropped: false }),
    ]);
    expect(r.rows[0]).toMatchObject({ row: 6, materialCode: '007', lastInboundDate: null });
    expect(r.rows).toHaveLength(4);
  });

  it('refuses a file with no recognisable header, naming the headers it looked for', () => {
    const rows: CellSpec[][] = [['销售订单列表'], ['订单号', '客户', '金额'], ['SO-1', '甲', 100]];
    const e = errorOf(readExport({ name: 'orders.xlsx', bytes: workbookBytes(sheetOf(rows), 'xlsx') }, mapping));
    expect(e.code).toBe('no-header');
    for (const name of ['存货编码', '存货名称', '现存数量', '结存数量', '现存量']) expect(e.message).toContain(name);
    expect(e.message).toContain('orders.xlsx');
  });

  it('says which required column is missing when a header nearly matches', () => {
    const rows: CellSpec[][] = [
      ['存货编码', '存货名称', '数量说明'],
      ['A', 'B', 1],
    ];
    const e = errorOf(
      readExport({ name: 'x.xlsx', bytes: workbookBytes(sheetOf(rows), 'xlsx') }, mapping, { kind: 'stock' }),
    );
    expect(e.code).toBe('no-header');
    expect(e.message).toMatch(/Row 1 .* lacks 现存数量\/结存数量/);
  });

  it('refuses a file over the size cap before parsing it', () => {
    const e = errorOf(readExport({ name: 'huge.xlsx', bytes: Buffer.alloc(DEFAULT_MAX_BYTES + 1) }, mapping));
    expect(e.code).toBe('too-large');
    expect(e.message).toContain('20.0 MB');
  });

  it('refuses other file types, non-spreadsheets and empty files with clear errors', () => {
    expect(errorOf(readExport({ name: 'report.pdf', bytes: Buffer.from('%PDF-1.4') }, mapping)).code).toBe(
      'unsupported-type',
    );
    expect(errorOf(readExport({ name: 'fake.xlsx', bytes: Buffer.from('hello, world') }, mapping)).code).toBe(
      'unreadable',
    );
    expect(errorOf(readExport({ name: 'bin.xls', bytes: Buffer.from([1, 0, 2, 0, 3]) }, mapping)).code).toBe(
      'unreadable',
    );
    expect(
      errorOf(readExport({ name: 'broken.xlsx', bytes: Buffer.from('PK\u0003\u0004garbage') }, mapping)).code,
    ).toBe('unreadable');
    expect(errorOf(readExport({ name: 'e.csv', bytes: Buffer.alloc(0) }, mapping)).code).toBe('empty');
  });

  it('refuses a sheet with more rows than allowed', () => {
    const rows: CellSpec[][] = [
      ['存货编码', '存货名称', '现存数量'],
      ...Array.from({ length: 20 }, (_, i) => [`C${i}`, 'n', i]),
    ];
    const e = errorOf(
      readExport({ name: 'long.csv', bytes: Buffer.from(csvText(rows as string[][])) }, mapping, { maxRows: 10 }),
    );
    expect(e.code).toBe('too-many-rows');
  });
});

describe('readExport: kinds and mapping', () => {
  const materialRows: CellSpec[][] = [
    ['存货档案'],
    ['存货编码', '存货名称', '规格型号', '计量单位', '生产线', '模具号', '采购提前期(天)'],
    ['0101', '支架', 'ZJ-01', '件', '冲压一线', { t: 'n', v: 12, z: '000' }, 7],
    ['0102', '底座', null, '件', null, 'M-9', '１５'],
  ];

  it('detects a material list from its headers', () => {
    for (const bookType of ['xlsx', 'biff8'] as const) {
      const r = okRead(readExport({ name: 'm.xls', bytes: workbookBytes(sheetOf(materialRows), bookType) }, mapping));
      expect(r.kind).toBe('materials');
      expect(r.rows).toEqual([
        {
          row: 3,
          materialCode: '0101',
          name: '支架',
          spec: 'ZJ-01',
          unit: '件',
          line: '冲压一线',
          mould: '012',
          leadTimeDays: 7,
        },
        {
          row: 4,
          materialCode: '0102',
          name: '底座',
          spec: null,
          unit: '件',
          line: null,
          mould: 'M-9',
          leadTimeDays: 15,
        },
      ]);
    }
  });

  it('detects a stock report although it also has the material columns code and name', () => {
    const r = okRead(readExport({ name: 's.xlsx', bytes: workbookBytes(sheetOf(u8StockRows()), 'xlsx') }, mapping));
    expect(r.kind).toBe('stock');
  });

  it('refuses a material list read as stock, naming the stock headers', () => {
    const e = errorOf(
      readExport({ name: 'm.xlsx', bytes: workbookBytes(sheetOf(materialRows), 'xlsx') }, mapping, { kind: 'stock' }),
    );
    expect(e.code).toBe('no-header');
    expect(e.message).toContain('现存数量');
  });

  it('asks for the kind when a header fits both equally', () => {
    const rows: CellSpec[][] = [
      ['存货编码', '存货名称', '现存数量', '生产线'],
      ['A', 'B', 1, 'L1'],
    ];
    expect(errorOf(readExport({ name: 'x.xlsx', bytes: workbookBytes(sheetOf(rows), 'xlsx') }, mapping)).code).toBe(
      'ambiguous-kind',
    );
    const r = okRead(
      readExport({ name: 'x.xlsx', bytes: workbookBytes(sheetOf(rows), 'xlsx') }, mapping, { kind: 'stock' }),
    );
    expect(r.rows).toMatchObject([{ materialCode: 'A', onHand: 1 }]);
  });

  it('takes plant-specific aliases from config, keeping the defaults for the other fields', () => {
    const custom = ColumnMappingSchema.parse({ stock: { onHand: ['期末数量'] } });
    expect(custom.stock.materialCode).toEqual(defaultColumnMapping().stock.materialCode);
    const rows: CellSpec[][] = [
      ['存货编码', '存货名称', '期末数量'],
      ['A', 'B', 3],
    ];
    const r = okRead(readExport({ name: 'x.xlsx', bytes: workbookBytes(sheetOf(rows), 'xlsx') }, custom));
    expect(r.rows).toMatchObject([{ materialCode: 'A', onHand: 3 }]);
    expect(() => ColumnMappingSchema.parse({ stock: { onHand: [] } })).toThrow();
  });
});

describe('readExport: round trip (property)', () => {
  const code = fc.oneof(fc.stringMatching(/^0{1,3}[0-9]{1,6}$/), fc.stringMatching(/^[0-9A-Z][0-9A-Z.-]{0,11}$/));
  const quantity = fc.integer({ min: -1_000_000_000, max: 1_000_000_000 }).map((n) => n / 1000);
  const style = fc.constantFrom('number', 'plain', 'comma', 'space', 'fullwidth');
  const format = fc.constantFrom('xlsx', 'biff8', 'csv');
  const grouped = new Intl.NumberFormat('en-US', { useGrouping: true, maximumFractionDigits: 3 });
  const plain = new Intl.NumberFormat('en-US', { useGrouping: false, maximumFractionDigits: 3 });

  function qtyText(q: number, s: string): string {
    if (s === 'plain' || s === 'number') return plain.format(q);
    const g = grouped.format(q);
    if (s === 'comma') return g;
    if (s === 'space') return g.replace(/,/g, ' ');
    return g.replace(/[0-9.,-]/g, (ch) => String.fromCharCode(ch.charCodeAt(0) + 0xfee0));
  }

  it('writes random rows and reads the same codes and quantities back', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(code, quantity, style, fc.boolean()), { minLength: 1, maxLength: 30 }),
        format,
        (items, fmt) => {
          const header = ['存货编码', '存货名称', '现存数量'];
          let bytes: Buffer;
          if (fmt === 'csv') {
            bytes = Buffer.from(csvText([['现存量'], header, ...items.map(([c, q, s]) => [c, '物料', qtyText(q, s)])]));
          } else {
            const rows: CellSpec[][] = [['现存量'], header];
            for (const [c, q, s, codeAsNumber] of items) {
              // An all-digit code may be stored as a number with a zero-padding format (the U8 way).
              const codeCell: CellSpec =
                codeAsNumber && /^\d+$/.test(c) ? { t: 'n', v: Number(c), z: '0'.repeat(c.length) } : c;
              rows.push([codeCell, '物料', s === 'number' ? q : qtyText(q, s)]);
            }
            bytes = workbookBytes(sheetOf(rows), fmt);
          }
          const r = okRead(readExport({ name: `p.${fmt === 'biff8' ? 'xls' : fmt}`, bytes }, mapping));
          expect(r.problems).toEqual([]);
          expect(
            r.rows.map((x) => ['materialCode' in x ? x.materialCode : null, 'onHand' in x ? x.onHand : undefined]),
          ).toEqual(items.map(([c, q]) => [c, q]));
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('scanFolder', () => {
  let dir: string;
  let clock: TestClock;
  const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'orderbot-excel-'));
    clock = new TestClock();
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** Write a file whose modification time is `agoMs` before the test clock's now. */
  async function put(name: string, bytes: Buffer, agoMs = 60_000): Promise<void> {
    await writeFile(join(dir, name), bytes);
    const t = new Date(clock.now().getTime() - agoMs);
    await utimes(join(dir, name), t, t);
  }

  it('finds a new file, skips it unchanged, finds it again when its content changes', async () => {
    const v1 = workbookBytes(sheetOf(u8StockRows()), 'xlsx');
    await put('现存量.xlsx', v1);
    const known = new Map<string, string>();

    const first = await scanFolder(dir, known, { now: clock.now });
    expect(first.files.map((f) => [f.name, f.sha256, f.bytes.equals(v1)])).toEqual([['现存量.xlsx', sha(v1), true]]);
    expect(first.skipped).toEqual([]);
    known.set('现存量.xlsx', first.files[0]!.sha256);

    await put('现存量.xlsx', v1, 1000); // re-exported with the same content: newer time, same hash
    clock.advance(60_000);
    expect((await scanFolder(dir, known, { now: clock.now })).files).toEqual([]);

    const rows = u8StockRows();
    rows[5]![5] = 999;
    const v2 = workbookBytes(sheetOf(rows), 'xlsx');
    await put('现存量.xlsx', v2);
    const third = await scanFolder(dir, known, { now: clock.now });
    expect(third.files.map((f) => [f.name, f.sha256])).toEqual([['现存量.xlsx', sha(v2)]]);
  });

  it('ignores temp and lock files and other types, and waits for files still being written', async () => {
    const bytes = Buffer.from(csvText(u8StockCsvRows()));
    await put('~$现存量.xlsx', Buffer.from('owner'));
    await put('.~lock.现存量.xlsx#', Buffer.from('lock'));
    await put('export.tmp', bytes);
    await put('说明.txt', bytes);
    await put('writing.csv', bytes, 2000);
    const known = new Map<string, string>();

    const early = await scanFolder(dir, known, { now: clock.now, settleMs: 10_000 });
    expect(early.files).toEqual([]);
    expect(early.skipped).toEqual([expect.objectContaining({ name: 'writing.csv', reason: 'being-written' })]);

    clock.advance(10_000);
    const later = await scanFolder(dir, known, { now: clock.now, settleMs: 10_000 });
    expect(later.files.map((f) => f.name)).toEqual(['writing.csv']);
  });

  it('skips a file over the size cap without reading it', async () => {
    await put('big.csv', Buffer.alloc(2048, 0x41));
    const r = await scanFolder(dir, new Map(), { now: clock.now, maxBytes: 1024 });
    expect(r.files).toEqual([]);
    expect(r.skipped).toEqual([expect.objectContaining({ name: 'big.csv', reason: 'too-large' })]);
  });

  it('reads what it finds: scan then readExport', async () => {
    await put('a.xls', workbookBytes(sheetOf(u8StockRows(), U8_STOCK_MERGES), 'biff8'));
    const { files } = await scanFolder(dir, new Map(), { now: clock.now });
    const r = okRead(readExport(files[0]!, mapping));
    expect(r.rows).toEqual(EXPECTED_STOCK_ROWS);
  });
});

// The sample export and the default mapping must stay in step.
describe('default mapping', () => {
  it('recognises every header of the sample U8 export', () => {
    const all = Object.values(mapping.stock).flat();
    for (const h of HEADER) expect(all).toContain(h);
  });
});
