/** Sales-order numbers such as SO-20260224-0001 (never SKUs). */
import type { Span } from './mask';

export interface RefHit extends Span {
  ref: string;
}

// "SO-20260224-0001", "so20260224-0001", "SO-12345", and a split delivery "SO-20260224-0001-2". Only digits after the prefix.
const SO_RE = /(?<![A-Za-z0-9_])SO-?(\d{4,14})(?:-(\d{1,8})(?:-(\d{1,3}))?)?(?![A-Za-z0-9_]|-[A-Za-z0-9])/gi;

export function findRefs(text: string): RefHit[] {
  const hits: RefHit[] = [];
  for (const m of text.matchAll(SO_RE)) {
    const main = m[1] as string;
    const seq = m[2];
    const delivery = m[3] ? `-${m[3]}` : '';
    hits.push({ start: m.index, end: m.index + m[0].length, ref: seq ? `SO-${main}-${seq}${delivery}` : `SO-${main}` });
  }
  return hits;
}
