/**
 * Order risk: delivery-lateness and complaint models trained on the plant's own history (issue 21). Pure: the
 * caller passes histories, orders and instants. Start with model.ts (train, score), features.ts (the as-of facts),
 * explain.ts (reasons and actions) and backtest.ts (the time-split measurement and the promotion rule).
 */
export * from './assess';
export * from './backtest';
export * from './explain';
export * from './features';
export * from './generate';
export * from './logistic';
export * from './metrics';
export * from './model';
export * from './random';
export * from './plant-inputs';
