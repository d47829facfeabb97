/**
 * Chat commands about approvals, as sales and approvers type them:
 *
 *   催一下 SO-20261203-0001      SO-20261203-0001 nudge          chase SO-20261203-0001
 *   SO-20261203-0001 转交给刘工   转交 SO-… 给刘工   转交给刘工   transfer SO-… to Liu   hand SO-… over to Liu
 *   12月5日到12月9日休假，刘工代   12/5-12/9 请假，刘工代批   on leave 12/5 to 12/9, Liu covers
 *   取消休假   销假   我回来了   cancel my leave   back from leave
 *   待办   我的审批   my approvals   todo
 *
 * Pure: no I/O, no clock other than `now`. Decisions where the brief is silent:
 * - Nudge and transfer name at most one order number; two different ones → null (which one?).
 *   Everything else in the message must be the command's own words, so status questions and order
 *   requests that mention an order number are never commands.
 * - A transfer's `to` is the name as written, minus an "@", a trailing verb ("转交给刘工审批" → 刘工)
 *   and a trailing "谢谢"/"please". A pronoun or 谁 is no name; a name ending in 了/吗/呢 is a report
 *   or a question ("转给刘工了吗"), not a command.
 * - Leave: one date or one range, a leave word and exactly one stand-in; nothing else but a few chat
 *   words (at most six Han characters such as "去上海", no digits, no unknown English word).
 * - Dates are China dates. A year-less month/day more than 31 days past is next year's; a bare day
 *   ("5号") more than half a month past is next month's; an explicit year is taken as written.
 *   The second date of a range may leave out the month ("12月5日至9日", "12/5-9"): the first one's
 *   month, or the next month if that day is before the first. Relative dates (明天, 周五, 下周二,
 *   tomorrow, next Friday) are resolved by domain/parse/date.ts. Chinese numerals (十二月五日) are not read.
 * - A trailing @mention is dropped, except right after 给/to, where it is the transfer's target.
 */
import { chinaDay, dayToYmd, formatDay, isValidYmd, shiftMonth, ymdToDay } from './parse/calendar';
import { findDates } from './parse/date';
import { findRefs } from './parse/refs';

export type ApprovalCommand =
  | { kind: 'nudge'; orderNumber: string }
  | { kind: 'transfer'; orderNumber: string | null; to: string }
  | { kind: 'leave'; from: string; until: string; standIn: string }
  | { kind: 'cancel-leave' }
  | { kind: 'pending' };

const MAX_LENGTH = 200;
const MAX_PERIOD_DAYS = 366;
/** A year-less month/day further in the past than this is next year's. */
const MONTH_DAY_GRACE_DAYS = 31;
/** A bare day of the month further in the past than this is next month's. */
const BARE_DAY_GRACE_DAYS = 15;
const MAX_LEFTOVER_HAN = 6;

// ---- clean-up ------------------------------------------------------------------------------------

const KNOWN_BOTS_RE = /@(?:订单助手|下单助手|订单机器人|orderbot|order-bot|order bot)/giu;
const LEADING_MENTION_RE = /^(?:@[^\s@]+\s+)+/u;
const TRAILING_MENTION_RE = /\s@[^\s@]+$/u;
/** Before a trailing mention these words make it the transfer's target ("转交给 @刘工"). */
const TARGET_BEFORE_RE = /(?:给|转交|转给|移交|\bto)$/iu;
const EDGE_PUNCT_RE = /^[\s,.;!?~，。；！？～、…]+|[\s,.;!?~，。；！？～、…]+$/gu;

/** NFKC (full-width forms), one kind of dash, single spaces, no @mentions at the edges, no edge punctuation. */
function clean(text: string): string {
  let s = text
    .normalize('NFKC')
    .replace(/[\u200B-\u200D\u2060\uFEFF]/gu, '')
    .replace(/[\u2010-\u2015\u2212\uFE58\uFE63]/gu, '-')
    .replace(/[‘’]/gu, "'")
    .replace(KNOWN_BOTS_RE, ' ')
    .replace(/\s+/gu, ' ')
    .trim();
  s = s.replace(LEADING_MENTION_RE, '');
  for (let i = 0; i < 4; i++) {
    const mention = TRAILING_MENTION_RE.exec(s);
    if (mention === null || TARGET_BEFORE_RE.test(s.slice(0, mention.index))) break;
    s = s.slice(0, mention.index);
  }
  return s.replace(EDGE_PUNCT_RE, '');
}

// ---- names ---------------------------------------------------------------------------------------

const HAN_NAME_RE = /^\p{Script=Han}{1,8}$/u;
const LATIN_NAME_RE = /^[A-Za-z][A-Za-z. ]{0,29}$/u;
const NOT_A_NAME = new Set([
  ...['我', '你', '您', '他', '她', '它', '我们', '你们', '他们', '她们', '谁', '别人', '其他人', '大家', '某人'],
  ...['i', 'me', 'you', 'him', 'her', 'them', 'us', 'someone', 'somebody', 'anyone', 'who', 'whom', 'it'],
]);
const POLITE_TAIL_RE = /[\s,，]*(?:谢谢|谢啦|多谢|辛苦了|thanks|thank you|thx|please|pls)$/iu;
const ZH_PARTICLE_TAIL_RE = /(?:吧|哈|呀|啊|哦)+$/u;
const ZH_VERB_TAIL_RE = /(?:来)?(?:处理|审批|审核|负责|跟进|批|签|看看|看一下|看下)(?:一下)?$/u;
const EN_VERB_TAIL_RE = /\s+(?:for\s+(?:approval|review|sign-?off)|to\s+approve)$/iu;

function isName(name: string): boolean {
  return (HAN_NAME_RE.test(name) || LATIN_NAME_RE.test(name)) && !NOT_A_NAME.has(name.toLowerCase());
}

/** The colleague's name after 转交给 / "to", as written; null when it is no name. */
function targetName(raw: string): string | null {
  let name = raw.trim().replace(/^@/u, '').replace(POLITE_TAIL_RE, '').replace(EN_VERB_TAIL_RE, '').trim();
  if (/\p{Script=Han}/u.test(name)) {
    name = name.replace(ZH_PARTICLE_TAIL_RE, '');
    if (/[了吗呢么]$/u.test(name)) return null;
    const bare = name.replace(ZH_VERB_TAIL_RE, '');
    if (bare !== '') name = bare;
  }
  name = name.replace(/\s+/gu, ' ');
  return isName(name) ? name : null;
}

// ---- pending, cancel-leave -----------------------------------------------------------------------

const PENDING_RE =
  /^\/?(?:待办|我的待办|我的审批|待审批|我的待审批|待我审批|审批待办|my approvals|my pending approvals|pending approvals|my todos?|my to-do|todos?|to-do)$/iu;

const CANCEL_ZH_RE =
  /^(?:请|帮我)?(?:取消|撤销|撤回)(?:我的)?(?:休假|请假|年假|出差)了?$|^(?:我的)?(?:休假|请假|年假|出差)(?:已经?)?(?:取消|撤销)了?$|^(?:我)?(?:已经?)?销假了?$|^我回来了$|^(?:提前)?结束(?:休假|请假)$/u;
const CANCEL_EN_RE =
  /^(?:please\s+)?cancel\s+(?:my\s+)?(?:leave|vacation|holiday|time\s+off|out\s+of\s+office|ooo)(?:\s+please)?$|^(?:i'?m\s+|i\s+am\s+)?back\s+from\s+(?:my\s+)?(?:leave|vacation|holiday|business\s+trip|trip)$/iu;

function isPending(s: string): boolean {
  return PENDING_RE.test(s) || PENDING_RE.test(s.replace(/\s+/gu, ''));
}

function isCancelLeave(s: string): boolean {
  return CANCEL_ZH_RE.test(s.replace(/\s+/gu, '')) || CANCEL_EN_RE.test(s);
}

// ---- nudge, transfer -----------------------------------------------------------------------------

const NUDGE_ZH_RE =
  /^(?:请|麻烦|帮忙|帮我|麻烦帮忙|请帮忙|帮)?(?:的?审批)?再?(?:催一下|催一催|催催|催下|催办|催促一下|催促|催)(?:一下)?(?:的?审批)?(?:吧|哈|呀|啊|哦|谢谢)?$/u;
const NUDGE_EN_RE =
  /^(?:please\s+|pls\s+|can\s+you\s+|could\s+you\s+)?(?:nudge|chase(?:\s+up)?|remind)(?:\s+(?:the\s+)?(?:approvers?|approval))?(?:\s+(?:for|on|of))?(?:\s+(?:please|pls|thanks|thx))?$/iu;
const TRANSFER_ZH_RE =
  /^(?:请|麻烦|帮忙|帮我|麻烦帮忙|请帮忙)?\s*把?\s*(?:的?审批)?\s*(?:转交给|转交|转给|移交给|移交|转派给|改派给)\s*给?\s*(.+)$/u;
const TRANSFER_EN_RE =
  /^(?:please\s+|pls\s+|can\s+you\s+|could\s+you\s+)?(?:transfer|reassign|delegate|pass|hand)(?:\s+(?:it|this|the\s+approval|approval|my\s+approval))?(?:\s+over)?\s+to\s+(.+)$/iu;

function parseOrderCommand(s: string): ApprovalCommand | null {
  const refs = findRefs(s);
  const numbers = new Set(refs.map((r) => r.ref.toUpperCase()));
  if (numbers.size > 1) return null;
  const orderNumber = numbers.size === 1 ? [...numbers][0]! : null;
  let body = s;
  for (const r of [...refs].reverse()) body = `${body.slice(0, r.start)} ${body.slice(r.end)}`;
  body = body.replace(/\s+/gu, ' ').replace(EDGE_PUNCT_RE, '');
  if (orderNumber !== null && (NUDGE_ZH_RE.test(body.replace(/\s+/gu, '')) || NUDGE_EN_RE.test(body))) {
    return { kind: 'nudge', orderNumber };
  }
  const transfer = TRANSFER_ZH_RE.exec(body) ?? TRANSFER_EN_RE.exec(body);
  const to = transfer === null ? null : targetName(transfer[1]!);
  return to === null ? null : { kind: 'transfer', orderNumber, to };
}

// ---- leave: dates --------------------------------------------------------------------------------

const MONTH_NAMES = '(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)';
const MONTH_INDEX = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const WEEKDAYS_EN = '(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)';

const FULL_DATE = '(?<!\\d)\\d{4}\\s*[-/.年]\\s*\\d{1,2}\\s*[-/.月]\\s*\\d{1,2}(?!\\d)(?:\\s*[日号])?';
const US_DATE = '(?<![\\d/.])\\d{1,2}/\\d{1,2}/\\d{4}(?!\\d)';
const MONTH_DAY = '(?<![\\d/.])\\d{1,2}\\s*(?:月|/|\\.)\\s*\\d{1,2}(?![\\d/]|\\.\\d)(?:\\s*[日号])?';
const EN_MONTH_DAY = `\\b${MONTH_NAMES}[a-z]*\\.?\\s*\\d{1,2}(?:st|nd|rd|th)?(?![\\da-z])`;
const EN_DAY_MONTH = `(?<![\\d.])\\d{1,2}(?:st|nd|rd|th)?\\s*(?:of\\s+)?${MONTH_NAMES}[a-z]*\\.?(?![a-z])`;
const BARE_DAY = '(?<![\\d/.月])\\d{1,2}\\s*[日号](?!\\d)';
const RELATIVE_ZH =
  '大后天|后天|明天|明日|今天|今日|(?:下下个?|下个?|本|这个?)?(?:周|星期|礼拜)[一二三四五六日天1-7](?!\\d)';
const RELATIVE_EN = `\\b(?:today|tomorrow|(?:next\\s+|this\\s+|coming\\s+)?${WEEKDAYS_EN})\\b`;
const DATE = `(?:${FULL_DATE}|${US_DATE}|${MONTH_DAY}|${EN_MONTH_DAY}|${EN_DAY_MONTH}|${BARE_DAY}|${RELATIVE_ZH}|${RELATIVE_EN})`;
/** The second date of a range may be a day alone: "12月5日至9日", "12/5-9". */
const SECOND_DATE = `(?:${DATE}|\\d{1,2}(?![\\d/月]|\\.\\d))`;
const SEPARATOR = '(?:\\s*(?:到|至|[-~—])\\s*|\\s+(?:to|until|till|through|thru|and)\\s+)';
const DATE_RANGE_RE = new RegExp(`(${DATE})(?:${SEPARATOR}(${SECOND_DATE}))?`, 'giu');
const ANY_DATE_RE = new RegExp(DATE, 'iu');
/** "12月5日(周六)", "12/5 (Sat)": the weekday only annotates the date before it. */
const WEEKDAY_NOTE_RE =
  /\s*\(\s*(?:(?:周|星期|礼拜)[一二三四五六日天]|(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?)\s*\)/giu;

/** A date in the `${DATE}` forms, as a China day number; `first` is the range's first date, if any. */
function resolveDate(raw: string, now: Date, first: number | null): number | null {
  const s = raw.toLowerCase().replace(/\s+/gu, ' ').trim();
  const today = chinaDay(now);
  let m = /^(\d{4}) ?[-/.年] ?(\d{1,2}) ?[-/.月] ?(\d{1,2}) ?[日号]?$/u.exec(s);
  if (m !== null) return exactDay(Number(m[1]), Number(m[2]), Number(m[3]));
  m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/u.exec(s);
  if (m !== null) return exactDay(Number(m[3]), Number(m[1]), Number(m[2]));
  m = /^(\d{1,2}) ?(?:月|\/|\.) ?(\d{1,2}) ?[日号]?$/u.exec(s);
  if (m !== null) return monthDay(Number(m[1]), Number(m[2]), today);
  m = new RegExp(`^(${MONTH_NAMES})[a-z]*\\.? ?(\\d{1,2})(?:st|nd|rd|th)?$`, 'u').exec(s);
  if (m !== null) return monthDay(MONTH_INDEX.indexOf(m[1]!) + 1, Number(m[2]), today);
  m = new RegExp(`^(\\d{1,2})(?:st|nd|rd|th)? ?(?:of )?(${MONTH_NAMES})[a-z]*\\.?$`, 'u').exec(s);
  if (m !== null) return monthDay(MONTH_INDEX.indexOf(m[2]!) + 1, Number(m[1]), today);
  m = /^(\d{1,2}) ?[日号]?$/u.exec(s);
  if (m !== null) return first === null ? bareDay(Number(m[1]), today) : dayAfter(Number(m[1]), first);
  return relativeDay(raw, now);
}

function exactDay(y: number, m: number, d: number): number | null {
  return isValidYmd(y, m, d) ? ymdToDay(y, m, d) : null;
}

function monthDay(m: number, d: number, today: number): number | null {
  const { y } = dayToYmd(today);
  const thisYear = exactDay(y, m, d);
  if (thisYear !== null && today - thisYear <= MONTH_DAY_GRACE_DAYS) return thisYear;
  return exactDay(y + 1, m, d);
}

function bareDay(d: number, today: number): number | null {
  const { y, m } = dayToYmd(today);
  const thisMonth = exactDay(y, m, d);
  if (thisMonth !== null && today - thisMonth <= BARE_DAY_GRACE_DAYS) return thisMonth;
  const next = shiftMonth(y, m, 1);
  return exactDay(next.y, next.m, d);
}

/** "9" after "12月5日": in the first date's month, or the next month when before the first date. */
function dayAfter(d: number, first: number): number | null {
  const { y, m } = dayToYmd(first);
  const sameMonth = exactDay(y, m, d);
  if (sameMonth !== null && sameMonth >= first) return sameMonth;
  const next = shiftMonth(y, m, 1);
  return exactDay(next.y, next.m, d);
}

/** 明天, 周五, 下周二, tomorrow, next Friday: as the order parser reads them. */
function relativeDay(raw: string, now: Date): number | null {
  const { hits } = findDates(raw, now);
  return hits.length === 1 ? hits[0]!.day : null;
}

// ---- leave: words and the stand-in ---------------------------------------------------------------

const LEAVE_ZH = '休年假|年假|婚假|产假|病假|事假|休假|请假|出差|调休|外出|不在';
const LEAVE_EN =
  'on\\s+(?:annual\\s+|sick\\s+)?leave|annual\\s+leave|sick\\s+leave|leave|away|off|out\\s+of\\s+(?:the\\s+)?office|ooo|on\\s+(?:holiday|vacation)|holiday|vacation|on\\s+(?:a\\s+)?business\\s+trip|business\\s+trip|travell?ing';
const LEAVE_WORD_RE = new RegExp(`${LEAVE_ZH}|\\b(?:${LEAVE_EN})\\b`, 'giu');

const ZH_PREFIX = '(?:这期间|期间|这几天|审批|工作|事务|有急事|急事|有事|事情|的)*(?:都|就|请|可)?';
const HAN_LAZY = '@?(\\p{Script=Han}{1,8}?|[A-Za-z][A-Za-z.]{0,29}?)';
const HAN_GREEDY = '@?(\\p{Script=Han}{1,8}|[A-Za-z][A-Za-z.]{0,29})';
const ZH_STAND_IN: RegExp[] = [
  // 刘工代, 由刘工代理, 刘工代批, 让刘工顶一下, 刘工替我审批
  new RegExp(
    `^${ZH_PREFIX}(?:由|请|让)?${HAN_LAZY}(?:来|帮忙|帮我)?(?:代理|代批|代审|代签|代班|代办|代|顶班|顶替|顶上|顶|替班|替)我?(?:审批|审核|批|签|一下)*$`,
    'u',
  ),
  // 有事找刘工, 审批转交给刘工
  new RegExp(`^${ZH_PREFIX}(?:转交给|转给|交给|找|联系)${HAN_GREEDY}$`, 'u'),
  // 审批由刘工负责
  new RegExp(`^${ZH_PREFIX}由${HAN_LAZY}来?(?:负责|处理|审批|审核|批)$`, 'u'),
  // 代理人:刘工
  new RegExp(`^(?:代理人|代批人|代审人|代班人|代办人|代理|代批|代审|代班)(?:是|为|:)?${HAN_GREEDY}$`, 'u'),
];
const LATIN_LAZY = '@?([A-Za-z][A-Za-z. ]{0,29}?|\\p{Script=Han}{1,8}?)';
const LATIN_GREEDY = '@?([A-Za-z][A-Za-z. ]{0,29}|\\p{Script=Han}{1,8})';
const EN_STAND_IN: RegExp[] = [
  // stand-in Liu, backup: Liu, my cover is Liu
  new RegExp(
    `^(?:(?:my|the)\\s+)?(?:stand-?in|cover|backup|back-up|deputy|delegate|substitute)(?:\\s+is)?(?:\\s*:\\s*|\\s+)${LATIN_GREEDY}$`,
    'iu',
  ),
  new RegExp(`^covered\\s+by\\s+${LATIN_GREEDY}$`, 'iu'),
  // Liu covers, Liu will stand in, Liu is my stand-in, Liu approves for me
  new RegExp(
    `^${LATIN_LAZY}(?:\\s+(?:will|can|is|to|shall))?\\s+(?:covers?|covering|stands?\\s+in|standing\\s+in|(?:my\\s+|the\\s+)?(?:stand-?in|backup|cover|deputy)|approves?)(?:\\s+for\\s+me|\\s+my\\s+approvals|\\s+approvals)?$`,
    'iu',
  ),
];

/** Commas, semicolons, " - ", and a full stop that ends a sentence (not the one of "Mr. Liu"). */
const CLAUSE_BREAK_RE = /[,，;；。!！]|\s-\s|(?<!\b(?:[Mm]rs?|[Mm]s|[Dd]r))\.(?:\s|$)/u;

interface StandIn {
  name: string;
  rest: string;
}

function matchName(patterns: RegExp[], text: string): string | null {
  for (const re of patterns) {
    const m = re.exec(text);
    const name = m?.[1]?.trim().replace(/\s+/gu, ' ');
    if (name !== undefined && isName(name)) return name;
  }
  return null;
}

/** The one stand-in named in the text (an English clause, or a Chinese piece between spaces). */
function takeStandIn(text: string): StandIn | null {
  const found: string[] = [];
  const rest: string[] = [];
  const clauses = text.replace(/\s*:\s*/gu, ':').split(CLAUSE_BREAK_RE);
  for (const clause of clauses) {
    const english = matchName(EN_STAND_IN, clause.trim().replace(/\s+/gu, ' '));
    if (english !== null) {
      found.push(english);
      continue;
    }
    for (const piece of clause.split(/\s+/u)) {
      const chinese = matchName(ZH_STAND_IN, piece);
      if (chinese !== null) found.push(chinese);
      else rest.push(piece);
    }
  }
  return found.length === 1 ? { name: found[0]!, rest: rest.join(' ') } : null;
}

const FILLER_ZH_RE =
  /本人|我们|我|将要|将|会|需要|要|准备|计划|打算|从|自|期间|这几天|这段时间|的|了|开始|起|一下|请知悉|知悉|请|麻烦|各位|大家|好|注意|都|一直|谢谢|多谢|辛苦|特此|通知|哈|哦|啊|呀|吧/gu;
const FILLER_EN = new Set(
  (
    "i i'm im i'll am will be is are going from between and the my me hi hello team all everyone guys fyi " +
    'please pls thanks thank you thx approvals approval during this that period for on out of office days a an so dear note'
  ).split(' '),
);
const ORDER_WORDS_RE =
  /样品|样件|订单|下单|发货|交货|到货|出货|报价|[件套个箱×*#]|\b(?:samples?|orders?|deliver\w*|ship\w*|pcs|qty)\b/iu;

/** What is left of a leave message once its parts are out: only greetings and connectors. */
function onlyFiller(rest: string): boolean {
  const s = rest.toLowerCase();
  if (/\d/u.test(s) || ORDER_WORDS_RE.test(s)) return false;
  const words = s.match(/[a-z][a-z'-]*/gu) ?? [];
  if (words.some((w) => !FILLER_EN.has(w))) return false;
  const han = s.replace(FILLER_ZH_RE, '').match(/\p{Script=Han}/gu) ?? [];
  return han.length <= MAX_LEFTOVER_HAN;
}

function parseLeave(text: string, now: Date): ApprovalCommand | null {
  if (!(now instanceof Date) || !Number.isFinite(now.getTime())) return null;
  if (findRefs(text).length > 0 || text.search(LEAVE_WORD_RE) < 0) return null;
  const s = text.replace(WEEKDAY_NOTE_RE, '');
  const ranges = [...s.matchAll(DATE_RANGE_RE)];
  if (ranges.length !== 1) return null;
  const range = ranges[0]!;
  const from = resolveDate(range[1]!, now, null);
  if (from === null) return null;
  const until = range[2] === undefined ? from : resolveDate(range[2], now, from);
  if (until === null || until < from || until - from + 1 > MAX_PERIOD_DAYS) return null;
  const withoutDates = `${s.slice(0, range.index)} ${s.slice(range.index + range[0].length)}`;
  if (ANY_DATE_RE.test(withoutDates)) return null;
  const standIn = takeStandIn(withoutDates.replace(LEAVE_WORD_RE, ' '));
  if (standIn === null || !onlyFiller(standIn.rest)) return null;
  return { kind: 'leave', from: formatDay(from), until: formatDay(until), standIn: standIn.name };
}

// ---- entry point ---------------------------------------------------------------------------------

/** The approval command in a chat message, or null when the message is anything else. Never throws. */
export function parseApprovalCommand(text: string, now: Date): ApprovalCommand | null {
  if (typeof text !== 'string' || text.length > MAX_LENGTH) return null;
  const s = clean(text);
  if (s === '') return null;
  if (isPending(s)) return { kind: 'pending' };
  if (isCancelLeave(s)) return { kind: 'cancel-leave' };
  return parseOrderCommand(s) ?? parseLeave(s, now);
}
