import type { Card, CardButton, CardField } from './model';

/**
 * WeCom template_card (message/send, update_template_card) for the neutral card. Hard limits are the
 * API's (list lengths, key sizes); text lengths are WeCom's display recommendations, kept generously
 * so nothing is silently cut in the client.
 */
export const WECOM_CARD_LIMITS = {
  buttons: 6,
  horizontalItems: 6,
  keyBytes: 1024,
  taskIdBytes: 128,
  optionIdBytes: 128,
  options: 10,
  titleChars: 36,
  descChars: 44,
  keynameChars: 10,
  valueChars: 60,
  buttonTextChars: 10,
  subtitleChars: 300,
  quoteChars: 300,
} as const;

export interface WecomButton {
  text: string;
  style: 1 | 2 | 3 | 4;
  key: string;
}

export interface WecomSelection {
  question_key: string;
  title: string;
  option_list: Array<{ id: string; text: string }>;
}

export interface WecomTemplateCard {
  card_type: 'button_interaction';
  main_title: { title: string; desc?: string };
  sub_title_text?: string;
  quote_area?: { type: 0; quote_text: string };
  horizontal_content_list: Array<{ keyname: string; value: string }>;
  button_selection?: WecomSelection;
  button_list: WecomButton[];
  task_id: string;
}

/** The documented update that greys a button card's buttons and shows this text on them (update_template_card). */
export interface WecomButtonUpdate {
  replace_name: string;
}

/** The key of the one button a decided card is sent with (a fresh copy), greyed right after with its outcome. */
export const DECIDED_BUTTON_KEY = 'decided';

/** A button whose tap needs a reason gets the card's reasons as a dropdown with this key. */
export const REASON_QUESTION_KEY = 'reject_reason';

const STYLE: Record<NonNullable<CardButton['style']>, WecomButton['style']> = { primary: 1, danger: 2, default: 3 };
const TONE_MARK: Record<NonNullable<CardField['tone']>, string> = { red: '❗', yellow: '⚠️', blue: '' };

export function clip(text: string, chars: number): string {
  const points = [...text];
  return points.length <= chars ? text : `${points.slice(0, chars - 1).join('')}…`;
}

function fieldValue(field: CardField): string {
  return `${field.tone ? TONE_MARK[field.tone] : ''}${field.value}`;
}

/** Six fields fit side by side; with more, the first five do and the rest become lines of the subtitle. */
function splitFields(fields: CardField[]): { horizontal: CardField[]; overflow: CardField[] } {
  const max = WECOM_CARD_LIMITS.horizontalItems;
  if (fields.length <= max) return { horizontal: fields, overflow: [] };
  return { horizontal: fields.slice(0, max - 1), overflow: fields.slice(max - 1) };
}

/** Keys must be unique and at most 1 KB; WeCom refuses the card otherwise. */
function usableButtons(buttons: CardButton[]): CardButton[] {
  const usable: CardButton[] = [];
  for (const button of buttons) {
    if (usable.some((b) => b.key === button.key) || Buffer.byteLength(button.key) > WECOM_CARD_LIMITS.keyBytes)
      continue;
    usable.push(button);
  }
  return usable.slice(0, WECOM_CARD_LIMITS.buttons);
}

/** Option ids must be unique and at most 128 bytes, and a dropdown holds at most 10 options. */
function usableOptions(options: ReadonlyArray<{ id: string; text: string }>): Array<{ id: string; text: string }> {
  const usable: Array<{ id: string; text: string }> = [];
  for (const { id, text } of options) {
    if (usable.some((o) => o.id === id) || Buffer.byteLength(id) > WECOM_CARD_LIMITS.optionIdBytes) continue;
    usable.push({ id, text });
  }
  return usable.slice(0, WECOM_CARD_LIMITS.options);
}

/**
 * The card as a button_interaction template card with the given WeCom task_id. A decided card keeps one
 * button showing its outcome: WeCom documents a decided button card as its buttons greyed with new text
 * (`decidedUpdate`), not as a card without buttons.
 */
export function renderWecomCard(card: Card, taskId: string): WecomTemplateCard {
  const { horizontal, overflow } = splitFields(card.fields);
  const subtitle = [
    ...(card.resolved ? [card.resolved.text] : []),
    ...overflow.map((f) => `${f.label}：${fieldValue(f)}`),
  ].join('\n');
  const quote = (card.notes ?? []).join('\n');
  const buttons: CardButton[] = card.resolved
    ? [{ key: DECIDED_BUTTON_KEY, label: card.resolved.text, style: 'default' }]
    : usableButtons(card.buttons);
  const reasons = buttons.some((b) => b.needsReason) ? card.reasons : undefined;
  return {
    card_type: 'button_interaction',
    main_title: {
      title: clip(card.title, WECOM_CARD_LIMITS.titleChars),
      ...(card.subtitle ? { desc: clip(card.subtitle, WECOM_CARD_LIMITS.descChars) } : {}),
    },
    ...(subtitle ? { sub_title_text: clip(subtitle, WECOM_CARD_LIMITS.subtitleChars) } : {}),
    ...(quote ? { quote_area: { type: 0 as const, quote_text: clip(quote, WECOM_CARD_LIMITS.quoteChars) } } : {}),
    horizontal_content_list: horizontal.map((f) => ({
      keyname: clip(f.label, WECOM_CARD_LIMITS.keynameChars),
      value: clip(fieldValue(f), WECOM_CARD_LIMITS.valueChars),
    })),
    ...(reasons?.options.length
      ? {
          button_selection: {
            question_key: REASON_QUESTION_KEY,
            title: reasons.title,
            option_list: usableOptions(reasons.options),
          },
        }
      : {}),
    button_list: buttons.map((b) => ({
      text: clip(b.label, WECOM_CARD_LIMITS.buttonTextChars),
      style: STYLE[b.style ?? 'default'],
      key: b.key,
    })),
    task_id: taskId,
  };
}

/** The decided form of a sent card: `button: {replace_name}` greys its buttons and shows the outcome on them. */
export function decidedUpdate(card: Card): { button: WecomButtonUpdate } | undefined {
  if (!card.resolved) return undefined;
  return { button: { replace_name: clip(card.resolved.text, WECOM_CARD_LIMITS.descChars) } };
}

/** The id of the reason a tap carries: the option chosen in the reason dropdown, if any. */
export function reasonFromSelection(selected: Array<{ questionKey: string; optionIds: string[] }>): string | undefined {
  return selected.find((s) => s.questionKey === REASON_QUESTION_KEY)?.optionIds[0];
}

/**
 * The card as markdown, for places that take no interactive card (a group without a reply window, or a
 * fallback notice). Buttons cannot be shown: the chat commands that do the same are, as said to the bot.
 */
export function renderCardMarkdown(card: Card, botName?: string): string {
  const commands = card.resolved ? [] : card.buttons.flatMap((b) => (b.command ? [b.command] : []));
  return [
    `**${card.title}**${card.subtitle ? ` ${card.subtitle}` : ''}`,
    ...card.fields.map((f) => `> ${f.label}：${fieldValue(f)}`),
    ...(card.notes ?? []).map((n) => `> ${n}`),
    ...(card.resolved ? [card.resolved.text] : []),
    ...commands.map((c) => `\`${botName ? `@${botName} ` : ''}${c}\``),
  ].join('\n');
}
