import { and, eq, inArray, sql } from 'drizzle-orm';
import { type Card, type CardResolution, chosenReason, resolveCard } from '../cards/model';
import { departmentName, personName, rejectReasonsOf } from '../config/business-config';
import { chinaDate, chinaTime } from '../domain/china-time';
import { checkAction, orderOutcome } from '../domain/approval';
import { cardsOfTask, recordOrderEvent, tasksOfOrder } from '../db/orders';
import { approvalTasks, cards, orders, type ApprovalTask, type CardRow, type Order } from '../db/schema';
import { replaceCard, tellTapper } from './card-updates';
import type { HandlerContext } from '../core/context';
import { stoppedClock } from './latency';
import type { CardActionEvent } from '../core/events';
import { taskDeciders } from './escalation';
import { type Reserved, reserveForOrder } from './promise';
import { createDelivery } from './deliveries';
import { partsText } from '../cards/repromise-card';
import { unitsOf } from './repromise';
import { noticeCustomer } from './customer-notices';
import { queueErpWriteBack } from './erp-write-back';
import { startLifecycle } from './stages';
import { updateEtdCard } from './lifecycle-cards';
import { texts } from '../texts';
import { PLANT_LANG, personList } from './names';
import { postToOrderChats } from './order-chats';
import { handleTransferTap, isTransferKey } from './approval-transfer';

type Task = ApprovalTask;

/**
 * Approve / Reject on a department's approval card (or its escalation card). Taps on one order are
 * serialised by locking the order row; the task changes only from its version read here.
 */
export async function handleApprovalAction(event: CardActionEvent, ctx: HandlerContext, card: CardRow): Promise<void> {
  const t = texts(PLANT_LANG).approvals;
  const notify = (text: string) => tellTapper(ctx, event, text);
  if (!card.taskId || card.orderId === null) return notify(t.unknownCard);
  const [order] = await ctx.tx.select().from(orders).where(eq(orders.id, card.orderId)).for('update');
  const [task] = await ctx.tx.select().from(approvalTasks).where(eq(approvalTasks.id, card.taskId));
  if (!order || !task) return notify(t.unknownCard);
  if (isTransferKey(event.actionKey)) return handleTransferTap(event, ctx, { card, order, task });

  const reason = rejectionReason(ctx, card, task, event);
  const deciders = taskDeciders(ctx.config, task);
  const check = checkAction({ ...task, assignees: deciders }, event.actorId, event.actionKey, reason?.text);
  if (!check.ok) {
    switch (check.reason) {
      case 'not-assignee': {
        const department = departmentName(ctx.config, task.department, PLANT_LANG);
        return notify(t.notAssignee(department, personList(ctx.config, task.assignees, PLANT_LANG)));
      }
      case 'already-decided':
        await notify(alreadyDecidedText(ctx, order, task));
        return refreshStaleCard(ctx, card.id, event);
      case 'needs-reason':
        return notify(t.needsReason(order.number));
      case 'unknown-action':
        return notify(t.unknownAction(event.actionKey));
    }
  }

  const decided = await applyDecision(ctx, {
    order,
    task,
    actorId: event.actorId,
    status: check.status,
    reason,
    event,
  });
  if (!decided) {
    const [current] = await ctx.tx.select().from(approvalTasks).where(eq(approvalTasks.id, task.id));
    await notify(alreadyDecidedText(ctx, order, current ?? task));
    return refreshStaleCard(ctx, card.id, event);
  }
}

/**
 * A decision on a task read under its order's lock, after the checks: the task changes only from the version
 * read (null when another decision got there first), then its event, its cards and the order's outcome.
 * Every way of deciding (a card tap, "approve all shown" on the pending list) goes through here.
 */
export async function applyDecision(
  ctx: HandlerContext,
  args: {
    order: Order;
    task: Task;
    actorId: string;
    status: 'approved' | 'rejected';
    reason: Reason | null;
    /** The tap, when the decision came from one (its card is answered in the tap's callback). */
    event?: CardActionEvent;
    /** Recorded with the decision's event, e.g. { via: 'pending-list' }. */
    data?: Record<string, unknown>;
  },
): Promise<Task | null> {
  const { order, task, reason } = args;
  const note = reason?.text ?? null;
  const [decided] = await ctx.tx
    .update(approvalTasks)
    .set({ status: args.status, decidedBy: args.actorId, decidedAt: ctx.now, note, version: task.version + 1 })
    .where(
      and(eq(approvalTasks.id, task.id), eq(approvalTasks.status, 'pending'), eq(approvalTasks.version, task.version)),
    )
    .returning();
  if (!decided) return null;
  await recordOrderEvent(ctx.tx, {
    orderId: order.id,
    at: ctx.now,
    type: args.status === 'approved' ? 'task-approved' : 'task-rejected',
    actorId: args.actorId,
    data: {
      taskId: task.id,
      department: task.department,
      note,
      ...(reason?.id ? { reasonId: reason.id } : {}),
      ...args.data,
    },
  });
  await resolveTaskCards(ctx, decided, decisionResolution(ctx, decided), args.event);
  await settleOrder(ctx, order, decided, reason);
  return decided;
}

export interface Reason {
  /** The configured reason picked from the card's list, if one was. */
  id?: string;
  text: string;
  textEn?: string;
}

/** What the tap says about why: a written note, or a reason picked from the card's list. */
function rejectionReason(ctx: HandlerContext, card: CardRow, task: Task, event: CardActionEvent): Reason | null {
  const note = event.note?.trim();
  if (note) return { text: note };
  const text = chosenReason(card.content as Card, event.actionKey, event.reasonId);
  if (!text) return null;
  const configured = rejectReasonsOf(ctx.config, task.department).find((r) => r.id === event.reasonId);
  return { id: event.reasonId, text, ...(configured?.textEn ? { textEn: configured.textEn } : {}) };
}

/**
 * A tap on a card already decided means the tapper's copy may still show buttons (a tap racing the
 * decision, or a copy the platform would no longer let us update): answer the tap with the card as it
 * stands now, read after the order lock so it carries the decision.
 */
async function refreshStaleCard(ctx: HandlerContext, cardId: string, event: CardActionEvent) {
  if (!event.callbackRef) return;
  const [card] = await ctx.tx.select().from(cards).where(eq(cards.id, cardId));
  if (!card) return;
  await ctx.emit(
    { kind: 'update-card', cardId: card.id, card: card.content as Card, callbackRef: event.callbackRef },
    `${ctx.eventKey}:card`,
    { orderId: card.orderId ?? undefined, platform: card.platform },
  );
}

export function alreadyDecidedText(ctx: HandlerContext, order: Order, task: Task): string {
  return texts(PLANT_LANG).approvals.alreadyDecided({
    number: order.number,
    who: task.decidedBy ? personName(ctx.config, task.decidedBy) : null,
    status: task.status,
    time: task.decidedAt ? chinaTime(task.decidedAt) : '',
  });
}

function decisionResolution(ctx: HandlerContext, task: Task): CardResolution {
  const t = texts(PLANT_LANG).approvals;
  const who = personName(ctx.config, task.decidedBy ?? '');
  const time = chinaTime(task.decidedAt ?? ctx.now);
  return task.status === 'approved'
    ? { status: 'approved', text: t.approvedBy(who, time) }
    : { status: 'rejected', text: t.rejectedBy(who, time, task.note) };
}

/** Every card of a task shows the outcome in place of its buttons. */
export async function resolveTaskCards(
  ctx: HandlerContext,
  task: Task,
  resolution: CardResolution,
  event?: CardActionEvent,
) {
  for (const row of await cardsOfTask(ctx.tx, task.id)) {
    const card = resolveCard(row.content as Card, resolution);
    const callbackRef = event && row.id === event.cardId ? event.callbackRef : undefined;
    await replaceCard(ctx, row, card, { key: `card:${row.id}:v${task.version}`, callbackRef, orderId: task.orderId });
  }
}

/** After a decision: all approved confirms the order, a rejection rejects it and closes the other tasks. */
async function settleOrder(ctx: HandlerContext, order: Order, decided: Task, reason: Reason | null) {
  const tasks = await tasksOfOrder(ctx.tx, order.id);
  const outcome = orderOutcome(tasks.map((t) => t.status));
  if (outcome === 'pending_approval') return;
  const reserved = outcome === 'confirmed' ? await reserveForOrder(ctx, order.id, order.requestedDate) : null;
  const promisedDate = reserved?.promisedDate ?? null;
  const clock = promisedDate ? await stoppedClock(ctx, order, promisedDate) : { pausedSince: null };
  const [settled] = await ctx.tx
    .update(orders)
    .set({ status: outcome, promisedDate, decidedAt: ctx.now, version: order.version + 1, ...clock })
    .where(and(eq(orders.id, order.id), eq(orders.status, 'pending_approval')))
    .returning();
  await recordOrderEvent(ctx.tx, {
    orderId: order.id,
    at: ctx.now,
    type: outcome,
    data: reserved ? { promisedDate: reserved.promisedDate, moved: reserved.moved, plan: reserved.plan } : {},
  });
  if (reserved) {
    await postToOrderChat(ctx, order, outcome, confirmedText(ctx, order, tasks, reserved));
    await startLifecycle(ctx, order.id, reserved.plan);
    await noticeCustomer(ctx, order.id, { kind: 'confirmed' });
    for (const delivery of reserved.deliveries) await startDelivery(ctx, order.id, delivery);
    return queueErpWriteBack(ctx, order.id);
  }
  await closeOpenTasks(ctx, tasks, decided);
  await postToOrderChat(ctx, order, outcome, rejectedText(ctx, order, decided, reason));
  if (settled) await updateEtdCard(ctx, settled, []);
}

/** A group of lines the customer asked for later becomes a delivery of its own, in production's hands like the order. */
async function startDelivery(ctx: HandlerContext, orderId: number, delivery: Reserved['deliveries'][number]) {
  const [confirmed] = await ctx.tx.select().from(orders).where(eq(orders.id, orderId));
  const child = await createDelivery(ctx, confirmed!, delivery);
  const t = texts(child.language);
  const lines = (await unitsOf(ctx, [child.id])).get(child.id) ?? new Map();
  const text = t.repromise.delivery({
    number: child.number,
    parts: partsText(child.language, delivery.parts, lines),
    date: t.format.date(delivery.promisedDate, chinaDate(ctx.now)),
  });
  await postToOrderChats(ctx, child, text, `order:${child.id}:delivery`);
  await startLifecycle(ctx, child.id, delivery.plan);
  await noticeCustomer(ctx, child.id, { kind: 'confirmed' });
}

function postToOrderChat(ctx: HandlerContext, order: Order, outcome: string, text: string) {
  return postToOrderChats(ctx, order, text, `order:${order.id}:${outcome}`);
}

function confirmedText(
  ctx: HandlerContext,
  order: Order,
  tasks: Task[],
  reserved: { promisedDate: string; moved: boolean },
) {
  const lang = order.language;
  const t = texts(lang);
  const approvals = tasks.map((task) =>
    t.orders.approvalBy(
      departmentName(ctx.config, task.department, lang),
      personName(ctx.config, task.decidedBy ?? ''),
    ),
  );
  return t.orders.confirmed({
    number: order.number,
    approvals: t.format.list(approvals),
    promisedDate: reserved.promisedDate,
    today: chinaDate(ctx.now),
    movedFrom: reserved.moved ? order.requestedDate : null,
  });
}

function rejectedText(ctx: HandlerContext, order: Order, decided: Task, reason: Reason | null): string {
  const lang = order.language;
  return texts(lang).orders.rejected({
    number: order.number,
    department: departmentName(ctx.config, decided.department, lang),
    actor: personName(ctx.config, decided.decidedBy ?? ''),
    reason: (lang === 'en' ? reason?.textEn : undefined) ?? decided.note ?? '',
  });
}

/** The order is rejected: the other departments' pending tasks close, their cards saying by whom. */
async function closeOpenTasks(ctx: HandlerContext, tasks: Task[], decided: Task) {
  const open = tasks.filter((t) => t.status === 'pending').map((t) => t.id);
  if (open.length === 0) return;
  const closed = await ctx.tx
    .update(approvalTasks)
    .set({ status: 'cancelled', decidedAt: ctx.now, version: sql`${approvalTasks.version} + 1` })
    .where(and(inArray(approvalTasks.id, open), eq(approvalTasks.status, 'pending')))
    .returning();
  const who = `${departmentName(ctx.config, decided.department, PLANT_LANG)} ${personName(ctx.config, decided.decidedBy ?? '')}`;
  const text = texts(PLANT_LANG).approvals.closedByRejection(who);
  for (const task of closed) await resolveTaskCards(ctx, task, { status: 'cancelled', text });
}
