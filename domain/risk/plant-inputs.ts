import type { Constraint } from '../promise/types';
import type { MouldStatus } from './features';

/**
 * The plant side of an order's risk as its promise saw it at creation: the busiest line load over the production
 * window, a mould out of service (repair or maintenance until after today), the longest purchase lead. These
 * cannot be read back later (loads and moulds change), so they are kept with the order (order_risk_inputs).
 */
export interface PlantRiskInputs {
  lineLoad: number;
  mouldStatus: MouldStatus;
  mould: string | null;
  purchaseLeadDays: number;
}

export function plantRiskInputs(items: ReadonlyArray<{ constraints: readonly Constraint[] }>): PlantRiskInputs {
  let lineLoad = 0;
  let mould: string | null = null;
  let purchaseLeadDays = 0;
  for (const constraint of items.flatMap((item) => item.constraints)) {
    if (constraint.kind === 'line-load') lineLoad = Math.max(lineLoad, constraint.load);
    else if (constraint.kind === 'mould') mould ??= constraint.mould;
    else if (constraint.kind === 'purchase-lead') purchaseLeadDays = Math.max(purchaseLeadDays, constraint.days);
  }
  return { lineLoad, mouldStatus: mould === null ? 'ok' : 'repair', mould, purchaseLeadDays };
}
