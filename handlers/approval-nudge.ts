import { and, eq, isNull, lte, or } from 'drizzle-orm';
import { departmentName } from '../config/business-config';
import type { HandlerContext } from '../core/context';
import { approvalTasks, type Order, orderFollowers, orders } from '../db/schema';
import { chinaTime } from '../domain/china-time';
import { type Lang, texts } from '../texts';
import { remindersFor } from './approval-reminders';
import { firstCardsOf, sendTaskCards } from './approval-handover';
import { personList } from './names';
import { postToOrderChats } from './order-chats';
import { standInRouter } from './stand-ins';

/**
 * 催办 from the sales chat: whoever holds each pending step of the order gets one reminder card, and the
 * chat is told who. A step is nudged at most once per approvals.nudgeInterval: the claim is one
 * conditional update of its nudged_at, so two nudges at once remind once.
 */
export async function nudgeOrder(ctx: HandlerContext, order: Order, by: string, lang: Lang): Promise<string> {
  const t = texts(lang).approvalFlow;
  if (order.status !== 'pending_approval') return t.noPendingStep(order.number);
  if (order.pausedSince) return t.nudgeWhilePaused(order.number);
  const open = await ctx.tx
    .select()
    .from(approvalTasks)
    .where(and(eq(approvalTasks.orderId, order.id), eq(approvalTasks.status, 'pending')))
    .orderBy(approvalTasks.id);
  if (open.length === 0) return t.noPendingStep(order.number);
  const interval = ctx.config.approvals.nudgeInterval;
  const since = new Date(ctx.now.getTime() - interval);
  const router = await standInRouter(ctx);
  const bases = await firstCardsOf(
    ctx,
    open.map((t) => t.id),
  );
  const reminded: string[] = [];
  const skipped: string[] = [];
  for (const task of open) {
    const department = departmentName(ctx.config, task.department, lang);
    const [claimed] = await ctx.tx
      .update(approvalTasks)
      .set({ nudgedAt: ctx.now })
      .where(and(eq(approvalTasks.id, task.id), or(isNull(approvalTasks.nudgedAt), lte(approvalTasks.nudgedAt, since))))
      .returning();
    if (!claimed) {
      skipped.push(
        t.nudgedRecently(department, chinaTime(task.nudgedAt ?? ctx.now), texts(lang).format.latency(interval)),
      );
      continue;
    }
    const held = await remindersFor(ctx, {
      order,
      task: claimed,
      base: bases.get(task.id),
      router,
      kind: 'nudge',
      key: `task:${task.id}:nudge:${ctx.now.toISOString()}`,
      by,
    });
    await sendTaskCards(ctx, held.cards);
    reminded.push(t.nudgedLine(department, personList(ctx.config, held.reminded, lang)));
  }
  return t.nudged(order.number, reminded, skipped);
}

/** "催一下 SO-…" written in a chat: only the order's sales chat (or a follower's) may nudge it. */
export async function nudgeFromChat(
  ctx: HandlerContext,
  args: { number: string; platform: string; conversationId: string; senderId: string; lang: Lang },
): Promise<string> {
  const t = texts(args.lang).approvalFlow;
  const [order] = await ctx.tx.select().from(orders).where(eq(orders.number, args.number)).for('update');
  if (!order) return t.unknownOrder(args.number);
  if (!(await isOrderChat(ctx, order, args.platform, args.conversationId))) return t.nudgeElsewhere(order.number);
  return nudgeOrder(ctx, order, args.senderId, args.lang);
}

/** 催办 tapped on the order's card in its sales chat: the chat hears who was reminded. */
export async function nudgeFromCard(ctx: HandlerContext, order: Order, actorId: string): Promise<void> {
  const text = await nudgeOrder(ctx, order, actorId, order.language);
  await postToOrderChats(ctx, order, text, `${ctx.eventKey}:nudged`);
}

async function isOrderChat(ctx: HandlerContext, order: Order, platform: string, conversationId: string) {
  if (order.platform === platform && order.conversationId === conversationId) return true;
  const [follower] = await ctx.tx
    .select({ id: orderFollowers.orderId })
    .from(orderFollowers)
    .where(
      and(
        eq(orderFollowers.orderId, order.id),
        eq(orderFollowers.platform, platform),
        eq(orderFollowers.conversationId, conversationId),
      ),
    )
    .limit(1);
  return !!follower;
}
