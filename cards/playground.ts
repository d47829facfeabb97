import type { Card } from './model';

/** The playground card, as GET /api/playground/state returns it and the page draws it. */
export interface PlaygroundCard {
  id: string;
  title: string;
  subtitle?: string;
  fields: Array<{ label: string; value: string; tone?: string }>;
  notes?: string[];
  buttons: Array<{ key: string; label: string; style?: string }>;
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
    ...(card.resolved ? { resolved: { ...card.resolved } } : {}),
  };
}
