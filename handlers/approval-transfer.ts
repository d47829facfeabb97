import { and, arrayContains, eq, inArray, or } from 'drizzle-orm';
import { approvalButtons, TRANSFER_KEYS, transferPicker } from '../cards/approval-card';
import type { Card } from '../cards/model';
import { type BusinessConfig, departmentName, personName, rejectReasonsOf } from '../config/business-config';
import type { HandlerContext } from '../core/context';
import type { CardActionEvent } from '../core/events';
import { type ApprovalTask, approvalTasks, type CardRow, type Order, orders } from '../db/schema';
import { type Lang, texts } from '../texts';
import { tellTapper, replaceCard } from './card-updates';
import { currentHolders, handOver, handOverRefusal, transferTargets } from './approval-handover';
import { PLANT_LANG, personList } from './names';
import { taskDeciders } from './escalation';

type Task = ApprovalTask;

/** A person named in the chat ("刘工", "Liu", "liugong"): their name or id, ignoring case and spaces; a unique prefix will do. */
export function findPerson(config: BusinessConfig, written: string): string | null {
  const norm = (s: string) => s.normalize('NFKC').replace(/\s+/g, '').toLowerCase();
  const wanted = norm(written);
  if (!wanted) return null;
  const exact = config.people.find((p) => norm(p.name) === wanted || norm(p.id) === wanted);
  if (exact) return exact.id;
  const prefixed = config.people.filter((p) => norm(p.id).startsWith(wanted) || norm(p.name).startsWith(wanted));
  return prefixed.length === 1 ? prefixed[0]!.id : null;
}

export function isTransferKey(key: string): boolean {
  return Object.values(TRANSFER_KEYS).includes(key as (typeof TRANSFER_KEYS)[keyof typeof TRANSFER_KEYS]);
}

/**
 * "转交" on an approval card: the card turns into a picker of colleagues (in place, for the tapper);
 * "确认转交" with one picked hands the step over; "返回" shows the approval buttons again. Whoever may
 * decide the step may open the picker; only a current holder hands it on. The order is locked by the caller.
 */
export async function handleTransferTap(
  event: CardActionEvent,
  ctx: HandlerContext,
  args: { card: CardRow; order: Order; task: Task },
): Promise<void> {
  const { card, order, task } = args;
  const t = texts(PLANT_LANG);
  const notify = (text: string) => tellTapper(ctx, event, text);
  if (task.status !== 'pending') return notify(t.approvals.unknownCard);
  if (!taskDeciders(ctx.config, task).includes(event.actorId) && task.escalatedTo !== event.actorId) {
    const department = departmentName(ctx.config, task.department, PLANT_LANG);
    return notify(t.approvals.notAssignee(department, personList(ctx.config, task.assignees, PLANT_LANG)));
  }
  const content = card.content as Card;
  const update = (next: Card) =>
    replaceCard(ctx, card, next, { key: `${ctx.eventKey}:card`, callbackRef: event.callbackRef, orderId: order.id });
  if (event.actionKey === TRANSFER_KEYS.open) {
    const colleagues = transferTargets(ctx.config, task, order).map((id) => ({ id, name: personName(ctx.config, id) }));
    return update(transferPicker(content, PLANT_LANG, colleagues));
  }
  if (event.actionKey === TRANSFER_KEYS.back) return update(approvalCardAgain(ctx, content, task));
  const to = event.reasonId;
  if (!to) return notify(t.approvalFlow.transferPickFirst);
  const refusal = handOverRefusal(ctx.config, { task, order, from: event.actorId, to });
  if (refusal) return notify(refusal);
  const moved = await handOver(ctx, { order, task, from: event.actorId, to, via: 'transfer', by: event.actorId });
  // A holder of an earlier rung may still decide, but the step waits on someone else: theirs to hand on.
  if (!moved) return notify(t.approvalFlow.transferNotHolder(order.number));
  await notify(transferDoneText(ctx, order, task, to, PLANT_LANG));
}

/** The picker back to the approval card: its note dropped, Approve / Reject / Transfer and the reasons again. */
function approvalCardAgain(ctx: HandlerContext, picker: Card, task: Task): Card {
  const t = texts(PLANT_LANG).approvals.card;
  return {
    ...picker,
    notes: (picker.notes ?? []).slice(1),
    buttons: approvalButtons(PLANT_LANG),
    reasons: {
      title: t.reasonsTitle,
      options: rejectReasonsOf(ctx.config, task.department).map(({ id, text }) => ({ id, text })),
    },
  };
}

function transferDoneText(ctx: HandlerContext, order: Order, task: Task, to: string, lang: Lang): string {
  return texts(lang).approvalFlow.transferDone({
    number: order.number,
    department: departmentName(ctx.config, task.department, lang),
    to: personName(ctx.config, to),
  });
}

/** "SO-… 转交 刘工" / "转交给刘工" from a holder: the steps of that order (or their only order) they hold go over. */
export async function transferFromChat(
  ctx: HandlerContext,
  args: { senderId: string; orderNumber: string | null; to: string; lang: Lang },
): Promise<string> {
  const t = texts(args.lang).approvalFlow;
  const to = findPerson(ctx.config, args.to);
  if (!to) return t.unknownPerson(args.to);
  const held = await stepsHeldBy(ctx, args.senderId, args.orderNumber);
  const numbers = [...new Set(held.map((h) => h.number))];
  if (numbers.length === 0) return args.orderNumber ? t.transferNotHolder(args.orderNumber) : t.transferNoStep;
  if (numbers.length > 1) return t.transferWhichOrder(numbers);
  const [order] = await ctx.tx.select().from(orders).where(eq(orders.number, numbers[0]!)).for('update');
  const tasks = await ctx.tx
    .select()
    .from(approvalTasks)
    .where(
      inArray(
        approvalTasks.id,
        held.map((h) => h.taskId),
      ),
    );
  const answers: string[] = [];
  for (const task of tasks) {
    if (!order || task.status !== 'pending' || !currentHolders(task).includes(args.senderId)) continue;
    const refusal = handOverRefusal(ctx.config, { task, order, from: args.senderId, to });
    if (refusal) {
      answers.push(refusal);
      continue;
    }
    const moved = await handOver(ctx, { order, task, from: args.senderId, to, via: 'transfer', by: args.senderId });
    if (moved) answers.push(transferDoneText(ctx, order, task, to, args.lang));
  }
  return answers.length > 0 ? answers.join('\n') : t.transferNotHolder(numbers[0]!);
}

/** The pending steps a person holds now, with their order numbers (of one order when it is named). */
async function stepsHeldBy(ctx: HandlerContext, personId: string, orderNumber: string | null) {
  const rows = await ctx.tx
    .select({
      taskId: approvalTasks.id,
      number: orders.number,
      assignees: approvalTasks.assignees,
      escalatedTo: approvalTasks.escalatedTo,
      escalationLevel: approvalTasks.escalationLevel,
    })
    .from(approvalTasks)
    .innerJoin(orders, eq(orders.id, approvalTasks.orderId))
    .where(
      and(
        eq(approvalTasks.status, 'pending'),
        or(arrayContains(approvalTasks.assignees, [personId]), eq(approvalTasks.escalatedTo, personId)),
        ...(orderNumber ? [eq(orders.number, orderNumber)] : []),
      ),
    );
  return rows.filter((r) => currentHolders(r).includes(personId));
}
