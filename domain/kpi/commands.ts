/**
 * Chat phrases for the KPI feature: pausing/resuming the latency clock, asking for the KPIs, and the
 * customer's request time stated by the sales person. Pure: the clock is always passed in.
 *
 * A pause/resume command is a message that is ONLY the phrase (plus an optional order number, @mention,
 * punctuation and a closing particle): anything longer, a question, or an awaited thing that reads like
 * a plan ("等客户确认后发货") is not a command, so ordinary order messages never stop anyone's clock.
 */
import { stripMentions } from '../parse/normalize';

export type PauseCommand = { kind: 'pause' | 'resume'; orderNumber: string | null; reason: string | null };

const MAX_COMMAND_LENGTH = 80;
const ORDER_NUMBER_RE = /(?<![A-Za-z0-9])SO-(\d{8})-(\d{4,})(?!\d)/giu;
const EDGE_PUNCT_RE = /^[\s,.;:!~，。；：！～、…·"“”()（）【】[\]-]+|[\s,.;:!~，。；：！～、…·"“”()（）【】[\]-]+$/gu;
const QUESTION_RE = /[?]|吗|么/u;
const TRAILING_PARTICLES_RE = /(?:呢|啦|哈|哦|喔|呀|啊)+$/u;

/** NFKC (full-width forms), no zero-width characters, single spaces, no @mentions, no edge punctuation. */
function clean(text: string): string {
  const s = text
    .normalize('NFKC')
    .replace(/[\u200B-\u200D\u2060\uFEFF]/gu, '')
    .replace(/[‘’]/gu, "'")
    .replace(/\s+/gu, ' ');
  return stripMentions(s).replace(/\s+/gu, ' ').replace(EDGE_PUNCT_RE, '');
}

// ---- pause / resume ------------------------------------------------------------------------------

const ZH_PAUSE_RE =
  /^(?:目前|现在|暂时)?(?:还|仍)?(?:在|正在)?(?:等待|等着|等)(?:一下)?客户(?:那边|方)?(?:的)?(.*?)(?:中)?$/u;
/** The awaited thing may only be a short phrase of words, never a plan or an order ("确认后发货", "样品5件"). */
const ZH_REASON_RE = /^[\p{Script=Han}A-Za-z]{0,12}$/u;
const ZH_PLAN_RE = /后|再|就|才|然后|之前|以前|发货|交货|到货|送货|生产|安排|样品|[件套个箱]/u;
/** What the customer does rather than sends: the reason keeps 客户 ("客户确认"), a thing does not ("图纸"). */
const ZH_ACTION_RE =
  /(?:确认|回复|答复|反馈|回话|回信|决定|付款|打款|签字|签收|盖章|审批|批准|同意|核对|选择|选型|下单|定稿|验收|测试)$|^(?:提供|发|回|给|寄|补|上传|选|定|签|付)/u;

const ZH_RESUME_ACTION_RE =
  /^客户(?:那边|方)?(已经|已)?(?:回复|答复|确认|反馈|回话|回信|回消息|同意|批准|签字|付款|下单|定稿|回)(了)?$/u;
const ZH_RESUME_ARRIVED_RE =
  /^客户(?:那边|方)?(?:的)?([\p{Script=Han}A-Za-z]{1,8}?)(?:已经|已)?(?:到了|已到|收到了|来了|发来了|发过来了|回来了)$|^(?:已经|已)?收到(?:了)?客户(?:的)?([\p{Script=Han}A-Za-z]{1,8}?)了?$|^客户(?:已经|已)(?:发来|发过来|发|给|提供|回传|寄)(?:了)?([\p{Script=Han}A-Za-z]{1,8}?)了?$/u;

const EN_PAUSE_RE =
  /^(?:(?:we|i)(?:'re|'m|\s+are|\s+am)\s+)?(?:still\s+)?waiting\s+(?:on|for)\s+((?:the\s+)?(?:customer|client)(?:'s|s'|s)?(?:\s+.*)?)$/iu;
const EN_BARE_CUSTOMER_RE = /^(?:the\s+)?(?:customer|client)s?$/iu;
const EN_REASON_RE = /^[a-z' -]{1,48}$/iu;
const EN_PLAN_RE = /\b(?:then|before|after|until|ship\w*|deliver\w*|produc\w*|pcs|samples?)\b/iu;
const EN_RESUME_RE =
  /^(?:the\s+)?(?:customer|client)\s+(?:has\s+)?(?:just\s+)?(?:replied|answered|responded|confirmed|approved|signed off|got back|came back)(?:\s+to\s+us)?$/iu;
const EN_RESUME_ARRIVED_RE =
  /^(?:the\s+)?(?:customer|client)'s\s+([a-z]+(?:\s[a-z]+)?)\s+(?:has\s+)?(?:arrived|came in|is in|(?:has\s+)?been\s+received)$|^(?:we\s+)?(?:got|received)\s+(?:the\s+)?(?:customer|client)'s\s+([a-z]+(?:\s[a-z]+)?)$/iu;

function zhPauseReason(awaited: string): string | null | undefined {
  if (!ZH_REASON_RE.test(awaited) || ZH_PLAN_RE.test(awaited)) return undefined;
  if (awaited === '') return null;
  return ZH_ACTION_RE.test(awaited) ? `客户${awaited}` : awaited;
}

function parseZh(body: string): Omit<PauseCommand, 'orderNumber'> | null {
  const s = body.replace(/\s+/gu, '').replace(TRAILING_PARTICLES_RE, '');
  const pause = ZH_PAUSE_RE.exec(s);
  if (pause !== null) {
    const reason = zhPauseReason(pause[1] ?? '');
    return reason === undefined ? null : { kind: 'pause', reason };
  }
  const action = ZH_RESUME_ACTION_RE.exec(s);
  // "客户确认" alone could be a request ("(请)客户确认"): a resume says it happened, with 已 or 了.
  if (action !== null && (action[1] !== undefined || action[2] !== undefined)) return { kind: 'resume', reason: null };
  const arrived = ZH_RESUME_ARRIVED_RE.exec(s);
  const thing = arrived?.[1] ?? arrived?.[2] ?? arrived?.[3];
  if (thing !== undefined && !ZH_PLAN_RE.test(thing) && !/货|单/u.test(thing)) return { kind: 'resume', reason: thing };
  return null;
}

function parseEn(body: string): Omit<PauseCommand, 'orderNumber'> | null {
  const pause = EN_PAUSE_RE.exec(body);
  if (pause !== null) {
    const awaited = pause[1]!;
    if (EN_BARE_CUSTOMER_RE.test(awaited)) return { kind: 'pause', reason: null };
    if (!EN_REASON_RE.test(awaited) || EN_PLAN_RE.test(awaited) || awaited.split(' ').length > 6) return null;
    return { kind: 'pause', reason: awaited };
  }
  if (EN_RESUME_RE.test(body)) return { kind: 'resume', reason: null };
  const arrived = EN_RESUME_ARRIVED_RE.exec(body);
  const thing = arrived?.[1] ?? arrived?.[2];
  return thing === undefined ? null : { kind: 'resume', reason: thing };
}

/** "等客户图纸" → pause (reason "图纸"); "SO-20260224-0001 客户已确认" → resume; anything else → null. */
export function parsePauseCommand(text: string): PauseCommand | null {
  const s = clean(text);
  if (s === '' || s.length > MAX_COMMAND_LENGTH || QUESTION_RE.test(s)) return null;
  const numbers = [...s.matchAll(ORDER_NUMBER_RE)];
  if (numbers.length > 1) return null;
  const found = numbers[0];
  const orderNumber = found === undefined ? null : `SO-${found[1]}-${found[2]}`;
  const body = s.replace(ORDER_NUMBER_RE, ' ').replace(/\s+/gu, ' ').replace(EDGE_PUNCT_RE, '');
  const command = /[\p{Script=Han}]/u.test(body) ? parseZh(body) : parseEn(body);
  return command === null ? null : { ...command, orderNumber };
}

// ---- KPI request ---------------------------------------------------------------------------------

const ZH_KPI_RE =
  /^(?:查看|看看|看下|看一下|查一下|发一下)?(?:本周|这周|这一周|本星期|这个星期)?(?:的)?(?:kpi|指标|kpi指标)$/u;
const EN_KPI_RE = /^(?:show(?:\s+me)?\s+)?(?:(?:this|the)\s+week(?:'s|s)?\s+|weekly\s+)?kpis?(?:\s+report)?$/u;

/** "/kpi", "本周指标", "this week's kpis" → the language to answer in; else null. "/kpi" and "kpi" alone are zh. */
export function parseKpiCommand(text: string): { language: 'zh' | 'en' } | null {
  // A question mark is fine here: "本周指标？" asks for the figures just the same.
  const s = clean(text)
    .toLowerCase()
    .replace(/[\s?]+$/u, '');
  const explicit = /^\/kpis?\s+(zh|en)$/u.exec(s);
  if (explicit !== null) return { language: explicit[1] as 'zh' | 'en' };
  const body = s.replace(/^\//u, '');
  if (body === 'kpi' || ZH_KPI_RE.test(body.replace(/\s+/gu, ''))) return { language: 'zh' };
  return EN_KPI_RE.test(body) ? { language: 'en' } : null;
}

// ---- the customer's request time -----------------------------------------------------------------

const OFFSET_MS = 8 * 3600_000;
const DAY_MS = 86_400_000;
const MAX_BACK_MS = 7 * DAY_MS;

const ZH_REQUEST_RE = new RegExp(
  '客户\\s*(?:是\\s*)?(?:在\\s*)?' +
    '(?:(?:(?<dayWord>今天|今早|今晨|昨天|昨晚|前天|大前天)|(?<daysAgo>\\d{1,2})\\s*天前|(?<month>\\d{1,2})\\s*月\\s*(?<mday>\\d{1,2})\\s*[日号]?|(?<slashMonth>\\d{1,2})\\s*/\\s*(?<slashDay>\\d{1,2}))\\s*)?' +
    '(?:的\\s*)?(?<period>上午|早上|早晨|中午|下午|晚上|傍晚|凌晨)?\\s*' +
    '(?<hour>\\d{1,2})\\s*(?::\\s*(?<minute>\\d{2})|点\\s*(?:(?<half>半)|(?<pointMinute>\\d{1,2})\\s*分?)?|时\\s*(?:(?<shiMinute>\\d{1,2})\\s*分)?)' +
    '\\s*(?:左右)?\\s*(?:提出来的|提出的|提出|提的|要的|下的单|下的|下单的|下单|发来的|发的|问的)',
  'u',
);

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const AMPM = 'am|pm|a\\.m\\.|p\\.m\\.';
const EN_REQUEST_RE = new RegExp(
  '(?<![a-z])(?:the\\s+)?(?:customer|client)\\s+(?:asked|requested|ordered|enquired|inquired|wrote|called)\\s+' +
    `(?:(?<enDay>today|yesterday)\\s+|(?<enAgo>\\d{1,2})\\s+days?\\s+ago\\s+|on\\s+(?<enMonth>${MONTHS.join('|')})[a-z]*\\.?\\s+(?<enMday>\\d{1,2})(?:st|nd|rd|th)?,?\\s+|on\\s+(?<enSlashMonth>\\d{1,2})/(?<enSlashDay>\\d{1,2})\\s+)?` +
    `(?:at\\s+)?(?<enHour>\\d{1,2})(?::(?<enMinute>\\d{2})\\s*(?<enAmpm>${AMPM})?|\\s*(?<enAmpmOnly>${AMPM}))` +
    '(?:\\s+(?<enDayAfter>today|yesterday)|\\s+(?<enAgoAfter>\\d{1,2})\\s+days?\\s+ago)?(?![a-z0-9])',
  'iu',
);

type Period = 'am' | 'pm' | 'noon' | null;
interface RequestSpec {
  daysBack: number | null;
  monthDay: [number, number] | null;
  period: Period;
  hour: number;
  minute: number;
}

const DAY_WORDS: Record<string, { daysBack: number; period: Period }> = {
  今天: { daysBack: 0, period: null },
  今早: { daysBack: 0, period: 'am' },
  今晨: { daysBack: 0, period: 'am' },
  昨天: { daysBack: 1, period: null },
  昨晚: { daysBack: 1, period: 'pm' },
  前天: { daysBack: 2, period: null },
  大前天: { daysBack: 3, period: null },
  today: { daysBack: 0, period: null },
  yesterday: { daysBack: 1, period: null },
};
const ZH_PERIODS: Record<string, Period> = {
  上午: 'am',
  早上: 'am',
  早晨: 'am',
  凌晨: 'am',
  中午: 'noon',
  下午: 'pm',
  晚上: 'pm',
  傍晚: 'pm',
};

const num = (s: string | undefined): number | null => (s === undefined ? null : Number(s));

function zhSpec(g: Record<string, string | undefined>): RequestSpec {
  const dayWord = g.dayWord === undefined ? undefined : DAY_WORDS[g.dayWord];
  const month = num(g.month ?? g.slashMonth);
  const mday = num(g.mday ?? g.slashDay);
  return {
    daysBack: dayWord?.daysBack ?? num(g.daysAgo),
    monthDay: month !== null && mday !== null ? [month, mday] : null,
    period: (g.period === undefined ? undefined : ZH_PERIODS[g.period]) ?? dayWord?.period ?? null,
    hour: Number(g.hour),
    minute: g.half !== undefined ? 30 : (num(g.minute ?? g.pointMinute ?? g.shiMinute) ?? 0),
  };
}

function enSpec(g: Record<string, string | undefined>): RequestSpec {
  const dayText = (g.enDay ?? g.enDayAfter)?.toLowerCase();
  const ampm = (g.enAmpm ?? g.enAmpmOnly)?.toLowerCase().replaceAll('.', '');
  const month = g.enMonth === undefined ? num(g.enSlashMonth) : MONTHS.indexOf(g.enMonth.toLowerCase()) + 1;
  const mday = num(g.enMday ?? g.enSlashDay);
  return {
    daysBack: dayText === undefined ? num(g.enAgo ?? g.enAgoAfter) : (DAY_WORDS[dayText]?.daysBack ?? null),
    monthDay: month !== null && mday !== null ? [month, mday] : null,
    period: ampm === 'am' ? 'am' : ampm === 'pm' ? 'pm' : null,
    hour: Number(g.enHour),
    minute: num(g.enMinute) ?? 0,
  };
}

function hourOfDay(hour: number, period: Period): number {
  if (period === 'pm' && hour >= 1 && hour <= 11) return hour + 12;
  if (period === 'noon' && hour >= 1 && hour <= 5) return hour + 12;
  if (period === 'am' && hour === 12) return 0;
  return hour;
}

/** Days since 1970-01-01 of the China date at an instant. */
const chinaDay = (instant: Date): number => Math.floor((instant.getTime() + OFFSET_MS) / DAY_MS);

function dayOfMonthDay(month: number, mday: number, messageDay: number): number | null {
  const year = new Date(messageDay * DAY_MS).getUTCFullYear();
  for (const y of [year, year - 1]) {
    const ms = Date.UTC(y, month - 1, mday);
    const valid = new Date(ms).getUTCMonth() === month - 1 && new Date(ms).getUTCDate() === mday;
    if (!valid) return null;
    if (ms / DAY_MS <= messageDay) return ms / DAY_MS;
  }
  return null;
}

function resolve(spec: RequestSpec, messageTime: Date): Date | null {
  const hour = hourOfDay(spec.hour, spec.period);
  if (hour > 23 || spec.minute > 59) return null;
  const clockMs = (hour * 60 + spec.minute) * 60_000;
  const today = chinaDay(messageTime);
  const explicitDay =
    spec.monthDay !== null
      ? dayOfMonthDay(spec.monthDay[0], spec.monthDay[1], today)
      : spec.daysBack !== null
        ? today - spec.daysBack
        : undefined;
  if (explicitDay === null) return null;
  const at = (day: number) => day * DAY_MS - OFFSET_MS + clockMs;
  let ms = at(explicitDay ?? today);
  // Without a day, the latest such clock time not after the message: "21:30" written at 08:00 is last night.
  if (explicitDay === undefined && ms > messageTime.getTime()) ms = at(today - 1);
  if (ms > messageTime.getTime() || messageTime.getTime() - ms > MAX_BACK_MS) return null;
  return new Date(ms);
}

const JOIN_PUNCT_RE = /[\s,.;:!~，。；：！～、]/u;

/** The text without [from, to), joined so that no punctuation or spaces pile up where the phrase was. */
function removeSpan(text: string, from: number, to: number): string {
  const left = text.slice(0, from).replace(/[\s,.;:!~，。；：！～、]+$/u, '');
  const right = text.slice(to).replace(/^[\s,.;:!~，。；：！～、]+/u, '');
  const separators = (text.slice(left.length, from) + text.slice(to, text.length - right.length)).replace(/\s/gu, '');
  const separator = left === '' || right === '' ? '' : (separators[0] ?? ' ');
  const joined = `${left}${JOIN_PUNCT_RE.test(separator) || separator === ' ' ? separator : ' '}${right}`;
  return joined.replace(/ {2,}/gu, ' ').replace(EDGE_PUNCT_RE, '');
}

/** "客户 9:30 提的，需要BRK-2026-01样品5件" → the request instant (China time) and "需要BRK-2026-01样品5件". */
export function extractRequestTime(text: string, messageTime: Date): { at: Date | null; rest: string } {
  // Full-width digits, colon and slash map one-to-one onto ASCII, so match offsets stay valid in `text`.
  const ascii = text.replace(/[０-９：／]/gu, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0));
  const zh = ZH_REQUEST_RE.exec(ascii);
  const match = zh ?? EN_REQUEST_RE.exec(ascii);
  if (match === null) return { at: null, rest: text };
  const spec = zh !== null ? zhSpec(match.groups ?? {}) : enSpec(match.groups ?? {});
  return { at: resolve(spec, messageTime), rest: removeSpan(text, match.index, match.index + match[0].length) };
}
