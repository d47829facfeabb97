/**
 * SKU / material codes: letters, then dash-separated groups of letters/digits, with at least one
 * dash and one digit (BRK-2026-01, CAL-3310-A, PAD-7781). Case-insensitive, reported upper case.
 */
import type { Span } from './mask';

export interface SkuHit extends Span {
  sku: string;
}

// Greedy and anchored by a look-behind, so each letter run is tried once (linear time).
const SKU_RE = /(?<![A-Za-z0-9_\-.])[A-Za-z]+(?:-[A-Za-z0-9]+)+/g;

const MONTHS =
  /^(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec|january|february|march|april|june|july|august|september|october|november|december)$/i;
// Prefixes that are never part numbers: time zones, standards, spec parameters.
const NOT_SKU_PREFIX = new Set([
  'UTC',
  'GMT',
  'COVID',
  'ISO',
  'IATF',
  'RA',
  'RZ',
  'RQ',
  'HRC',
  'HRB',
  'HRA',
  'HV',
  'HB',
  'QTY',
  'SO',
  'PO',
  'NO',
  'TEL',
  'WECHAT',
  'VX',
  'WX',
]);

export function findSkus(text: string): SkuHit[] {
  const hits: SkuHit[] = [];
  for (const m of text.matchAll(SKU_RE)) {
    let raw = m[0];
    const groups = raw.split('-');
    const prefix = groups[0] as string;
    if (prefix.length < 2 || prefix.length > 10) continue;
    if (NOT_SKU_PREFIX.has(prefix.toUpperCase())) continue;
    // "BRK-2026-01x5": a trailing "x<digits>" after an all-digit group is a quantity, not part of the code.
    const last = groups[groups.length - 1] as string;
    const glued = /^(\d+)[xX]\d+$/.exec(last);
    if (glued) {
      raw = raw.slice(0, raw.length - last.length + (glued[1] as string).length);
    }
    if (!/\d/.test(raw.slice(prefix.length))) continue;
    if (raw.length > 40) continue;
    if (groups.length === 2 && MONTHS.test(prefix) && /^\d{1,2}$/.test(groups[1] as string)) continue; // "Mar-5"
    hits.push({ start: m.index, end: m.index + raw.length, sku: raw.toUpperCase() });
  }
  return hits;
}
