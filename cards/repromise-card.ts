import type { PlantChangeCause, LinePart, SplitOffer } from '../domain/repromise/types';
import { type Lang, texts } from '../texts';
import { type Card, type CardField, resolveCard } from './model';

/** One order on a re-promise card: what the chat is told about it, and what became of it. */
export interface RepromiseCardRow {
  number: string;
  customerName: string | null;
  language: Lang;
  /** The order's promise now (after a move, the new one). */
  promisedDate: string | null;
  repromise: {
    status: 'open' | 'kept' | 'moved' | 'split' | 'superseded';
    cause: PlantChangeCause;
    promisedDate: string;
    earliest: string | null;
    split: SplitOffer | null;
  };
  /** The delivery a split made. */
  child?: string;
  /** Each line's material and unit, to name the parts of a split. */
  lines: Map<number, { materialCode: string; unit: string }>;
}

/** How the parts of a split read: "BRK-01 40件". */
export function partsText(lang: Lang, parts: LinePart[], lines: Map<number, { materialCode: string; unit: string }>) {
  return texts(lang).repromise.parts(
    parts.map((p) => ({
      ...p,
      materialCode: lines.get(p.lineNo)?.materialCode ?? '',
      unit: lines.get(p.lineNo)?.unit ?? '',
    })),
  );
}

/** How a card's dates and outcomes read, in the chat's language. */
function wordsFor(lang: Lang, today: string) {
  const t = texts(lang);
  const c = t.repromise.card;
  const d = (date: string | null) => (date ? t.format.date(date, today) : c.noDate);
  const outcome = ({ repromise: r, promisedDate, number, child }: RepromiseCardRow): string | null => {
    if (r.status === 'open') return null;
    if (r.status === 'moved') return c.outcome.moved(d(promisedDate));
    if (r.status === 'split') return c.outcome.split(child ?? number);
    return c.outcome[r.status];
  };
  return { t, c, d, outcome, cause: (row: RepromiseCardRow) => t.repromise.cause(row.repromise.cause, today) };
}

/**
 * The card in a sales chat for the orders one change made late: one order gets its options as buttons, several
 * a summary with "move all" (each can still be answered by text). Built again after every choice.
 */
export function buildRepromiseCard(id: string, rows: RepromiseCardRow[], today: string): Card {
  const words = wordsFor(rows[0]!.language, today);
  return rows.length === 1 ? oneOrderCard(id, rows[0]!, words) : summaryCard(id, rows, words);
}

function oneOrderCard(id: string, row: RepromiseCardRow, { c, d, outcome, cause }: ReturnType<typeof wordsFor>): Card {
  const { repromise: r, lines, language } = row;
  const fields: CardField[] = [
    { key: 'order', label: c.order, value: row.customerName ? `${row.number} · ${row.customerName}` : row.number },
    { key: 'cause', label: c.cause, value: cause(row) },
    { key: 'promised', label: c.promised, value: d(r.promisedDate) },
    { key: 'earliest', label: c.earliest, value: d(r.earliest), tone: 'red' },
  ];
  if (r.split) {
    const value = c.splitValue({
      now: partsText(language, r.split.now, lines),
      rest: partsText(language, r.split.rest, lines),
      promised: d(r.promisedDate),
      restDate: d(r.split.restDate),
    });
    fields.push({ key: 'split', label: c.split, value });
  }
  const done = outcome(row);
  if (done) {
    const card: Card = { id, title: c.title, fields, notes: [done], buttons: [] };
    return resolveCard(card, { status: r.status === 'superseded' ? 'cancelled' : 'approved', text: done });
  }
  const buttons: Card['buttons'] = [{ key: 'expedite', label: c.expedite, style: 'primary' }];
  if (r.earliest) buttons.push({ key: 'move', label: c.move(d(r.earliest)), style: 'default' });
  if (r.split) buttons.push({ key: 'split', label: c.splitButton, style: 'default' });
  return { id, title: c.title, fields, notes: [c.notTold, c.typed(row.number, r.split !== null)], buttons };
}

function summaryCard(
  id: string,
  rows: RepromiseCardRow[],
  { c, d, outcome, cause }: ReturnType<typeof wordsFor>,
): Card {
  const open = rows.filter((r) => r.repromise.status === 'open');
  const orderField = (row: RepromiseCardRow): CardField => {
    const { repromise: r } = row;
    const value =
      outcome(row) ?? c.summaryValue({ promised: d(r.promisedDate), earliest: d(r.earliest), split: r.split !== null });
    return { key: `order:${row.number}`, label: row.number, value, ...(r.status === 'open' ? { tone: 'red' } : {}) };
  };
  const summary: Card = {
    id,
    title: c.summaryTitle(rows.length),
    fields: [{ key: 'cause', label: c.cause, value: cause(rows[0]!) }, ...rows.map(orderField)],
    notes: open.length > 0 ? [c.notTold, c.typedMany] : [],
    buttons: open.some((r) => r.repromise.earliest) ? [{ key: 'move-all', label: c.moveAll, style: 'primary' }] : [],
  };
  return open.length > 0 ? summary : resolveCard(summary, { status: 'info', text: c.allDecided });
}
