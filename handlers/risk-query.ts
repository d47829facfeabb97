/**
 * "SO-… 风险": the order's risk explained — each target's probability next to the plant's usual rate, the reasons
 * behind it as of the order's creation, the suggested actions, and how the model fared on the last three months
 * (never an accuracy). The models that assessed the order at creation explain it; an order from before any model
 * is assessed by the active ones.
 */
import { eq } from 'drizzle-orm';
import { type HandlerContext, replyToMessage } from '../core/context';
import type { MessageEvent } from '../core/events';
import type { StoredRiskInputs } from '../db/risk-history';
import { activeRiskModels, predictionsOf, riskModelsByIds } from '../db/risk-models';
import { orderItems, orderRiskInputs, orders } from '../db/schema';
import { writerLanguage } from '../domain/parse';
import type { RiskQuery } from '../domain/risk/command';
import { texts } from '../texts';
import { assessWith, orderRiskFacts } from './order-risk';

export async function answerRiskQuery(event: MessageEvent, query: RiskQuery, ctx: HandlerContext): Promise<void> {
  const { tx, config } = ctx;
  const t = texts(writerLanguage(event.text)).risk;
  const [order] = await tx.select().from(orders).where(eq(orders.number, query.number));
  if (!order) return replyToMessage(ctx, event, t.unknownOrder(query.number));
  if (!config.risk.enabled) return replyToMessage(ctx, event, t.riskOff(order.number), order.id);
  const stored = await predictionsOf(tx, order.id);
  const models =
    stored.length > 0
      ? await riskModelsByIds(
          tx,
          stored.map((p) => p.modelId),
        )
      : await activeRiskModels(tx);
  if (!models.late && !models.complaint) {
    const need = { orders: config.risk.minOrders, positives: config.risk.minPositives };
    return replyToMessage(ctx, event, t.noModel(order.number, need), order.id);
  }
  const [lines, [inputs]] = await Promise.all([
    tx.select().from(orderItems).where(eq(orderItems.orderId, order.id)),
    tx.select().from(orderRiskInputs).where(eq(orderRiskInputs.orderId, order.id)),
  ]);
  const facts = await orderRiskFacts(tx, config, order, lines, inputs?.inputs as StoredRiskInputs | undefined);
  const { assessment } = assessWith(config, models, facts);
  const about = [models.late, models.complaint].flatMap((m) =>
    m
      ? [
          {
            target: m.model.target,
            version: m.version,
            orders: m.model.trainedOn.n,
            precisionAtAlert: m.metrics.backtest?.precisionAtAlert ?? null,
            rate: m.metrics.backtest?.rate ?? null,
          },
        ]
      : [],
  );
  await replyToMessage(ctx, event, t.explanation({ number: order.number, assessment, models: about }), order.id);
}
