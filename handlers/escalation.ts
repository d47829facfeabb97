import { randomUUID } from 'node:crypto';
import { and, asc, eq, isNull, lte } from 'drizzle-orm';
import type { Card } from '../cards/model';
import { personName } from '../config/business-config';
import { formatDuration } from '../domain/china-time';
import { recordOrderEvent } from '../db/orders';
import { approvalTasks, cards, orders } from '../db/schema';
import type { HandlerContext } from './context';
import { departmentName } from './texts';

/**
 * Approval tasks nobody answered within `escalateAfter` go to the department's director: a card of their
 * own (a new card id, so platforms that never reuse one are fine), and the sales chat is told who holds
 * the order. Due tasks are claimed with SKIP LOCKED, so processes ticking at once escalate each task once.
 */
export async function escalateOverdueTasks(ctx: HandlerContext, limit = 50): Promise<number> {
  const due = await ctx.tx
    .select()
    .from(approvalTasks)
    .where(and(eq(approvalTasks.status, 'pending'), lte(approvalTasks.dueAt, ctx.now), isNull(approvalTasks.escalatedTo)))
    .orderBy(asc(approvalTasks.dueAt))
    .limit(limit)
    .for('update', { skipLocked: true });
  for (const task of due) await escalate(ctx, task);
  return due.length;
}

async function escalate(ctx: HandlerContext, task: typeof approvalTasks.$inferSelect) {
  const department = ctx.config.departments.find((d) => d.key === task.department);
  const [order] = await ctx.tx.select().from(orders).where(eq(orders.id, task.orderId));
  if (!department || !order) return;
  const waited = formatDuration(ctx.now.getTime() - task.createdAt.getTime());
  const leads = task.assignees.map((id) => personName(ctx.config, id)).join('/');
  const director = department.director;
  await ctx.tx.update(approvalTasks).set({ escalatedTo: director, version: task.version + 1 }).where(eq(approvalTasks.id, task.id));

  const [original] = await ctx.tx.select().from(cards).where(eq(cards.taskId, task.id)).limit(1);
  const base = original?.content as Card | undefined;
  const card: Card = {
    id: `c_${randomUUID().replaceAll('-', '').slice(0, 20)}`,
    title: `升级审批 · ${department.name}`,
    subtitle: `${order.number} 已等 ${waited}（${leads}）`,
    fields: [{ label: '已等待', value: `${waited}（${leads}）`, tone: 'red' }, ...(base?.fields ?? [{ label: '订单号', value: order.number }])],
    notes: [`${leads}超过${formatDuration(ctx.config.thresholds.escalateAfter)}未处理，升级给您；您可以代为决定。`, ...(base?.notes ?? [])],
    buttons: [
      { key: 'approve', label: '同意', style: 'primary' },
      { key: 'reject', label: '驳回', style: 'danger' },
    ],
  };
  await ctx.tx.insert(cards).values({ id: card.id, orderId: order.id, taskId: task.id, platform: order.platform, recipientId: director, content: card, createdAt: ctx.now });
  await ctx.emit({ kind: 'send-card', to: { userId: director }, card }, `card:${card.id}:send`, { orderId: order.id, platform: order.platform });
  await recordOrderEvent(ctx.tx, { orderId: order.id, at: ctx.now, type: 'task-escalated', actorId: director, data: { taskId: task.id, department: task.department, waitedMs: ctx.now.getTime() - task.createdAt.getTime() } });

  const lang = order.language;
  const dept = departmentName(ctx.config, task.department, lang);
  const who = personName(ctx.config, director);
  const text =
    lang === 'zh'
      ? `⏰ ${order.number}：${dept}审批已等${waited}（${leads}），已升级给${who}。`
      : `⏰ ${order.number}: ${dept} approval has waited ${waited} (${leads}); escalated to ${who}.`;
  await ctx.emit({ kind: 'post', to: { conversationId: order.conversationId }, text }, `task:${task.id}:escalated`, { orderId: order.id, platform: order.platform });
}
