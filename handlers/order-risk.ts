/**
 * An order's risk from the active models: assessed when the order is created (stored in order_risk_predictions,
 * shown on the approval cards when it matters) and explained again on request ("SO-… 风险").
 *
 * The order is described as of its creation, for the date it asks for (the approvers are asked to promise that
 * date): the plant inputs recorded then, the customer's and the material's history before it, the plant's usual
 * rates then. Because the facts are as of creation, explaining the order later gives the reasons it had then.
 */
import type { BusinessConfig } from '../config/business-config';
import type { Queryable } from '../db/client';
import {
  materialOutcomeCounts,
  plantOutcomeCounts,
  readCustomerRiskHistory,
  riskCustomerKey,
  riskOrderOf,
  type StoredRiskInputs,
  usualLeadOf,
} from '../db/risk-history';
import { activeRiskModels, type StoredPrediction, type StoredRiskModel, storePredictions } from '../db/risk-models';
import type { Order } from '../db/schema';
import { promisedInstant } from '../domain/lifecycle/etd';
import {
  assessRisk,
  indexRiskHistory,
  type RiskAssessment,
  type RiskFacts,
  riskFacts,
  type RiskTarget,
  scoreRisk,
} from '../domain/risk';

type RiskModels = Partial<Record<RiskTarget, StoredRiskModel>>;
type OrderLine = { materialCode: string; quantity: number };

/** The order's facts as of its creation, for its requested date. */
export async function orderRiskFacts(
  q: Queryable,
  config: BusinessConfig,
  order: Pick<
    Order,
    'number' | 'customerName' | 'customerId' | 'requesterId' | 'kind' | 'createdAt' | 'urgent' | 'requestedDate'
  >,
  lines: readonly OrderLine[],
  inputs: StoredRiskInputs | undefined,
): Promise<RiskFacts> {
  const asked = promisedInstant(order.requestedDate, config.lifecycle.deliverBy);
  // A date asked for today after the delivery hour is due at once: no negative lead.
  const promisedAt = asked < order.createdAt ? order.createdAt : asked;
  const main = lines.reduce((a, b) => (b.quantity > a.quantity ? b : a));
  // The lead as recorded at creation; read from the material only for an order recorded without one.
  const lead = inputs?.usualLeadDays === undefined ? await usualLeadOf(q, main.materialCode) : undefined;
  const riskOrder = riskOrderOf(order, lines, promisedAt, inputs, () => lead);
  const [history, plant, material] = await Promise.all([
    readCustomerRiskHistory(q, riskCustomerKey(order)),
    plantOutcomeCounts(q, order.createdAt),
    materialOutcomeCounts(q, riskOrder.material, order.createdAt),
  ]);
  // The order itself is in the history once it has a promise: its own outcome is after its creation, so it is not read.
  return riskFacts(riskOrder, indexRiskHistory(history), { plant, material });
}

/** The assessment of facts by the given models, with each model's probability and contributions. */
export function assessWith(
  config: BusinessConfig,
  models: RiskModels,
  facts: RiskFacts,
): { assessment: RiskAssessment; predictions: StoredPrediction[] } {
  const predictions: StoredPrediction[] = [];
  const scored = (target: RiskTarget) => {
    const stored = models[target];
    if (!stored) return undefined;
    const score = scoreRisk(stored.model, facts);
    predictions.push({
      target,
      modelId: stored.id,
      probability: score.probability,
      contributions: score.contributions,
    });
    return { score, usualRate: stored.model.trainedOn.rate };
  };
  const late = scored('late');
  const complaint = scored('complaint');
  const { packaging } = config.risk;
  const assessment = assessRisk({
    facts,
    ...(late ? { late } : {}),
    ...(complaint ? { complaint } : {}),
    packaging: {
      extraPerBoxFen: Math.round(packaging.extraPerBox * 100),
      piecesPerBox: packaging.piecesPerBox,
      complaintCostFen: Math.round(packaging.complaintCost * 100),
    },
  });
  return { assessment, predictions };
}

/**
 * A new order assessed by the active models, its predictions stored; null when risk is off or no model is active
 * yet (a young plant: nothing is said rather than guessed).
 */
export async function assessNewOrder(
  tx: Queryable,
  config: BusinessConfig,
  order: Order,
  lines: readonly OrderLine[],
  inputs: StoredRiskInputs,
  now: Date,
  /** The active models when the caller has read them (`readForRequest`). */
  active?: RiskModels,
): Promise<RiskAssessment | null> {
  if (!config.risk.enabled) return null;
  const models = active ?? (await activeRiskModels(tx));
  if (!models.late && !models.complaint) return null;
  const facts = await orderRiskFacts(tx, config, order, lines, inputs);
  const { assessment, predictions } = assessWith(config, models, facts);
  await storePredictions(tx, order.id, predictions, now);
  return assessment;
}
