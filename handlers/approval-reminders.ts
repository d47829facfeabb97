import { and, asc, eq, inArray, lte, sql } from 'drizzle-orm';
import { departmentName, personName } from '../config/business-config';
import type { HandlerContext } from '../core/context';
import { type ApprovalTask, approvalTasks, type Order, orders } from '../db/schema';
import { chinaDate, chinaTime, formatDuration } from '../domain/china-time';
import { texts } from '../texts';
import { departmentsAtWork, escalationSteps, reminderAfter } from './approval-deadlines';
import { currentHolders, firstCardsOf, handOver, sendTaskCards, type TaskCard, taskCard } from './approval-handover';
import type { Card } from '../cards/model';
import { PLANT_LANG } from './names';
import { nextRung } from './escalation';
import { type StandInRouter, standInRouter } from './stand-ins';

type Task = ApprovalTask;
export type ReminderOrder = Pick<
  Order,
  'id' | 'number' | 'platform' | 'conversationId' | 'language' | 'requesterId' | 'pausedSince'
>;

const orderColumns = {
  id: orders.id,
  number: orders.number,
  platform: orders.platform,
  conversationId: orders.conversationId,
  language: orders.language,
  requesterId: orders.requesterId,
  pausedSince: orders.pausedSince,
};

/**
 * Reminders before escalation: each pending step whose reminder point has come (approvals.reminders, by
 * default halfway to its deadline and 15 minutes before it) sends its holders a reminder card they can
 * decide on. Points lie in working time on a working clock, and a tick outside working hours (the process
 * was down overnight) leaves a passed point for the morning. Claimed with SKIP LOCKED through the partial
 * index approval_tasks_remind_idx, so each point reminds once; a tick costs a fixed handful of statements
 * however many it reminds (a holder away makes a few more, to hand the step to the stand-in).
 */
export async function remindDueTasks(ctx: HandlerContext, limit = 100): Promise<number> {
  const atWork = departmentsAtWork(ctx.config, ctx.now);
  if (atWork !== 'all' && atWork.length === 0) return 0;
  const due = await ctx.tx
    .select()
    .from(approvalTasks)
    .where(
      and(
        eq(approvalTasks.status, 'pending'),
        lte(approvalTasks.remindAt, ctx.now),
        sql`${approvalTasks.remindAt} is not null`,
        atWork === 'all' ? undefined : inArray(approvalTasks.department, atWork),
        sql`not exists (select 1 from orders o where o.id = ${approvalTasks.orderId} and o.paused_since is not null)`,
      ),
    )
    .orderBy(asc(approvalTasks.remindAt))
    .limit(limit)
    .for('update', { skipLocked: true });
  if (due.length === 0) return 0;
  const refs = await ctx.tx
    .select(orderColumns)
    .from(orders)
    .where(inArray(orders.id, [...new Set(due.map((t) => t.orderId))]));
  const byId = new Map(refs.map((o) => [o.id, o]));
  const router = await standInRouter(ctx);
  const bases = await firstCardsOf(
    ctx,
    due.map((t) => t.id),
  );
  const cardsToSend: TaskCard[] = [];
  const next: Array<{ id: number; remind: string | null }> = [];
  for (const task of due) {
    const order = byId.get(task.orderId);
    const department = ctx.config.departments.find((d) => d.key === task.department);
    if (!order || !department || task.dueAt <= ctx.now) {
      next.push({ id: task.id, remind: null });
      continue;
    }
    const point = task.remindAt!.toISOString();
    const held = await remindersFor(ctx, {
      order,
      task,
      base: bases.get(task.id),
      router,
      kind: 'reminder',
      key: `task:${task.id}:remind:${point}`,
    });
    cardsToSend.push(...held.cards);
    const remindAt = reminderAfter(ctx.config, department, held.task.escalationLevel, held.task.dueAt, ctx.now);
    next.push({ id: task.id, remind: remindAt?.toISOString() ?? null });
  }
  await sendTaskCards(ctx, cardsToSend);
  // One parameter for the whole batch (a JSON array), as the escalation tick does.
  await ctx.tx.execute(sql`
    update approval_tasks t set remind_at = v.remind
    from jsonb_to_recordset(${JSON.stringify(next)}::jsonb) as v(id bigint, remind timestamptz)
    where t.id = v.id`);
  return due.length;
}

/**
 * The reminder cards for each current holder of the step (a copy of the approval card they can decide on).
 * A holder on leave first hands the step to their stand-in, who gets the card of that hand-over instead.
 * Returns the task as it now stands, who holds it, and the cards to send.
 */
export async function remindersFor(
  ctx: HandlerContext,
  args: {
    order: ReminderOrder;
    task: Task;
    base: Card | undefined;
    router: StandInRouter;
    kind: 'reminder' | 'nudge';
    key: string;
    /** Who nudged (for a 催办). */
    by?: string;
  },
): Promise<{ task: Task; reminded: string[]; cards: TaskCard[] }> {
  let task = args.task;
  // A stand-in taking the step over gets its card then; a reminder card on top of it would say the same.
  const justGotIt = new Set<string>();
  for (const holder of currentHolders(task)) {
    const standIn = args.router.holderFor(holder);
    if (standIn === holder) continue;
    const moved = await handOver(ctx, {
      order: args.order,
      task,
      from: holder,
      to: standIn,
      via: 'stand-in',
      by: 'system',
    });
    if (moved) {
      task = moved;
      justGotIt.add(standIn);
    }
  }
  const reminded = currentHolders(task);
  const t = texts(PLANT_LANG).approvalFlow;
  const department = departmentName(ctx.config, task.department, PLANT_LANG);
  const waited = formatDuration(ctx.now.getTime() - task.createdAt.getTime());
  const due = dueText(ctx.now, task.dueAt);
  const title = args.kind === 'nudge' ? t.nudgeTitle(department) : t.reminderTitle(department);
  const note =
    args.kind === 'nudge'
      ? t.nudgeNote({ by: personName(ctx.config, args.by ?? ''), waited, due })
      : t.reminderNote({ waited, due, to: nextHolderName(ctx, task, args.router) });
  const cards = reminded
    .filter((to) => !justGotIt.has(to))
    .map((to) =>
      taskCard(ctx, { order: args.order, task, base: args.base, to, note, title, key: `${args.key}:${to}` }),
    );
  return { task, reminded, cards };
}

/** Who the step goes to when its deadline passes, or null when nobody is left above its holders. */
function nextHolderName(ctx: HandlerContext, task: Task, router: StandInRouter): string | null {
  const department = ctx.config.departments.find((d) => d.key === task.department);
  const rung = department ? nextRung(ctx.config, department, task, router) : null;
  if (!department || rung === null) return null;
  return personName(ctx.config, router.holderFor(escalationSteps(ctx.config, department)[rung]!.to));
}

/** "16:30", or "12-07 10:30" when the deadline is on another day. */
export function dueText(now: Date, due: Date): string {
  return chinaDate(due) === chinaDate(now) ? chinaTime(due) : `${chinaDate(due).slice(5)} ${chinaTime(due)}`;
}
