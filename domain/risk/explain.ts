/**
 * Why a prediction is high, as structured facts (the wording is texts/' business), and what to do about it.
 *
 * `explainRisk(score, facts)`: the model's per-feature logit contributions (model.ts `scoreRisk`) are grouped into
 * reasons a person can check (both mould columns → the mould; lead slack and shortfall → the lead time; month,
 * festival distance… → the season), each with the raw evidence from `RiskFacts` (e.g. {kind:'mould-repair',
 * mould:'#3'}, {kind:'tight-lead', daysShorter:6, …}, {kind:'damage-history', damaged:2, of:3, …}). Only reasons
 * that PUSH THE RISK UP (group contribution ≥ `minContribution` logit, default 0.1) and whose evidence actually
 * holds for this order (a mould in repair, a promise shorter than usual, a flag that is on…) are returned, largest
 * first, at most `maxReasons` (default 3). Contributions are relative to the training-average order.
 *
 * `chooseRiskActions(inputs)`, money in integer 分:
 * - reinforced packaging when pComplaint × complaintCostFen > costPerBoxFen × boxes (the expected complaint cost
 *   exceeds what the extra packaging costs);
 * - ask production to confirm the date when the late risk is well above the plant's usual rate: pLate ≥ 2 × usual
 *   AND pLate ≥ usual + 0.10 (`LATE_ACTION_RULE`); and when pLate ≥ 0.5 (late more likely than not) also offer the
 *   customer the earliest date production can confirm (`offerEarliestDate`).
 */

import type { RiskFacts } from './features';
import type { RiskScore } from './model';

export type RiskEvidence =
  | { kind: 'mould-repair'; mould: string | null }
  | { kind: 'mould-worn'; mould: string | null; quantity: number }
  | { kind: 'tight-lead'; daysShorter: number; promisedDays: number; usualDays: number }
  | { kind: 'line-load'; load: number }
  | { kind: 'late-history'; late: number; of: number; rate: number; plantRate: number }
  | { kind: 'late-last-time' }
  | { kind: 'new-customer' }
  | { kind: 'customer-volume'; ordersLast90Days: number }
  | { kind: 'damage-history'; damaged: number; of: number; damagedAll: number; ofAll: number }
  | { kind: 'return-history'; returned: number; of: number }
  | { kind: 'material'; material: string; lateRate: number }
  | { kind: 'quantity'; quantity: number }
  | { kind: 'sample' }
  | { kind: 'expedite' }
  | { kind: 'new-material'; material: string }
  | { kind: 'purchase-lead'; days: number }
  | { kind: 'season'; month: number; daysToSpringFestival: number | null; spansSpringFestival: boolean };

export type RiskReasonKind = RiskEvidence['kind'];

export interface RiskReason {
  kind: RiskReasonKind;
  /** The model features summed into this reason. */
  features: string[];
  /** Their total push on the logit (> 0). */
  contribution: number;
  evidence: RiskEvidence;
}

type Group =
  | 'mould'
  | 'lead'
  | 'line-load'
  | 'late-history'
  | 'late-last-time'
  | 'new-customer'
  | 'customer-volume'
  | 'damage-history'
  | 'return-history'
  | 'material'
  | 'quantity'
  | 'sample'
  | 'expedite'
  | 'new-material'
  | 'purchase-lead'
  | 'season';

/** Which reason a model feature belongs to; null for a feature this version does not know. */
export function reasonGroup(feature: string): Group | null {
  if (feature.startsWith('mat:') || feature === 'mat_other') return 'material';
  const groups: Record<string, Group> = {
    cust_late_rate: 'late-history',
    cust_late_last: 'late-last-time',
    cust_no_history: 'new-customer',
    cust_orders_90d: 'customer-volume',
    cust_damage_recent: 'damage-history',
    cust_damage_rate: 'damage-history',
    cust_return_recent: 'return-history',
    material_late_rate: 'material',
    log_quantity: 'quantity',
    lead_slack_days: 'lead',
    lead_short_days: 'lead',
    sample: 'sample',
    expedite: 'expedite',
    first_of_material: 'new-material',
    line_load: 'line-load',
    line_load_over_90: 'line-load',
    mould_worn: 'mould',
    mould_repair: 'mould',
    purchase_lead_days: 'purchase-lead',
    month_sin: 'season',
    month_cos: 'season',
    days_to_festival: 'season',
    pre_festival: 'season',
    spans_festival: 'season',
  };
  return groups[feature] ?? null;
}

/** The evidence of a reason for this order, or null when it does not hold (nothing true to say). */
function evidenceFor(group: Group, f: RiskFacts): RiskEvidence | null {
  switch (group) {
    case 'mould':
      if (f.mouldStatus === 'repair') return { kind: 'mould-repair', mould: f.mould };
      if (f.mouldStatus === 'worn') return { kind: 'mould-worn', mould: f.mould, quantity: f.quantity };
      return null;
    case 'lead': {
      const daysShorter = Math.round(-f.leadSlackDays);
      return daysShorter > 0
        ? { kind: 'tight-lead', daysShorter, promisedDays: Math.round(f.promisedLeadDays), usualDays: f.usualLeadDays }
        : null;
    }
    case 'line-load':
      return { kind: 'line-load', load: f.lineLoad };
    case 'late-history':
      return f.customerLateOrders > 0
        ? {
            kind: 'late-history',
            late: f.customerLateOrders,
            of: f.customerKnownOrders,
            rate: f.customerLateRate,
            plantRate: f.plantLateRate,
          }
        : null;
    case 'late-last-time':
      return f.lateLastTime ? { kind: 'late-last-time' } : null;
    case 'new-customer':
      return f.customerKnownOrders === 0 ? { kind: 'new-customer' } : null;
    case 'customer-volume':
      return { kind: 'customer-volume', ordersLast90Days: f.ordersLast90Days };
    case 'damage-history':
      return f.customerDamagedOrders > 0
        ? {
            kind: 'damage-history',
            damaged: f.recentDamaged,
            of: f.recentOrders,
            damagedAll: f.customerDamagedOrders,
            ofAll: f.customerClosedOrders,
          }
        : null;
    case 'return-history':
      return f.recentReturned > 0 ? { kind: 'return-history', returned: f.recentReturned, of: f.recentOrders } : null;
    case 'material':
      return { kind: 'material', material: f.material, lateRate: f.materialLateRate };
    case 'quantity':
      return { kind: 'quantity', quantity: f.quantity };
    case 'sample':
      return f.sample ? { kind: 'sample' } : null;
    case 'expedite':
      return f.expedite ? { kind: 'expedite' } : null;
    case 'new-material':
      return f.firstOfMaterial ? { kind: 'new-material', material: f.material } : null;
    case 'purchase-lead':
      return f.purchaseLeadDays > 0 ? { kind: 'purchase-lead', days: f.purchaseLeadDays } : null;
    case 'season':
      return {
        kind: 'season',
        month: f.month,
        daysToSpringFestival: f.daysToSpringFestival,
        spansSpringFestival: f.spansSpringFestival,
      };
  }
}

export interface ExplainOptions {
  maxReasons?: number;
  minContribution?: number;
}

/** The top reasons pushing this order's risk up (see the file header). */
export function explainRisk(
  score: Pick<RiskScore, 'contributions'>,
  facts: RiskFacts,
  options: ExplainOptions = {},
): RiskReason[] {
  const maxReasons = options.maxReasons ?? 3;
  const minContribution = options.minContribution ?? 0.1;
  const totals = new Map<Group, { contribution: number; features: string[] }>();
  for (const { feature, value } of score.contributions) {
    const group = reasonGroup(feature);
    if (!group) continue;
    const total = totals.get(group) ?? { contribution: 0, features: [] };
    total.contribution += value;
    total.features.push(feature);
    totals.set(group, total);
  }
  const reasons: RiskReason[] = [];
  for (const [group, { contribution, features }] of totals) {
    if (!(contribution >= minContribution)) continue;
    const evidence = evidenceFor(group, facts);
    if (evidence) reasons.push({ kind: evidence.kind, features, contribution, evidence });
  }
  return reasons.sort((a, b) => b.contribution - a.contribution).slice(0, maxReasons);
}

/** When a late risk is "well above usual" (see the file header). */
export const LATE_ACTION_RULE = { ratio: 2, margin: 0.1, offerEarliestDateFrom: 0.5 } as const;

export interface RiskActionInputs {
  /** Late probability of the order, and the plant's usual late rate (e.g. the model's training rate). */
  pLate: number;
  usualLateRate: number;
  /** Complaint probability, the cost of a complaint (分), the extra packaging cost per box (分) and the boxes. */
  pComplaint: number;
  complaintCostFen: number;
  costPerBoxFen: number;
  boxes: number;
}

export type RiskAction =
  | { kind: 'reinforced-packaging'; expectedComplaintCostFen: number; packagingCostFen: number }
  | { kind: 'confirm-date'; pLate: number; usualLateRate: number; offerEarliestDate: boolean };

/** The actions worth suggesting for an order (possibly none). Throws a RangeError on invalid inputs. */
export function chooseRiskActions(inputs: RiskActionInputs): RiskAction[] {
  const { pLate, usualLateRate, pComplaint, complaintCostFen, costPerBoxFen, boxes } = inputs;
  for (const [name, p] of [
    ['pLate', pLate],
    ['usualLateRate', usualLateRate],
    ['pComplaint', pComplaint],
  ] as const) {
    if (!(p >= 0 && p <= 1)) throw new RangeError(`chooseRiskActions: ${name} must be a probability, got ${p}`);
  }
  for (const [name, v] of [
    ['complaintCostFen', complaintCostFen],
    ['costPerBoxFen', costPerBoxFen],
    ['boxes', boxes],
  ] as const) {
    if (!Number.isSafeInteger(v) || v < 0) {
      throw new RangeError(`chooseRiskActions: ${name} must be a non-negative integer, got ${v}`);
    }
  }
  const actions: RiskAction[] = [];
  const expected = pComplaint * complaintCostFen;
  const packaging = costPerBoxFen * boxes;
  if (expected > packaging) {
    actions.push({
      kind: 'reinforced-packaging',
      expectedComplaintCostFen: Math.round(expected),
      packagingCostFen: packaging,
    });
  }
  if (pLate >= LATE_ACTION_RULE.ratio * usualLateRate && pLate >= usualLateRate + LATE_ACTION_RULE.margin) {
    actions.push({
      kind: 'confirm-date',
      pLate,
      usualLateRate,
      offerEarliestDate: pLate >= LATE_ACTION_RULE.offerEarliestDateFrom,
    });
  }
  return actions;
}
