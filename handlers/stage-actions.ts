import { eq } from 'drizzle-orm';
import { writerLanguage } from '../domain/parse';
import type { Card } from '../cards/model';
import { carrierCode, guessCarrier } from '../integrations/courier/carriers';
import { parseStageWord, type WorkStage } from '../domain/lifecycle';
import { recordOrderEvent } from '../db/orders';
import { cards, orders, type CardRow, type Order } from '../db/schema';
import { tellTapper } from './card-updates';
import { replyToMessage, type HandlerContext } from '../core/context';
import type { CardActionEvent, MessageEvent } from '../core/events';
import { refreshEtd } from './etd';
import { stageOfCard } from './lifecycle-cards';
import { completeStage, mayMarkStage, notOwnerText, stageRefusal } from './stages';
import { type Lang, texts } from '../texts';
import { PLANT_LANG } from './names';

/** A tap on a stage card's "done" button. */
export async function handleStageCardAction(event: CardActionEvent, ctx: HandlerContext, card: CardRow): Promise<void> {
  const notify = (text: string) => tellTapper(ctx, event, text);
  const t = texts(PLANT_LANG);
  const stage = stageOfCard(card.id);
  if (!stage || card.orderId === null || event.actionKey !== `done:${stage}`)
    return notify(t.approvals.unknownAction(event.actionKey));
  const [order] = await ctx.tx.select().from(orders).where(eq(orders.id, card.orderId)).for('update');
  if (!order) return notify(t.approvals.unknownCard);
  if (!mayMarkStage(ctx.config, order, stage, event.actorId))
    return notify(notOwnerText(ctx.config, order, stage, PLANT_LANG));
  const outcome = await completeStage(ctx, order, stage, { id: event.actorId, source: 'card' });
  if (outcome.ok) return;
  await notify(stageRefusal(ctx.config, order, stage, outcome, PLANT_LANG));
  if (event.callbackRef) {
    const [current] = await ctx.tx.select().from(cards).where(eq(cards.id, card.id));
    const content = (current?.content ?? card.content) as Card;
    await ctx.emit(
      { kind: 'update-card', cardId: card.id, card: content, callbackRef: event.callbackRef },
      `${ctx.eventKey}:card`,
      {
        orderId: order.id,
        platform: card.platform,
      },
    );
  }
}

export interface StageCommand {
  orderNumber: string;
  stage: WorkStage;
  carrier: string | null;
  waybill: string | null;
}

/** An order number, or a split delivery's (SO-20260224-0001-2). */
const ORDER_NUMBER = /SO-\d{8}-\d{4,}(?:-\d{1,3})?(?!\d)/i;
const WAYBILL = /(?<![A-Za-z0-9])([A-Za-z]{0,4}\d{8,20})(?![A-Za-z0-9])/;
const MENTION = /@\S+/g;

/**
 * "SO-20260224-0001 已发货 顺丰 SF1234567890", "SO-20260224-0001 质检通过": an order number, a stage word
 * and, for shipping, an optional carrier and waybill; nothing else (a question such as "发货了吗" is not one).
 */
export function parseStageCommand(text: string): StageCommand | undefined {
  const number = ORDER_NUMBER.exec(text)?.[0];
  if (!number) return undefined;
  let rest = text.replace(MENTION, ' ').replace(number, ' ');
  const waybill = WAYBILL.exec(rest)?.[1]?.toUpperCase() ?? null;
  if (waybill) rest = rest.replace(WAYBILL, ' ');
  let carrier: string | null = null;
  for (const word of rest.split(/[\s,，、:：]+/).filter(Boolean)) {
    const code = carrierCode(word);
    if (code) {
      carrier = code;
      rest = rest.replace(word, ' ');
      break;
    }
  }
  const stage = parseStageWord(rest);
  if (!stage) return undefined;
  if (waybill && stage !== 'shipped') return undefined;
  return {
    orderNumber: number.toUpperCase(),
    stage,
    carrier: carrier ?? (waybill ? (guessCarrier(waybill) ?? null) : null),
    waybill,
  };
}

/** A stage reported in the chat: recorded when the sender may mark it, and answered either way. */
export async function handleStageCommand(
  event: MessageEvent,
  command: StageCommand,
  ctx: HandlerContext,
): Promise<void> {
  const lang = writerLanguage(event.text);
  const reply = (text: string) => replyToMessage(ctx, event, text);
  const [order] = await ctx.tx.select().from(orders).where(eq(orders.number, command.orderNumber)).for('update');
  if (!order) return reply(texts(lang).lifecycle.noOrder(command.orderNumber));
  if (!mayMarkStage(ctx.config, order, command.stage, event.senderId))
    return reply(notOwnerText(ctx.config, order, command.stage, lang));
  const shipment = command.waybill ? { carrier: command.carrier, waybill: command.waybill } : undefined;
  if (shipment && order.stage === 'shipped' && !order.waybill) return addWaybill(ctx, order, shipment, reply, lang);
  const outcome = await completeStage(ctx, order, command.stage, { id: event.senderId, source: 'chat' }, shipment);
  if (!outcome.ok) return reply(stageRefusal(ctx.config, order, command.stage, outcome, lang));
  if (command.stage === 'delivered') return; // the delivery notice is the answer
  await reply(acknowledgement(command, outcome.order, lang));
}

/** A waybill reported after the order was marked shipped: tracking starts. */
async function addWaybill(
  ctx: HandlerContext,
  order: Order,
  shipment: { carrier: string | null; waybill: string },
  reply: (text: string) => Promise<void>,
  lang: Lang,
) {
  const [updated] = await ctx.tx
    .update(orders)
    .set({ ...shipment, nextTrackAt: ctx.now })
    .where(eq(orders.id, order.id))
    .returning();
  await recordOrderEvent(ctx.tx, { orderId: order.id, at: ctx.now, type: 'waybill-added', data: shipment });
  if (updated) await refreshEtd(ctx, updated, { kind: 'stage-done', stage: 'shipped' });
  await reply(texts(lang).lifecycle.waybillRecorded(order.number, shipment.waybill));
}

function acknowledgement(command: StageCommand, order: Order, lang: Lang): string {
  const t = texts(lang).lifecycle;
  if (command.stage === 'shipped') return t.recordedShipped(order.number, command.waybill);
  return t.recorded(order.number, command.stage);
}
