/**
 * The template_card rules WeCom enforces (protocol notes §2.2): card types, task_id, list lengths
 * and key sizes. Text lengths are only recommendations in the docs and are not enforced.
 */
/** Card types whose buttons update_template_card can grey with `button.replace_name` (protocol notes §2.3, mode A). */
export const BUTTON_CARDS = ['button_interaction', 'vote_interaction', 'multiple_interaction'];
export interface Refusal {
  errcode: number;
  errmsg: string;
}

const CARD_TYPES = ['text_notice', 'news_notice', 'button_interaction', 'vote_interaction', 'multiple_interaction'];
const INTERACTIVE = ['button_interaction', 'vote_interaction', 'multiple_interaction'];
const TASK_ID = /^[0-9A-Za-z_\-@]{1,128}$/;
const INVALID = 40058;
const bytes = (s: unknown) => Buffer.byteLength(String(s ?? ''));

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const refuse = (errmsg: string, errcode = INVALID): Refusal => ({
  errcode,
  errmsg: `invalid template_card: ${errmsg}`,
});

/** Where the protocol notes leave a rule unconfirmed, the fake's choice (each default refuses). */
export interface CardRuleOptions {
  /**
   * A button_interaction card with no button (button_list missing or empty). The docs list button_list
   * for the type and document the decided form as `button.replace_name` on the sent buttons; whether WeCom
   * takes a card without any is unconfirmed. The errcode to refuse it with, or null to accept it.
   */
  buttonlessErrcode?: number | null;
}

/** Whether a card must carry a task_id and can be updated / clicked. */
export function isInteractive(card: Obj): boolean {
  return INTERACTIVE.includes(String(card.card_type)) || card.action_menu !== undefined;
}

export function checkTemplateCard(
  card: unknown,
  where: 'send' | 'update' | 'webhook' | 'aibot',
  options: CardRuleOptions = {},
): Refusal | undefined {
  if (!isObj(card)) return refuse('template_card missing');
  const type = String(card.card_type);
  if (!CARD_TYPES.includes(type)) return refuse(`card_type ${type}`);
  if (where === 'webhook' && INTERACTIVE.includes(type)) return refuse('webhook robots take notice cards only');
  if (isInteractive(card) && (typeof card.task_id !== 'string' || !TASK_ID.test(card.task_id))) {
    return refuse('task_id has existed or empty or exceed max len', 42014);
  }
  const title = isObj(card.main_title) ? card.main_title.title : undefined;
  if (!title && !card.sub_title_text) return refuse('main_title.title or sub_title_text is required');
  return (
    checkSource(card) ??
    checkHorizontal(card) ??
    checkButtons(card, options.buttonlessErrcode === undefined ? INVALID : options.buttonlessErrcode) ??
    checkSelection(card.button_selection) ??
    checkNotice(card, type) ??
    checkMenu(card) ??
    checkQuote(card)
  );
}

function checkSource(card: Obj): Refusal | undefined {
  if (card.source === undefined) return undefined;
  if (!isObj(card.source)) return refuse('source');
  const color = card.source.desc_color;
  if (color !== undefined && ![0, 1, 2, 3].includes(color as number)) return refuse('source.desc_color');
  return undefined;
}

function checkHorizontal(card: Obj): Refusal | undefined {
  const list = card.horizontal_content_list;
  if (list === undefined) return undefined;
  if (!Array.isArray(list) || list.length > 6) return refuse('horizontal_content_list has more than 6 items');
  for (const item of list) {
    if (!isObj(item) || typeof item.keyname !== 'string' || item.keyname === '')
      return refuse('horizontal_content_list keyname');
    if (item.type !== undefined && ![0, 1, 2, 3].includes(item.type as number))
      return refuse('horizontal_content_list type');
  }
  return undefined;
}

function checkButtons(card: Obj, buttonlessErrcode: number | null): Refusal | undefined {
  const list = card.button_list;
  const none = list === undefined || (Array.isArray(list) && list.length === 0);
  if (none && card.card_type === 'button_interaction' && buttonlessErrcode !== null)
    return refuse('button_list is required for button_interaction', buttonlessErrcode);
  if (list === undefined) return undefined;
  if (!Array.isArray(list) || list.length > 6) return refuse('button_list has more than 6 buttons');
  const keys = new Set<string>();
  for (const button of list) {
    if (!isObj(button) || typeof button.text !== 'string' || button.text === '') return refuse('button text');
    if (button.style !== undefined && ![1, 2, 3, 4].includes(button.style as number)) return refuse('button style');
    if (button.type === 1) {
      if (typeof button.url !== 'string') return refuse('url button without url');
      continue;
    }
    if (typeof button.key !== 'string' || button.key === '' || bytes(button.key) > 1024)
      return refuse('button key empty or over 1024 bytes');
    if (keys.has(button.key)) return refuse(`button key ${button.key} repeated`);
    keys.add(button.key);
  }
  return undefined;
}

function checkSelection(selection: unknown): Refusal | undefined {
  if (selection === undefined) return undefined;
  if (!isObj(selection)) return refuse('button_selection');
  if (
    typeof selection.question_key !== 'string' ||
    selection.question_key === '' ||
    bytes(selection.question_key) > 1024
  ) {
    return refuse('button_selection.question_key');
  }
  const options = selection.option_list;
  if (!Array.isArray(options) || options.length < 1 || options.length > 10)
    return refuse('button_selection.option_list needs 1 to 10 options');
  const ids = new Set<string>();
  for (const option of options) {
    if (
      !isObj(option) ||
      typeof option.id !== 'string' ||
      option.id === '' ||
      bytes(option.id) > 128 ||
      ids.has(option.id)
    ) {
      return refuse('button_selection option id');
    }
    ids.add(option.id);
    if (typeof option.text !== 'string' || option.text === '') return refuse('button_selection option text');
  }
  return undefined;
}

function checkNotice(card: Obj, type: string): Refusal | undefined {
  if (type !== 'text_notice' && type !== 'news_notice') return undefined;
  const action = card.card_action;
  if (!isObj(action) || ![1, 2].includes(action.type as number))
    return refuse('card_action is required for notice cards');
  return undefined;
}

function checkMenu(card: Obj): Refusal | undefined {
  if (card.action_menu === undefined) return undefined;
  const list = isObj(card.action_menu) ? card.action_menu.action_list : undefined;
  if (!Array.isArray(list) || list.length < 1 || list.length > 3)
    return refuse('action_menu.action_list needs 1 to 3 actions');
  return undefined;
}

function checkQuote(card: Obj): Refusal | undefined {
  if (card.quote_area === undefined) return undefined;
  if (!isObj(card.quote_area) || ![undefined, 0, 1, 2].includes(card.quote_area.type as number | undefined))
    return refuse('quote_area.type');
  return undefined;
}
