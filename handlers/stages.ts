import { and, desc, eq } from 'drizzle-orm';
import { personName, type BusinessConfig } from '../config/business-config';
import {
  canAdvance,
  nextStage,
  skippedStages,
  stageLabel,
  stagesCompleted,
  type Stage,
  type WorkStage,
} from '../domain/lifecycle';
import { chinaTime } from '../domain/china-time';
import { recordOrderEvent } from '../db/orders';
import { orderEvents, orders, type Order } from '../db/schema';
import type { HandlerContext } from '../core/context';
import { refreshEtd } from './etd';
import { resolveStageCards, sendStageCards, stageDepartment, stageOwners, updateEtdCard } from './lifecycle-cards';
import { departmentName } from './texts';

export interface ProductionPlan {
  source: 'stock' | 'production';
  start?: string;
  finish?: string;
}

/** A confirmed order enters the stages: the first stage's owners get their card, the chat its ETD card. */
export async function startLifecycle(ctx: HandlerContext, orderId: number, plan: ProductionPlan): Promise<void> {
  const [order] = await ctx.tx
    .update(orders)
    .set({
      stage: 'confirmed',
      stageAt: ctx.now,
      skippedStages: skippedStages(plan.source),
      planStart: plan.start ?? null,
      planFinish: plan.finish ?? null,
    })
    .where(eq(orders.id, orderId))
    .returning();
  if (!order) return;
  const next = nextStage('confirmed', order.skippedStages);
  if (next) await sendStageCards(ctx, order, next);
  await refreshEtd(ctx, order, { kind: 'confirmed' });
}

export type StageSource = 'card' | 'chat' | 'courier' | 'mes';

export type StageOutcome =
  | { ok: true; order: Order; completed: WorkStage[] }
  | { ok: false; reason: 'not-confirmed' | 'skipped' }
  | { ok: false; reason: 'already'; by: string | null; at: Date | null };

/**
 * Marks `to` done on a locked order row (jumping forward completes the stages in between): stage cards
 * show who did it, the next stage's owners get theirs, and the ETD is recomputed. "delivered" closes the
 * order.
 */
export async function completeStage(
  ctx: HandlerContext,
  order: Order,
  to: WorkStage,
  by: { id: string | null; source: StageSource },
  shipment?: { carrier: string | null; waybill: string },
): Promise<StageOutcome> {
  if (order.status !== 'confirmed' || !order.stage) {
    return order.status === 'delivered' ? alreadyDone(ctx, order, to) : { ok: false, reason: 'not-confirmed' };
  }
  if (order.skippedStages.includes(to)) return { ok: false, reason: 'skipped' };
  if (!canAdvance(order.stage, to, order.skippedStages)) return alreadyDone(ctx, order, to);
  const completed = stagesCompleted(order.stage, to, order.skippedStages);
  const delivered = to === 'delivered';
  const [updated] = await ctx.tx
    .update(orders)
    .set({
      stage: to,
      stageAt: ctx.now,
      version: order.version + 1,
      ...(delivered ? { status: 'delivered' as const, nextTrackAt: null, etd: ctx.now, deliveredAt: ctx.now } : {}),
      ...(shipment ? { carrier: shipment.carrier, waybill: shipment.waybill, nextTrackAt: ctx.now } : {}),
    })
    .where(and(eq(orders.id, order.id), eq(orders.version, order.version)))
    .returning();
  if (!updated) return alreadyDone(ctx, order, to);
  for (const stage of completed) {
    await recordOrderEvent(ctx.tx, {
      orderId: order.id,
      at: ctx.now,
      type: 'stage-completed',
      actorId: by.id,
      data: { stage, via: by.source, ...(stage === 'shipped' && shipment ? shipment : {}) },
    });
  }
  const who = by.id ? personName(ctx.config, by.id) : by.source === 'courier' ? '快递' : '系统';
  await resolveStageCards(ctx, updated, completed, who);
  if (delivered) {
    await updateEtdCard(ctx, updated, []);
    await postDelivered(ctx, updated, who);
    return { ok: true, order: updated, completed };
  }
  const next = nextStage(to, updated.skippedStages);
  if (next && next !== 'delivered') await sendStageCards(ctx, updated, next);
  return { ok: true, order: await refreshEtd(ctx, updated, { kind: 'stage-done', stage: to }), completed };
}

async function alreadyDone(ctx: HandlerContext, order: Order, stage: WorkStage): Promise<StageOutcome> {
  const rows = await ctx.tx
    .select()
    .from(orderEvents)
    .where(and(eq(orderEvents.orderId, order.id), eq(orderEvents.type, 'stage-completed')))
    .orderBy(desc(orderEvents.id));
  const done = rows.find((e) => (e.data as { stage?: string }).stage === stage) ?? rows[0];
  return { ok: false, reason: 'already', by: done?.actorId ?? null, at: done?.at ?? null };
}

async function postDelivered(ctx: HandlerContext, order: Order, who: string) {
  const zh = order.language === 'zh';
  const text = zh
    ? `✅ ${order.number} 已签收（${who} ${chinaTime(ctx.now)}），订单完成。`
    : `✅ ${order.number} delivered (${who}, ${chinaTime(ctx.now)}); order closed.`;
  await ctx.emit({ kind: 'post', to: { conversationId: order.conversationId }, text }, `order:${order.id}:delivered`, {
    orderId: order.id,
    platform: order.platform,
  });
}

/**
 * Who may mark a stage done: the leads of its department and their director; the sales person who
 * placed the order may report delivery; a stage without a department is open to anyone in the chat.
 */
export function mayMarkStage(
  config: BusinessConfig,
  order: Pick<Order, 'requesterId'>,
  stage: WorkStage,
  personId: string,
): boolean {
  if (stage === 'delivered') return true;
  const department = stageDepartment(config, stage);
  if (!department) return true;
  return (
    department.leads.includes(personId) ||
    department.director === personId ||
    (stage === 'shipped' && order.requesterId === personId)
  );
}

/** Chinese (or English) sentence for an outcome that did not advance the order. */
export function stageRefusal(
  config: BusinessConfig,
  order: Order,
  stage: WorkStage,
  outcome: Exclude<StageOutcome, { ok: true }>,
  lang: 'zh' | 'en',
): string {
  const label = stageLabel(stage, lang);
  switch (outcome.reason) {
    case 'not-confirmed':
      return lang === 'zh'
        ? `${order.number} 还没有确认，不能标记“${label}”。`
        : `${order.number} is not confirmed yet; it cannot be marked ${label}.`;
    case 'skipped':
      return lang === 'zh'
        ? `${order.number} 从库存发货，没有“${label}”这一步。`
        : `${order.number} ships from stock; it has no "${label}" step.`;
    case 'already': {
      const who = outcome.by ? personName(config, outcome.by) : '';
      const when = outcome.at ? chinaTime(outcome.at) : '';
      const current = stageLabel((order.stage ?? 'confirmed') as Stage, lang);
      return lang === 'zh'
        ? `${order.number} 已经是“${current}”${who ? `（${who} ${when}）` : ''}，无需再标记“${label}”。`
        : `${order.number} is already ${current}${who ? ` (${who}, ${when})` : ''}; no need to mark it ${label}.`;
    }
  }
}

export function notOwnerText(config: BusinessConfig, order: Order, stage: WorkStage, lang: 'zh' | 'en'): string {
  const owners = stageOwners(config, stage)
    .map((id) => personName(config, id))
    .join(lang === 'zh' ? '、' : ', ');
  const department = stageDepartment(config, stage);
  const dept = department ? departmentName(config, department.key, lang) : '';
  return lang === 'zh'
    ? `“${stageLabel(stage, 'zh')}”由${dept}（${owners}）标记，${order.number} 未改动。`
    : `"${stageLabel(stage, 'en')}" is marked by ${dept} (${owners}); ${order.number} is unchanged.`;
}
