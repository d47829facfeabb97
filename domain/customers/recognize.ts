/**
 * Which known customers a sales message names. Pure: the customer list comes in, matches go out.
 *
 * Rules:
 * 1. Any customer's name or alias anywhere in the message names that customer ("大陆集团要…",
 *    "采埃孚 需要…", "给博世做…", "客户采埃孚…", "Conti wants…", "for ZF", "比亚迪那边要…"). A full
 *    name ending in a legal form is also found without it and without its parenthesised parts:
 *    "博世汽车部件（苏州）有限公司" also as "博世汽车部件" and "博世汽车部件有限公司". Other short names
 *    must be listed as aliases.
 * 2. Names and message are compared NFKC-normalised (full-width = half-width), in lower case and
 *    without spaces or zero-width characters: "ＣＯＮＴＩ", "conti", "Con ti" and "大 陆 集 团" all match.
 *    A name or alias of fewer than two characters, or of digits only, is ignored.
 * 3. Overlapping candidates: the longest wins ("大陆集团" over "大陆"), then the earlier. Matches that
 *    do not overlap all count.
 * 4. Word boundaries, for names that are also common words:
 *    - a name that begins (ends) with a Latin letter or digit matches only where the message has no
 *      letter, digit or code right before (after) it, nor one joined to it by "-" or "_": "ZF" is
 *      found in "for ZF," and "ZF要" but not in "ZF01", "zfx", "BRK-ZF" or "ZF-Ra0.8";
 *    - a Chinese name or alias of two characters ("大众", "长城", "理想") matches only where it
 *      stands apart on both sides: the start or end of the message, a space, punctuation, Latin
 *      letters, digits or a code, or a word that marks a customer (before: 客户, 给, 帮, 为, 替, 跟, 和,
 *      是, 这次…; after: 要, 需要, 想要, 那边, 这边, 说, 下单, 订, 催, 也, 和, 做, and 的 before a code
 *      or an order word…; the lists are in domain/parse/customer-words.ts). So "大众要BRK-…" and
 *      "给大众做" name 大众, "大众化" and "理想的交期" do not, nor "长城宽带" when only 长城 is a customer.
 *      Longer Chinese names match anywhere.
 * 5. Nothing inside what is not a name: @-mentions, order numbers (SO-…), material codes and specs
 *    are masked first with the parser's own recognisers (domain/parse), and waybills (up to four
 *    letters and eight or more digits), so an alias "ZF" never matches "BRK-ZF-01", "ZF-2026-01" or
 *    "ZF 12345678", and a colleague's "@小米" is not the customer 小米.
 * 6. The result is every distinct customer named, longest match first (then by position); a name
 *    shared by two customers names both. [] means none, two or more means the message is ambiguous.
 *
 * Speed: the index is a trie of the folded names, built once; recognition is one pass of the trie
 * from each position of the folded message (names are short), plus the parser's code recognisers.
 */
import { AFTER_CUSTOMER_RE, BEFORE_CUSTOMER_RE, LEGAL_FORM_RE } from '../parse/customer-words';
import { type Folded, foldMessage, foldName } from './fold';

export interface CustomerName {
  id: number;
  name: string;
  aliases: readonly string[];
}

export interface CustomerMatch {
  id: number;
  name: string;
  /** the text as the message wrote it */
  matched: string;
}

/** A customer list ready for recognition (build it once per list; it is immutable). */
export interface CustomerIndex {
  /** Customers in the index. */
  readonly customerCount: number;
  /** Distinct names, aliases and short forms (folded) the index matches. */
  readonly nameCount: number;
}

interface Entry {
  ids: number[];
  length: number;
  latinStart: boolean;
  latinEnd: boolean;
  shortHan: boolean;
}

interface Node {
  next: Map<number, Node> | null;
  entry: Entry | null;
}

class TrieIndex implements CustomerIndex {
  readonly root: Node = { next: null, entry: null };
  readonly names = new Map<number, string>();
  nameCount = 0;
  get customerCount(): number {
    return this.names.size;
  }
}

const HAN_RE = /^[\u3400-\u4DBF\u4E00-\u9FFF\uF900-\uFAFF]+$/;

function isWordy(c: number): boolean {
  return (
    (c >= 97 && c <= 122) || // a-z
    (c >= 48 && c <= 57) || // 0-9
    (c >= 0xc0 && c <= 0x24f && c !== 0xd7 && c !== 0xf7) // accented Latin
  );
}

/** A letter, a digit, or a masked code or spec (which was letters and digits): what a Latin word must not touch. */
function isWordOrCode(c: number): boolean {
  return isWordy(c) || (c >= 0xe000 && c <= 0xe0ff);
}

function isHan(c: number): boolean {
  return (c >= 0x4e00 && c <= 0x9fff) || (c >= 0x3400 && c <= 0x4dbf) || (c >= 0xf900 && c <= 0xfaff);
}

function isJoiner(c: number): boolean {
  return c === 45 || c === 95; // - _
}

/** The folded forms a customer is found by: its name and aliases, and the name without its legal form. */
function keysOf(c: CustomerName): string[] {
  const keys = new Set<string>();
  for (const raw of [c.name, ...(c.aliases ?? [])]) {
    if (typeof raw !== 'string') continue;
    const key = foldName(raw);
    keys.add(key);
    const bare = key.replace(/\([^()]*\)/g, '');
    keys.add(bare);
    keys.add(bare.replace(LEGAL_FORM_RE, ''));
  }
  return [...keys].filter((k) => k.length >= 2 && !/^\d+$/.test(k) && !/[\uE000-\uF8FF]/.test(k));
}

/** Builds the name index of a customer list. */
export function buildCustomerIndex(customers: readonly CustomerName[]): CustomerIndex {
  const index = new TrieIndex();
  for (const c of customers) {
    index.names.set(c.id, c.name);
    for (const key of keysOf(c)) {
      let node = index.root;
      for (let i = 0; i < key.length; i++) {
        const code = key.charCodeAt(i);
        if (node.next === null) node.next = new Map();
        let child = node.next.get(code);
        if (child === undefined) {
          child = { next: null, entry: null };
          node.next.set(code, child);
        }
        node = child;
      }
      if (node.entry === null) {
        index.nameCount += 1;
        node.entry = {
          ids: [],
          length: key.length,
          latinStart: isWordy(key.charCodeAt(0)),
          latinEnd: isWordy(key.charCodeAt(key.length - 1)),
          shortHan: key.length <= 2 && HAN_RE.test(key),
        };
      }
      if (!node.entry.ids.includes(c.id)) node.entry.ids.push(c.id);
    }
  }
  return index;
}

/** Is there a word boundary right before folded character `i` (a letter or digit run does not end there)? */
function latinBoundaryBefore(f: Folded, i: number): boolean {
  if (i === 0 || f.gap[i]) return true;
  const p = f.text.charCodeAt(i - 1);
  if (isWordOrCode(p)) return false;
  return !(isJoiner(p) && i >= 2 && !f.gap[i - 1] && isWordOrCode(f.text.charCodeAt(i - 2)));
}

function latinBoundaryAfter(f: Folded, j: number): boolean {
  const n = f.text.length;
  if (j >= n || f.gap[j]) return true;
  const c = f.text.charCodeAt(j);
  if (isWordOrCode(c)) return false;
  return !(isJoiner(c) && j + 1 < n && !f.gap[j + 1] && isWordOrCode(f.text.charCodeAt(j + 1)));
}

/** A short Chinese name stands apart: nothing Han right before it, or a word that marks a customer. */
function apartBefore(f: Folded, i: number): boolean {
  if (i === 0 || f.gap[i] || !isHan(f.text.charCodeAt(i - 1))) return true;
  return BEFORE_CUSTOMER_RE.test(f.text.slice(Math.max(0, i - 4), i));
}

function apartAfter(f: Folded, j: number): boolean {
  if (j >= f.text.length || f.gap[j] || !isHan(f.text.charCodeAt(j))) return true;
  return AFTER_CUSTOMER_RE.test(f.text.slice(j, j + 8));
}

function accepts(f: Folded, start: number, end: number, e: Entry): boolean {
  if (e.latinStart && !latinBoundaryBefore(f, start)) return false;
  if (e.latinEnd && !latinBoundaryAfter(f, end)) return false;
  if (e.shortHan && !(apartBefore(f, start) && apartAfter(f, end))) return false;
  return true;
}

interface Candidate {
  start: number;
  end: number;
  entry: Entry;
}

/** Distinct customers named anywhere in the text, longest match first; [] when none; 2+ means ambiguous. */
export function recognizeCustomers(text: string, index: CustomerIndex): CustomerMatch[] {
  if (!(index instanceof TrieIndex) || index.root.next === null || typeof text !== 'string' || text === '') return [];
  const rootNext = index.root.next;
  const f = foldMessage(text);
  const t = f.text;
  const n = t.length;
  const found: Candidate[] = [];
  for (let i = 0; i < n; i++) {
    let node = rootNext.get(t.charCodeAt(i));
    for (let j = i + 1; node !== undefined; j++) {
      if (node.entry !== null && accepts(f, i, j, node.entry)) found.push({ start: i, end: j, entry: node.entry });
      if (node.next === null || j >= n) break;
      node = node.next.get(t.charCodeAt(j));
    }
  }
  if (found.length === 0) return [];
  found.sort((a, b) => b.end - b.start - (a.end - a.start) || a.start - b.start);
  const taken: Candidate[] = [];
  const used = new Uint8Array(n);
  for (const c of found) {
    if (used.subarray(c.start, c.end).includes(1)) continue;
    used.fill(1, c.start, c.end);
    taken.push(c);
  }
  const out: CustomerMatch[] = [];
  const seen = new Set<number>();
  for (const c of taken) {
    const matched = text.slice(f.from[c.start], f.to[c.end - 1]);
    for (const id of c.entry.ids) {
      if (seen.has(id)) continue;
      seen.add(id);
      out.push({ id, name: index.names.get(id) as string, matched });
    }
  }
  return out;
}
