/**
 * Builds U8-like export files in memory for the Excel bridge tests, with the same library the
 * reader uses, so no binary fixture is committed.
 */
import * as XLSX from '@e965/xlsx';
import type { CellObject, WorkSheet } from '@e965/xlsx';

/** A cell given as a plain value, or as a SheetJS cell when type or number format matters. */
export type CellSpec = string | number | null | CellObject;

export function sheetOf(rows: CellSpec[][], merges: XLSX.Range[] = []): WorkSheet {
  const ws: WorkSheet = {};
  let maxC = 0;
  rows.forEach((row, r) => {
    row.forEach((spec, c) => {
      if (spec === null || spec === '') return;
      const cell: CellObject =
        typeof spec === 'string' ? { t: 's', v: spec } : typeof spec === 'number' ? { t: 'n', v: spec } : spec;
      ws[XLSX.utils.encode_cell({ r, c })] = cell;
      maxC = Math.max(maxC, c);
    });
  });
  ws['!ref'] = XLSX.utils.encode_range({ s: { r: 0, c: 0 }, e: { r: Math.max(rows.length - 1, 0), c: maxC } });
  if (merges.length > 0) ws['!merges'] = merges;
  return ws;
}

export function workbookBytes(ws: WorkSheet, bookType: 'xlsx' | 'biff8', sheetName = '现存量'): Buffer {
  const wb = XLSX.utils.book_new();
  XLSX.utils.book_append_sheet(wb, ws, sheetName);
  return XLSX.write(wb, { bookType, type: 'buffer' }) as Buffer;
}

/** CSV text from plain values; fields with commas, quotes or line breaks are quoted. */
export function csvText(rows: Array<Array<string | number | null>>): string {
  return rows
    .map((row) =>
      row
        .map((v) => {
          const s = v === null ? '' : String(v);
          return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
        })
        .join(','),
    )
    .join('\r\n');
}

export const HEADER = ['仓库', '存货编码', '存货名称', '规格型号', '主计量单位', '现存数量', '最后入库日期'];

/** Excel serial of 2026-02-24 (1900 date system). */
export const SERIAL_2026_02_24 = 46077;

/**
 * A U8 现存量查询 export: a merged title, a company line, a date line, a blank row, the header on
 * row 5, data with a blank row, a repeated header and a 合计 row. Excel row numbers in comments.
 */
export function u8StockRows(): CellSpec[][] {
  return [
    ['现存量查询'], // 1, merged A1:G1
    ['单位：宁波某某五金制品有限公司'], // 2
    ['日期：2026-02-01 至 2026-02-24'], // 3
    [], // 4
    HEADER, // 5
    ['成品库', '007', '内六角螺丝', 'M6*20', '个', 1200, { t: 'n', v: SERIAL_2026_02_24, z: 'yyyy-mm-dd' }], // 6
    ['成品库', 'A-100', '平垫片', 'Φ8', '片', '1,200.5', '2026/2/3'], // 7
    [], // 8
    HEADER, // 9: header repeated on a new printed page
    ['原料库', { t: 'n', v: 12, z: '0000' }, '冷轧钢板', '2mm', '张', 35.25, null], // 10
    ['原料库', '007', '内六角螺丝', 'M6*20', '个', '１２３', '2026年1月5日'], // 11
    ['合计', null, null, null, null, { t: 'n', v: 2558.75 }, null], // 12
  ];
}

export const U8_STOCK_MERGES: XLSX.Range[] = [{ s: { r: 0, c: 0 }, e: { r: 0, c: 6 } }];

export const EXPECTED_STOCK_ROWS = [
  {
    row: 6,
    warehouse: '成品库',
    materialCode: '007',
    name: '内六角螺丝',
    spec: 'M6*20',
    unit: '个',
    onHand: 1200,
    lastInboundDate: '2026-02-24',
  },
  {
    row: 7,
    warehouse: '成品库',
    materialCode: 'A-100',
    name: '平垫片',
    spec: 'Φ8',
    unit: '片',
    onHand: 1200.5,
    lastInboundDate: '2026-02-03',
  },
  {
    row: 10,
    warehouse: '原料库',
    materialCode: '0012',
    name: '冷轧钢板',
    spec: '2mm',
    unit: '张',
    onHand: 35.25,
    lastInboundDate: null,
  },
  {
    row: 11,
    warehouse: '原料库',
    materialCode: '007',
    name: '内六角螺丝',
    spec: 'M6*20',
    unit: '个',
    onHand: 123,
    lastInboundDate: '2026-01-05',
  },
];

/** Plain-text version of u8StockRows, as a CSV export would carry it. */
export function u8StockCsvRows(): Array<Array<string | number | null>> {
  return [
    ['现存量查询'],
    ['单位：宁波某某五金制品有限公司'],
    ['日期：2026-02-01 至 2026-02-24'],
    [],
    HEADER,
    ['成品库', '007', '内六角螺丝', 'M6*20', '个', '1200', '2026-02-24'],
    ['成品库', 'A-100', '平垫片', 'Φ8', '片', '1,200.5', '2026/2/3'],
    [],
    HEADER,
    ['原料库', '0012', '冷轧钢板', '2mm', '张', '35.25', ''],
    ['原料库', '007', '内六角螺丝', 'M6*20', '个', '１２３', '2026年1月5日'],
    ['合计', '', '', '', '', '2558.75', ''],
  ];
}

let gbkTable: Map<string, number[]> | undefined;

/**
 * Encodes text as GBK (what Chinese Windows saves "CSV" as). Node has no GBK encoder, so the table
 * is built by decoding every double-byte GBK sequence once.
 */
export function encodeGbk(text: string): Buffer {
  if (!gbkTable) {
    gbkTable = new Map();
    const decoder = new TextDecoder('gbk');
    for (let lead = 0x81; lead <= 0xfe; lead++) {
      for (let trail = 0x40; trail <= 0xfe; trail++) {
        if (trail === 0x7f) continue;
        const ch = decoder.decode(new Uint8Array([lead, trail]));
        if (ch.length === 1 && ch !== '\ufffd' && !gbkTable.has(ch)) gbkTable.set(ch, [lead, trail]);
      }
    }
  }
  const out: number[] = [];
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (code < 0x80) out.push(code);
    else {
      const bytes = gbkTable.get(ch);
      if (!bytes) throw new Error(`no GBK encoding for ${ch}`);
      out.push(...bytes);
    }
  }
  return Buffer.from(out);
}
