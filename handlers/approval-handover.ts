import { and, asc, eq, inArray } from 'drizzle-orm';
import { approvalButtons } from '../cards/approval-card';
import { type Card, newCardId, resolveCard } from '../cards/model';
import { type BusinessConfig, departmentName, personName, rejectReasonsOf } from '../config/business-config';
import type { HandlerContext } from '../core/context';
import { recordOrderEvent } from '../db/orders';
import { type ApprovalTask, approvalTasks, cards, type Order } from '../db/schema';
import { chinaTime } from '../domain/china-time';
import { texts } from '../texts';
import { replaceCard } from './card-updates';
import { PLANT_LANG, personList } from './names';
import { postToOrderChats } from './order-chats';
import { stepHoldersAllowed } from './stand-ins';

type Task = ApprovalTask;
type OrderRef = Pick<Order, 'id' | 'number' | 'platform' | 'conversationId' | 'language' | 'requesterId'>;

/**
 * Who holds a pending step now, and so is reminded, nudged and may hand it on: the leads (or their
 * replacements) until it escalates, then whoever it escalated to. Earlier holders may still decide
 * (taskDeciders), but the step waits on the current ones.
 */
export function currentHolders(task: Pick<Task, 'assignees' | 'escalatedTo' | 'escalationLevel'>): string[] {
  return task.escalationLevel > 0 && task.escalatedTo ? [task.escalatedTo] : [...task.assignees];
}

export interface HolderChange {
  department: string;
  away: string;
  holder: string;
}

/** The sales chat hears who holds the steps whose holders are away. */
export async function tellStandInsInChat(
  ctx: HandlerContext,
  order: Pick<Order, 'id' | 'number' | 'platform' | 'conversationId' | 'language'>,
  changes: HolderChange[],
  key: string,
) {
  if (changes.length === 0) return;
  const t = texts(order.language).approvalFlow;
  const lines = changes.map((c) =>
    t.standInLine({
      department: departmentName(ctx.config, c.department, order.language),
      away: personName(ctx.config, c.away),
      holder: personName(ctx.config, c.holder),
    }),
  );
  await postToOrderChats(ctx, order, t.standInChat(order.number, lines), key);
}

/** Why a step cannot go to someone, or null when it can. */
export function handOverRefusal(
  config: BusinessConfig,
  args: { task: Task; order: OrderRef; from: string; to: string },
): string | null {
  const t = texts(PLANT_LANG).approvalFlow;
  if (args.to === args.from || currentHolders(args.task).includes(args.to)) return t.transferToSelf;
  if (args.to === args.order.requesterId) return t.transferToRequester(personName(config, args.to));
  const allowed = stepHoldersAllowed(config, args.task.department);
  if (allowed.includes(args.to)) return null;
  return t.transferNotAllowed({
    to: personName(config, args.to),
    department: departmentName(config, args.task.department, PLANT_LANG),
    allowed: personList(config, transferTargets(config, args.task, args.order), PLANT_LANG),
  });
}

/** The colleagues a holder may hand a step to (for the card's picker). */
export function transferTargets(config: BusinessConfig, task: Task, order: Pick<Order, 'requesterId'>): string[] {
  const holders = currentHolders(task);
  return stepHoldersAllowed(config, task.department).filter((id) => !holders.includes(id) && id !== order.requesterId);
}

/**
 * A pending step handed from one of its holders to someone else (a transfer, or a stand-in taking over
 * from a holder on leave): the task changes only from the version read, the old holder's cards close
 * saying who took it, the new holder gets the card, and the order's timeline and sales chat say so.
 * Null when the task changed meanwhile (decided, escalated, handed on by someone else).
 */
export async function handOver(
  ctx: HandlerContext,
  args: { order: OrderRef; task: Task; from: string; to: string; via: 'transfer' | 'stand-in'; by: string },
): Promise<Task | null> {
  const { order, task, from, to } = args;
  const change = holdersAfter(task, from, to);
  if (!change) return null;
  const [moved] = await ctx.tx
    .update(approvalTasks)
    .set({ ...change, version: task.version + 1 })
    .where(
      and(eq(approvalTasks.id, task.id), eq(approvalTasks.status, 'pending'), eq(approvalTasks.version, task.version)),
    )
    .returning();
  if (!moved) return null;
  await recordOrderEvent(ctx.tx, {
    orderId: order.id,
    at: ctx.now,
    type: 'task-transferred',
    actorId: args.by,
    data: { taskId: task.id, department: task.department, from, to, via: args.via },
  });
  const t = texts(PLANT_LANG).approvalFlow;
  const closing =
    args.via === 'transfer'
      ? t.transferredTo(personName(ctx.config, to), chinaTime(ctx.now))
      : t.standInTook(personName(ctx.config, from), personName(ctx.config, to));
  await closeCardsOf(ctx, moved, from, closing);
  const note =
    args.via === 'transfer'
      ? t.handedOverNote(personName(ctx.config, from))
      : t.standInNote(personName(ctx.config, from));
  await sendTaskCard(ctx, { order, task: moved, to, note, key: `task:${task.id}:v${moved.version}:card` });
  if (args.via === 'transfer') {
    const lang = order.language;
    const text = texts(lang).approvalFlow.transferredChat({
      number: order.number,
      department: departmentName(ctx.config, task.department, lang),
      from: personName(ctx.config, from),
      to: personName(ctx.config, to),
    });
    await postToOrderChats(ctx, order, text, `task:${task.id}:v${moved.version}:transferred`);
  } else {
    await tellStandInsInChat(
      ctx,
      order,
      [{ department: task.department, away: from, holder: to }],
      `task:${task.id}:v${moved.version}:stand-in`,
    );
  }
  return moved;
}

/** The task's holders with `from` replaced by `to`, or null when `from` holds it not. */
function holdersAfter(task: Task, from: string, to: string): Partial<Pick<Task, 'assignees' | 'escalatedTo'>> | null {
  if (task.escalationLevel > 0 && task.escalatedTo === from) return { escalatedTo: to };
  if (!task.assignees.includes(from)) return null;
  return { assignees: [...new Set(task.assignees.map((id) => (id === from ? to : id)))] };
}

/** The open cards a person has of a task close with a line saying why. */
async function closeCardsOf(ctx: HandlerContext, task: Task, personId: string, text: string) {
  const rows = await ctx.tx
    .select()
    .from(cards)
    .where(and(eq(cards.taskId, task.id), eq(cards.recipientId, personId)));
  for (const row of rows) {
    const content = row.content as Card;
    if (content.resolved) continue;
    await replaceCard(ctx, row, resolveCard(content, { status: 'info', text }), {
      key: `card:${row.id}:v${task.version}`,
      orderId: task.orderId,
    });
  }
}

/** The first card of each task: every later card of a task (reminder, transfer, escalation) starts from it. */
export async function firstCardsOf(ctx: HandlerContext, taskIds: number[]): Promise<Map<number, Card>> {
  if (taskIds.length === 0) return new Map();
  const rows = await ctx.tx
    .selectDistinctOn([cards.taskId], { taskId: cards.taskId, content: cards.content })
    .from(cards)
    .where(inArray(cards.taskId, taskIds))
    .orderBy(cards.taskId, asc(cards.createdAt), asc(cards.id));
  return new Map(rows.map((r) => [r.taskId!, r.content as Card]));
}

/** The approval card as a task's first card had it, with the buttons and reasons in force today. */
export function approvalCardFrom(ctx: HandlerContext, base: Card | undefined, task: Task, order: OrderRef): Card {
  const t = texts(PLANT_LANG).approvals;
  return {
    id: newCardId(),
    title: base?.title ?? t.card.title(departmentName(ctx.config, task.department, PLANT_LANG)),
    ...(base?.subtitle ? { subtitle: base.subtitle } : { subtitle: order.number }),
    fields: base?.fields.filter((f) => f.key !== 'waited') ?? [
      { key: 'order', label: t.card.orderNumber, value: order.number },
    ],
    notes: base?.notes ?? [],
    buttons: approvalButtons(PLANT_LANG),
    reasons: {
      title: t.card.reasonsTitle,
      options: rejectReasonsOf(ctx.config, task.department).map(({ id, text }) => ({ id, text })),
    },
  };
}

/** A copy of a task's card for one person, with a line on top saying why they get it. */
export interface TaskCard {
  order: OrderRef;
  task: Task;
  to: string;
  card: Card;
  key: string;
}

export function taskCard(
  ctx: HandlerContext,
  args: { order: OrderRef; task: Task; base: Card | undefined; to: string; note: string; key: string; title?: string },
): TaskCard {
  const built = approvalCardFrom(ctx, args.base, args.task, args.order);
  const card: Card = {
    ...built,
    ...(args.title ? { title: args.title } : {}),
    notes: [args.note, ...(built.notes ?? [])],
  };
  return { order: args.order, task: args.task, to: args.to, card, key: args.key };
}

/** Task cards stored in one statement and sent, each once by its key. */
export async function sendTaskCards(ctx: HandlerContext, list: TaskCard[]): Promise<void> {
  if (list.length === 0) return;
  await ctx.tx.insert(cards).values(
    list.map((c) => ({
      id: c.card.id,
      orderId: c.order.id,
      taskId: c.task.id,
      platform: c.order.platform,
      recipientId: c.to,
      content: c.card,
      createdAt: ctx.now,
    })),
  );
  await ctx.emitAll(
    list.map((c) => ({
      effect: { kind: 'send-card' as const, to: { userId: c.to }, card: c.card },
      key: c.key,
      orderId: c.order.id,
      platform: c.order.platform,
    })),
  );
}

/** One copy of the task's card to one person (a transfer, a stand-in taking over). */
export async function sendTaskCard(
  ctx: HandlerContext,
  args: { order: OrderRef; task: Task; to: string; note: string; key: string; title?: string },
): Promise<Card> {
  const base = (await firstCardsOf(ctx, [args.task.id])).get(args.task.id);
  const one = taskCard(ctx, { ...args, base });
  await sendTaskCards(ctx, [one]);
  return one.card;
}
