/** The platform-neutral card: every platform renderer turns this into its own wire format. */
export interface CardField {
  label: string;
  value: string;
  /** Warning colour for the value: red > yellow > blue (e.g. line load, a spec outside its range). */
  tone?: 'red' | 'yellow' | 'blue';
}

export interface CardButton {
  /** Action key sent back when tapped, e.g. "approve". */
  key: string;
  label: string;
  style?: 'primary' | 'danger' | 'default';
}

export interface CardResolution {
  status: 'approved' | 'rejected' | 'cancelled' | 'info';
  /** Shown in place of the buttons, e.g. "已同意 · 王工 10:42". */
  text: string;
}

export interface Card {
  id: string;
  title: string;
  subtitle?: string;
  fields: CardField[];
  notes?: string[];
  buttons: CardButton[];
  resolved?: CardResolution;
}

/** The same card with its buttons replaced by a resolution line. */
export function resolveCard(card: Card, resolution: CardResolution): Card {
  return { ...card, buttons: [], resolved: resolution };
}
