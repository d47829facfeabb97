/** Urgency and sample/batch words. */

const NOT_URGENT_RE =
  /不(?:是|用|必|太|很|算|那么|怎么){0,3}着?急|没(?:那么|多|怎么)?着?急|别着?急|不赶|not\s+(?:that\s+|very\s+|so\s+)?(?:urgent|in\s+a\s+rush|a\s+rush)|no\s+(?:rush|hurry)|not\s+asap/gi;
const URGENT_RE =
  /急|加急|紧急|特急|火急|尽快|越快越好|赶工|赶货|催得紧|赶时间|\burgent(?:ly)?\b|\basap\b|\brush\b|\bhurry\b|\bemergency\b|\bexpedite[ds]?\b/i;

export function isUrgent(text: string): boolean {
  return URGENT_RE.test(text.replace(NOT_URGENT_RE, ' '));
}

export const SAMPLE_RE =
  /样品|样件|打样|送样|出样|试样|样板|手板|首件|\bsamples?\b|\bprototypes?\b|\bprotos?\b|\bfai\b/i;
export const BATCH_RE =
  /批量|大货|量产|大批|正式订单|\bbulk\b|\bbatch\b|\bmass\s+production\b|\bproduction\s+order\b|\bbatch\s+order\b/i;

export type Kind = 'sample' | 'batch';

function nearest(re: RegExp, text: string, from: number, to: number): number {
  let best = Infinity;
  for (const m of text.matchAll(re)) {
    const s = m.index;
    const e = s + m[0].length;
    const d = e <= from ? from - e : s >= to ? s - to : 0;
    if (d < best) best = d;
  }
  return best;
}

const SAMPLE_G = new RegExp(SAMPLE_RE.source, 'gi');
const BATCH_G = new RegExp(BATCH_RE.source, 'gi');

/**
 * Kind of one item. `local` is the item's own stretch of text (from the previous SKU to the next
 * SKU or the end of its quantity, whichever is later); [focusStart, focusEnd) is where the item's
 * quantity sits in `local` (or the SKU when it has none). A sample or batch word there decides
 * ("样品5件", "批量1000件"; the one nearest the focus if both appear); otherwise the message as a
 * whole: sample if it has a sample word and no batch word.
 */
export function kindFor(local: string, focusStart: number, focusEnd: number, messageKind: Kind): Kind {
  const s = nearest(SAMPLE_G, local, focusStart, focusEnd);
  const b = nearest(BATCH_G, local, focusStart, focusEnd);
  if (s < b) return 'sample';
  if (b < s) return 'batch';
  return messageKind;
}

/** Kind of the message as a whole: sample if it has a sample word and no batch word. */
export function messageKind(whole: string): Kind {
  return SAMPLE_RE.test(whole) && !BATCH_RE.test(whole) ? 'sample' : 'batch';
}

/**
 * The kind each quantity of one SKU asks for, when the SKU has several quantities in its stretch
 * ("CAL-3310-A 先送样2件，批量500件随后"): every sample or batch word in `local` belongs to the
 * quantity nearest to it (the earlier one on a tie), and a quantity takes the kind of the nearest
 * word it was given; null when it was given none (or a sample and a batch word equally near).
 */
export function attributeKinds(local: string, spans: readonly { start: number; end: number }[]): (Kind | null)[] {
  const best = spans.map(() => ({ sample: Infinity, batch: Infinity }));
  const words = [
    ...[...local.matchAll(SAMPLE_G)].map((m) => ({
      start: m.index,
      end: m.index + m[0].length,
      kind: 'sample' as const,
    })),
    ...[...local.matchAll(BATCH_G)].map((m) => ({
      start: m.index,
      end: m.index + m[0].length,
      kind: 'batch' as const,
    })),
  ];
  for (const w of words) {
    let owner = -1;
    let dist = Infinity;
    spans.forEach((sp, i) => {
      const d = w.end <= sp.start ? sp.start - w.end : w.start >= sp.end ? w.start - sp.end : 0;
      if (d < dist) {
        dist = d;
        owner = i;
      }
    });
    const b = best[owner];
    if (b && dist < b[w.kind]) b[w.kind] = dist;
  }
  return best.map((b) => (b.sample < b.batch ? 'sample' : b.batch < b.sample ? 'batch' : null));
}
