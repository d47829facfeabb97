import type { CardField } from '../cards/model';
import { formatDate } from '../domain/china-time';
import { loadTone, type Constraint, type OrderPromise } from '../domain/promise';
import { MOULD_END_UNKNOWN } from '../db/plant';
import type { Lang } from './texts';

/** One constraint as a person reads it: "A线负荷92%至3月6日" / "line A is 92% loaded until Mar 6". */
export function constraintText(c: Constraint, lang: Lang, today: string): string {
  const d = (date: string) => formatDate(date, lang, today);
  const zh = lang === 'zh';
  switch (c.kind) {
    case 'stock':
      return zh ? `库存可用 ${c.available}，需 ${c.needed}` : `${c.available} in stock, ${c.needed} needed`;
    case 'line-load':
      return zh
        ? `${c.line}线负荷${Math.round(c.load * 100)}%至${d(c.until)}`
        : `line ${c.line} is ${Math.round(c.load * 100)}% loaded until ${d(c.until)}`;
    case 'line-capacity':
      return zh
        ? `${c.line}线${d(c.freeFrom)}起有空余产能，${d(c.finish)}完工`
        : `line ${c.line} free capacity from ${d(c.freeFrom)}, done ${d(c.finish)}`;
    case 'mould':
      if (c.availableFrom === MOULD_END_UNKNOWN)
        return zh ? `模具${c.mould}维修中，修好日期未定` : `mould ${c.mould} in repair, no end date yet`;
      return zh
        ? `模具${c.mould}维修至${d(c.availableFrom)}`
        : `mould ${c.mould} in repair until ${d(c.availableFrom)}`;
    case 'purchase-lead':
      return zh
        ? `采购周期${c.days}天，${d(c.readyFrom)}到料`
        : `purchase lead time ${c.days} days, material from ${d(c.readyFrom)}`;
    case 'transit':
      return zh ? `运输${c.days}天` : `${c.days} days in transit`;
    case 'calendar':
      return zh ? `节假日停产（${c.holidays.map(d).join('、')}）` : `holidays (${c.holidays.map(d).join(', ')})`;
  }
}

export function bindingText(binding: Constraint[], lang: Lang, today: string): string {
  const reasons = binding.filter((c) => c.kind !== 'transit').map((c) => constraintText(c, lang, today));
  return reasons.join(lang === 'zh' ? '；' : '; ');
}

/** How the date was reached, for the approval cards; line load coloured red / yellow / blue. */
export function promiseFields(promise: Extract<OrderPromise, { feasible: true }>, today: string): CardField[] {
  const basis = promise.items.map((item) =>
    item.source === 'stock'
      ? '库存发货'
      : item.constraints
          .filter((c) => c.kind !== 'transit' && c.kind !== 'stock')
          .map((c) => constraintText(c, 'zh', today))
          .join('；'),
  );
  const fields: CardField[] = [
    { label: '最早可交', value: formatDate(promise.date, 'zh', today) },
    { label: '交期依据', value: [...new Set(basis)].join('；') || '库存发货' },
  ];
  for (const c of promise.items.flatMap((i) => i.constraints)) {
    if (c.kind === 'line-load' && !fields.some((f) => f.label === `${c.line}线负荷`)) {
      fields.push({
        label: `${c.line}线负荷`,
        value: `${Math.round(c.load * 100)}%（至${formatDate(c.until, 'zh', today)}）`,
        tone: loadTone(c.load),
      });
    }
  }
  return fields;
}

export function blockedText(args: {
  lang: Lang;
  requested: string;
  earliest: string | null;
  reasons: string;
  today: string;
}): string {
  const { lang, today } = args;
  const requested = formatDate(args.requested, lang, today);
  if (args.earliest === null) {
    return lang === 'zh'
      ? `⛔ ${requested}无法交付：半年内排不上产${args.reasons ? ` —— ${args.reasons}` : ''}。可升级技术部评估加急。`
      : `⛔ ${requested} is not possible: no capacity within the planning horizon${args.reasons ? ` — ${args.reasons}` : ''}. You can escalate to tech.`;
  }
  const earliest = formatDate(args.earliest, lang, today);
  return lang === 'zh'
    ? `⛔ ${requested}无法交付：最早${earliest} —— ${args.reasons || '产能已排满'}\n可点卡片按钮，或回复“按最早交期下单”/“升级加急”。`
    : `⛔ ${requested} is not possible: earliest ${earliest} — ${args.reasons || 'capacity is taken'}\nTap the card, or reply "offer" / "escalate".`;
}
