import type { Card, CardButton, CardField } from './model';

/**
 * The variables a DingTalk card template (卡片平台, "STREAM" callbacks) must declare for the approval card.
 * Every value is a string, as cardParamMap requires. docs/dingtalk-setup.md shows how to bind them.
 */
export const DINGTALK_CARD_VARIABLES = [
  'title', // card header
  'subtitle', // order number
  'content', // markdown: one "**label**：value" line per field, then the notes
  'fields', // JSON array [{label, value, tone}] for templates that loop over fields
  'status', // pending | approved | rejected | cancelled | info
  'statusText', // e.g. "已同意 · 王工 10:42"; empty while pending
  'showActions', // "true" while the buttons (and the reason input) should show
  'buttons', // JSON array [{key, label, style, needsReason}]
  'reasonTitle', // title of the reason select, e.g. "驳回原因"; empty when the card offers none
  'reasons', // JSON array [{id, text}]: the options of the reason select (its value goes back as param `reason`)
] as const;

/** Button ids in the template: the tapped button's id (or its callback param `action`) is the action key. */
export const DINGTALK_ACTION_PARAM = 'action';
/** The template's text input for a rejection reason; its value arrives in the callback's params. */
export const DINGTALK_NOTE_PARAM = 'note';
/** The template's select over `reasons`: the chosen option's id arrives in the callback's params. */
export const DINGTALK_REASON_PARAM = 'reason';

const TONE_COLOR = { red: 'common_red1_color', yellow: 'common_orange1_color', blue: 'common_blue1_color' } as const;

function fieldLine(field: CardField, colored: boolean): string {
  const value =
    colored && field.tone ? `<font colorTokenV2=${TONE_COLOR[field.tone]}>${field.value}</font>` : field.value;
  return `**${field.label}**：${value}`;
}

/** The card's body as DingTalk markdown (blank lines between lines). */
export function cardMarkdown(card: Card, options: { colored?: boolean } = {}): string {
  const colored = options.colored ?? true;
  const lines = card.fields.map((f) => fieldLine(f, colored));
  if (card.notes?.length) lines.push(...card.notes.map((n) => `> ${n}`));
  return lines.join('\n\n');
}

function activeButtons(card: Card): CardButton[] {
  return card.resolved ? [] : card.buttons;
}

/** The neutral card as the template's cardParamMap. */
export function renderDingtalkCardParams(card: Card): Record<string, string> {
  const buttons = activeButtons(card);
  const reasons = buttons.some((b) => b.needsReason) ? card.reasons : undefined;
  return {
    title: card.title,
    subtitle: card.subtitle ?? '',
    content: cardMarkdown(card),
    fields: JSON.stringify(
      card.fields.map((f) => ({ key: f.key, label: f.label, value: f.value, tone: f.tone ?? '' })),
    ),
    status: card.resolved?.status ?? 'pending',
    statusText: card.resolved?.text ?? '',
    showActions: String(buttons.length > 0),
    buttons: JSON.stringify(
      buttons.map((b) => ({
        key: b.key,
        label: b.label,
        style: b.style ?? 'default',
        needsReason: b.needsReason ?? false,
      })),
    ),
    reasonTitle: reasons?.title ?? '',
    reasons: JSON.stringify(reasons?.options.map(({ id, text }) => ({ id, text })) ?? []),
  };
}

/**
 * The fallback for tenants without a card template: a robot ActionCard message. Its buttons can only open
 * links (no callback reaches the bot), so a button shows only when `linkFor` gives it a URL; without any,
 * the card goes out as plain markdown. It cannot be updated in place either.
 */
export function renderDingtalkActionCard(
  card: Card,
  linkFor: (button: CardButton) => string | undefined = () => undefined,
): { msgKey: string; msgParam: Record<string, string> } {
  const heading = [`### ${card.title}`, ...(card.subtitle ? [`**${card.subtitle}**`] : [])];
  const resolved = card.resolved ? [`**${card.resolved.text}**`] : [];
  const text = [...heading, cardMarkdown(card, { colored: false }), ...resolved].join('\n\n');
  const title = card.subtitle ? `${card.title} ${card.subtitle}` : card.title;
  const links = activeButtons(card)
    .map((b) => ({ label: b.label, url: linkFor(b) }))
    .filter((b): b is { label: string; url: string } => !!b.url)
    .slice(0, 5);
  if (links.length === 0) return { msgKey: 'sampleMarkdown', msgParam: { title, text } };
  if (links.length === 1)
    return {
      msgKey: 'sampleActionCard',
      msgParam: { title, text, singleTitle: links[0]!.label, singleURL: links[0]!.url },
    };
  const msgParam: Record<string, string> = { title, text };
  links.forEach((link, i) => {
    msgParam[`actionTitle${i + 1}`] = link.label;
    msgParam[`actionURL${i + 1}`] = link.url;
  });
  return { msgKey: `sampleActionCard${links.length}`, msgParam };
}
