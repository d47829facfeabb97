/**
 * Reading an uploaded settlement export (.csv, .xlsx, .xls) into settlement lines, for JD (no JOS bill API is
 * known) and any channel without a settlement API. Two layouts are recognised by their headers:
 *
 * - the JD 京麦 bill export (per-fee lines, as ERP aggregators expose JD bills): 订单号, 商品编号, 费用项 /
 *   费用名称, 收支方向 (收入 / 支出), 金额 (元), 结算时间 / 账单日期, 账单状态; optionally a line id.
 * - a generic layout: 订单号, 类型 (结算 / 退款 / 费用 / 调整), 金额 (元), 结算时间.
 *
 * The header row is found by its names (title rows above it are fine), with the cell reading of the Excel
 * imports (integrations/excel: text decoding, cell text, header matching). Money is parsed with parseYuan
 * (never floats); times are China wall-clock and stored as UTC. A line's key is stable across re-uploads:
 * the export's own line id when there is one, else a hash of the row's mapped cells (and how many identical
 * rows came before it in the file). A file with any bad row gives no lines, only the errors, each as
 * `row N, column X (header): message`.
 *
 * The header names and fee words below are product vocabulary (tests/texts/stray-texts.test.ts allows them).
 * UNCONFIRMED [U]: the exact 京麦 column names, its line-id column and its status words; rows whose status
 * says "not settled yet" are left out (they are read again, settled, from a later export).
 */
import { createHash } from 'node:crypto';
import * as XLSX from '@e965/xlsx';
import type { CellObject } from '@e965/xlsx';
import { MoneyFormatError, parseYuan } from '../../domain/channels/money';
import type { Channel } from '../../domain/channels/order';
import type { SettlementKind, SettlementLine } from '../../domain/channels/received';
import { cellText, toHalfWidth } from '../excel/cell-values';
import { openWorkbook } from '../excel/read-export';
import { type Grid, HEADER_SCAN_ROWS, matchColumns, type MappedColumn, rowTexts } from '../excel/header-row';

export const MAX_BYTES = 20 * 1024 * 1024;
export const MAX_ROWS = 200_000;

type Field =
  | 'orderId'
  | 'skuId'
  | 'feeName'
  | 'direction'
  | 'amount'
  | 'billingTime'
  | 'billDate'
  | 'status'
  | 'lineId'
  | 'type';

/** The header names of each field, in preference order (a name followed by a bracketed note also matches). */
export const SETTLEMENT_HEADERS: Readonly<Record<Field, readonly string[]>> = {
  orderId: ['订单号', '订单编号', '订单ID'],
  skuId: ['商品编号', 'SKU编号', 'SKU', '商品ID'],
  feeName: ['费用项', '费用名称', '费用项目', '费用类型'],
  direction: ['收支方向', '收支类型'],
  amount: ['金额', '结算金额', '账单金额'],
  billingTime: ['结算时间', '计费时间', '账单时间'],
  billDate: ['账单日期', '结算日期'],
  status: ['账单状态', '结算状态'],
  lineId: ['账单明细ID', '明细单号', '明细ID', '流水号', '单据编号'],
  type: ['类型', '结算类型'],
};

/** Fee names to kinds, tried in order; a fee name none matches takes its kind from the direction. */
const FEE_KINDS: ReadonlyArray<readonly [RegExp, SettlementKind]> = [
  [/退款|退货/, 'refund'],
  [/货款/, 'settle'],
  [/佣金|服务费|技术服务|平台使用费|手续费|广告|推广|运费险|扣点|扣款|赔付|费$/, 'fee'],
];
const INCOME = '收入';
const EXPENSE = '支出';
/** The generic layout's 类型 words. */
const TYPE_KINDS: Readonly<Record<string, SettlementKind>> = {
  结算: 'settle',
  退款: 'refund',
  费用: 'fee',
  调整: 'adjust',
};
/** Status words of a line not settled yet. */
const NOT_SETTLED = /未结算|待结算/;
/** 合计, 小计, 总计 rows. */
const TOTAL_LABEL = /^[\u4e00-\u9fff]{0,4}(合计|小计|总计)[:：]?$/;

export type SettlementLayout = 'jd-bill' | 'generic';

export type SettlementExportRead =
  | {
      ok: true;
      layout: SettlementLayout;
      lines: SettlementLine[];
      skipped: { blank: number; total: number; notSettled: number };
    }
  | { ok: false; errors: string[] };

export function readSettlementExport(
  file: { name: string; bytes: Buffer },
  target: { channel: Channel; shop: string },
): SettlementExportRead {
  const { name, bytes } = file;
  if (bytes.length > MAX_BYTES) return refuse(`${name} is over ${MAX_BYTES / 1024 / 1024} MB; split the export`);
  if (bytes.length === 0) return refuse(`${name} is empty`);
  const opened = openWorkbook(name, bytes, MAX_ROWS);
  if ('error' in opened) return refuse(opened.error.message);
  const { workbook } = opened;

  for (const sheetName of workbook.SheetNames) {
    const grid = workbook.Sheets[sheetName]?.['!data'] as Grid | undefined;
    if (!grid) continue;
    if (grid.length > MAX_ROWS) return refuse(`${name} has more than ${MAX_ROWS} rows in sheet "${sheetName}"`);
    const header = findHeader(grid);
    if (header) return readRows(grid, header, target, Boolean(workbook.Workbook?.WBProps?.date1904));
  }
  const names = (f: Field) => SETTLEMENT_HEADERS[f].join('/');
  return refuse(
    `${name}: no header row found in the first ${HEADER_SCAN_ROWS} rows. Looked for ${names('orderId')}, ${names('amount')}, ` +
      `${names('feeName')} or ${names('type')}, and ${names('billingTime')} or ${names('billDate')}`,
  );
}

function refuse(message: string): SettlementExportRead {
  return { ok: false, errors: [message] };
}

interface Header {
  row: number;
  layout: SettlementLayout;
  columns: Partial<Record<Field, MappedColumn>>;
}

function findHeader(grid: Grid): Header | null {
  const last = Math.min(grid.length, HEADER_SCAN_ROWS);
  for (let r = 0; r < last; r++) {
    const texts = rowTexts(grid[r]);
    if (texts.every((t) => t === '')) continue;
    const columns = matchColumns(texts, SETTLEMENT_HEADERS) as Partial<Record<Field, MappedColumn>>;
    if (!columns.orderId || !columns.amount) continue;
    if (columns.feeName && (columns.billingTime || columns.billDate)) return { row: r, layout: 'jd-bill', columns };
    if (columns.type && columns.billingTime) return { row: r, layout: 'generic', columns };
  }
  return null;
}

function readRows(
  grid: Grid,
  header: Header,
  target: { channel: Channel; shop: string },
  date1904: boolean,
): SettlementExportRead {
  const { columns, layout } = header;
  const errors: string[] = [];
  const lines: SettlementLine[] = [];
  const skipped = { blank: 0, total: 0, notSettled: 0 };
  const seenKeys = new Map<string, number>();
  const headerTexts = rowTexts(grid[header.row]);

  for (let r = header.row + 1; r < grid.length; r++) {
    const cells = grid[r];
    const texts = rowTexts(cells);
    if (texts.every((t) => t === '')) {
      skipped.blank++;
      continue;
    }
    const text = (f: Field) => (columns[f] ? (texts[columns[f]!.index] ?? '') : '');
    const cell = (f: Field): CellObject | undefined => (columns[f] ? cells?.[columns[f]!.index] : undefined);
    if (TOTAL_LABEL.test(text('orderId')) || texts.some((t) => TOTAL_LABEL.test(t) && text('orderId') === '')) {
      skipped.total++;
      continue;
    }
    if (text('orderId') === headerTexts[columns.orderId!.index]) continue; // the header repeated
    const rowErrors: string[] = [];
    const bad = (f: Field, message: string) => {
      const col = columns[f]!;
      rowErrors.push(`row ${r + 1}, column ${XLSX.utils.encode_col(col.index)} (${col.header}): ${message}`);
    };
    if (columns.status && NOT_SETTLED.test(text('status'))) {
      skipped.notSettled++;
      continue;
    }

    const orderId = text('orderId');
    if (orderId === '') bad('orderId', 'is empty');

    let amountFen: number | null = null;
    const amount = yuanOf(cell('amount'));
    if (typeof amount === 'string') bad('amount', amount);
    else amountFen = amount;

    let kind: SettlementKind | null = null;
    let sign: 1 | -1 | null = null;
    if (columns.direction) {
      const direction = text('direction');
      if (direction === INCOME) sign = 1;
      else if (direction === EXPENSE) sign = -1;
      else bad('direction', direction === '' ? 'is empty' : `"${direction}" is neither ${INCOME} nor ${EXPENSE}`);
    }
    if (layout === 'jd-bill') {
      const fee = text('feeName');
      if (fee === '') bad('feeName', 'is empty');
      else kind = FEE_KINDS.find(([re]) => re.test(fee))?.[1] ?? (sign === -1 ? 'fee' : 'adjust');
    } else {
      const type = text('type');
      kind = TYPE_KINDS[type] ?? null;
      if (!kind) bad('type', `"${type}" is not one of ${Object.keys(TYPE_KINDS).join(', ')}`);
    }

    const timeField: Field = columns.billingTime && text('billingTime') !== '' ? 'billingTime' : 'billDate';
    let settledAt: string | null = null;
    if (!columns[timeField]) bad('billingTime', 'is empty');
    else {
      const at = chinaInstantOf(cell(timeField), date1904);
      if (at === null)
        bad(timeField, text(timeField) === '' ? 'is empty' : `"${text(timeField)}" is not a date or time`);
      settledAt = at;
    }

    if (rowErrors.length > 0 || amountFen === null || kind === null || settledAt === null) {
      errors.push(...rowErrors);
      continue;
    }
    // With a direction the sign is the direction's; without, refunds and fees are money going out.
    const magnitude = Math.abs(amountFen);
    const signed = sign !== null ? sign * magnitude : kind === 'refund' || kind === 'fee' ? -magnitude : amountFen;

    const lineId = text('lineId');
    let lineKey: string;
    if (lineId !== '') lineKey = `${layout}:${lineId}`;
    else {
      const identity = [
        target.shop,
        orderId,
        text('skuId'),
        text('feeName') || text('type'),
        text('direction'),
        String(amountFen),
        settledAt,
      ];
      const hash = createHash('sha256').update(identity.join('\u001f'), 'utf8').digest('hex').slice(0, 32);
      const n = (seenKeys.get(hash) ?? 0) + 1;
      seenKeys.set(hash, n);
      lineKey = `${layout}:row:${hash}${n > 1 ? `#${n}` : ''}`;
    }
    lines.push({ lineKey, orderId, kind, amountFen: signed === 0 ? 0 : signed, settledAt });
  }
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, layout, lines, skipped };
}

/** A yuan amount cell in 分, or why it is not one. Number cells are read by their shortest decimal form. */
function yuanOf(cell: CellObject | undefined): number | string {
  if (cell?.t === 'e') return `holds the error value ${cell.w ?? '#ERROR'}`;
  let text: string;
  if (cell?.t === 'n') text = String(cell.v);
  else
    text = toHalfWidth(cellText(cell))
      .replace(/^[¥￥]\s*/, '')
      .replace(/\s+/g, '');
  if (text === '') return 'is empty';
  if (/^-?\d{1,3}(,\d{3})+(\.\d+)?$/.test(text)) text = text.replace(/,/g, '');
  try {
    return parseYuan(text);
  } catch (err) {
    if (err instanceof MoneyFormatError) return err.message;
    throw err;
  }
}

const TIME = /^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$/;

/** A China date or date-time cell as a UTC ISO instant (a date alone is China midnight), or null. */
function chinaInstantOf(cell: CellObject | undefined, date1904: boolean): string | null {
  let parts: [number, number, number, number, number, number];
  const compact = /^(\d{4})(\d{2})(\d{2})$/.exec(cellText(cell));
  if (compact) {
    // 20260201: a date written without separators (as text, or as a number that is no Excel date).
    parts = [Number(compact[1]), Number(compact[2]), Number(compact[3]), 0, 0, 0];
  } else if (cell?.t === 'n') {
    const v = cell.v as number;
    if (!Number.isFinite(v) || v < 1 || v >= 2958466) return null;
    const d = XLSX.SSF.parse_date_code(v, { date1904 }) as {
      y: number;
      m: number;
      d: number;
      H: number;
      M: number;
      S: number;
    };
    parts = [d.y, d.m, d.d, d.H, d.M, d.S];
  } else {
    const m = TIME.exec(toHalfWidth(cellText(cell)));
    if (!m) return null;
    parts = [Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0)];
  }
  const [y, mo, d, h, mi, s] = parts;
  if (mo < 1 || mo > 12 || d < 1 || d > new Date(Date.UTC(y, mo, 0)).getUTCDate() || h > 23 || mi > 59 || s > 59) {
    return null;
  }
  return new Date(Date.UTC(y, mo - 1, d, h - 8, mi, s)).toISOString().replace('.000Z', 'Z');
}
