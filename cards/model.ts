import { randomUUID } from 'node:crypto';
/** The platform-neutral card: every platform renderer turns this into its own wire format. */
export interface CardField {
  /** What the field is ("requested", "earliest"): code finds and filters fields by it, never by label. */
  key: string;
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
  /** A tap must say why (a rejection): the card's `reasons` are offered, or a note is asked for. */
  needsReason?: boolean;
  /**
   * What to say to the bot in the chat for the same effect (e.g. "SO-20260224-0001 客户已回复"), shown where
   * the card has to go out without buttons.
   */
  command?: string;
}

/** The reasons a card offers for a button that needs one (a WeCom dropdown, a DingTalk select). */
export interface CardReasons {
  /** The list's title, e.g. "驳回原因". */
  title: string;
  options: ReadonlyArray<{ id: string; text: string }>;
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
  reasons?: CardReasons;
  resolved?: CardResolution;
}

/** The text of the reason a tap on a reason-needing button chose from the card's list, if the card offers it. */
export function chosenReason(card: Card, actionKey: string, reasonId: string | undefined): string | undefined {
  if (reasonId === undefined || !card.buttons.some((b) => b.key === actionKey && b.needsReason)) return undefined;
  return card.reasons?.options.find((o) => o.id === reasonId)?.text;
}

/** The same card with its buttons replaced by a resolution line. */
export function resolveCard(card: Card, resolution: CardResolution): Card {
  return { ...card, buttons: [], resolved: resolution };
}

/** A new card's id: `c_` and 20 hex digits (short enough for every platform's card id field). */
export function newCardId(): string {
  return `c_${randomUUID().replaceAll('-', '').slice(0, 20)}`;
}
