import { and, eq, inArray, sql } from 'drizzle-orm';
import { resolveCard, type Card, type CardResolution } from '../cards/model';
import { personName, type BusinessConfig } from '../config/business-config';
import { chinaDate, chinaTime } from '../domain/china-time';
import { checkAction, orderOutcome } from '../domain/approval';
import { cardsOfTask, recordOrderEvent, tasksOfOrder } from '../db/orders';
import { approvalTasks, cards, orders, type ApprovalTask, type CardRow, type Order } from '../db/schema';
import type { HandlerContext } from '../core/context';
import { stoppedClock } from './latency';
import type { CardActionEvent } from '../core/events';
import { taskDeciders } from './escalation';
import { reserveForOrder } from './promise';
import { startLifecycle } from './stages';
import { updateEtdCard } from './lifecycle-cards';
import { approverTexts, departmentName, texts } from './texts';

type Task = ApprovalTask;

/**
 * Approve / Reject on a department's approval card (or its escalation card). Taps on one order are
 * serialised by locking the order row; the task changes only from its version read here.
 */
export async function handleApprovalAction(event: CardActionEvent, ctx: HandlerContext, card: CardRow): Promise<void> {
  const notify = (text: string) =>
    ctx.emit({ kind: 'post', to: { userId: event.actorId }, text }, `${ctx.eventKey}:notice`);
  if (!card.taskId || card.orderId === null) return notify(approverTexts.unknownCard());
  const [order] = await ctx.tx.select().from(orders).where(eq(orders.id, card.orderId)).for('update');
  const [task] = await ctx.tx.select().from(approvalTasks).where(eq(approvalTasks.id, card.taskId));
  if (!order || !task) return notify(approverTexts.unknownCard());

  const department = departmentName(ctx.config, task.department);
  const check = checkAction(
    { ...task, assignees: taskDeciders(ctx.config, task) },
    event.actorId,
    event.actionKey,
    event.note,
  );
  if (!check.ok) {
    switch (check.reason) {
      case 'not-assignee':
        return notify(
          approverTexts.notAssignee(department, task.assignees.map((id) => personName(ctx.config, id)).join('、')),
        );
      case 'already-decided':
        await notify(alreadyDecidedText(ctx.config, order, task));
        return refreshStaleCard(ctx, card.id, event);
      case 'needs-reason':
        return notify(approverTexts.needsReason(order.number));
      case 'unknown-action':
        return notify(approverTexts.unknownAction(event.actionKey));
    }
  }

  const note = event.note?.trim() || null;
  const [decided] = await ctx.tx
    .update(approvalTasks)
    .set({ status: check.status, decidedBy: event.actorId, decidedAt: ctx.now, note, version: task.version + 1 })
    .where(
      and(eq(approvalTasks.id, task.id), eq(approvalTasks.status, 'pending'), eq(approvalTasks.version, task.version)),
    )
    .returning();
  if (!decided) {
    const [current] = await ctx.tx.select().from(approvalTasks).where(eq(approvalTasks.id, task.id));
    await notify(alreadyDecidedText(ctx.config, order, current ?? task));
    return refreshStaleCard(ctx, card.id, event);
  }
  await recordOrderEvent(ctx.tx, {
    orderId: order.id,
    at: ctx.now,
    type: check.status === 'approved' ? 'task-approved' : 'task-rejected',
    actorId: event.actorId,
    data: { taskId: task.id, department: task.department, note },
  });
  await resolveTaskCards(ctx, decided, decisionResolution(ctx, decided), event);
  await settleOrder(ctx, order, decided);
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

function alreadyDecidedText(config: BusinessConfig, order: Order, task: Task): string {
  const verb = { approved: '同意', rejected: '驳回', cancelled: '关闭', pending: '处理' }[task.status];
  const who = task.decidedBy ? personName(config, task.decidedBy) : '系统';
  const time = task.decidedAt ? chinaTime(task.decidedAt) : '';
  return approverTexts.alreadyDecided(order.number, who, verb, time);
}

function decisionResolution(ctx: HandlerContext, task: Task): CardResolution {
  const who = personName(ctx.config, task.decidedBy ?? '');
  const time = chinaTime(task.decidedAt ?? ctx.now);
  return task.status === 'approved'
    ? { status: 'approved', text: `已同意 · ${who} ${time}` }
    : { status: 'rejected', text: `已驳回 · ${who} ${time}${task.note ? `：${task.note}` : ''}` };
}

/** Every card of a task shows the outcome in place of its buttons. */
async function resolveTaskCards(ctx: HandlerContext, task: Task, resolution: CardResolution, event?: CardActionEvent) {
  for (const row of await cardsOfTask(ctx.tx, task.id)) {
    const card = resolveCard(row.content as Card, resolution);
    await ctx.tx.update(cards).set({ content: card }).where(eq(cards.id, row.id));
    const callbackRef = event && row.id === event.cardId ? event.callbackRef : undefined;
    await ctx.emit(
      { kind: 'update-card', cardId: row.id, card, ...(callbackRef ? { callbackRef } : {}) },
      `card:${row.id}:v${task.version}`,
      { orderId: task.orderId, platform: row.platform },
    );
  }
}

/** After a decision: all approved confirms the order, a rejection rejects it and closes the other tasks. */
async function settleOrder(ctx: HandlerContext, order: Order, decided: Task) {
  const tasks = await tasksOfOrder(ctx.tx, order.id);
  const outcome = orderOutcome(tasks.map((t) => t.status));
  if (outcome === 'pending_approval') return;
  const today = chinaDate(ctx.now);
  const lang = order.language;
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
  const to = { conversationId: order.conversationId };
  const key = `order:${order.id}:${outcome}`;

  if (reserved) {
    const approvals = tasks
      .map((t) => `${departmentName(ctx.config, t.department, lang)} ${personName(ctx.config, t.decidedBy ?? '')}`)
      .join(lang === 'zh' ? '、' : ', ');
    const text = texts.confirmed({
      lang,
      number: order.number,
      approvals,
      promisedDate: reserved.promisedDate,
      today,
      movedFrom: reserved.moved ? order.requestedDate : null,
    });
    await ctx.emit({ kind: 'post', to, text }, key, { orderId: order.id, platform: order.platform });
    return startLifecycle(ctx, order.id, reserved.plan);
  }

  const open = tasks.filter((t) => t.status === 'pending');
  if (open.length > 0) {
    const closed = await ctx.tx
      .update(approvalTasks)
      .set({ status: 'cancelled', decidedAt: ctx.now, version: sql`${approvalTasks.version} + 1` })
      .where(
        and(
          inArray(
            approvalTasks.id,
            open.map((t) => t.id),
          ),
          eq(approvalTasks.status, 'pending'),
        ),
      )
      .returning();
    const who = `${departmentName(ctx.config, decided.department)} ${personName(ctx.config, decided.decidedBy ?? '')}`;
    for (const task of closed) {
      await resolveTaskCards(ctx, task, { status: 'cancelled', text: `订单已被${who}驳回，无需处理` });
    }
  }
  const text = texts.rejected({
    lang,
    number: order.number,
    department: departmentName(ctx.config, decided.department, lang),
    actor: personName(ctx.config, decided.decidedBy ?? ''),
    reason: decided.note ?? '',
  });
  await ctx.emit({ kind: 'post', to, text }, key, { orderId: order.id, platform: order.platform });
  if (settled) await updateEtdCard(ctx, settled, []);
}
