import { and, asc, count, eq, gt, inArray, or, type SQL, sql } from 'drizzle-orm';
import { type Card, newCardId } from '../cards/model';
import {
  approveAllResultCard,
  batchable,
  emptyListCard,
  PAGE_SIZE,
  type PendingStep,
  parseListAction,
  pendingListCard,
  type StepFlag,
  type StepOutcome,
  shownLines,
} from '../cards/pending-list';
import { type BusinessConfig, departmentName, personName } from '../config/business-config';
import { type HandlerContext, replyToMessage } from '../core/context';
import type { CardActionEvent, MessageEvent } from '../core/events';
import { approvalTasks, type CardRow, cards, orderItems, orders } from '../db/schema';
import { checkAction } from '../domain/approval';
import { writerLanguage } from '../domain/parse';
import { texts } from '../texts';
import { alreadyDecidedText, applyDecision } from './approval-decision';
import { replaceCard, tellTapper } from './card-updates';
import { escalationSteps, taskDeciders } from './escalation';
import { PLANT_LANG, personList } from './names';

/**
 * "待办", "我的审批", "my approvals" in the 1:1 chat: the sender's open approval steps, oldest first, a card
 * per page (cards/pending-list.ts). In a group the list is not shown: the sender is asked to ask 1:1.
 */
export async function answerPendingList(event: MessageEvent, ctx: HandlerContext): Promise<void> {
  // The language of what the sender wrote, not of an @-mention of the bot ("@订单助手 my approvals").
  const t = texts(writerLanguage(event.text.replace(/@\S+/gu, ' '))).pending;
  if (!event.conversationId.startsWith('dm:')) {
    // Said in a group to someone else: not for the bot.
    if (!event.addressedToBot) return;
    return replyToMessage(ctx, event, t.askInDm(ctx.config.botName));
  }
  const person = event.senderId;
  const page = await pageOf(ctx, person, 1);
  if (page.total === 0) return replyToMessage(ctx, event, t.none);
  const card = pendingListCard({ cardId: newCardId(), ...page, now: ctx.now, lang: PLANT_LANG });
  await ctx.tx.insert(cards).values({
    id: card.id,
    orderId: null,
    taskId: null,
    purpose: 'pending-list',
    platform: event.platform,
    recipientId: person,
    content: card,
    createdAt: ctx.now,
  });
  await ctx.emit({ kind: 'send-card', to: { userId: person }, card }, `card:${card.id}:send`);
}

/**
 * A tap on a pending-list card: another page (the card updated in place), or "approve all shown". Taps on
 * one list card are serialised by locking its row, so a second tap on the same "approve all" finds the
 * card already showing the outcome and changes nothing.
 */
export async function handlePendingListAction(
  event: CardActionEvent,
  ctx: HandlerContext,
  card: CardRow,
): Promise<void> {
  const t = texts(PLANT_LANG).pending;
  const notify = (text: string) => tellTapper(ctx, event, text);
  const [row] = await ctx.tx.select().from(cards).where(eq(cards.id, card.id)).for('update');
  if (!row) return notify(texts(PLANT_LANG).approvals.unknownCard);
  if (event.actorId !== row.recipientId) return notify(t.notYourList(personName(ctx.config, row.recipientId)));
  const action = parseListAction(event.actionKey);
  if (!action) return notify(t.unknownAction(event.actionKey));
  if (action.kind === 'page') return showPage(ctx, event, row, action.page);

  const content = row.content as Card;
  if (content.resolved || !content.buttons.some((b) => b.key === event.actionKey)) {
    await notify(t.alreadyUsed);
    return answerWithCard(ctx, event, row, content);
  }
  return approveAllShown(ctx, event, row, action.taskIds);
}

/** The page (clamped to the last one) in place of the card, or the empty card when nothing is left. */
async function showPage(ctx: HandlerContext, event: CardActionEvent, row: CardRow, wanted: number) {
  const page = await pageOf(ctx, row.recipientId, wanted);
  const card =
    page.total === 0
      ? emptyListCard(row.id, PLANT_LANG)
      : pendingListCard({ cardId: row.id, ...page, now: ctx.now, lang: PLANT_LANG });
  await replaceCard(ctx, row, card, { key: `${ctx.eventKey}:card`, callbackRef: event.callbackRef });
}

/** The tapped copy answered with the card as it stands (a stale tap). */
async function answerWithCard(ctx: HandlerContext, event: CardActionEvent, row: CardRow, card: Card) {
  if (!event.callbackRef) return;
  await ctx.emit(
    { kind: 'update-card', cardId: row.id, card, callbackRef: event.callbackRef },
    `${ctx.eventKey}:card`,
    { platform: row.platform },
  );
}

/**
 * "Approve all shown": each step in the key decided as its own card would decide it, under its order's
 * lock, with the same checks and the same version guard (applyDecision). The orders are locked first, all
 * of them and by id, so a batch never holds one order while waiting for another that a single decision
 * holds. A step decided meanwhile, no longer the tapper's or now carrying a warning is left as it is and
 * said so on the card, line by line.
 */
async function approveAllShown(ctx: HandlerContext, event: CardActionEvent, row: CardRow, keyIds: number[]) {
  const actor = event.actorId;
  const shown = shownLines(row.content as Card);
  const ids = [...new Set([...shown.map((l) => l.taskId), ...keyIds])];
  const refs = await ctx.tx
    .select({ orderId: approvalTasks.orderId })
    .from(approvalTasks)
    .where(inArray(approvalTasks.id, ids));
  const orderIds = [...new Set(refs.map((r) => r.orderId))].sort((a, b) => a - b);
  if (orderIds.length > 0) {
    await ctx.tx
      .select({ id: orders.id })
      .from(orders)
      .where(inArray(orders.id, orderIds))
      .orderBy(asc(orders.id))
      .for('update');
  }
  // Read under the locks: what the steps are now.
  const steps = new Map((await stepsOf(ctx, ids)).map((s) => [s.taskId, s]));
  const tasks = new Map(
    (await ctx.tx.select().from(approvalTasks).where(inArray(approvalTasks.id, ids))).map((task) => [task.id, task]),
  );
  const lines: Array<{ step: PendingStep; label: string; outcome: StepOutcome }> = [];
  for (const { taskId: id, label } of shown) {
    const step = steps.get(id);
    const task = tasks.get(id);
    if (!step || !task) continue;
    const [order] = await ctx.tx.select().from(orders).where(eq(orders.id, task.orderId));
    if (!order) {
      lines.push({ step, label, outcome: { kind: 'gone' } });
      continue;
    }
    const deciders = taskDeciders(ctx.config, task);
    const check = checkAction({ ...task, assignees: deciders }, actor, 'approve', undefined);
    if (!check.ok) {
      const outcome: StepOutcome =
        check.reason === 'already-decided'
          ? { kind: 'already-decided', text: alreadyDecidedText(ctx, order, task) }
          : { kind: 'not-yours', holders: personList(ctx.config, deciders, PLANT_LANG) };
      lines.push({ step, label, outcome });
      continue;
    }
    if (!batchable(step) || !keyIds.includes(id)) {
      lines.push({ step, label, outcome: { kind: batchable(step) ? 'open' : 'flagged' } });
      continue;
    }
    const decided = await applyDecision(ctx, {
      order,
      task,
      actorId: actor,
      status: 'approved',
      reason: null,
      data: { via: 'pending-list' },
    });
    if (decided) {
      lines.push({ step, label, outcome: { kind: 'approved', at: ctx.now } });
      continue;
    }
    const [current] = await ctx.tx.select().from(approvalTasks).where(eq(approvalTasks.id, id));
    lines.push({
      step,
      label,
      outcome: { kind: 'already-decided', text: alreadyDecidedText(ctx, order, current ?? task) },
    });
  }
  const card = approveAllResultCard({ cardId: row.id, lines, now: ctx.now, lang: PLANT_LANG });
  await replaceCard(ctx, row, card, { key: `${ctx.eventKey}:card`, callbackRef: event.callbackRef });
}

// ---- reading the steps ------------------------------------------------------------------------------

/**
 * The open steps a person may decide: those they are a lead of, those escalated to them, and those that
 * went past them up the ladder (a director still decides after the general manager got it), as
 * taskDeciders (handlers/escalation.ts) has it.
 */
function heldBy(config: BusinessConfig, personId: string): SQL {
  const held: SQL[] = [sql`${personId} = any(${approvalTasks.assignees})`, eq(approvalTasks.escalatedTo, personId)];
  for (const department of config.departments) {
    const step = escalationSteps(config, department).findIndex((s) => s.to === personId);
    if (step >= 0)
      held.push(and(eq(approvalTasks.department, department.key), gt(approvalTasks.escalationLevel, step))!);
  }
  return and(eq(approvalTasks.status, 'pending'), or(...held))!;
}

/** One page of a person's open steps, oldest first; a page past the last gives the last. */
async function pageOf(ctx: HandlerContext, personId: string, wanted: number) {
  const mine = heldBy(ctx.config, personId);
  const [{ total } = { total: 0 }] = await ctx.tx.select({ total: count() }).from(approvalTasks).where(mine);
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  const page = Math.min(Math.max(1, wanted), pages);
  const ids = await ctx.tx
    .select({ id: approvalTasks.id })
    .from(approvalTasks)
    .where(mine)
    .orderBy(asc(approvalTasks.createdAt), asc(approvalTasks.id))
    .limit(PAGE_SIZE)
    .offset((page - 1) * PAGE_SIZE);
  const steps = await stepsOf(
    ctx,
    ids.map((r) => r.id),
  );
  return { steps, page, pages, total };
}

/** The steps of these tasks as a list card shows them, in the order given. */
async function stepsOf(ctx: HandlerContext, taskIds: number[]): Promise<PendingStep[]> {
  if (taskIds.length === 0) return [];
  const rows = await ctx.tx
    .select({
      taskId: approvalTasks.id,
      department: approvalTasks.department,
      since: approvalTasks.createdAt,
      orderId: orders.id,
      number: orders.number,
      customer: orders.customerName,
      requestedDate: orders.requestedDate,
      urgent: orders.urgent,
      pausedSince: orders.pausedSince,
    })
    .from(approvalTasks)
    .innerJoin(orders, eq(orders.id, approvalTasks.orderId))
    .where(inArray(approvalTasks.id, taskIds));
  const orderIds = [...new Set(rows.map((r) => r.orderId))];
  const items = await ctx.tx
    .select({
      orderId: orderItems.orderId,
      materialCode: orderItems.materialCode,
      quantity: orderItems.quantity,
      unit: orderItems.unit,
    })
    .from(orderItems)
    .where(inArray(orderItems.orderId, orderIds))
    .orderBy(asc(orderItems.orderId), asc(orderItems.lineNo));
  const specs = await specWarnings(ctx, taskIds);
  const byId = new Map(
    rows.map((r): [number, PendingStep] => {
      const flags: StepFlag[] = [];
      const spec = specs.get(r.taskId);
      if (spec) flags.push(spec);
      if (r.urgent) flags.push('expedite');
      if (r.pausedSince) flags.push('paused');
      return [
        r.taskId,
        {
          taskId: r.taskId,
          department: departmentName(ctx.config, r.department, PLANT_LANG),
          number: r.number,
          customer: r.customer,
          items: items.filter((i) => i.orderId === r.orderId),
          requestedDate: r.requestedDate,
          since: r.since,
          flags,
        },
      ];
    }),
  );
  return taskIds.flatMap((id) => {
    const step = byId.get(id);
    return step ? [step] : [];
  });
}

/**
 * The spec warning each task's approval card shows: its "specs" field in red (a spec outside its
 * qualified range) or yellow (a spec with no record).
 */
async function specWarnings(ctx: HandlerContext, taskIds: number[]): Promise<Map<number, StepFlag>> {
  const rows = await ctx.tx
    .selectDistinctOn([cards.taskId], { taskId: cards.taskId, content: cards.content })
    .from(cards)
    .where(and(inArray(cards.taskId, taskIds), eq(cards.purpose, 'approval')))
    .orderBy(cards.taskId, asc(cards.createdAt), asc(cards.id));
  const warnings = new Map<number, StepFlag>();
  for (const { taskId, content } of rows) {
    const tone = (content as Card).fields.find((f) => f.key === 'specs')?.tone;
    if (taskId !== null && tone === 'red') warnings.set(taskId, 'spec-outside');
    else if (taskId !== null && tone === 'yellow') warnings.set(taskId, 'spec-unknown');
  }
  return warnings;
}
