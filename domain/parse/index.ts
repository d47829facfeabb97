/**
 * Pure parser for sales people's chat messages (Chinese and English): intent, items (SKU,
 * quantity, unit, sample/batch), due date in China time, urgency, technical specs, customer,
 * and order references. No I/O and no clock: the message time is passed in.
 *
 * Pipeline (each stage masks what it recognised so later stages cannot reuse its digits):
 * normalise → order refs → SKUs → specs → dates → quantities → flags, customer, intent.
 *
 * Items: one per SKU, in the order written; a SKU asked both as samples and as a batch, each
 * quantity with its own sample or batch word ("CAL-3310-A 先送样2件，批量500件随后"), gives a sample
 * item and a batch item (not after a correction word: "样品5件 改成批量10件" is one item).
 */
import { findCustomer } from './customer';
import { formatDay } from './calendar';
import { findDates } from './date';
import { attributeKinds, isUrgent, type Kind, kindFor, messageKind } from './flags';
import { detectIntent, isPriceQuestion } from './intent';
import { MASK, maskSpans, type Span } from './mask';
import { hasCjk, normalizeText } from './normalize';
import { type Binding, bindQuantities, CORRECTION_RE, findQuantities, fragmentQuantity, type QtyHit } from './quantity';
import { findRefs } from './refs';
import { findSkus, type SkuHit } from './sku';
import { findSpecs } from './specs';
import type { MissingField, ParsedItem, ParsedMessage, ParsedSpec } from './types';

export type { Intent, MissingField, ParsedItem, ParsedMessage, ParsedSpec, SpecOp } from './types';
export { parseNumberRun } from './numerals';

/** The language to answer a writer in: Chinese when the text has Han characters, English otherwise. */
export function writerLanguage(text: string): 'zh' | 'en' {
  return hasCjk(text) ? 'zh' : 'en';
}

function emptyResult(language: 'zh' | 'en'): ParsedMessage {
  return {
    intent: 'none',
    items: [],
    dueDate: null,
    urgent: false,
    specs: [],
    customer: null,
    missing: [],
    language,
    refs: [],
    fragmentQuantity: null,
    fragmentUnit: null,
  };
}

/**
 * The valid quantities no SKU was given (not corrections), by the SKU whose stretch they are in:
 * the last SKU before them when the message writes "SKU then quantity", else the first SKU after.
 */
function extraQuantities(
  masked: string,
  skus: readonly SkuHit[],
  qtys: readonly QtyHit[],
  bindings: readonly Binding[],
) {
  const out = new Map<number, QtyHit[]>();
  const first = skus[0];
  if (!first || qtys.length === 0) return out;
  // "样品5件 改成批量10件" corrects the quantity, it does not ask for a second lot.
  if (CORRECTION_RE.test(masked)) return out;
  const bound = new Set(bindings.map((b) => b.qtyStart));
  const prefixStyle = (qtys[0] as QtyHit).start < first.start;
  for (const q of qtys) {
    if (bound.has(q.start) || Number.isNaN(q.value) || q.correction) continue;
    const after = skus.findIndex((s) => s.start >= q.end);
    const before = skus.findLastIndex((s) => s.end <= q.start);
    const owner = prefixStyle ? (after >= 0 ? after : before) : before >= 0 ? before : after;
    if (owner < 0) continue;
    out.set(owner, [...(out.get(owner) ?? []), q]);
  }
  return out;
}

function parse(text: string, now: Date): ParsedMessage {
  const norm = normalizeText(text);
  const language = hasCjk(norm) ? 'zh' : 'en';

  const refHits = findRefs(norm);
  const w1 = maskSpans(norm, refHits, MASK.ref);
  const skuHits = findSkus(w1);
  const w2 = maskSpans(w1, skuHits, MASK.sku);
  const specHits = findSpecs(w2);
  const w3 = maskSpans(w2, specHits, MASK.spec);
  const dates = findDates(w3, now);
  const { hits: qtyHits, masked: w5 } = findQuantities(dates.masked);

  const specs: ParsedSpec[] = specHits.flatMap((h) => h.specs);
  const dueDate = dates.due === null ? null : formatDay(dates.due);
  const urgent = isUrgent(w5);
  const customer = findCustomer(w5);
  const intent = detectIntent({
    masked: w5,
    hasSku: skuHits.length > 0,
    hasOrderRef: refHits.length > 0,
    hasQuantity: qtyHits.length > 0,
    hasDate: dates.hits.length > 0,
  });

  const result: ParsedMessage = { ...emptyResult(language), intent, dueDate, urgent, specs, customer };

  if (intent === 'order') {
    const bindings = bindQuantities(skuHits, qtyHits);
    const extras = extraQuantities(w5, skuHits, qtyHits, bindings);
    const items: ParsedItem[] = [];
    const wholeKind = messageKind(w5);
    // Per SKU: its items, and whether each one's kind was written next to its own quantity.
    const bySku = new Map<string, { item: ParsedItem; explicit: () => boolean }[]>();
    skuHits.forEach((s, i) => {
      const b = bindings[i] ?? { quantity: null, unit: null, qtyStart: -1, qtyEnd: -1 };
      const own = extras.get(i) ?? [];
      const localStart = Math.min(
        i > 0 ? (skuHits[i - 1] as { end: number }).end : 0,
        b.qtyStart < 0 ? Infinity : b.qtyStart,
        ...own.map((q) => q.start),
      );
      const nextSku = i + 1 < skuHits.length ? (skuHits[i + 1] as { start: number }).start : w5.length;
      const localEnd = Math.max(nextSku, b.qtyEnd, ...own.map((q) => q.end));
      const local = w5.slice(localStart, localEnd);
      const [focusStart, focusEnd] = b.qtyStart >= 0 ? [b.qtyStart, b.qtyEnd] : [s.start, s.end];
      const kind = kindFor(local, focusStart - localStart, focusEnd - localStart, wholeKind);
      // The kinds written next to this SKU's quantities (the bound one is 0, the others 1, 2, …),
      // worked out only when the SKU has several quantities or is written again.
      let attributed: (Kind | null)[] | undefined;
      const kindOf = (k: number): Kind | null => {
        if (attributed === undefined) {
          const spans = b.qtyStart >= 0 ? [{ start: b.qtyStart, end: b.qtyEnd }, ...own] : [];
          const order = spans.map((_, x) => x).sort((x, y) => (spans[x] as Span).start - (spans[y] as Span).start);
          const byPosition = attributeKinds(
            local,
            order.map((x) => ({
              start: (spans[x] as Span).start - localStart,
              end: (spans[x] as Span).end - localStart,
            })),
          );
          attributed = spans.map((_, x) => byPosition[order.indexOf(x)] ?? null);
        }
        return attributed[k] ?? null;
      };
      const mine: { item: ParsedItem; explicit: () => boolean; quantity: number | null }[] = [];
      if (b.quantity !== null && own.length > 0) {
        // One material asked twice: "先送样2件，批量500件随后" is a sample item and a batch item.
        // The other quantity must have its own sample or batch word; the bound one, when it has
        // none ("CAL-3310-A 500件，另外样品2件"), is the other kind.
        const boundKind = kindOf(0);
        const other = own.findIndex((_, k) => {
          const ok = kindOf(k + 1);
          return ok !== null && ok !== boundKind;
        });
        if (other >= 0) {
          const q = own[other] as QtyHit;
          const otherKind = kindOf(other + 1) as Kind;
          const firstKind: Kind = boundKind ?? (otherKind === 'sample' ? 'batch' : 'sample');
          const first = { sku: s.sku, quantity: b.quantity, unit: b.unit, kind: firstKind };
          const second = { sku: s.sku, quantity: q.value, unit: q.unit, kind: otherKind };
          const pair = q.start < b.qtyStart ? [second, first] : [first, second];
          for (const item of pair) mine.push({ item, explicit: () => true, quantity: item.quantity });
        }
      }
      if (mine.length === 0) {
        const explicit = () => b.quantity !== null && kindOf(0) !== null;
        mine.push({ item: { sku: s.sku, quantity: b.quantity, unit: b.unit, kind }, explicit, quantity: b.quantity });
      }
      const seen = bySku.get(s.sku);
      if (seen === undefined) {
        bySku.set(s.sku, mine);
        for (const m of mine) items.push(m.item);
        return;
      }
      for (const m of mine) {
        const first = seen[0] as { item: ParsedItem };
        if (first.item.quantity === null && m.quantity !== null) {
          first.item.quantity = m.quantity;
          first.item.unit = m.item.unit;
          continue;
        }
        // The same material written again with a quantity of the other kind ("CAL-3310-A 样品2件，
        // CAL-3310-A 批量500件"): a second item. Otherwise the first mention stands, as before.
        if (
          m.quantity !== null &&
          seen.every((x) => x.item.quantity !== null && x.item.kind !== m.item.kind) &&
          m.explicit() &&
          seen.every((x) => x.explicit())
        ) {
          seen.push(m);
          const last = items.findLastIndex((it) => it.sku === s.sku);
          items.splice(last + 1, 0, m.item);
        }
      }
    });
    result.items = items;
    const missing: MissingField[] = [];
    if (items.some((it) => it.quantity === null)) missing.push('quantity');
    if (dueDate === null) missing.push('dueDate');
    result.missing = missing;
  } else if (intent === 'status') {
    const named = [
      ...refHits.map((r) => ({ start: r.start, ref: r.ref })),
      ...skuHits.map((s) => ({ start: s.start, ref: s.sku })),
    ].sort((a, b) => a.start - b.start);
    result.refs = [...new Set(named.map((n) => n.ref))];
  }

  if (skuHits.length === 0 && intent === 'none' && !isPriceQuestion(w5)) {
    const fq = fragmentQuantity(qtyHits);
    if (fq) {
      result.fragmentQuantity = fq.value;
      result.fragmentUnit = fq.unit;
    }
  }
  return result;
}

/**
 * Parses one chat message. `now` is the message time (an instant; dates are resolved in China
 * time, UTC+8). Never throws: on any unexpected input it returns an empty 'none' result.
 */
export function parseMessage(text: string, now: Date): ParsedMessage {
  let raw = '';
  try {
    raw = typeof text === 'string' ? text : text == null ? '' : String(text);
    const when = now instanceof Date ? now : new Date(NaN);
    return parse(raw, when);
  } catch {
    let language: 'zh' | 'en' = 'en';
    try {
      language = hasCjk(raw) ? 'zh' : 'en';
    } catch {
      /* keep 'en' */
    }
    return emptyResult(language);
  }
}
