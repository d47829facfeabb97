import { randomUUID } from 'node:crypto';
import { and, asc, eq, lt, lte, sql } from 'drizzle-orm';
import type { Card } from '../cards/model';
import { personName, type BusinessConfig, type Department } from '../config/business-config';
import { formatDuration } from '../domain/china-time';
import { recordOrderEvent } from '../db/orders';
import { approvalTasks, cards, orders } from '../db/schema';
import type { HandlerContext } from './context';
import { departmentName } from './texts';

type Task = typeof approvalTasks.$inferSelect;

/** The escalation steps of a department, in order: its director after `escalateAfter`, then the ladder. */
export function escalationSteps(config: BusinessConfig, department: Department): Array<{ after: number; to: string }> {
  return [{ after: config.thresholds.escalateAfter, to: department.director }, ...config.escalationLadder];
}

/** Everyone who may decide a task at its escalation level: the leads, then each holder so far. */
export function taskDeciders(config: BusinessConfig, task: Pick<Task, 'assignees' | 'department' | 'escalationLevel'>): string[] {
  const department = config.departments.find((d) => d.key === task.department);
  const holders = department ? escalationSteps(config, department).slice(0, task.escalationLevel).map((s) => s.to) : [];
  return [...task.assignees, ...holders];
}

/**
 * Approval tasks nobody answered in time go one step up the ladder (the director, then e.g. the general
 * manager): a card of their own (a new card id), and the sales chat is told who holds the order. Due
 * tasks are claimed with SKIP LOCKED, so processes ticking at once escalate each step once.
 */
export async function escalateOverdueTasks(ctx: HandlerContext, limit = 50): Promise<number> {
  const due = await ctx.tx
    .select()
    .from(approvalTasks)
    .where(
      and(
        eq(approvalTasks.status, 'pending'),
        lte(approvalTasks.dueAt, ctx.now),
        lt(approvalTasks.escalationLevel, 1 + ctx.config.escalationLadder.length),
        // While the order waits on the customer (a drawing, an answer), nobody can decide it: no escalation.
        sql`not exists (select 1 from orders o where o.id = ${approvalTasks.orderId} and o.paused_since is not null)`,
      ),
    )
    .orderBy(asc(approvalTasks.dueAt))
    .limit(limit)
    .for('update', { skipLocked: true });
  for (const task of due) await escalate(ctx, task);
  return due.length;
}

async function escalate(ctx: HandlerContext, task: Task) {
  const department = ctx.config.departments.find((d) => d.key === task.department);
  const [order] = await ctx.tx.select().from(orders).where(eq(orders.id, task.orderId));
  if (!department || !order) return;
  const steps = escalationSteps(ctx.config, department);
  const step = steps[task.escalationLevel]!;
  const next = steps[task.escalationLevel + 1];
  const waited = formatDuration(ctx.now.getTime() - task.createdAt.getTime());
  const holders = [task.assignees.map((id) => personName(ctx.config, id)).join('/'), ...steps.slice(0, task.escalationLevel).map((s) => personName(ctx.config, s.to))].join('、');
  await ctx.tx
    .update(approvalTasks)
    .set({
      escalatedTo: step.to,
      escalationLevel: task.escalationLevel + 1,
      version: task.version + 1,
      ...(next ? { dueAt: new Date(task.createdAt.getTime() + next.after) } : {}),
    })
    .where(eq(approvalTasks.id, task.id));
  await sendEscalationCard(ctx, { task, order, department, to: step.to, waited, holders });
  await recordOrderEvent(ctx.tx, {
    orderId: order.id,
    at: ctx.now,
    type: 'task-escalated',
    actorId: step.to,
    data: { taskId: task.id, department: task.department, level: task.escalationLevel + 1, waitedMs: ctx.now.getTime() - task.createdAt.getTime() },
  });
  const lang = order.language;
  const dept = departmentName(ctx.config, task.department, lang);
  const who = personName(ctx.config, step.to);
  const text =
    lang === 'zh'
      ? `⏰ ${order.number}：${dept}审批已等${waited}（${holders}），已升级给${who}。`
      : `⏰ ${order.number}: ${dept} approval has waited ${waited} (${holders}); escalated to ${who}.`;
  await ctx.emit({ kind: 'post', to: { conversationId: order.conversationId }, text }, `task:${task.id}:escalated:${task.escalationLevel + 1}`, {
    orderId: order.id,
    platform: order.platform,
  });
}

async function sendEscalationCard(
  ctx: HandlerContext,
  args: { task: Task; order: typeof orders.$inferSelect; department: Department; to: string; waited: string; holders: string },
) {
  const { task, order, department, to, waited, holders } = args;
  const [original] = await ctx.tx.select().from(cards).where(eq(cards.taskId, task.id)).limit(1);
  const base = original?.content as Card | undefined;
  const card: Card = {
    id: `c_${randomUUID().replaceAll('-', '').slice(0, 20)}`,
    title: `升级审批 · ${department.name}`,
    subtitle: `${order.number} 已等 ${waited}（${holders}）`,
    fields: [{ label: '已等待', value: `${waited}（${holders}）`, tone: 'red' }, ...(base?.fields.filter((f) => f.label !== '已等待') ?? [{ label: '订单号', value: order.number }])],
    notes: [`${holders}超过${waited}未处理，升级给您；您可以代为决定。`, ...(base?.notes?.filter((n) => !n.includes('升级给您')) ?? [])],
    buttons: [
      { key: 'approve', label: '同意', style: 'primary' },
      { key: 'reject', label: '驳回', style: 'danger' },
    ],
  };
  await ctx.tx.insert(cards).values({ id: card.id, orderId: order.id, taskId: task.id, platform: order.platform, recipientId: to, content: card, createdAt: ctx.now });
  await ctx.emit({ kind: 'send-card', to: { userId: to }, card }, `card:${card.id}:send`, { orderId: order.id, platform: order.platform });
}
