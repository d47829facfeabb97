/**
 * Pure parser for sales people's chat messages (Chinese and English): intent, items (SKU,
 * quantity, unit, sample/batch), due date in China time, urgency, technical specs, customer,
 * and order references. No I/O and no clock: the message time is passed in.
 *
 * Pipeline (each stage masks what it recognised so later stages cannot reuse its digits):
 * normalise → order refs → SKUs → specs → dates → quantities → flags, customer, intent.
 */
import { findCustomer } from './customer';
import { formatDay } from './calendar';
import { findDates } from './date';
import { isUrgent, kindFor, messageKind } from './flags';
import { detectIntent, isPriceQuestion } from './intent';
import { MASK, maskSpans } from './mask';
import { hasCjk, normalizeText } from './normalize';
import { bindQuantities, findQuantities, fragmentQuantity } from './quantity';
import { findRefs } from './refs';
import { findSkus } from './sku';
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
    const items: ParsedItem[] = [];
    const wholeKind = messageKind(w5);
    const index = new Map<string, number>();
    skuHits.forEach((s, i) => {
      const b = bindings[i] ?? { quantity: null, unit: null, qtyStart: -1, qtyEnd: -1 };
      const localStart = Math.min(
        i > 0 ? (skuHits[i - 1] as { end: number }).end : 0,
        b.qtyStart < 0 ? Infinity : b.qtyStart,
      );
      const nextSku = i + 1 < skuHits.length ? (skuHits[i + 1] as { start: number }).start : w5.length;
      const localEnd = Math.max(nextSku, b.qtyEnd);
      const [focusStart, focusEnd] = b.qtyStart >= 0 ? [b.qtyStart, b.qtyEnd] : [s.start, s.end];
      const kind = kindFor(w5.slice(localStart, localEnd), focusStart - localStart, focusEnd - localStart, wholeKind);
      const seen = index.get(s.sku);
      if (seen !== undefined) {
        const it = items[seen] as ParsedItem;
        if (it.quantity === null && b.quantity !== null) {
          it.quantity = b.quantity;
          it.unit = b.unit;
        }
        return;
      }
      index.set(s.sku, items.length);
      items.push({ sku: s.sku, quantity: b.quantity, unit: b.unit, kind });
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
