/**
 * Chat commands by which production leads report a mould's state when there is no MES:
 *
 *   #3模具 维修 至 3/2          3号模具维修到3月2日          M-3 模具 保养 至 3月5日
 *   #3模具 恢复                  3号模具修好了                 M-12 恢复使用
 *   mould M-3 in repair until 3/2                             mould #3 back in service
 *
 * Pure and linear-time: no I/O, no clock other than `now`. Decisions where the brief is silent:
 * - A message is a mould command only when it names exactly one mould AND says a state; the mould is
 *   named by `M-3` / `M3` on its own, or by `#3` / `3号` / `3#` / `3` next to 模具 / mould / mold.
 *   Bare "3号" is a day of the month in Chinese, never a mould.
 * - Ids are normalised to the demo form "M-<n>" (#3, 3号, M3, m-3, M-03 → "M-3").
 * - Whatever is left once the mould, the state words, the date and filler words are taken out must
 *   contain no digits and no unknown Latin words, and be short: so order messages ("BRK-2026-01 ×5
 *   3/5", "需要BRK-2026-01样品5件，M-3模具修好后发") and questions ("M-3修好了吗？") are not commands;
 *   neither is any message with order words (交货, 发货, 样品, 件, sample, deliver…).
 * - Dates are China dates. A date with no year already past means next year ("3/2" on 3/10 →
 *   next year's 3/2); a bare day already past ("修到5号") means next month; an explicit full date in
 *   the past is a typo → not a command (as in domain/parse/date.ts). 今天/明天/后天 are supported.
 * - "维修"/"保养" with no date → `{status: 'repair'|'maintenance', availableFrom: null}`: the mould is
 *   out of service and nobody knows until when (unknown end). The caller records it as such.
 * - "恢复"/"修好"/"back in service" with no date → ok. With a future date and no "已/since"
 *   ("M-3 3月5日恢复使用", "back in service on 3/5") the mould is still out until then → repair until
 *   that date. With "已" / "since" ("M-3 已于3月1日修好") → ok now.
 * - A negated completion ("还没修好", "not fixed yet") means still in repair.
 * - Repair and maintenance words together ("维修保养") → repair.
 */
import { chinaDate } from './china-time';

export type MouldStatus = 'repair' | 'maintenance' | 'ok';

export interface MouldCommand {
  /** Normalised id, e.g. "M-3". */
  mould: string;
  status: MouldStatus;
  /** YYYY-MM-DD China date the mould is usable again; null for ok, or for repair/maintenance with no known end. */
  availableFrom: string | null;
}

const MAX_LENGTH = 200;
/** Longest CJK remainder (after removing the command's parts) still accepted as chat filler. */
const MAX_LEFTOVER_CJK = 10;

const WORD = '(?:模具|mou?lds?)';
/** Patterns naming a mould; group 1 is the number. Applied to lower-cased NFKC text. */
const MOULD_PATTERNS: RegExp[] = [
  // 模具M-3, 模具#3, 模具3号, mould m-3, mould #3, mould no. 3, mould 3 (not "模具 3/2", "模具3月").
  new RegExp(`${WORD}\\s*(?:m\\s*-?\\s*|#\\s*|no\\.?\\s*)?(\\d{1,4})(?:\\s*[号#])?(?![\\d/月.\\-日号])`, 'gu'),
  // #3模具, 3号模具, 3#模具, #3 mould.
  new RegExp(`(?:#\\s*(\\d{1,4})|(\\d{1,4})\\s*[号#])\\s*${WORD}`, 'gu'),
  // M-3, M3, m - 3 on their own (not inside a code such as DSM-12 or M-3310-A).
  /(?<![\p{L}\d-])m(?:\s*-\s*)?(\d{1,4})(?![\p{Script=Latin}\d]|-[\p{Script=Latin}\d])/gu,
];

/** Completion phrases; matched (and removed) before the repair words, since 维修好 contains 维修. */
const OK_PATTERN =
  /维修好|维修完成|维修完毕|修理好|保养好|保养完成|保养完毕|保养完|修好|修复|修完|已修|恢复使用|恢复生产|恢复正常|恢复|可以用|可用|能用|正常使用|好了|back in service|back in use|back in production|back online|back|in service|repaired|fixed|available|ok|okay|running/gu;
const NEGATION_BEFORE = /(?:没|未|不|尚未|还没|没有|not|n't|never)\s*(?:yet\s*)?(?:been\s*)?$/u;
const REPAIR_PATTERN =
  /维修|修理|在修|返修|送修|待修|修模|坏了|损坏|故障|修(?=\s*(?:到|至))|out of service|out of order|in repair|under repair|being repaired|repairing|repair|broken|down/gu;
const MAINTENANCE_PATTERN = /保养|维护|检修|点检|maintenance|servicing|being serviced|serviced/gu;
/** Words of an order or a delivery: such a message is never a mould command, whatever else it says. */
const ORDER_WORDS =
  /交货|交期|发货|到货|送货|订单|下单|订购|样品|样件|批量|客户|报价|[件套个箱]|pcs|\b(?:samples?|orders?|deliver\w*|ship\w*|qty|quantity)\b/u;
const QUESTION =
  /[?]|吗|么|呢|什么时候|何时|几时|多久|是否|有没有|能不能|\b(?:when|whether|is|are|does|can|how)\s+(?:the\s+)?(?:mou?ld|m-?\d)/u;

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const MONTH_RE = '(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\\.?';

interface DateRule {
  re: RegExp;
  resolve(m: RegExpExecArray, today: Ymd): string | null | undefined;
}
interface Ymd {
  y: number;
  m: number;
  d: number;
}

const DATE_RULES: DateRule[] = [
  // 2026-03-02, 2026/3/2, 2026.3.2, 2026年3月2日: explicit, a past one is a typo.
  {
    re: /(?<!\d)(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?(?!\d)/gu,
    resolve: (m, today) => explicit(Number(m[1]), Number(m[2]), Number(m[3]), today),
  },
  // 3月2日, 3月2号, 3月2
  {
    re: /(?<!\d)(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]?(?!\d)/gu,
    resolve: (m, today) => monthDay(Number(m[1]), Number(m[2]), today),
  },
  // 3/2
  {
    re: /(?<![\d/])(\d{1,2})\s*\/\s*(\d{1,2})(?![\d/])/gu,
    resolve: (m, today) => monthDay(Number(m[1]), Number(m[2]), today),
  },
  // Mar 2, March 2nd
  {
    re: new RegExp(`\\b${MONTH_RE}\\s*(\\d{1,2})(?:st|nd|rd|th)?\\b`, 'gu'),
    resolve: (m, today) => monthDay(MONTHS.indexOf(m[1]!) + 1, Number(m[2]), today),
  },
  // 2 March, 2nd of March
  {
    re: new RegExp(`\\b(\\d{1,2})(?:st|nd|rd|th)?\\s+(?:of\\s+)?${MONTH_RE}(?![a-z])`, 'gu'),
    resolve: (m, today) => monthDay(MONTHS.indexOf(m[2]!) + 1, Number(m[1]), today),
  },
  // 5号, 5日: a day of this month, or of next month when already past.
  { re: /(?<![\d月/])(\d{1,2})\s*[日号](?!\d)/gu, resolve: (m, today) => dayOfMonth(Number(m[1]), today) },
  { re: /今天|今日|today/gu, resolve: (_m, today) => addDays(today, 0) },
  { re: /明天|明日|tomorrow/gu, resolve: (_m, today) => addDays(today, 1) },
  { re: /后天/gu, resolve: (_m, today) => addDays(today, 2) },
];

/** What may be left of a command: connectors and chat filler. */
const FILLER_CJK =
  /模具|预计|预期|估计|大概|可能|需要|需|将|会|要|才|再|已经|已|于|至|到|了|啦|的|中|在|正在|还|目前|现在|开始|从|起|进行|请|更新|一下|后|前|左右|号|日|修|好|用|使用|吧|哦|噢|呀|啊|嗯|收到|通知|大家|各位|一切/gu;
const FILLER_EN = new Set([
  'mould',
  'mold',
  'moulds',
  'molds',
  'is',
  'are',
  'in',
  'the',
  'until',
  'till',
  'til',
  'to',
  'by',
  'on',
  'from',
  'will',
  'be',
  'expected',
  'now',
  'again',
  'for',
  'under',
  'of',
  'at',
  'it',
  'its',
  "it's",
  'has',
  'been',
  'and',
  'we',
  'still',
  'yet',
  'not',
  'please',
  'update',
  'service',
  'use',
  'since',
  'as',
  'currently',
  'today',
  'no',
  'fyi',
  'hi',
  'hello',
  'all',
  'team',
  'guys',
  'a',
  'an',
  'due',
  'around',
  'about',
  'expect',
  'should',
  'back',
  'production',
  'online',
  'through',
]);

/** The mould command in a chat message, or null when the message is anything else. Never throws. */
export function parseMouldCommand(text: string, now: Date): MouldCommand | null {
  if (typeof text !== 'string' || text.length === 0 || text.length > MAX_LENGTH) return null;
  if (!(now instanceof Date) || Number.isNaN(now.getTime())) return null;
  let s = text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\u200b-\u200d\ufeff]/g, '');
  s = s.replace(/@[^\s@]+/gu, ' ');
  if (QUESTION.test(s) || ORDER_WORDS.test(s)) return null;

  // 1. Exactly one mould.
  const numbers = new Set<number>();
  for (const pattern of MOULD_PATTERNS) {
    s = s.replace(pattern, (...args: unknown[]) => {
      const digits = [args[1], args[2]].find((g): g is string => typeof g === 'string');
      if (digits !== undefined) numbers.add(Number(digits));
      return ' ';
    });
  }
  if (numbers.size !== 1) return null;
  const mould = `M-${[...numbers][0]!}`;

  // 2. The state words.
  const since = /已|since/u.test(s);
  let okHit = false as boolean;
  let negatedOk = false as boolean;
  s = s.replace(OK_PATTERN, (match: string, offset: number, whole: string) => {
    if (/^[a-z]/.test(match) && !wordBounded(whole, offset, match.length)) return match;
    if (NEGATION_BEFORE.test(whole.slice(Math.max(0, offset - 16), offset))) negatedOk = true;
    else okHit = true;
    return ' ';
  });
  let repairHit = false as boolean;
  let maintenanceHit = false as boolean;
  s = s.replace(MAINTENANCE_PATTERN, (match: string, offset: number, whole: string) => {
    if (/^[a-z]/.test(match) && !wordBounded(whole, offset, match.length)) return match;
    maintenanceHit = true;
    return ' ';
  });
  s = s.replace(REPAIR_PATTERN, (match: string, offset: number, whole: string) => {
    if (/^[a-z]/.test(match) && !wordBounded(whole, offset, match.length)) return match;
    repairHit = true;
    return ' ';
  });
  if (!okHit && !negatedOk && !repairHit && !maintenanceHit) return null;

  // 3. At most one date.
  const today = ymdOf(chinaDate(now));
  const dates = new Set<string>();
  let badDate = false as boolean;
  for (const rule of DATE_RULES) {
    rule.re.lastIndex = 0;
    s = s.replace(rule.re, (...args: unknown[]) => {
      const match = args.slice(0, -2) as unknown as RegExpExecArray;
      const resolved = rule.resolve(match, today);
      if (resolved === undefined || resolved === null) badDate = true;
      else dates.add(resolved);
      return ' ';
    });
  }
  if (badDate || dates.size > 1) return null;
  const date = dates.size === 1 ? [...dates][0]! : null;

  // 4. Nothing else of substance.
  if (!onlyFiller(s)) return null;

  const outOfService = repairHit || maintenanceHit || negatedOk;
  const outStatus: MouldStatus = maintenanceHit && !repairHit && !negatedOk ? 'maintenance' : 'repair';
  if (outOfService) {
    if (date !== null) return { mould, status: outStatus, availableFrom: date };
    if (okHit && !negatedOk) return { mould, status: 'ok', availableFrom: null };
    return { mould, status: outStatus, availableFrom: null };
  }
  // Only a completion word.
  if (date !== null && !since && date !== isoOf(today)) return { mould, status: 'repair', availableFrom: date };
  return { mould, status: 'ok', availableFrom: null };
}

function wordBounded(whole: string, offset: number, length: number): boolean {
  const before = whole[offset - 1];
  const after = whole[offset + length];
  const letter = (c: string | undefined) => c !== undefined && /[a-z0-9']/.test(c);
  return !letter(before) && !letter(after);
}

function onlyFiller(rest: string): boolean {
  if (/\d/.test(rest)) return false;
  const latinWords = rest.match(/[a-z][a-z'.]*/g) ?? [];
  if (latinWords.some((w) => !FILLER_EN.has(w.replace(/\.$/, '')))) return false;
  const cjk =
    rest.replace(FILLER_CJK, '').match(/[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/gu) ??
    [];
  if (cjk.length > MAX_LEFTOVER_CJK) return false;
  // Quantity marks belong to orders.
  return !/[×*]/u.test(rest);
}

function ymdOf(iso: string): Ymd {
  return { y: Number(iso.slice(0, 4)), m: Number(iso.slice(5, 7)), d: Number(iso.slice(8, 10)) };
}

const isoOf = (d: Ymd) => iso(d.y, d.m, d.d);

function daysIn(y: number, m: number): number {
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
}

function iso(y: number, m: number, d: number): string | null {
  if (!Number.isInteger(y) || m < 1 || m > 12 || d < 1 || d > daysIn(y, m)) return null;
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

const compare = (a: Ymd, y: number, m: number, d: number) => (a.y - y) * 10_000 + (a.m - m) * 100 + (a.d - d);

function explicit(y: number, m: number, d: number, today: Ymd): string | null {
  const date = iso(y, m, d);
  if (date === null || compare(today, y, m, d) > 0) return null;
  return date;
}

function monthDay(m: number, d: number, today: Ymd): string | null {
  if (m < 1 || m > 12) return null;
  const y = compare(today, today.y, m, d) > 0 ? today.y + 1 : today.y;
  return iso(y, m, d);
}

function dayOfMonth(d: number, today: Ymd): string | null {
  if (d >= today.d) return iso(today.y, today.m, d);
  const next = today.m === 12 ? { y: today.y + 1, m: 1 } : { y: today.y, m: today.m + 1 };
  return iso(next.y, next.m, d);
}

function addDays(today: Ymd, n: number): string {
  return new Date(Date.UTC(today.y, today.m - 1, today.d + n)).toISOString().slice(0, 10);
}
