/**
 * Reading a promotion rule sheet (.csv, .xlsx, .xls): one row per rule, columns found by their header
 * (Chinese or English, see RULE_COLUMNS; a bracketed note after a header is allowed: "门槛(元)").
 * The layout, column by column, is in docs/channels-rules.md; a sample is docs/samples/channel-rules.csv.
 *
 * The whole sheet is checked: every bad cell is an error `row N, column X (header): message` (the row number
 * Excel shows), as the master-data import reports them (integrations/import/import-file.ts). A sheet with any
 * error gives no rules at all, so nothing of it is saved. Money cells are 元 read with parseYuan (at most two
 * decimals, never through a float); times are China wall-clock time, the window end-exclusive.
 *
 * The header names and cell words below are product vocabulary (what the shops' staff write), not messages.
 */
import * as XLSX from '@e965/xlsx';
import type { CellObject } from '@e965/xlsx';
import type { RuleBudget, RuleStatus, RuleToSave } from '../../db/channel-rules';
import { MoneyFormatError, parseYuan } from '../../domain/channels/money';
import type { Channel, Funder } from '../../domain/channels/order';
import { type Benefit, type ChannelRule, chinaWallClockToInstant, type RuleClass } from '../../domain/channels/rules';
import { cellText, splitList, toHalfWidth } from '../excel/cell-values';
import { openWorkbook } from '../excel/read-export';
import { matchColumns, rowTexts } from '../excel/header-row';
import type { ImportError } from '../import/import-file';

export type RuleField =
  | 'code'
  | 'version'
  | 'label'
  | 'channel'
  | 'shop'
  | 'include'
  | 'exclude'
  | 'minSubtotal'
  | 'minQuantity'
  | 'benefitType'
  | 'benefitValue'
  | 'target'
  | 'allocation'
  | 'priority'
  | 'stackGroup'
  | 'combinesWith'
  | 'exclusiveWith'
  | 'stopFurther'
  | 'windowFrom'
  | 'windowTo'
  | 'basis'
  | 'fundedBy'
  | 'platformRef'
  | 'budget'
  | 'status';

/**
 * The columns of a rule sheet: the header names accepted (the first is the one the sample uses), and whether
 * the column must be there. A blank cell in an optional column takes the default written in the docs.
 */
export const RULE_COLUMNS: Record<RuleField, { headers: string[]; required: boolean }> = {
  code: { headers: ['规则编码', '编码', 'code', 'rule code'], required: true },
  version: { headers: ['版本', 'version'], required: false },
  label: { headers: ['显示名称', '名称', '规则名称', 'label', 'name'], required: false },
  channel: { headers: ['渠道', '平台', 'channel', 'platform'], required: true },
  shop: { headers: ['店铺', 'shop'], required: false },
  include: { headers: ['适用SKU', '包含SKU', 'sku include', 'include sku', 'include'], required: false },
  exclude: { headers: ['排除SKU', 'sku exclude', 'exclude sku', 'exclude'], required: false },
  minSubtotal: { headers: ['门槛', '满额', '最低金额', 'min subtotal'], required: false },
  minQuantity: { headers: ['最少件数', '最低件数', 'min quantity'], required: false },
  benefitType: { headers: ['优惠类型', 'benefit type', 'benefit'], required: true },
  benefitValue: { headers: ['优惠内容', '优惠值', 'benefit value', 'value'], required: true },
  target: { headers: ['作用对象', '对象', 'target'], required: false },
  allocation: { headers: ['分摊方式', '分摊', 'allocation'], required: false },
  priority: { headers: ['优先级', 'priority'], required: false },
  stackGroup: { headers: ['叠加组', 'stack group'], required: false },
  combinesWith: { headers: ['可叠加', '可叠加对象', 'combines with'], required: false },
  exclusiveWith: { headers: ['互斥规则', '互斥', 'exclusive with'], required: false },
  stopFurther: { headers: ['停止后续规则', '停止后续', 'stop further'], required: false },
  windowFrom: { headers: ['开始时间', 'window from', 'from'], required: true },
  windowTo: { headers: ['结束时间', 'window to', 'to'], required: true },
  basis: { headers: ['时间依据', 'time basis', 'basis'], required: false },
  fundedBy: { headers: ['出资方', 'funded by'], required: false },
  platformRef: { headers: ['平台活动编号', 'platform ref'], required: false },
  budget: { headers: ['预算', 'budget'], required: false },
  status: { headers: ['状态', 'status'], required: false },
};

const CHANNELS: Record<string, Channel> = {
  抖音: 'douyin',
  抖店: 'douyin',
  douyin: 'douyin',
  淘宝: 'taobao',
  天猫: 'taobao',
  taobao: 'taobao',
  tmall: 'taobao',
  京东: 'jd',
  jd: 'jd',
};
const BENEFIT_TYPES: Record<string, Benefit['type']> = {
  满减: 'fixed_off',
  立减: 'fixed_off',
  减: 'fixed_off',
  fixed_off: 'fixed_off',
  折扣: 'percent_off',
  打折: 'percent_off',
  percent_off: 'percent_off',
  赠品: 'gift',
  gift: 'gift',
  积分: 'points',
  points: 'points',
};
const TARGETS: Record<string, RuleClass> = {
  商品: 'item',
  单品: 'item',
  item: 'item',
  订单: 'order',
  整单: 'order',
  order: 'order',
};
const ALLOCATIONS: Record<string, ChannelRule['allocation']> = {
  整单分摊: 'across',
  分摊: 'across',
  across: 'across',
  每件: 'each',
  逐件: 'each',
  each: 'each',
};
const BASES: Record<string, ChannelRule['window']['basis']> = {
  支付时间: 'pay',
  付款时间: 'pay',
  pay: 'pay',
  pay_time: 'pay',
  下单时间: 'create',
  create: 'create',
  create_time: 'create',
};
const FUNDERS: Record<string, Funder> = {
  商家: 'shop',
  店铺: 'shop',
  shop: 'shop',
  平台: 'platform',
  platform: 'platform',
  达人: 'talent',
  talent: 'talent',
};
const STATUSES: Record<string, RuleStatus> = {
  草稿: 'draft',
  draft: 'draft',
  启用: 'active',
  生效: 'active',
  active: 'active',
  暂停: 'paused',
  paused: 'paused',
  归档: 'archived',
  archived: 'archived',
};
const YES = new Set(['是', 'y', 'yes', 'true', '1', '√']);
const NO = new Set(['否', 'n', 'no', 'false', '0', '×']);
const NOTHING = new Set(['无', '不可叠加', 'none', '-']);

export const MAX_SHEET_BYTES = 5 * 1024 * 1024;
export const MAX_SHEET_ROWS = 5_000;
const HEADER_SCAN_ROWS = 20;

/** One rule read from a row: `rule.version` is the sheet's version cell, or 1. */
export interface SheetRule extends RuleToSave {
  row: number;
}

export type RuleSheetRead = { ok: true; rules: SheetRule[] } | { ok: false; errors: ImportError[] };

type Cell = CellObject | undefined;
type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };
const fine = <T>(value: T): Parsed<T> => ({ ok: true, value });
const bad = (reason: string): Parsed<never> => ({ ok: false, reason });

function word<T>(table: Record<string, T>, what: string): (text: string) => Parsed<T> {
  const names = Object.keys(table).join(', ');
  return (text) => {
    const v = table[toHalfWidth(text).trim().toLowerCase()];
    return v === undefined ? bad(`"${text}" is not ${what} (${names})`) : fine(v);
  };
}

function yuan(text: string): Parsed<number> {
  const s = toHalfWidth(text)
    .replace(/^[¥￥]|元$/g, '')
    .trim();
  try {
    const fen = parseYuan(s);
    return fen < 0 ? bad(`"${text}" is negative`) : fine(fen);
  } catch (e) {
    if (e instanceof MoneyFormatError)
      return bad(`"${text}" is not an amount in yuan (${e.message.replace(/^.*\((.*)\)$/, '$1')})`);
    throw e;
  }
}

function integer(text: string, min: number): Parsed<number> {
  const s = toHalfWidth(text).trim();
  if (!/^-?\d+$/.test(s) || !Number.isSafeInteger(Number(s))) return bad(`"${text}" is not a whole number`);
  const n = Number(s);
  return n < min ? bad(`${n} is less than ${min}`) : fine(n);
}

/** "5%", "5.5%" → basis points off; "95折", "9.5折", "9折" → what is paid, so 500, 500, 1000 off. */
function percentOff(text: string): Parsed<number> {
  const s = toHalfWidth(text).replace(/\s+/g, '');
  const percent = /^(\d{1,3})(?:\.(\d{1,2}))?%$/.exec(s);
  if (percent) {
    const bp = Number(percent[1]) * 100 + Number((percent[2] ?? '').padEnd(2, '0'));
    return bp > 10000 ? bad(`"${text}" is more than 100%`) : fine(bp);
  }
  const zhe = /^(\d{1,2})(?:\.(\d))?折$/.exec(s);
  if (zhe) {
    const whole = Number(zhe[1]);
    // 95折 = pay 95%; 9折 or 9.5折 = pay 90% or 95%; 10折 = pay everything (refused below).
    const paidPerMille = zhe[2] === undefined && whole > 10 ? whole * 10 : whole * 100 + Number(zhe[2] ?? 0) * 10;
    if (paidPerMille <= 0 || paidPerMille >= 1000) return bad(`"${text}" is not a discount between 0折 and 10折`);
    return fine(10000 - paidPerMille * 10);
  }
  return bad(`"${text}" is not a percentage off ("5%") or a 折 ("95折", "9.5折")`);
}

/** "SKU-1×2", "SKU-1*2", "SKU-1 x 2", or "SKU-1" (one). */
function gift(text: string): Parsed<{ sku: string; quantity: number }> {
  const m = /^(.+?)\s*(?:[×xX*＊]\s*(\d+))?$/.exec(text.trim());
  if (!m || m[1]!.trim() === '') return bad(`"${text}" is not a gift "SKU×quantity"`);
  const quantity = m[2] === undefined ? 1 : Number(m[2]);
  if (!Number.isSafeInteger(quantity) || quantity <= 0) return bad(`"${text}": the gift quantity must be at least 1`);
  return fine({ sku: m[1]!.trim(), quantity });
}

/** "1000次" / "1000 uses" → usage; "5000元" / "5000 yuan" / "¥5000" → spend in 分. */
function budget(text: string): Parsed<RuleBudget> {
  const s = toHalfWidth(text).trim().toLowerCase();
  const usage = /^(\d+)\s*(?:次|单|uses?|orders?)$/.exec(s);
  if (usage)
    return Number(usage[1]) > 0 ? fine({ type: 'usage', limit: Number(usage[1]) }) : bad('a budget must be above 0');
  const spend = /^[¥￥]?\s*([\d.]+)\s*(?:元|yuan)?$/.exec(s);
  if (spend && (s.startsWith('¥') || s.startsWith('￥') || /元|yuan/.test(s))) {
    const fen = yuan(spend[1]!);
    if (!fen.ok) return fen;
    return fen.value > 0 ? fine({ type: 'spend', limit: fen.value }) : bad('a budget must be above 0');
  }
  return bad(`"${text}" is not a budget: a number of uses ("1000次") or an amount ("5000元")`);
}

/** China wall-clock "YYYY-MM-DD HH:mm:ss" from text (also "/" and without seconds or time) or an Excel date cell. */
function wallClock(cell: Cell, date1904: boolean): Parsed<string> {
  if (cell?.t === 'n') {
    const v = cell.v as number;
    const d = XLSX.SSF.parse_date_code(v, { date1904 }) as {
      y: number;
      m: number;
      d: number;
      H: number;
      M: number;
      S: number;
    };
    if (!Number.isFinite(v) || v < 1 || !d) return bad(`${v} is not a date and time`);
    const p = (n: number, w = 2) => String(n).padStart(w, '0');
    return fine(`${p(d.y, 4)}-${p(d.m)}-${p(d.d)} ${p(d.H)}:${p(d.M)}:${p(d.S)}`);
  }
  const text = toHalfWidth(cellText(cell));
  const m = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$/.exec(text);
  if (!m) return bad(`"${text}" is not a China time "YYYY-MM-DD HH:mm:ss"`);
  const p = (s: string | undefined) => (s ?? '0').padStart(2, '0');
  const wall = `${m[1]}-${p(m[2])}-${p(m[3])} ${p(m[4])}:${p(m[5])}:${p(m[6])}`;
  try {
    chinaWallClockToInstant(wall);
  } catch {
    return bad(`"${text}" is not a valid date and time`);
  }
  return fine(wall);
}

const ALIASES = Object.fromEntries(Object.entries(RULE_COLUMNS).map(([f, c]) => [f, c.headers])) as Record<
  RuleField,
  string[]
>;
const REQUIRED = (Object.keys(RULE_COLUMNS) as RuleField[]).filter((f) => RULE_COLUMNS[f].required);

/** Reads and checks a whole rule sheet: the rules, or every error (and then no rule). */
export function readRuleSheet(file: { name: string; bytes: Buffer }): RuleSheetRead {
  const fileError = (message: string): RuleSheetRead => ({
    ok: false,
    errors: [{ row: null, column: null, header: null, message }],
  });
  if (file.bytes.length === 0) return fileError(`${file.name} is empty`);
  if (file.bytes.length > MAX_SHEET_BYTES) {
    return fileError(`${file.name} is larger than ${MAX_SHEET_BYTES / 1024 / 1024} MB`);
  }
  const opened = openWorkbook(file.name, file.bytes, MAX_SHEET_ROWS, 'rule sheets');
  if ('error' in opened) return fileError(opened.error.message);
  const { workbook } = opened;
  const date1904 = Boolean(workbook.Workbook?.WBProps?.date1904);
  const sheet = workbook.Sheets[workbook.SheetNames[0] ?? ''];
  const grid = sheet?.['!data'] ?? [];
  if (grid.length > MAX_SHEET_ROWS) return fileError(`${file.name} has more than ${MAX_SHEET_ROWS} rows`);
  let headerRow = -1;
  let columns: Record<string, { index: number; header: string }> = {};
  for (let r = 0; r < Math.min(grid.length, HEADER_SCAN_ROWS) && headerRow < 0; r++) {
    const found = matchColumns(rowTexts(grid[r]), ALIASES);
    if (REQUIRED.every((f) => f in found)) {
      headerRow = r;
      columns = found;
    }
  }
  if (headerRow < 0) {
    return fileError(
      `${file.name}: no header row found in the first ${HEADER_SCAN_ROWS} rows; the columns needed are ${REQUIRED.map((f) => RULE_COLUMNS[f].headers.slice(0, 2).join('/')).join(', ')}`,
    );
  }
  const errors: ImportError[] = [];
  const rules: SheetRule[] = [];
  const seen = new Map<string, number>();
  for (let r = headerRow + 1; r < grid.length; r++) {
    const cells = grid[r];
    const excelRow = r + 1;
    if (rowTexts(cells).every((t) => t === '')) continue;
    const rowErrors: ImportError[] = [];
    const cellOf = (f: RuleField): Cell => (columns[f] ? cells?.[columns[f]!.index] : undefined);
    const textOf = (f: RuleField) => cellText(cellOf(f));
    const report = (f: RuleField, message: string) => {
      const col = columns[f];
      rowErrors.push({
        row: excelRow,
        column: col ? XLSX.utils.encode_col(col.index) : null,
        header: col ? col.header : RULE_COLUMNS[f].headers[0]!,
        message,
      });
    };
    /** The parsed cell, the default when blank, or undefined after reporting the error. */
    const read = <T>(f: RuleField, parse: (text: string) => Parsed<T>, blank: T | 'required'): T | undefined => {
      const text = textOf(f);
      if (text === '') {
        if (blank === 'required') {
          report(f, 'is empty; a value is required');
          return undefined;
        }
        return blank;
      }
      const parsed = parse(text);
      if (parsed.ok) return parsed.value;
      report(f, parsed.reason);
      return undefined;
    };
    const list = (text: string): Parsed<string[]> => fine(splitList(text));

    const code = read(
      'code',
      (t) => (/\s/.test(t) ? bad(`"${t}" has spaces; a code is one word`) : fine(t)),
      'required',
    );
    const version = read('version', (t) => integer(t, 1), 1);
    const label = read('label', fine, code ?? '');
    const channel = read('channel', word(CHANNELS, 'a channel'), 'required');
    const shop = read<string | null>('shop', fine, null);
    const include = read('include', list, []);
    const exclude = read('exclude', list, []);
    const minSubtotalFen = read<number | undefined>('minSubtotal', yuan, undefined);
    const minQuantity = read<number | undefined>('minQuantity', (t) => integer(t, 1), undefined);
    const benefitType = read('benefitType', word(BENEFIT_TYPES, 'a benefit type'), 'required');
    let benefit: Benefit | undefined;
    if (benefitType !== undefined) {
      benefit = read<Benefit>(
        'benefitValue',
        (t): Parsed<Benefit> => {
          switch (benefitType) {
            case 'fixed_off': {
              const v = yuan(t);
              return v.ok ? fine({ type: 'fixed_off', amountFen: v.value }) : v;
            }
            case 'percent_off': {
              const v = percentOff(t);
              return v.ok ? fine({ type: 'percent_off', basisPoints: v.value }) : v;
            }
            case 'gift': {
              const v = gift(t);
              return v.ok ? fine({ type: 'gift', ...v.value }) : v;
            }
            case 'points': {
              const v = integer(t, 0);
              return v.ok ? fine({ type: 'points', points: v.value }) : v;
            }
          }
        },
        'required',
      );
    }
    const target = read('target', word(TARGETS, 'a target'), 'order');
    const allocation = read('allocation', word(ALLOCATIONS, 'an allocation'), 'across');
    const priority = read('priority', (t) => integer(t, Number.MIN_SAFE_INTEGER), 100);
    const stackGroup = read<string | null>('stackGroup', fine, null);
    const combinesWith = read(
      'combinesWith',
      (t): Parsed<Record<RuleClass, boolean>> => {
        if (NOTHING.has(t.trim().toLowerCase())) return fine({ item: false, order: false });
        const out = { item: false, order: false };
        for (const item of splitList(t)) {
          const v = TARGETS[item.toLowerCase()];
          if (v === undefined) return bad(`"${item}" is not 商品/item or 订单/order (or 无/none)`);
          out[v] = true;
        }
        return fine(out);
      },
      { item: true, order: true },
    );
    const exclusiveWith = read('exclusiveWith', list, []);
    const stopFurther = read(
      'stopFurther',
      (t): Parsed<boolean> => {
        const s = toHalfWidth(t).trim().toLowerCase();
        return YES.has(s) ? fine(true) : NO.has(s) ? fine(false) : bad(`"${t}" is neither 是/yes nor 否/no`);
      },
      false,
    );
    const from = read('windowFrom', () => wallClock(cellOf('windowFrom'), date1904), 'required');
    const to = read('windowTo', () => wallClock(cellOf('windowTo'), date1904), 'required');
    if (from !== undefined && to !== undefined && !(chinaWallClockToInstant(from) < chinaWallClockToInstant(to))) {
      report('windowTo', `the window ends at ${to}, not after it starts (${from})`);
    }
    const basis = read('basis', word(BASES, 'a time basis'), 'pay');
    const fundedBy = read('fundedBy', word(FUNDERS, 'a funder'), 'shop');
    const platformRef = read<string | null>('platformRef', fine, null);
    const ruleBudget = read<RuleBudget | null>('budget', budget, null);
    const status = read('status', word(STATUSES, 'a status'), 'active');

    if (code !== undefined) {
      const earlier = seen.get(code);
      if (earlier !== undefined) report('code', `rule ${code} is already on row ${earlier}; one row per rule`);
      else seen.set(code, excelRow);
    }
    if (rowErrors.length > 0) {
      errors.push(...rowErrors.sort((a, b) => columnOrder(a.column) - columnOrder(b.column)));
      continue;
    }
    rules.push({
      row: excelRow,
      status: status!,
      budget: ruleBudget!,
      rule: {
        code: code!,
        version: version!,
        label: label!,
        channel: channel!,
        shop: shop!,
        skuScope: { include: include!, exclude: exclude! },
        conditions: {
          ...(minSubtotalFen === undefined ? {} : { minSubtotalFen }),
          ...(minQuantity === undefined ? {} : { minQuantity }),
        },
        benefit: benefit!,
        target: target!,
        allocation: allocation!,
        priority: priority!,
        stackGroup: stackGroup!,
        combinesWith: combinesWith!,
        exclusiveWith: exclusiveWith!,
        stopFurther: stopFurther!,
        window: { from: from!, to: to!, basis: basis! },
        fundedBy: fundedBy!,
        platformRef: platformRef!,
      },
    });
  }
  if (errors.length > 0) return { ok: false, errors };
  if (rules.length === 0) return fileError(`${file.name} holds no rules below its header`);
  return { ok: true, rules };
}

/** A → 1, Z → 26, AA → 27; no column sorts first. */
function columnOrder(column: string | null): number {
  let n = 0;
  for (const ch of column ?? '') n = n * 26 + (ch.charCodeAt(0) - 64);
  return n;
}
