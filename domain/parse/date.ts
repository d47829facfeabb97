/**
 * Due dates, resolved in China time (UTC+8) against the message time.
 *
 * Why hand-written rules and not chrono-node: measured on the 54 date expressions of this
 * module's tests (reference 2026-02-24, `chrono.zh.hans` / `chrono.en`, timezone 480,
 * forwardDate), chrono got 31 right. It returns nothing for 5号, 28号, 5日, 03-05, 3.5前, 月底,
 * 月末, 本月底, 下个月底, 下月底, 两周内, 一周内, 3个工作日内, 月中, 15号前, 这周末, "the 15th",
 * "by 15th"; it gives 3/24 for 3月底/3月上旬/3月中旬/3月下旬 and 3/4 for 下下周三; and in a full
 * message it reads the SKU "BRK-2026-01 5/3/2026" as 2026-01-05. Patching around those misses
 * and its false positives on SKU digits costs more than the ~40 rules below, which are
 * deterministic, linear-time and explain themselves. So chrono is not used.
 *
 * Decisions where the product spec is silent:
 * - Slash dates are month/day (3/5 = March 5), also with a year (5/3/2026 = May 3 2026); only when
 *   the first number cannot be a month (15/3, 24/3/2026) is it read day/month.
 * - A year-less date already past this year means next year; a day-of-month already past means
 *   next month; an explicit full date in the past (2025-12-01) is treated as a typo → no date.
 * - Windows resolve to their last day: 月底/下旬/end of = last day, 上旬/early = 10th, 中旬 = 20th,
 *   月中/mid = 15th, 月初 = 5th, 本周内/这周/周末/weekend = Sunday, "end of week"/EOW = Friday,
 *   N月内/本月内 = last day of that month.
 * - Month or week with no day ("下个月", "3月份", "下周", "next week", "next month", "this month")
 *   and vague spans ("过几天", "几天内", "few days", "soon") are ambiguous → no date.
 * - "N个工作日内" counts Monday–Friday working days (public holidays unknown); "N天内" counts
 *   calendar days: today + N. "N个月内" adds N calendar months; "半个月" is 15 days.
 * - Weekdays: the week starts on Monday. Bare 周五 / Friday = the coming Friday (today if today
 *   is Friday). 本周五 / 这周五 = Friday of this calendar week (no date if already past).
 *   下周二 / "next Tuesday" = Tuesday of next calendar week; 下下周三 = two weeks on.
 * - M.D and M-D (3.5, 2.28, 3-5) are dates only when followed by 前/之前/到/交/号…, preceded by
 *   by/before/交期/截止…, or zero-padded (03-05); otherwise they are decimals or ranges.
 * - Several dates in one message: the first one marked as a deadline (前/之前/到/交/by/before/…)
 *   wins, else the first one.
 */
import { MASK, maskSpans, type Span } from './mask';
import { parseSmallInt } from './numerals';
import {
  addMonths,
  addWorkingDays,
  chinaDay,
  dayToYmd,
  daysInMonth,
  isValidYmd,
  isoWeekday,
  mondayOf,
  shiftMonth,
  ymdToDay,
  type Ymd,
} from './calendar';

export interface DateHit extends Span {
  /** Resolved China-time day number, or null when the expression is ambiguous or in the past. */
  day: number | null;
  deadline: boolean;
  weekday: boolean;
}

interface Ctx {
  today: number;
  ymd: Ymd;
  wd: number;
  text: string;
}

/** undefined: not a date after all (leave the text alone); 'skip': mask, but it is not a date (a time of day). */
type Res = number | null | undefined | 'skip';

interface Rule {
  re: RegExp;
  resolve: (m: RegExpMatchArray, ctx: Ctx) => Res;
  /** A weekday: when written next to a full date ("周一(3/9)", "Mon 3/9") the full date wins. */
  weekday?: boolean;
}

// ---------- helpers ----------

const CN_MONTH = '(?:1[0-2]|0?[1-9]|十[一二]?|[一二三四五六七八九])';
const CN_DAY =
  '(?:3[01]|[12]\\d|0?[1-9]|三十一?|二十[一二三四五六七八九]?|十[一二三四五六七八九]?|[一二三四五六七八九])';
const YEAR = '(?:19|20)\\d{2}';
const MONTH_NAMES =
  '(?:january|february|march|april|may|june|july|august|september|october|november|december|jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec)';
const MONTH_INDEX: Record<string, number> = {
  jan: 1,
  feb: 2,
  mar: 3,
  apr: 4,
  may: 5,
  jun: 6,
  jul: 7,
  aug: 8,
  sep: 9,
  oct: 10,
  nov: 11,
  dec: 12,
};
const EN_NUM: Record<string, number> = {
  a: 1,
  an: 1,
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
  eleven: 11,
  twelve: 12,
  fourteen: 14,
  fifteen: 15,
  twenty: 20,
  thirty: 30,
};
const WEEKDAY_CN: Record<string, number> = { 一: 1, 二: 2, 三: 3, 四: 4, 五: 5, 六: 6, 日: 7, 天: 7 };
const WEEKDAY_EN: Record<string, number> = {
  mon: 1,
  tue: 2,
  wed: 3,
  thu: 4,
  fri: 5,
  sat: 6,
  sun: 7,
};

function num(s: string | undefined): number | null {
  if (s === undefined) return null;
  return parseSmallInt(s);
}

function monthOfName(s: string): number | null {
  return MONTH_INDEX[s.toLowerCase().slice(0, 3)] ?? null;
}

/** Explicit full date: the date, or null if invalid or already past. */
function fullDate(ctx: Ctx, y: number, m: number, d: number): Res {
  if (!isValidYmd(y, m, d)) return undefined;
  const day = ymdToDay(y, m, d);
  return day < ctx.today ? null : day;
}

/** Year-less month/day: this year, or next year if already past. */
function monthDay(ctx: Ctx, m: number, d: number): Res {
  if (m < 1 || m > 12 || d < 1 || d > 31) return undefined;
  for (let y = ctx.ymd.y; y <= ctx.ymd.y + 1; y++) {
    if (!isValidYmd(y, m, d)) return d > daysInMonth(2000, m) ? undefined : null; // 4/31 is no date; 2/29 in a common year is a slip
    const day = ymdToDay(y, m, d);
    if (day >= ctx.today) return day;
  }
  return undefined;
}

/** Day of month: this month, or the next month that has that day if already past. */
function dayOfMonth(ctx: Ctx, d: number): Res {
  if (d < 1 || d > 31) return undefined;
  for (let k = 0; k < 4; k++) {
    const { y, m } = shiftMonth(ctx.ymd.y, ctx.ymd.m, k);
    if (!isValidYmd(y, m, d)) continue;
    const day = ymdToDay(y, m, d);
    if (day >= ctx.today) return day;
  }
  return undefined;
}

type Part = 'end' | 'early' | 'begin' | 'mid' | 'midlate' | 'mid15';

function partOf(raw: string): Part | null {
  switch (raw.toLowerCase().replace(/\s+/g, '')) {
    case '底':
    case '末':
    case '下旬':
    case '中下旬':
    case '内':
    case '之内':
    case '以内':
    case 'end':
    case 'late':
      return 'end';
    case '上旬':
    case 'early':
    case 'beginning':
    case 'start':
    case '上中旬':
      return 'early';
    case '初':
      return 'begin';
    case '中旬':
      return 'midlate';
    case '中':
    case 'mid':
    case 'middle':
      return 'mid15';
    default:
      return null;
  }
}

function partDay(y: number, m: number, part: Part): number {
  const last = daysInMonth(y, m);
  const d = part === 'end' ? last : part === 'early' ? 10 : part === 'begin' ? 5 : part === 'midlate' ? 20 : 15;
  return ymdToDay(y, m, d);
}

/** A part of a named month with no year: this year, next year if past. */
function monthPart(ctx: Ctx, year: number | null, m: number, part: Part): Res {
  if (m < 1 || m > 12) return undefined;
  if (year !== null) {
    if (year < 1900 || year > 2200) return undefined;
    const day = partDay(year, m, part);
    return day < ctx.today ? null : day;
  }
  for (let y = ctx.ymd.y; y <= ctx.ymd.y + 1; y++) {
    const day = partDay(y, m, part);
    if (day >= ctx.today) return day;
  }
  return undefined;
}

/** A part of the month `offset` months from now; bare (no 本月) rolls to next month if past. */
function relMonthPart(ctx: Ctx, offset: number, part: Part, rollIfPast: boolean): Res {
  const { y, m } = shiftMonth(ctx.ymd.y, ctx.ymd.m, offset);
  const day = partDay(y, m, part);
  if (day >= ctx.today) return day;
  if (!rollIfPast) return null;
  const n = shiftMonth(ctx.ymd.y, ctx.ymd.m, offset + 1);
  return partDay(n.y, n.m, part);
}

function coming(ctx: Ctx, wd: number): number {
  return ctx.today + ((wd - ctx.wd + 7) % 7);
}

function weekOffset(prefix: string | undefined): number | 'last' | null {
  if (!prefix) return null;
  const p = prefix.replace(/\s+/g, '').toLowerCase();
  if (p.startsWith('下下')) return 2;
  if (p.startsWith('下') || p === 'next' || p === 'following') return 1;
  if (p.startsWith('上') || p === 'last') return 'last';
  return 0; // 本 / 这 / 今 / this
}

function weekday(ctx: Ctx, prefix: string | undefined, wd: number, bareMeansComing: boolean): Res {
  const off = weekOffset(prefix);
  if (off === 'last') return null;
  if (off === null) return coming(ctx, wd);
  if (off === 0 && bareMeansComing) return coming(ctx, wd);
  const day = mondayOf(ctx.today) + 7 * off + (wd - 1);
  return day < ctx.today ? null : day;
}

function cnCount(s: string): number | null {
  if (s === '半') return 0.5;
  const v = num(s);
  if (v !== null) return v;
  // "两三天", "三五天": a small range → the larger number
  const two = /^([一二两三四五六七八九])([二两三四五六七八九十])$/.exec(s);
  if (two) {
    const a = num(two[1]);
    const b = num(two[2]);
    if (a !== null && b !== null && b > a) return b;
  }
  return null;
}

function addUnits(ctx: Ctx, n: number, unit: 'day' | 'week' | 'month' | 'workday'): Res {
  if (!(n > 0) || n > 3650) return undefined;
  if (unit === 'day') return Number.isInteger(n) ? ctx.today + n : undefined;
  if (unit === 'week') return Number.isInteger(n * 7) ? ctx.today + Math.round(n * 7) : undefined;
  if (unit === 'workday') return Number.isInteger(n) ? addWorkingDays(ctx.today, n) : undefined;
  if (n === 0.5) return ctx.today + 15;
  return Number.isInteger(n) ? addMonths(ctx.today, n) : undefined;
}

function slashDate(ctx: Ctx, a: number, b: number, year: number | null): Res {
  let m = a;
  let d = b;
  if (a > 12 && b <= 12) {
    m = b;
    d = a;
  }
  if (year !== null) return fullDate(ctx, year, m, d);
  return monthDay(ctx, m, d);
}

// ---------- rules (order matters: earlier rules mask their text) ----------

const DEADLINE_AFTER_RE = /^\s*(?:之前|以前|前|到货|到|交货|交|为止|截止|送到|发货|出货|完成|要|需要)/;
const DEADLINE_BEFORE_RE =
  /(?:\bby|\bbefore|\bdue|\buntil|\btill|\bno\s+later\s+than|\bnot\s+later\s+than|\bdeadline|截止|截至|交期|交货期|交货|最晚|最迟|要求|需在|在)\s*(?:[:：]\s*)?(?:(?:the|on)\s+)?$/i;
const MD_DATE_AFTER_RE = /^\s*(?:之前|以前|前|到货|到|交货|交|为止|截止|送到|发货|出货|号|日)/;
const MD_DATE_BEFORE_RE =
  /(?:\bby|\bbefore|\bdue|\buntil|\btill|\bon|\beta|\bdate|\bdeadline|截止|截至|交期|交货期|交货|到货|最晚|最迟)\s*(?:[:：]\s*)?$/i;

const RULES: Rule[] = [
  // Times of day are masked so their digits are not read as quantities.
  { re: /(?<![\d.])(?:[01]?\d|2[0-3])\s*:\s*[0-5]\d(?!\d)/g, resolve: () => 'skip' },
  {
    re: /(?<![\d.])(?:\d{1,2}|[一二三四五六七八九十]{1,3})\s*(?:点|點)(?:\s*(?:半|钟|一刻|\d{1,2}\s*分))?/g,
    resolve: () => 'skip',
  },
  { re: /(?<![\d.])\d{1,2}(?:[.:]\d{2})?\s*(?:am|pm)\b/gi, resolve: () => 'skip' },

  // 2026-04-01, 2026/4/1, 2026.3.5, 2026年3月28日
  {
    re: new RegExp(
      `(?<![\\d.])(${YEAR})\\s*(?:[-/.]|年)\\s*(${CN_MONTH})\\s*(?:[-/.]|月)\\s*(${CN_DAY})(?!\\d)(?:\\s*[日号])?`,
      'g',
    ),
    resolve: (m, ctx) => {
      const y = num(m[1]);
      const mo = num(m[2]);
      const d = num(m[3]);
      return y === null || mo === null || d === null ? undefined : fullDate(ctx, y, mo, d);
    },
  },
  // 3/5/2026 (US month/day/year), 24/3/2026 (day first only when it cannot be a month)
  {
    re: /(?<![\d/.])(\d{1,2})\s*\/\s*(\d{1,2})\s*\/\s*(\d{4}|\d{2})(?![\d/])/g,
    resolve: (m, ctx) => {
      const a = Number(m[1]);
      const b = Number(m[2]);
      let y = Number(m[3]);
      if (y < 100) y += 2000;
      return slashDate(ctx, a, b, y);
    },
  },
  // 3月底, 3月上旬, 2026年3月中旬, 3月份内, 3月中
  {
    re: new RegExp(
      `(?<![\\d.])(?:(${YEAR})\\s*年\\s*)?(${CN_MONTH})\\s*月(?:\\s*份)?(?:\\s*的)?\\s*(中下旬|上中旬|上旬|中旬|下旬|底|末|初|中|之内|以内|内)`,
      'g',
    ),
    resolve: (m, ctx) => {
      const mo = num(m[2]);
      const part = partOf(m[3] as string);
      if (mo === null || part === null) return undefined;
      return monthPart(ctx, m[1] ? Number(m[1]) : null, mo, part);
    },
  },
  // 3月5日, 3月5号, 3月5, 三月五日, 2026年3月28日 (already above)
  {
    re: new RegExp(
      `(?<![\\d.])(?:(${YEAR})\\s*年\\s*)?(${CN_MONTH})\\s*月\\s*(${CN_DAY})(?!\\d)(?:\\s*([日号]))?`,
      'g',
    ),
    resolve: (m, ctx) => {
      const mo = num(m[2]);
      const d = num(m[3]);
      if (mo === null || d === null) return undefined;
      if (!m[4]) {
        const after = ctx.text.slice((m.index ?? 0) + m[0].length, (m.index ?? 0) + m[0].length + 4);
        if (/^\s*(?:[.个件套只支箱片台天周]|pcs?|sets?|units?)/i.test(after)) return undefined;
      }
      if (m[1]) return fullDate(ctx, Number(m[1]), mo, d);
      return monthDay(ctx, mo, d);
    },
  },
  // 3月, 3月份, 2026年3月: a month with no day is ambiguous
  {
    re: new RegExp(`(?<![\\d.])(?:(${YEAR})\\s*年\\s*)?(${CN_MONTH})\\s*月(?:\\s*份)?`, 'g'),
    resolve: () => null,
  },
  // 2026年底, 今年底, 年底, 年末
  {
    re: new RegExp(`(?:(${YEAR})\\s*年|(今|本|明)年|(?<![\\d\\u4e00-\\u9fff])年)\\s*(底|末)`, 'g'),
    resolve: (m, ctx) => {
      const y = m[1] ? Number(m[1]) : m[2] === '明' ? ctx.ymd.y + 1 : ctx.ymd.y;
      const day = ymdToDay(y, 12, 31);
      return day < ctx.today ? null : day;
    },
  },
  // Any remaining year ("2027年前", "明年"): not a date we can use, but never a quantity either.
  { re: new RegExp(`(?<!\\d)(?:${YEAR})\\s*年|明年|今年|去年`, 'g'), resolve: () => null },
  // 本月底, 下个月底, 下月中, 下个月5号, 下个月 (alone: ambiguous)
  {
    re: new RegExp(
      `(下下个月|下下月|下个月|下月|次月|本月|这个月|这月|当月)(?:\\s*份)?(?:\\s*的)?(?:\\s*(中下旬|上中旬|上旬|中旬|下旬|底|末|初|中|之内|以内|内|(${CN_DAY})\\s*[号日]))?`,
      'g',
    ),
    resolve: (m, ctx) => {
      const p = m[1] as string;
      const off = p.startsWith('下下') ? 2 : p.startsWith('下') || p === '次月' ? 1 : 0;
      if (m[3]) {
        const d = num(m[3]);
        if (d === null) return undefined;
        const { y, m: mo } = shiftMonth(ctx.ymd.y, ctx.ymd.m, off);
        return fullDate(ctx, y, mo, d) ?? null;
      }
      if (!m[2]) return null;
      const part = partOf(m[2]);
      return part === null ? undefined : relMonthPart(ctx, off, part, false);
    },
  },
  // 月底, 月末, 月中, 月初, 中下旬 (this month; the next one if already past)
  {
    re: /月\s*(中下旬|上旬|中旬|下旬|底|末|初|中)/g,
    resolve: (m, ctx) => {
      const part = partOf(m[1] as string);
      return part === null ? undefined : relMonthPart(ctx, 0, part, true);
    },
  },
  { re: /(中下旬|上旬|中旬|下旬)/g, resolve: (m, ctx) => relMonthPart(ctx, 0, partOf(m[1] as string) as Part, true) },
  // 周五, 本周五, 下周二, 下下周三, 星期五, 礼拜五, 下个礼拜天
  {
    re: /(?:(下下个?|下个?|本|这个?|今|上个?)\s*)?(?:周|星期|礼拜|週|禮拜)\s*([一二三四五六日天1-7])(?!\d)/g,
    resolve: (m, ctx) => {
      const c = m[2] as string;
      const wd = WEEKDAY_CN[c] ?? Number(c);
      return weekday(ctx, m[1], wd, false);
    },
    weekday: true,
  },
  // 周末, 这周末, 下周末 → Sunday
  {
    re: /(?:(下下个?|下个?|本|这个?|上个?)\s*)?(?:周末|週末)/g,
    resolve: (m, ctx) => weekday(ctx, m[1] ?? '本', 7, false),
  },
  // 本周内, 这周, 下周内 → Sunday of that week; 下周 alone is ambiguous
  {
    re: /(下下个?|下个?|本|这个?|上个?)\s*(?:周|星期|礼拜)(?:\s*(之内|以内|内))?/g,
    resolve: (m, ctx) => {
      const off = weekOffset(m[1]);
      if (off === 'last') return null;
      if (off !== 0 && !m[2]) return null;
      return weekday(ctx, m[1], 7, false);
    },
  },
  // 过几天, 几天内, 过段时间: ambiguous
  {
    re: /过\s*(?:几|两|一两|两三)\s*天|几\s*(?:个\s*)?(?:天|周|星期|礼拜|工作日|个月)(?:\s*(?:之内|以内|内))?|过段时间|过阵子|一段时间/g,
    resolve: () => null,
  },
  // 5天内, 5日内, 两周内, 一周内, 3个工作日内, 一个月内, 半个月, 3-5天, 10天后
  {
    re: /(?<![\d.])(\d{1,4}|[一二两三四五六七八九十半]{1,3})\s*(?:[-~到至]\s*(\d{1,4}|[一二两三四五六七八九十]{1,3})\s*)?(个\s*)?(工作日|天|日|周|星期|礼拜|月)(?:\s*(之内|以内|内|之后|以后|后|左右|前))?/g,
    resolve: (m, ctx) => {
      const n = cnCount(m[2] ?? (m[1] as string));
      const unitRaw = m[4] as string;
      const suffix = m[5];
      if (n === null) return undefined;
      if (suffix === '前') return unitRaw === '日' ? undefined : null; // "5天前" = five days ago; "5日前" is the 5th
      if (unitRaw === '日' && !suffix) return undefined; // "5日" is a day of the month
      if (unitRaw === '月') return m[3] || n === 0.5 ? addUnits(ctx, n, 'month') : undefined;
      if ((unitRaw === '星期' || unitRaw === '礼拜') && n === 0.5) return undefined;
      const unit = unitRaw === '工作日' ? 'workday' : unitRaw === '天' || unitRaw === '日' ? 'day' : 'week';
      if (unit === 'day' && n === 0.5) return undefined;
      return addUnits(ctx, n, unit);
    },
  },
  // 今天, 明天, 后天, 大后天
  {
    re: /(大后天|后天|明天|明日|明早|明晚|明儿|今天|今日|今晚|今早|今儿|当天|即日|昨天|前天)/g,
    resolve: (m, ctx) => {
      const w = m[1] as string;
      if (w === '昨天' || w === '前天') return null;
      if (w === '大后天') return ctx.today + 3;
      if (w === '后天') return ctx.today + 2;
      if (w.startsWith('明')) return ctx.today + 1;
      return ctx.today;
    },
  },
  // 5号, 15日, 十五号 (this month, next month if past)
  {
    re: new RegExp(
      `(?<![\\d.\\/\\-月])(${CN_DAY})(?!\\d)\\s*[号日](?!\\s*(?:之内|以内|内|线|机|楼|仓|车间|门|位|口|厂|库|模))`,
      'g',
    ),
    resolve: (m, ctx) => {
      const d = num(m[1]);
      return d === null ? undefined : dayOfMonth(ctx, d);
    },
  },
  // 12-15号: a range of days of the month → the last one
  {
    re: new RegExp(
      `(?<![\\d.\\/\\-月])(${CN_DAY})\\s*[-~到至]\\s*(${CN_DAY})(?!\\d)\\s*[号日](?!\\s*(?:之内|以内|内))`,
      'g',
    ),
    resolve: (m, ctx) => {
      const a = num(m[1]);
      const b = num(m[2]);
      return a === null || b === null || b <= a ? undefined : dayOfMonth(ctx, b);
    },
  },
  // 3.5前, 2.28之前, 3-5交, 03-05 (month.day only when it clearly is a date)
  {
    re: /(?<![\d./-])(\d{1,2})([.-])(\d{1,2})(?![\d/]|[.-]\d)(?:\s*[号日])?/g,
    resolve: (m, ctx) => {
      const start = m.index ?? 0;
      const end = start + m[0].length;
      const hasSuffix = /[号日]$/.test(m[0]);
      const after = ctx.text.slice(end, end + 6);
      const before = ctx.text.slice(Math.max(0, start - 24), start);
      const padded =
        m[2] === '-' &&
        /^\d\d$/.test(m[1] as string) &&
        /^\d\d$/.test(m[3] as string) &&
        (m[1] as string).startsWith('0');
      if (!(hasSuffix || MD_DATE_AFTER_RE.test(after) || MD_DATE_BEFORE_RE.test(before) || padded)) return undefined;
      return monthDay(ctx, Number(m[1]), Number(m[3]));
    },
  },
  // 3/5 (month/day; day/month only when the first number cannot be a month)
  {
    re: /(?<![\d/.])(\d{1,2})\s*\/\s*(\d{1,2})(?![\d/]|\.\d)/g,
    resolve: (m, ctx) => (m[0] === '24/7' ? undefined : slashDate(ctx, Number(m[1]), Number(m[2]), null)),
  },

  // ---------- English ----------
  // Mar 5, March 5th, Mar. 5, 2026
  {
    re: new RegExp(
      `\\b(${MONTH_NAMES})(?![a-z])\\.?\\s*(\\d{1,2})(?:st|nd|rd|th)?(?![\\d])(?![a-z])(?:(?:,\\s*|\\s+)(${YEAR})(?!\\d))?`,
      'gi',
    ),
    resolve: (m, ctx) => {
      const mo = monthOfName(m[1] as string);
      const d = Number(m[2]);
      if (mo === null) return undefined;
      return m[3] ? fullDate(ctx, Number(m[3]), mo, d) : monthDay(ctx, mo, d);
    },
  },
  // 5 March, 5th of March, 5 Mar 2026
  {
    re: new RegExp(
      `(?<![\\d.])(\\d{1,2})(?:st|nd|rd|th)?\\s*(?:of\\s+)?(${MONTH_NAMES})(?![a-z])\\.?(?:(?:,\\s*|\\s+)(${YEAR})(?!\\d))?`,
      'gi',
    ),
    resolve: (m, ctx) => {
      const mo = monthOfName(m[2] as string);
      const d = Number(m[1]);
      if (mo === null) return undefined;
      return m[3] ? fullDate(ctx, Number(m[3]), mo, d) : monthDay(ctx, mo, d);
    },
  },
  // end of month, end of March, mid-March, early April, end of next month
  {
    re: new RegExp(
      `\\b(end|mid|middle|early|late|beginning|start)(?:\\s*-\\s*|\\s+)(?:of\\s+)?(?:the\\s+)?(this\\s+month|next\\s+month|month|${MONTH_NAMES})(?![a-z])`,
      'gi',
    ),
    resolve: (m, ctx) => {
      const part = partOf(m[1] as string);
      const what = (m[2] as string).toLowerCase().replace(/\s+/g, ' ');
      if (part === null) return undefined;
      if (what === 'month') return relMonthPart(ctx, 0, part, true);
      if (what === 'this month') return relMonthPart(ctx, 0, part, false);
      if (what === 'next month') return relMonthPart(ctx, 1, part, false);
      const mo = monthOfName(what);
      return mo === null ? undefined : monthPart(ctx, null, mo, part);
    },
  },
  {
    re: /\b(?:eom|month[\s-]end|mid-?month)\b/gi,
    resolve: (m, ctx) => relMonthPart(ctx, 0, /mid/i.test(m[0]) ? 'mid15' : 'end', true),
  },
  { re: /\b(?:end\s+of\s+(?:the\s+)?year|eoy|year[\s-]end)\b/gi, resolve: (_m, ctx) => ymdToDay(ctx.ymd.y, 12, 31) },
  // end of (this|next) week / EOW → Friday
  {
    re: /\b(?:end\s+of\s+(?:the\s+)?(this\s+|next\s+)?week|eow)\b/gi,
    resolve: (m, ctx) => weekday(ctx, m[1]?.trim() || 'this', 5, false),
  },
  { re: /\b(this\s+|next\s+)?weekend\b/gi, resolve: (m, ctx) => weekday(ctx, m[1]?.trim() || 'this', 7, false) },
  { re: /\b(?:within\s+)?this\s+week\b/gi, resolve: (_m, ctx) => weekday(ctx, 'this', 7, false) },
  {
    re: /\b(?:next|this|coming)\s+(?:week|month)\b|\b(?:in\s+|within\s+)?(?:a\s+)?(?:few|couple(?:\s+of)?)\s+(?:days|weeks)\b|\bsoon\b/gi,
    resolve: () => null,
  },
  // today, tomorrow, day after tomorrow
  { re: /\b(?:(?:the\s+)?day\s+after\s+tomorrow|overmorrow)\b/gi, resolve: (_m, ctx) => ctx.today + 2 },
  { re: /\b(?:tomorrow|tomorow|tmr|tmrw|tmw|2moro)\b/gi, resolve: (_m, ctx) => ctx.today + 1 },
  { re: /\b(?:today|tonight|tdy|eod|end\s+of\s+(?:the\s+)?day|cob)\b/gi, resolve: (_m, ctx) => ctx.today },
  { re: /\byesterday\b/gi, resolve: () => null },
  // Friday, this Friday, next Monday, Fri
  {
    re: /\b(?:(this|next|coming|the\s+coming|following|last)\s+)?(monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tues|tue|weds|wed|thurs|thur|thu|fri|sat|sun)\b\.?/gi,
    resolve: (m, ctx) => {
      const wd = WEEKDAY_EN[(m[2] as string).toLowerCase().slice(0, 3)] as number;
      const p = m[1]?.toLowerCase().replace(/\s+/g, ' ');
      if (p === 'last') return null;
      return weekday(ctx, p === 'next' || p === 'following' ? 'next' : undefined, wd, true);
    },
    weekday: true,
  },
  // within 10 days, in 3 days, within 2 weeks, within 3 working days, within a month
  {
    re: /\b(?:within|in|inside|under)\s+(?:the\s+)?(?:next\s+)?(\d{1,4}|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fourteen|fifteen|twenty|thirty)\s*(?:(?:-|to)\s*(\d{1,4})\s*)?(business\s+|working\s+|calendar\s+)?(days?|weeks?|wks?|months?)\b/gi,
    resolve: (m, ctx) => {
      const raw = (m[2] ?? (m[1] as string)).toLowerCase();
      const n = /^\d+$/.test(raw) ? Number(raw) : EN_NUM[raw];
      if (n === undefined) return undefined;
      const u = (m[4] as string).toLowerCase();
      const unit = u.startsWith('d')
        ? m[3] && !/calendar/i.test(m[3])
          ? 'workday'
          : 'day'
        : u.startsWith('m')
          ? 'month'
          : 'week';
      return addUnits(ctx, n, unit);
    },
  },
  // the 15th, by 15th
  {
    re: /(?<![\d.])(\d{1,2})(?:st|nd|rd|th)\b(?!\s+(?:batch|lot|shipment|order|time|round|pieces?|pcs?|items?|samples?|floor|line|article|version|rev|revision|edition|delivery|week|day|month|year|of|one|place|attempt|try))/gi,
    resolve: (m, ctx) => dayOfMonth(ctx, Number(m[1])),
  },
  // in March, by May: a month with no day is ambiguous
  {
    re: new RegExp(
      `\\b(?:in|by|during|before|until|till)\\s+(?:the\\s+)?(?:end\\s+of\\s+)?${MONTH_NAMES}(?![a-z])`,
      'gi',
    ),
    resolve: () => null,
  },
];

/** Beyond this many date expressions in one message the rest are only masked (keeps time linear). */
const MAX_HITS = 200;

export interface DateResult {
  hits: DateHit[];
  masked: string;
  /** The chosen due day (China-time day number) or null. */
  due: number | null;
}

/** Finds date expressions in `text` (already masked for refs/SKUs/specs). `now` may be invalid. */
export function findDates(text: string, now: Date): DateResult {
  const t = now.getTime();
  let today = Number.isFinite(t) ? chinaDay(now) : 0;
  // Outside 1900–2199 the message time is nonsense; no date is resolved (results stay 'YYYY-MM-DD').
  const valid = Number.isFinite(t) && dayToYmd(today).y >= 1900 && dayToYmd(today).y <= 2199;
  if (!valid) today = 0;
  const ctx: Ctx = { today, ymd: dayToYmd(today), wd: isoWeekday(today), text };
  const hits: DateHit[] = [];
  let w = text;
  for (const rule of RULES) {
    const spans: Span[] = [];
    ctx.text = w;
    // exec on the rule's own (global) regex: matchAll would clone it for every rule of every message.
    const re = rule.re;
    re.lastIndex = 0;
    for (let m = re.exec(w); m !== null; m = re.exec(w)) {
      if (m[0].length === 0) {
        re.lastIndex++;
        continue;
      }
      let r: Res;
      try {
        r = rule.resolve(m, ctx);
      } catch {
        r = undefined;
      }
      if (r === undefined) continue;
      const start = m.index;
      const end = start + m[0].length;
      spans.push({ start, end });
      if (r === 'skip' || hits.length >= MAX_HITS) continue;
      const day = valid && r !== null && r >= today && dayToYmd(r).y <= 9999 ? r : null;
      const deadline =
        day !== null &&
        (DEADLINE_AFTER_RE.test(w.slice(end, end + 8)) ||
          DEADLINE_BEFORE_RE.test(w.slice(Math.max(0, start - 24), start)));
      hits.push({ start, end, day, deadline, weekday: rule.weekday === true });
    }
    w = maskSpans(w, spans, MASK.date);
  }
  hits.sort((a, b) => a.start - b.start);
  // "周一(3/9)", "3月9日（周一）", "Mon 3/9": the weekday only annotates the full date next to it.
  const annotated = (h: DateHit, other: DateHit | undefined): boolean => {
    if (!other || other.weekday || other.day === null) return false;
    const gap = h.end <= other.start ? w.slice(h.end, other.start) : w.slice(other.end, h.start);
    return gap.length <= 4 && /^[\s(),，、[\]【】]*$/.test(gap);
  };
  const kept = hits.filter((h, i) => !(h.weekday && (annotated(h, hits[i - 1]) || annotated(h, hits[i + 1]))));
  for (let i = 0; i < kept.length; i++) {
    const h = kept[i] as DateHit;
    // "3月9日（周一）前": the deadline word after the weekday belongs to the date
    if (h.day !== null && !h.deadline && i < hits.length) {
      const dropped = hits.find((x) => x.weekday && x.start >= h.end && x.start - h.end <= 4 && !kept.includes(x));
      if (dropped && DEADLINE_AFTER_RE.test(w.slice(dropped.end, dropped.end + 8).replace(/^[)）\]】]+/, '')))
        h.deadline = true;
    }
  }
  const resolved = kept.filter((h) => h.day !== null);
  const pick = resolved.find((h) => h.deadline) ?? resolved[0];
  return { hits: kept, masked: w, due: pick ? pick.day : null };
}
