/**
 * The card the ops supervisor decides a suspected rule stacking on: the customer and how each buyer was linked to
 * it, each order (channel, shop, order id, paid time in China time, SKUs, the applied rules with labels and
 * amounts), the SKUs on both sides and the rules that exclude each other; 确认叠用 / 忽略 (with a reason).
 * Built again after a decision (or when a bigger set supersedes it) with the outcome in place of the buttons.
 */
import { chinaDate } from '../domain/china-time';
import type { Channel } from '../domain/channels/order';
import { formatFen } from '../domain/channels/money';
import { type Lang, texts } from '../texts';
import { type Card, type CardField, resolveCard } from './model';

export const STACKING_ACTIONS = { confirm: 'confirm', dismiss: 'dismiss' } as const;

export interface StackingCardOrder {
  id: number;
  channel: Channel;
  /** The shop's name from the config (its id when the config does not list it). */
  shopName: string;
  orderId: string;
  buyerKey: string;
  paidAt: Date | null;
  lines: Array<{ sku: string; quantity: number }>;
  applied: Array<{ code: string; label: string; amountFen: number }>;
  link: { method: 'phone-hash' | 'manual'; linkedByName: string | null; linkedAt: Date } | null;
}

export interface StackingCardInput {
  cardId: string;
  lang: Lang;
  reviewId: number;
  customerName: string;
  orders: StackingCardOrder[];
  overlapSkus: string[];
  exclusivePairs: Array<[string, string]>;
  windowMs: number;
  now: Date;
  outcome:
    | { kind: 'open' }
    | { kind: 'confirmed'; by: string; at: Date }
    | { kind: 'dismissed'; by: string; at: Date; reason: string }
    | { kind: 'superseded'; by: number };
}

/** The dismissal reasons the card offers (ids travel in the tap). */
export function dismissReasons(lang: Lang): Array<{ id: string; text: string }> {
  return Object.entries(texts(lang).channels.card.reasons).map(([id, text]) => ({ id, text }));
}

export function buildStackingReviewCard(input: StackingCardInput): Card {
  const t = texts(input.lang);
  const c = t.channels.card;
  const today = chinaDate(input.now);
  const when = (at: Date) => t.format.dateTime(at, today);
  const buyers = new Map<string, StackingCardOrder>();
  for (const o of input.orders) {
    const key = `${o.channel}\u0000${o.buyerKey}`;
    if (!buyers.has(key)) buyers.set(key, o);
  }
  const linkLines = [...buyers.values()].map((o) =>
    c.linkLine(t.channels.buyer(o.channel, o.buyerKey), {
      method: o.link?.method ?? null,
      by: o.link?.linkedByName ?? null,
      on: o.link ? t.format.date(chinaDate(o.link.linkedAt), today) : '',
    }),
  );
  const fields: CardField[] = [
    { key: 'customer', label: c.customer, value: input.customerName },
    {
      key: 'links',
      label: c.links,
      value: linkLines.join('\n'),
      ...(input.orders.some((o) => o.link?.method !== 'phone-hash') ? { tone: 'yellow' as const } : {}),
    },
    ...input.orders.map(
      (o): CardField => ({
        key: `order:${o.id}`,
        label: c.orderLabel(t.channels.channel(o.channel), o.shopName),
        value: c.orderValue({
          orderId: o.orderId,
          paidAt: o.paidAt ? when(o.paidAt) : '—',
          lines: o.lines.map((l) => c.line(l.sku, l.quantity)),
          rules: o.applied.map((a) => c.rule(a.label, a.code, formatFen(a.amountFen))),
        }),
      }),
    ),
    { key: 'overlap', label: c.overlap, value: t.format.list(input.overlapSkus) },
    {
      key: 'exclusive',
      label: c.exclusive,
      value: input.exclusivePairs.map(([a, b]) => c.pair(a, b)).join('\n'),
      tone: 'red',
    },
  ];
  const card: Card = {
    id: input.cardId,
    title: c.title,
    subtitle: `#${input.reviewId} · ${c.subtitle(input.customerName, input.orders.length)}`,
    fields,
    notes: [c.explain(t.channels.window(input.windowMs))],
    buttons: [
      { key: STACKING_ACTIONS.confirm, label: c.confirm, style: 'primary' },
      { key: STACKING_ACTIONS.dismiss, label: c.dismiss, style: 'default', needsReason: true },
    ],
    reasons: { title: c.reasonsTitle, options: dismissReasons(input.lang) },
  };
  const o = input.outcome;
  if (o.kind === 'open') return card;
  if (o.kind === 'confirmed') return resolveCard(card, { status: 'approved', text: c.confirmedBy(o.by, when(o.at)) });
  if (o.kind === 'dismissed') {
    return resolveCard(card, { status: 'rejected', text: c.dismissedBy(o.by, when(o.at), o.reason) });
  }
  return resolveCard(card, { status: 'cancelled', text: c.superseded(o.by) });
}
