import type { CardField } from '../cards/model';
import { type Constraint, loadTone, type OrderPromise } from '../domain/promise';
import { type Lang, texts } from '../texts';

/** The constraints that set the date, as one sentence ("A线负荷92%至3月6日；采购周期10天…"); transit left out. */
export function bindingText(binding: Constraint[], lang: Lang, today: string): string {
  const t = texts(lang);
  const reasons = binding.filter((c) => c.kind !== 'transit').map((c) => t.promise.constraint(c, today));
  return t.format.clauses(reasons);
}

/** Why a request cannot be met: the binding constraints, or every constraint when nothing is feasible. */
export function reasonsOf(promise: OrderPromise, lang: Lang, today: string): string {
  if (promise.feasible) return bindingText(promise.binding, lang, today);
  return bindingText(
    promise.items.flatMap((i) => i.constraints),
    lang,
    today,
  );
}

/** Each line's load the promise ran into, coloured red / yellow / blue; one field per line. */
export function lineLoadFields(constraints: Constraint[], lang: Lang, today: string): CardField[] {
  const t = texts(lang).promise.card;
  const fields: CardField[] = [];
  for (const c of constraints) {
    if (c.kind !== 'line-load' || fields.some((f) => f.key === `load:${c.line}`)) continue;
    fields.push({
      key: `load:${c.line}`,
      label: t.lineLoad(c.line),
      value: t.lineLoadValue(c.load, c.until, today),
      tone: loadTone(c.load),
    });
  }
  return fields;
}

/** How the date was reached, for the approval cards: the earliest date, what it rests on, each line's load. */
export function promiseFields(promise: Extract<OrderPromise, { feasible: true }>, lang: Lang, today: string) {
  const t = texts(lang);
  const basis = promise.items.map((item) =>
    item.source === 'stock'
      ? t.promise.card.fromStock
      : t.format.clauses(
          item.constraints
            .filter((c) => c.kind !== 'transit' && c.kind !== 'stock')
            .map((c) => t.promise.constraint(c, today)),
        ),
  );
  const fields: CardField[] = [
    { key: 'earliest', label: t.promise.card.earliest, value: t.format.date(promise.date, today) },
    {
      key: 'basis',
      label: t.promise.card.basis,
      value: t.format.clauses([...new Set(basis)]) || t.promise.card.fromStock,
    },
  ];
  return [
    ...fields,
    ...lineLoadFields(
      promise.items.flatMap((i) => i.constraints),
      lang,
      today,
    ),
  ];
}
