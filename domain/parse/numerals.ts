/**
 * Numbers as written in chat: 5, 1,200, 1.5, 5k, 5w (万), 1.5万, 1万2千, and Chinese numerals
 * 五 / 十二 / 两千 / 一千二百 / 两千五百 / 一万二 (=12000) / 二百五 (=250) / 壹仟贰佰 / 一千零五.
 */

const DIGITS: Record<string, number> = {
  零: 0,
  〇: 0,
  一: 1,
  壹: 1,
  幺: 1,
  二: 2,
  贰: 2,
  两: 2,
  俩: 2,
  三: 3,
  叁: 3,
  四: 4,
  肆: 4,
  五: 5,
  伍: 5,
  六: 6,
  陆: 6,
  七: 7,
  柒: 7,
  八: 8,
  捌: 8,
  九: 9,
  玖: 9,
};
const SMALL_UNITS: Record<string, number> = { 十: 10, 拾: 10, 百: 100, 佰: 100, 千: 1000, 仟: 1000 };
const BIG_UNITS: Record<string, number> = { 万: 10_000, 萬: 10_000, 亿: 100_000_000 };

/** Characters that can take part in a written number (besides ASCII digits). */
export const CN_NUM_CHARS = '零〇一壹幺二贰两俩三叁四肆五伍六陆七柒八捌九玖十拾百佰千仟万萬亿';

/** Regex source for one number run: "1,200", "1.5万", "一千二百", "1万2千", optionally "k"/"w". */
export const NUMBER_RUN_SRC = `(?:\\d{1,3}(?:,\\d{3})+(?!\\d)|[0-9${CN_NUM_CHARS}])(?:[0-9${CN_NUM_CHARS}]|\\.(?=\\d))*(?:\\s?[kKwW](?![A-Za-z]))?`;

type Tok = { t: 'num'; v: number } | { t: 'zero' } | { t: 'small'; v: number } | { t: 'big'; v: number };

function tokenize(s: string): Tok[] | null {
  const toks: Tok[] = [];
  let i = 0;
  while (i < s.length) {
    const ch = s[i] as string;
    if (ch >= '0' && ch <= '9') {
      let j = i;
      while (j < s.length && /[0-9.]/.test(s[j] as string)) j++;
      const lit = s.slice(i, j);
      if (!/^\d+(?:\.\d+)?$/.test(lit)) return null;
      toks.push({ t: 'num', v: Number(lit) });
      i = j;
      continue;
    }
    if (ch === '零' || ch === '〇') toks.push({ t: 'zero' });
    else if (DIGITS[ch] !== undefined) toks.push({ t: 'num', v: DIGITS[ch] as number });
    else if (SMALL_UNITS[ch] !== undefined) toks.push({ t: 'small', v: SMALL_UNITS[ch] as number });
    else if (BIG_UNITS[ch] !== undefined) toks.push({ t: 'big', v: BIG_UNITS[ch] as number });
    else return null;
    i++;
  }
  return toks;
}

function roundNear(v: number): number {
  const r = Math.round(v);
  return Math.abs(v - r) < 1e-9 ? r : v;
}

/**
 * Parses one number run. Returns null for things that are not a number ("一二", "..").
 * The result may be fractional (callers decide whether that is acceptable).
 */
export function parseNumberRun(run: string): number | null {
  let s = run.replace(/\s/g, '');
  let mult = 1;
  const last = s[s.length - 1];
  if (last === 'k' || last === 'K') {
    mult = 1000;
    s = s.slice(0, -1);
  } else if (last === 'w' || last === 'W') {
    mult = 10_000;
    s = s.slice(0, -1);
  }
  if (s.length === 0) return null;
  if (/^\d{1,3}(?:,\d{3})+(?:\.\d+)?$/.test(s)) s = s.replace(/,/g, '');
  if (s.includes(',')) return null;
  if (/^\d+(?:\.\d+)?$/.test(s)) return roundNear(Number(s) * mult);

  const toks = tokenize(s);
  if (!toks || toks.length === 0) return null;
  // A bare sequence of digits with a zero ("二零二六") is read digit by digit; "三四" (3 or 4) is not a number.
  if (toks.every((t) => t.t === 'num' || t.t === 'zero') && toks.length > 1) {
    if (!toks.some((t) => t.t === 'zero')) return null;
    let str = '';
    for (const t of toks) {
      if (t.t === 'zero') str += '0';
      else if (t.t === 'num' && Number.isInteger(t.v) && t.v < 10) str += String(t.v);
      else return null;
    }
    return Number(str) * mult;
  }

  let total = 0;
  let section = 0;
  let cur: number | null = null;
  let lastUnit = 0;
  let zeroSince = false;
  let prevWasUnit = false;
  let curAfterUnit = false;
  for (const t of toks) {
    switch (t.t) {
      case 'num':
        if (cur !== null) return null;
        cur = t.v;
        curAfterUnit = prevWasUnit;
        prevWasUnit = false;
        break;
      case 'zero':
        if (cur !== null) return null;
        zeroSince = true;
        prevWasUnit = false;
        break;
      case 'small':
        if (lastUnit !== 0 && lastUnit < 10_000 && t.v >= lastUnit) return null; // 百千
        section += (cur ?? 1) * t.v;
        cur = null;
        lastUnit = t.v;
        zeroSince = false;
        prevWasUnit = true;
        break;
      case 'big': {
        const sec = section + (cur ?? 0);
        if (t.v === 100_000_000) total = (total + (sec === 0 && total === 0 ? 1 : sec)) * t.v;
        else total += (sec === 0 ? (total === 0 ? 1 : 0) : sec) * t.v;
        section = 0;
        cur = null;
        lastUnit = t.v;
        zeroSince = false;
        prevWasUnit = true;
        break;
      }
    }
  }
  let tail = 0;
  if (cur !== null) {
    // Colloquial shortening: 一万二 = 12000, 两千五 = 2500, 二百五 = 250 (not after 零: 一千零五 = 1005).
    tail = curAfterUnit && lastUnit >= 100 && !zeroSince ? (cur * lastUnit) / 10 : cur;
  }
  return roundNear((total + section + tail) * mult);
}

/** A small whole number in Arabic or Chinese (for dates, durations): "5", "十二", "两". */
export function parseSmallInt(s: string): number | null {
  const v = parseNumberRun(s);
  return v !== null && Number.isInteger(v) && v >= 0 && v < 100_000 ? v : null;
}
