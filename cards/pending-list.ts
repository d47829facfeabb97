import { chinaDate, chinaTime } from '../domain/china-time';
import { type Lang, texts } from '../texts';
import type { Card, CardButton, CardField } from './model';
import { clip, WECOM_CARD_LIMITS } from './wecom';

/**
 * The pending list: one card per page of a person's open approval steps ("待办", "my approvals"), oldest
 * first, with "approve all shown" for the steps without a warning. A tap needs no state beyond the card:
 * the approve-all key names the task ids it approves, each line's field key names its task.
 */

/**
 * Six steps a page: one step a line, and WeCom shows six horizontal fields side by side (keyname ≤ 10
 * chars, value ≤ 60). A seventh field would push the fifth line onwards into the 300-char subtitle, shared
 * with the card's outcome, and clipped there; six fit whole. DingTalk and the playground show every field.
 */
export const PAGE_SIZE = WECOM_CARD_LIMITS.horizontalItems;

/** A line's value fits the WeCom field, with room for the ❗/⚠️ mark the renderer puts before a warning. */
const LINE_CHARS = WECOM_CARD_LIMITS.valueChars - 2;
/** A customer's name on a line is cut to this first, before the items are. */
const CUSTOMER_CHARS = 6;

/**
 * Why a step can only be decided on its own card: a spec outside its qualified range or without any
 * record, an expedite (the order is urgent: asked so by sales, or granted by tech on a blocked request),
 * or an order waiting on the customer.
 */
export type StepFlag = 'spec-outside' | 'spec-unknown' | 'expedite' | 'paused';

export interface PendingStep {
  taskId: number;
  /** The department's name, as the plant reads it. */
  department: string;
  number: string;
  customer: string | null;
  items: ReadonlyArray<{ materialCode: string; quantity: number; unit: string }>;
  requestedDate: string;
  /** When the step was opened (the approval card sent). */
  since: Date;
  flags: StepFlag[];
}

/** What "approve all shown" did with a step the card showed. */
export type StepOutcome =
  | { kind: 'approved'; at: Date }
  /** Decided by someone else (or earlier): the sentence saying who and when. */
  | { kind: 'already-decided'; text: string }
  | { kind: 'not-yours'; holders: string }
  /** Still open, with a warning: decided on its own card only. */
  | { kind: 'flagged' }
  /** Still open, not in the tapped "approve all" (it had a warning when the page was made). */
  | { kind: 'open' }
  | { kind: 'gone' };

const APPROVE_ALL = 'approve-all:';
const PAGE = 'page:';
const TASK_FIELD = 'task:';

export type ListAction = { kind: 'approve-all'; taskIds: number[] } | { kind: 'page'; page: number };

/** The tap's action: `approve-all:12.15.19` or `page:2`; null for anything else. */
export function parseListAction(key: string): ListAction | null {
  if (key.startsWith(PAGE)) {
    const page = Number(key.slice(PAGE.length));
    return Number.isInteger(page) && page >= 1 ? { kind: 'page', page } : null;
  }
  if (key.startsWith(APPROVE_ALL)) {
    const ids = key.slice(APPROVE_ALL.length).split('.').map(Number);
    if (ids.length === 0 || !ids.every((id) => Number.isSafeInteger(id) && id > 0)) return null;
    return { kind: 'approve-all', taskIds: ids };
  }
  return null;
}

/** The lines a list card shows, in their order: each one's task and label. */
export function shownLines(card: Card): Array<{ taskId: number; label: string }> {
  return card.fields.flatMap((f) =>
    f.key.startsWith(TASK_FIELD) ? [{ taskId: Number(f.key.slice(TASK_FIELD.length)), label: f.label }] : [],
  );
}

/** Whether a step may go in "approve all shown". */
export function batchable(step: Pick<PendingStep, 'flags'>): boolean {
  return step.flags.length === 0;
}

/** One page of the list. */
export function pendingListCard(args: {
  cardId: string;
  steps: PendingStep[];
  page: number;
  pages: number;
  total: number;
  now: Date;
  lang: Lang;
}): Card {
  const { steps, page, pages, lang } = args;
  const t = texts(lang).pending.card;
  const eligible = steps.filter(batchable);
  const flagged = steps.filter((s) => !batchable(s));
  const notes = [
    ...(eligible.length > 0 ? [t.approveAllNote(eligible.length)] : []),
    ...(flagged.length > 0 ? [t.ownCardNote([...new Set(flagged.map((s) => s.number))].join(t.numberSeparator))] : []),
  ];
  const buttons: CardButton[] = [
    ...(eligible.length > 0
      ? [
          {
            key: `${APPROVE_ALL}${eligible.map((s) => s.taskId).join('.')}`,
            label: t.approveAll(eligible.length),
            style: 'primary' as const,
          },
        ]
      : []),
    ...(page > 1 ? [{ key: `${PAGE}${page - 1}`, label: t.previous }] : []),
    ...(page < pages ? [{ key: `${PAGE}${page + 1}`, label: t.next }] : []),
    { key: `${PAGE}${page}`, label: t.refresh },
  ];
  return {
    id: args.cardId,
    title: t.title(page, pages),
    subtitle: t.subtitle(args.total),
    fields: steps.map((step, i) =>
      stepField(step, t.label((page - 1) * PAGE_SIZE + i + 1, step.department), args.now, lang),
    ),
    ...(notes.length > 0 ? { notes } : {}),
    buttons,
  };
}

/** The card once "approve all shown" went through: each line says what became of its step. */
export function approveAllResultCard(args: {
  cardId: string;
  /** Each line with the label it had on the list (its number on the list and its department). */
  lines: Array<{ step: PendingStep; label: string; outcome: StepOutcome }>;
  now: Date;
  lang: Lang;
}): Card {
  const t = texts(args.lang).pending.card;
  const approved = args.lines.filter((l) => l.outcome.kind === 'approved').length;
  return {
    id: args.cardId,
    title: t.doneTitle,
    subtitle: t.doneSubtitle(approved, args.lines.length - approved),
    fields: args.lines.map(({ step, label, outcome }) => resultField(step, label, outcome, args.now, args.lang)),
    notes: [t.doneNote],
    buttons: [{ key: `${PAGE}1`, label: t.refresh, style: 'primary' }],
  };
}

/** A page asked for when nothing is left open. */
export function emptyListCard(cardId: string, lang: Lang): Card {
  const t = texts(lang).pending.card;
  return { id: cardId, title: t.emptyTitle, fields: [], buttons: [], resolved: { status: 'info', text: t.empty } };
}

function tone(step: PendingStep): CardField['tone'] {
  if (step.flags.includes('spec-outside')) return 'red';
  return step.flags.length > 0 ? 'yellow' : undefined;
}

function flagText(step: PendingStep, lang: Lang): string {
  const t = texts(lang).pending.card;
  return step.flags.map((f) => t.flags[f]).join(t.flagSeparator);
}

function field(step: PendingStep, label: string, value: string, warn: boolean): CardField {
  const mark = warn ? tone(step) : undefined;
  return { key: `${TASK_FIELD}${step.taskId}`, label, value: clip(value, LINE_CHARS), ...(mark ? { tone: mark } : {}) };
}

/**
 * "SO-20260224-0001 采埃孚 BRK-2026-01×5件 交3月5日 等3小时 规格超范围": the order number, date, wait and
 * flags always whole; the customer and then the items cut to fit the line.
 */
function stepField(step: PendingStep, label: string, now: Date, lang: Lang): CardField {
  const t = texts(lang).pending.card;
  const f = texts(lang).format;
  const [first] = step.items;
  const items = first ? t.items(t.item(first), step.items.length) : '';
  const fixed = [
    step.number,
    t.requested(f.date(step.requestedDate, chinaDate(now))),
    t.waited(f.span(now.getTime() - step.since.getTime())),
    ...(step.flags.length > 0 ? [flagText(step, lang)] : []),
  ];
  const join = (customer: string, what: string) =>
    [fixed[0], customer, what, ...fixed.slice(1)].filter((p) => p !== '').join(' ');
  let customer = step.customer ?? '';
  let line = join(customer, items);
  if ([...line].length > LINE_CHARS) {
    customer = clip(customer, CUSTOMER_CHARS);
    line = join(customer, items);
  }
  if ([...line].length > LINE_CHARS) {
    const room = LINE_CHARS - [...join(customer, '')].length - 1;
    line = join(customer, room > 1 ? clip(items, room) : '');
  }
  return field(step, label, line, true);
}

function resultField(step: PendingStep, label: string, outcome: StepOutcome, now: Date, lang: Lang): CardField {
  const t = texts(lang).pending.card;
  const customer = clip(step.customer ?? '', CUSTOMER_CHARS);
  switch (outcome.kind) {
    case 'approved':
      return field(step, label, t.approved(step.number, customer, chinaTime(outcome.at)), false);
    case 'already-decided':
      return field(step, label, outcome.text, false);
    case 'not-yours':
      return field(step, label, t.notYours(step.number, outcome.holders), false);
    case 'flagged':
      return field(step, label, t.flaggedNow(step.number, flagText(step, lang)), true);
    case 'open':
      return stepField(step, label, now, lang);
    case 'gone':
      return field(step, label, t.gone(step.number), false);
  }
}
