import { and, desc, eq } from 'drizzle-orm';
import { type BusinessConfig, departmentName, personName } from '../config/business-config';
import { canAdvance, nextStage, skippedStages, stagesCompleted, type Stage, type WorkStage } from '../domain/lifecycle';
import { chinaTime } from '../domain/china-time';
import { recordOrderEvent } from '../db/orders';
import { releaseShipped } from '../db/plant';
import { orderEvents, orders, type Order } from '../db/schema';
import { noticeCustomer } from './customer-notices';
import type { HandlerContext } from '../core/context';
import { refreshEtd } from './etd';
import { resolveStageCards, sendStageCards, stageDepartment, stageOwners, updateEtdCard } from './lifecycle-cards';
import { type Lang, type StageRefusal, texts } from '../texts';
import { PLANT_LANG, personList } from './names';
import { postToOrderChats } from './order-chats';

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
  await resolveStageCards(ctx, updated, completed, actorName(ctx, by, PLANT_LANG));
  if (completed.includes('shipped')) {
    await releaseShipped(ctx.tx, order.id, ctx.now);
    await noticeCustomer(ctx, order.id, { kind: 'shipped' });
  }
  if (delivered) {
    await updateEtdCard(ctx, updated, []);
    await postDelivered(ctx, updated, actorName(ctx, by, updated.language));
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

/** Who completed a stage: the person, or the courier (快递100 said "signed") or the system. */
function actorName(ctx: HandlerContext, by: { id: string | null; source: StageSource }, lang: Lang): string {
  if (by.id) return personName(ctx.config, by.id);
  if (by.source === 'mes') return texts(lang).lifecycle.byMes;
  return by.source === 'courier' ? texts(lang).lifecycle.byCourier : texts(lang).lifecycle.bySystem;
}

async function postDelivered(ctx: HandlerContext, order: Order, who: string) {
  const text = texts(order.language).lifecycle.delivered(order.number, who, chinaTime(ctx.now));
  await postToOrderChats(ctx, order, text, `order:${order.id}:delivered`, 'status');
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

/** The sentence for an outcome that did not advance the order. */
export function stageRefusal(
  config: BusinessConfig,
  order: Order,
  stage: WorkStage,
  outcome: Exclude<StageOutcome, { ok: true }>,
  lang: Lang,
): string {
  const refusal: StageRefusal =
    outcome.reason === 'already'
      ? {
          reason: 'already',
          current: (order.stage ?? 'confirmed') as Stage,
          who: outcome.by ? personName(config, outcome.by) : null,
          when: outcome.at ? chinaTime(outcome.at) : '',
        }
      : { reason: outcome.reason };
  return texts(lang).lifecycle.refused(order.number, stage, refusal);
}

/** Someone who does not own the stage tried to mark it. */
export function notOwnerText(config: BusinessConfig, order: Order, stage: WorkStage, lang: Lang): string {
  const department = stageDepartment(config, stage);
  const name = department ? departmentName(config, department.key, lang) : '';
  return texts(lang).lifecycle.notOwner(
    order.number,
    stage,
    name,
    personList(config, stageOwners(config, stage), lang),
  );
}
