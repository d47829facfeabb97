/** Demand foresight: weekly demand per material, forecasts with intervals, method choice, pre-stocking, backtest. */
export * from './backtest';
export * from './methods';
export * from './prestock';
export * from './select';
export * from './weekly';
