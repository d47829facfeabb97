/**
 * A working copy of the normalised text in which recognised pieces (order refs, SKUs, specs,
 * dates, quantities) are overwritten by a private-use "mask" character of the same length, so
 * that later stages cannot reuse their digits and string indices stay aligned with the text.
 */

export const MASK = {
  ref: '\uE000',
  sku: '\uE001',
  spec: '\uE002',
  date: '\uE003',
  qty: '\uE004',
  word: '\uE005',
} as const;

export type MaskKind = keyof typeof MASK;

export interface Span {
  start: number;
  end: number;
}

/** Returns `text` with every span overwritten by `ch` (spans may be unsorted or overlap). */
export function maskSpans(text: string, spans: readonly Span[], ch: string): string {
  if (spans.length === 0) return text;
  const sorted = [...spans].sort((a, b) => a.start - b.start);
  let out = '';
  let pos = 0;
  for (const sp of sorted) {
    const start = Math.max(sp.start, pos);
    const end = Math.min(sp.end, text.length);
    if (end <= start) continue;
    out += text.slice(pos, start) + ch.repeat(end - start);
    pos = end;
  }
  return out + text.slice(pos);
}

export function isMask(ch: string | undefined): boolean {
  return ch !== undefined && ch >= '\uE000' && ch <= '\uE005';
}
