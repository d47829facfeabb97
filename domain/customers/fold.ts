/**
 * The form names and messages are compared in: NFKC (full-width → half-width), lower case, no
 * spaces, no zero-width characters, dashes unified. Each folded character remembers where it came
 * from in the text, so a match can be reported as the message wrote it, and whether a space stood
 * before it, so word boundaries survive the removal of spaces.
 */
import { findRefs } from '../parse/refs';
import { MASK, maskSpans } from '../parse/mask';
import { mentionSpans } from '../parse/normalize';
import { findSkus } from '../parse/sku';
import { findSpecs } from '../parse/specs';

const DASH_RE = /[\u2010-\u2015\u2212\u2E3A\u2E3B\uFE58\uFE63]/g;
const SPACE_RE = /\s/g;
const PRIVATE_RE = /[\uE000-\uF8FF]/g;

/** Zero-width characters, variation selectors and the keycap mark (removed, as the parser does). */
function isZeroWidth(c: number): boolean {
  return (c >= 0x200b && c <= 0x200d) || c === 0x2060 || c === 0xfeff || (c >= 0xfe00 && c <= 0xfe0f) || c === 0x20e3;
}

/** One code point, folded (may be empty, or several characters: "㈱" → "(株)"). */
function foldCodePoint(cp: string): string {
  const c = cp.charCodeAt(0);
  if (c < 0x80) {
    if (c >= 65 && c <= 90) return String.fromCharCode(c + 32);
    if (c <= 32 || c === 127) return ' ';
    return cp;
  }
  if (c >= 0x4e00 && c <= 0x9fff) return cp; // CJK unified ideographs are their own NFKC form
  if (isZeroWidth(c)) return '';
  return cp.normalize('NFKC').toLowerCase().replace(DASH_RE, '-').replace(SPACE_RE, ' ').replace(PRIVATE_RE, ' ');
}

/** The folded text with spaces kept, and where each of its characters came from in `raw`. */
interface Spaced {
  text: string;
  from: number[];
  to: number[];
}

function foldSpaced(raw: string): Spaced {
  const parts: string[] = [];
  const from: number[] = [];
  const to: number[] = [];
  for (let i = 0; i < raw.length; ) {
    const c = raw.charCodeAt(i);
    let len = 1;
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < raw.length) {
      const d = raw.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) len = 2;
    }
    const f = len === 1 ? foldCodePoint(raw[i] as string) : foldCodePoint(raw.slice(i, i + 2));
    for (let k = 0; k < f.length; k++) {
      from.push(i);
      to.push(i + len);
    }
    if (f.length > 0) parts.push(f);
    i += len;
  }
  return { text: parts.join(''), from, to };
}

/** The folded text without spaces. `gap[i]`: a space stood right before character i. */
export interface Folded {
  text: string;
  from: number[];
  to: number[];
  gap: Uint8Array;
}

function squeeze(s: Spaced): Folded {
  const n = s.text.length;
  const parts: string[] = [];
  const from: number[] = [];
  const to: number[] = [];
  const gap = new Uint8Array(n + 1);
  let pending = 0;
  let run = 0;
  for (let i = 0; i < n; i++) {
    if (s.text.charCodeAt(i) === 32) {
      if (i > run) parts.push(s.text.slice(run, i));
      run = i + 1;
      pending = 1;
      continue;
    }
    gap[from.length] = pending;
    pending = 0;
    from.push(s.from[i] as number);
    to.push(s.to[i] as number);
  }
  if (run < n) parts.push(s.text.slice(run));
  gap[from.length] = 1; // the end of the text is a boundary
  return { text: parts.join(''), from, to, gap: gap.subarray(0, from.length + 1) };
}

/** A name or alias in the compared form (no masking: a name is not a message). */
export function foldName(name: string): string {
  return foldSpaced(name).text.replace(/ /g, '');
}

// A waybill: a carrier's letters and a long run of digits ("SF1234567890", "YT 9876543210123").
const WAYBILL_RE = /(?<![a-z0-9])[a-z]{0,4} ?\d{8,}(?![a-z0-9])/g;

/**
 * A message in the compared form, with what is never a customer masked (the parser's own
 * recognisers, so the same pieces count as codes): @-mentions, order numbers (SO-…), material codes,
 * specs, waybills. Masked characters are private-use characters that no name contains.
 */
export function foldMessage(raw: string): Folded {
  const s = foldSpaced(raw);
  let t = maskSpans(s.text, mentionSpans(s.text), MASK.word);
  t = maskSpans(t, findRefs(t), MASK.ref);
  t = maskSpans(t, findSkus(t), MASK.sku);
  t = maskSpans(t, findSpecs(t), MASK.spec);
  t = maskSpans(
    t,
    [...t.matchAll(WAYBILL_RE)].map((m) => ({ start: m.index, end: m.index + m[0].length })),
    MASK.word,
  );
  return squeeze({ text: t, from: s.from, to: s.to });
}
