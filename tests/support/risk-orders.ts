import { DAY_MS, type RiskHistoryEntry, type RiskOrder } from '../../domain/risk';

/** The moment the risk tests' new order is made. */
export const RISK_T = new Date('2026-05-11T10:00:00+08:00').getTime();

/** A maker of C1's batch orders of PP-01 (mould #3 in repair, 12 days promised against 18 usual), with `base` over that. */
export const riskOrders =
  (base: Partial<RiskOrder> = {}) =>
  (over: Partial<RiskOrder> = {}): RiskOrder => ({
    id: 'N1',
    customer: 'C1',
    material: 'PP-01',
    quantity: 100,
    kind: 'batch',
    createdAt: new Date(RISK_T),
    promisedAt: new Date(RISK_T + 12 * DAY_MS),
    expedite: false,
    lineLoad: 0.5,
    mouldStatus: 'repair',
    mould: '#3',
    purchaseLeadDays: 0,
    usualLeadDays: 18,
    ...base,
    ...over,
  });

/** Three earlier deliveries of C1, two with packaging damage, all complaint windows closed. */
export function damagedHistory(order: (over: Partial<RiskOrder>) => RiskOrder): RiskHistoryEntry[] {
  return [0, 1, 2].map((i) => ({
    order: order({ id: `P${i}`, createdAt: new Date(RISK_T - (120 - i * 10) * DAY_MS), mouldStatus: 'ok' }),
    outcome: {
      late: false,
      deliveredAt: new Date(RISK_T - (100 - i * 10) * DAY_MS),
      complaints: i < 2 ? [{ kind: 'packaging', at: new Date(RISK_T - (95 - i * 10) * DAY_MS) }] : [],
    },
  }));
}
