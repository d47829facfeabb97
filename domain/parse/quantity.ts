/**
 * Quantities and their binding to SKUs.
 *
 * A number is a quantity only with a sign that it is one: a marker before it (×5, x5, X5, *5),
 * a unit after it (5件, 5 pcs, 两千件), a keyword (qty 5, qty: 5, 数量：5, 共10件), "each" (各5件,
 * each 5), or it stands alone right after a SKU ("BRK-2026-01 500"). Dates, specs, SKU digits
 * and order numbers are masked before this runs, so their digits can never be taken.
 *
 * Binding: if the first quantity comes before the first SKU the message is written
 * "quantity then SKU" (5 pcs of A, 10 pcs of B), otherwise "SKU then quantity". A quantity
 * binds to the one SKU written on its side since the previous quantity; "each"/各 gives it to all
 * of them; a plain quantity after several SKUs ("A、B 5件") is ambiguous (total or each?) and is
 * given to none of them, so the order reports the quantity as missing and the bot asks.
 */
import { MASK, maskSpans, type Span } from './mask';
import { NUMBER_RUN_SRC, parseNumberRun } from './numerals';
import type { SkuHit } from './sku';

export interface QtyHit extends Span {
  value: number;
  unit: string | null;
  each: boolean;
  /** Preceded by a correction word ("改成10件", "make it 10"). */
  correction: boolean;
  /** Directly followed by a SKU ("10 pcs BRK-…", "5件BRK-…"). */
  beforeSku: boolean;
}

const CN_UNITS = '件|个|套|只|支|箱|片|台|根|条|张|盒|包|卷|桶|颗|粒|双|批';
const EN_UNITS = 'pcs|pc|pieces|piece|sets|set|units|unit|ea|nos|boxes|box|ctns|cartons';
const UNIT_AFTER_RE = new RegExp(`^\\s*(?:(${CN_UNITS})|(${EN_UNITS})(?![A-Za-z]))`, 'i');
// 个 that counts something other than goods: 3个月, 两个型号, 一个问题 …
const GE_NOT_GOODS_RE =
  /^(?:月|工作日|星期|礼拜|小时|钟头|人|型号|款|种|规格|料号|问题|地方|事|客户|供应商|厂|品种|项目|方面|原因|意思|订单|单子|sku|SKU|号)/;
const RUN_RE = new RegExp(`(?<![0-9.])${NUMBER_RUN_SRC}`, 'g');
const CN_NUM_ONLY_RE = /^[零〇一壹幺二贰两俩三叁四肆五伍六陆七柒八捌九玖十拾百佰千仟万萬亿]+$/;

const MARKER_BEFORE_RE = /(?:^|[^A-Za-z0-9.])[xX×*]\s*$/;
const MARKER_AFTER_RE = /^\s*[xX×*](?![A-Za-z0-9])/;
const KEYWORD_BEFORE_RE =
  /(?:\bqty|\bq'ty|\bquantity|\bamount|\bmoq|\bbatch\s+of|数量|订量|件数|需求量|总数|共计|总共|一共|合计|共|\btotal)\s*(?:(?:要|为|是|改为|改成|:|=)\s*)*$/i;
const EACH_BEFORE_RE =
  /(?:各|每款|每个|每种|每样|每项|每只|每件|均|都|\beach|\bper\s+(?:sku|item|part|model))\s*(?:(?:要|为|是|做|打|需要|需|:|=|x|×|\*)\s*)*$/i;
// "5 each", "5 pcs apiece", "5 samples each of A and B", "5 of each"
const EACH_AFTER_RE =
  /^\s*(?:(?:samples?|prototypes?|protos?)\s+)?(?:each|apiece|(?:of|for)\s+each|per\s+(?:sku|item|part|model|pn)|各)(?![A-Za-z])/i;
const CORRECTION_BEFORE_RE =
  /(?:改成|改为|换成|改到|变成|更改为|调整为|加到|\bchange(?:d)?\s+(?:it\s+)?to|\bmake\s+it|\bupdate(?:d)?\s+(?:it\s+)?to|\binstead)\s*(?:(?::|=)\s*)?$/i;
/** A correction anywhere in a message ("不对，改成10件", "make it 10"). */
export const CORRECTION_RE =
  /改成|改为|换成|改到|变成|更改为|调整为|不对|\bchange(?:d)?\s+(?:it\s+)?to\b|\bmake\s+it\b|\bupdate(?:d)?\s+(?:it\s+)?to\b|\binstead\b/i;
const NOT_QTY_BEFORE_RE = /(?:第|#|No\.?|[$¥￥]|单价|价格|价|rmb|usd|¥)\s*$/i;
const NOT_QTY_AFTER_RE =
  /^\s*(?:款|种|项|行|(?:skus?|models?|items?|types?|kinds?|lines?|variants?)(?![A-Za-z])|%|元|块钱|块|毛|rmb|usd|美金|美元|刀|岁|年|号|级|楼|mm|cm|μm|um|kg|g(?![a-z])|m(?![a-z])|°|度|[./]\d)/i;
const RANGE_AFTER_RE = /^\s*(?:[-~到至]|to)\s*[0-9一二两三四五六七八九十百千万]/;
const RANGE_BEFORE_RE = /[0-9一二两三四五六七八九十百千万]\s*(?:[-~到至]|to)\s*$/;
const DIMENSION_RE =
  /(?<![0-9.])\d+(?:\.\d+)?\s*[xX×*]\s*\d+(?:\.\d+)?(?:\s*[xX×*]\s*\d+(?:\.\d+)?)?\s*(?:mm|cm|m|inch|in|")(?![A-Za-z])/g;
const BARE_AFTER_OK_RE = /^(?:$|\s|[,，。;；!！?？~\uE000-\uE005]|[\u4e00-\u9fff])/;
const VERB_BEFORE_RE = /(?:先做|再做|再来|再要|再下|先要|先来|订购|采购|需要|要|订|做|来|备|补|加|批量|大货|量产)\s*$/;
const SAMPLE_AFTER_RE = /^\s*(?:samples?|prototypes?|protos?)(?![A-Za-z])/i;
const SKU_THEN_RE = /\uE001\s*(?:(?:samples?|prototypes?|样品|样件|要|订|做|需要|下|来|备|补|加|再来|再要|[:=])\s*)*$/i;

function normUnit(cn: string | undefined, en: string | undefined): string | null {
  if (cn) return cn;
  if (!en) return null;
  const e = en.toLowerCase();
  if (e.startsWith('set')) return 'sets';
  if (e === 'boxes' || e === 'box' || e === 'ctns' || e === 'cartons') return 'boxes';
  return 'pcs';
}

/** Finds quantity candidates in the masked text. Returns them and the text with them masked. */
export function findQuantities(text: string): { hits: QtyHit[]; masked: string } {
  // "50x30mm" is a size, not "× 30"
  let w = maskSpans(
    text,
    [...text.matchAll(DIMENSION_RE)].map((m) => ({ start: m.index, end: m.index + m[0].length })),
    MASK.word,
  );
  const hits: QtyHit[] = [];
  const firstSku = w.indexOf(MASK.sku);
  for (const m of w.matchAll(RUN_RE)) {
    const run = m[0];
    const start = m.index;
    const end = start + run.length;
    const before = w.slice(Math.max(0, start - 24), start);
    const after = w.slice(end, end + 24);
    const value = parseNumberRun(run);
    if (value === null) continue;
    if (NOT_QTY_BEFORE_RE.test(before)) continue;
    // "500-1000件": a range is a quantity we cannot pin down; it is reported (as unknown) on its upper end.
    if (RANGE_AFTER_RE.test(after)) continue;
    const isRange = RANGE_BEFORE_RE.test(before);

    const unitM = UNIT_AFTER_RE.exec(after);
    let unit: string | null = null;
    let unitLen = 0;
    if (unitM) {
      const rest = after.slice(unitM[0].length);
      if (unitM[1] === '个' && GE_NOT_GOODS_RE.test(rest)) continue;
      if (
        unitM[1] === '个' &&
        CN_NUM_ONLY_RE.test(run) &&
        /^[\u4e00-\u9fff]/.test(rest) &&
        !/^[样就吧也的啊呢哈了]/.test(rest)
      )
        continue;
      if (unitM[1] === '批' || unitM[1] === '双') {
        // "分两批" (in two lots) is not a quantity; keep 双 only with an Arabic number
        if (unitM[1] === '批' || CN_NUM_ONLY_RE.test(run)) continue;
      }
      unit = normUnit(unitM[1], unitM[2]);
      unitLen = unitM[0].length;
    } else if (NOT_QTY_AFTER_RE.test(after)) {
      continue;
    }

    const cnOnly = CN_NUM_ONLY_RE.test(run);
    const marker = MARKER_BEFORE_RE.test(before);
    const keyword = KEYWORD_BEFORE_RE.test(before);
    const eachBefore = EACH_BEFORE_RE.test(before);
    const afterUnit = after.slice(unitLen);
    const eachAfter = EACH_AFTER_RE.test(afterUnit);
    const markerAfter = !unit && MARKER_AFTER_RE.test(after) && /\uE001/.test(after.slice(0, 6));
    const bareAfterSku = !unit && !cnOnly && SKU_THEN_RE.test(before) && BARE_AFTER_OK_RE.test(after);
    const samplesAfter = !unit && !cnOnly && SAMPLE_AFTER_RE.test(after);
    // "BRK-… 先做200", "再来300": a request verb right before a bare number, with a SKU somewhere before
    const verbBare =
      !unit &&
      !cnOnly &&
      VERB_BEFORE_RE.test(before) &&
      firstSku >= 0 &&
      firstSku < start &&
      BARE_AFTER_OK_RE.test(after);
    const bareBeforeSku =
      !unit &&
      !cnOnly &&
      /^\s+(?:of\s+)?\uE001/i.test(after) &&
      /(?:^|\s|要|订|需要|need|order|want)\s*$/i.test(before);

    let ok = false;
    if (unit) ok = true;
    else if (marker || keyword) ok = true;
    else if (
      !cnOnly &&
      (eachBefore || eachAfter || markerAfter || bareAfterSku || bareBeforeSku || samplesAfter || verbBare)
    )
      ok = true;
    if (!ok) continue;
    if (isRange || !Number.isInteger(value) || value < 1 || value > 1e9) {
      // Only a number that clearly is a quantity (unit or keyword) stands as an unknown quantity.
      if (!(unit || keyword || isRange || (marker && Number.isInteger(value)))) continue;
      hits.push({ start, end: end + unitLen, value: NaN, unit, each: false, correction: false, beforeSku: false });
      continue;
    }
    hits.push({
      start,
      end: end + unitLen,
      value,
      unit,
      each: eachBefore || eachAfter,
      correction: CORRECTION_BEFORE_RE.test(before),
      beforeSku: /^\s*(?:(?:of|x|×|\*)\s+)?\uE001/i.test(afterUnit),
    });
  }
  w = maskSpans(w, hits, MASK.qty);
  return { hits, masked: w };
}

export interface Binding {
  quantity: number | null;
  unit: string | null;
  /** Span of the quantity text bound to this SKU (for deciding sample/batch), or -1. */
  qtyStart: number;
  qtyEnd: number;
}

/** Assigns quantities to SKUs (same order as `skus`). Invalid quantities (0, 1.5) bind as null. */
export function bindQuantities(skus: readonly SkuHit[], qtys: readonly QtyHit[]): Binding[] {
  const out: Binding[] = skus.map(() => ({ quantity: null, unit: null, qtyStart: -1, qtyEnd: -1 }));
  if (skus.length === 0 || qtys.length === 0) return out;
  const done = new Array<boolean>(skus.length).fill(false);
  const firstSku = skus[0] as SkuHit;
  const prefixStyle = (qtys[0] as QtyHit).start < firstSku.start;

  const assign = (idx: number[], q: QtyHit) => {
    for (const i of idx) {
      done[i] = true;
      out[i] = Number.isNaN(q.value)
        ? { quantity: null, unit: null, qtyStart: q.start, qtyEnd: q.end }
        : { quantity: q.value, unit: q.unit, qtyStart: q.start, qtyEnd: q.end };
    }
  };

  for (let qi = 0; qi < qtys.length; qi++) {
    const q = qtys[qi] as QtyHit;
    const prevEnd = qi > 0 ? (qtys[qi - 1] as QtyHit).end : -1;
    const nextStart = qi + 1 < qtys.length ? (qtys[qi + 1] as QtyHit).start : Infinity;
    const beforeIdx: number[] = [];
    const afterIdx: number[] = [];
    skus.forEach((s, i) => {
      if (done[i]) return;
      if (s.start >= prevEnd && s.end <= q.start) beforeIdx.push(i);
      if (s.start >= q.end && s.end <= nextStart) afterIdx.push(i);
    });
    let own = prefixStyle ? afterIdx : beforeIdx;
    if (own.length === 0) own = prefixStyle ? beforeIdx : q.each ? afterIdx : q.beforeSku ? afterIdx.slice(0, 1) : [];
    if (own.length === 0) continue;
    if (q.each || own.length === 1) assign(own, q);
    else for (const i of own) done[i] = true; // ambiguous: total or each? leave null
  }
  return out;
}

/** The quantity of a fragment with no SKU: after a correction word, else the last one. */
export function fragmentQuantity(qtys: readonly QtyHit[]): QtyHit | null {
  const valid = qtys.filter((q) => !Number.isNaN(q.value));
  if (valid.length === 0) return null;
  return valid.find((q) => q.correction) ?? (valid[valid.length - 1] as QtyHit);
}
