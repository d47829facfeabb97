import type { Card } from './model';

/** The playground card, as GET /api/playground/state returns it and the page draws it. */
export interface PlaygroundCard {
  id: string;
  title: string;
  subtitle?: string;
  fields: Array<{ label: string; value: string; tone?: string }>;
  notes?: string[];
  buttons: Array<{ key: string; label: string; style?: string; needsReason?: boolean }>;
  /** The list a reason-needing button picks from (reject reasons, colleagues to transfer to). */
  reasons?: { title: string; options: Array<{ id: string; text: string }> };
  resolved?: { status: string; text: string };
}

export function renderPlaygroundCard(card: Card): PlaygroundCard {
  return {
    id: card.id,
    title: card.title,
    ...(card.subtitle ? { subtitle: card.subtitle } : {}),
    fields: card.fields.map((f) => ({ ...f })),
    ...(card.notes?.length ? { notes: [...card.notes] } : {}),
    buttons: card.resolved ? [] : card.buttons.map((b) => ({ ...b })),
    ...(!card.resolved && card.reasons && card.buttons.some((b) => b.needsReason)
      ? { reasons: { title: card.reasons.title, options: card.reasons.options.map((o) => ({ ...o })) } }
      : {}),
    ...(card.resolved ? { resolved: { ...card.resolved } } : {}),
  };
}
