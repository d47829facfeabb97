/**
 * Stored risk models (risk_models) and what they said about orders (order_risk_predictions). A model row is never
 * changed but for its status: a retrained model is a new version; promoting it retires the one it replaces, in the
 * same transaction, so a target never has two active models (a unique index holds that too).
 */
import { and, desc, eq, inArray, sql } from 'drizzle-orm';
import type { RiskBacktestReport } from '../domain/risk/backtest';
import type { FeatureSpec } from '../domain/risk/features';
import type { LogisticParams } from '../domain/risk/logistic';
import type { RiskModel, RiskScore, RiskTarget } from '../domain/risk/model';
import type { Queryable } from './client';
import { fixedQuery } from './fixed-query';
import { orderRiskPredictions, riskModels } from './schema';

/** What is kept of a model's measurement: the time-split backtest with its baselines, and its training set. */
export interface StoredRiskMetrics {
  trainedOn: RiskModel['trainedOn'];
  /** null when the history had no test window worth measuring. */
  backtest: Omit<RiskBacktestReport, 'calibration'> | null;
  /** Why it was or was not made the active model. */
  decision: 'first' | 'no-worse' | 'worse' | 'unmeasured';
}

export interface StoredRiskModel {
  id: number;
  version: number;
  status: 'candidate' | 'active' | 'retired';
  trainedAt: Date;
  model: RiskModel;
  metrics: StoredRiskMetrics;
}

function toStored(row: typeof riskModels.$inferSelect): StoredRiskModel {
  const metrics = row.metrics as StoredRiskMetrics;
  return {
    id: row.id,
    version: row.version,
    status: row.status,
    trainedAt: row.trainedAt,
    metrics,
    model: {
      target: row.target,
      spec: row.featureSpec as FeatureSpec,
      params: row.params as LogisticParams,
      trainedOn: metrics.trainedOn,
    },
  };
}

const activeRows = fixedQuery((q) => q.select().from(riskModels).where(eq(riskModels.status, 'active')));

export type ActiveRiskModels = Partial<Record<RiskTarget, StoredRiskModel>>;

/** The active model of each target that has one. */
export async function activeRiskModels(q: Queryable): Promise<ActiveRiskModels> {
  return activeModelsOf(await activeRows(q));
}

export function activeModelsOf(rows: ReadonlyArray<typeof riskModels.$inferSelect>): ActiveRiskModels {
  return Object.fromEntries(rows.map((r) => [r.target, toStored(r)]));
}

/** The models with these ids, by target (the ones that assessed an order). */
export async function riskModelsByIds(
  q: Queryable,
  ids: readonly number[],
): Promise<Partial<Record<RiskTarget, StoredRiskModel>>> {
  if (ids.length === 0) return {};
  const rows = await q
    .select()
    .from(riskModels)
    .where(inArray(riskModels.id, [...ids]));
  return Object.fromEntries(rows.map((r) => [r.target, toStored(r)]));
}

/** Every version of a target, newest first. */
export async function riskModelVersions(q: Queryable, target: RiskTarget): Promise<StoredRiskModel[]> {
  const rows = await q.select().from(riskModels).where(eq(riskModels.target, target)).orderBy(desc(riskModels.version));
  return rows.map(toStored);
}

/**
 * Stores a trained model as the target's next version; `activate` retires the active one first. Call inside a
 * transaction (the version number and the swap must not interleave with another writer).
 */
export async function storeRiskModel(
  tx: Queryable,
  args: {
    model: RiskModel;
    metrics: StoredRiskMetrics;
    trainedAt: Date;
    trainFrom: Date;
    trainTo: Date;
    activate: boolean;
  },
): Promise<StoredRiskModel> {
  const { model } = args;
  // Serialises retraining of one target across processes for the rest of the transaction.
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`risk_models:${model.target}`}))`);
  const [last] = await tx
    .select({ version: riskModels.version })
    .from(riskModels)
    .where(eq(riskModels.target, model.target))
    .orderBy(desc(riskModels.version))
    .limit(1);
  if (args.activate) {
    await tx
      .update(riskModels)
      .set({ status: 'retired' })
      .where(and(eq(riskModels.target, model.target), eq(riskModels.status, 'active')));
  }
  const [row] = await tx
    .insert(riskModels)
    .values({
      target: model.target,
      kind: 'logistic',
      version: (last?.version ?? 0) + 1,
      status: args.activate ? 'active' : 'candidate',
      trainedAt: args.trainedAt,
      trainFrom: args.trainFrom,
      trainTo: args.trainTo,
      featureSpec: model.spec,
      params: model.params,
      metrics: args.metrics,
    })
    .returning();
  return toStored(row!);
}

export interface StoredPrediction {
  target: RiskTarget;
  modelId: number;
  probability: number;
  contributions: RiskScore['contributions'];
}

/** What a model said about an order, once per order and model (a re-run handler stores nothing twice). */
export async function storePredictions(
  tx: Queryable,
  orderId: number,
  predictions: readonly StoredPrediction[],
  at: Date,
): Promise<void> {
  if (predictions.length === 0) return;
  await tx
    .insert(orderRiskPredictions)
    .values(predictions.map((p) => ({ orderId, ...p, createdAt: at })))
    .onConflictDoNothing();
}

/** The latest prediction per target for an order. */
export async function predictionsOf(q: Queryable, orderId: number): Promise<StoredPrediction[]> {
  const rows = await q
    .select()
    .from(orderRiskPredictions)
    .where(eq(orderRiskPredictions.orderId, orderId))
    .orderBy(desc(orderRiskPredictions.createdAt), desc(orderRiskPredictions.id));
  const seen = new Set<RiskTarget>();
  return rows.flatMap((r) => {
    if (seen.has(r.target)) return [];
    seen.add(r.target);
    return [
      {
        target: r.target,
        modelId: r.modelId,
        probability: r.probability,
        contributions: r.contributions as RiskScore['contributions'],
      },
    ];
  });
}
