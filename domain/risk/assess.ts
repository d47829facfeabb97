/**
 * What the card says about an order's risk, decided once (the wording is texts/' business).
 *
 * Each target with an active model gets its probability next to the plant's usual rate (the model's training rate)
 * and the reasons pushing it up (explain.ts). A target is "elevated" when it is well above usual: at least
 * `ratio` × usual and usual + `margin` (lateness: explain.ts LATE_ACTION_RULE; complaints: COMPLAINT_SHOW_RULE, a
 * smaller margin since complaints are rarer). The card shows the risk only when it matters: an elevated target or
 * an action worth its cost (explain.ts chooseRiskActions). A target without a model is absent, never guessed.
 *
 * Reasons are shown only where a person would see a cause: a customer's packaging damage and returns are not
 * offered as reasons for lateness, nor its late deliveries, loads and leads as reasons for a complaint, even when the
 * model leans on them (a customer's habits go together); the probability itself counts every feature.
 */
import {
  chooseRiskActions,
  explainRisk,
  LATE_ACTION_RULE,
  type RiskAction,
  type RiskReason,
  type RiskReasonKind,
} from './explain';
import type { RiskFacts } from './features';
import type { RiskScore, RiskTarget } from './model';

export const COMPLAINT_SHOW_RULE = { ratio: 2, margin: 0.05 } as const;

const NOT_A_CAUSE: Record<RiskTarget, ReadonlySet<RiskReasonKind>> = {
  late: new Set(['damage-history', 'return-history']),
  complaint: new Set(['late-history', 'late-last-time', 'tight-lead', 'line-load', 'purchase-lead', 'customer-volume']),
};

export interface TargetRisk {
  target: RiskTarget;
  probability: number;
  usualRate: number;
  elevated: boolean;
  reasons: RiskReason[];
}

export interface RiskAssessment {
  late: TargetRisk | null;
  complaint: TargetRisk | null;
  actions: RiskAction[];
  /** Worth a line on the card. */
  matters: boolean;
  /** Boxes the order ships in (what reinforced packaging is priced on). */
  boxes: number;
}

export interface PackagingCosts {
  /** Extra cost of reinforced packaging per box, 分. */
  extraPerBoxFen: number;
  piecesPerBox: number;
  /** What a complaint costs the plant, 分. */
  complaintCostFen: number;
}

export function assessRisk(args: {
  facts: RiskFacts;
  late?: { score: Pick<RiskScore, 'probability' | 'contributions'>; usualRate: number };
  complaint?: { score: Pick<RiskScore, 'probability' | 'contributions'>; usualRate: number };
  packaging: PackagingCosts;
}): RiskAssessment {
  const { facts, packaging } = args;
  const target = (
    name: RiskTarget,
    given: { score: Pick<RiskScore, 'probability' | 'contributions'>; usualRate: number } | undefined,
    rule: { ratio: number; margin: number },
  ): TargetRisk | null => {
    if (!given) return null;
    const p = given.score.probability;
    const usual = given.usualRate;
    return {
      target: name,
      probability: p,
      usualRate: usual,
      elevated: p >= rule.ratio * usual && p >= usual + rule.margin,
      reasons: explainRisk(given.score, facts, { maxReasons: 8 })
        .filter((r) => !NOT_A_CAUSE[name].has(r.kind))
        .slice(0, 3),
    };
  };
  const late = target('late', args.late, LATE_ACTION_RULE);
  const complaint = target('complaint', args.complaint, COMPLAINT_SHOW_RULE);
  const boxes = boxesFor(facts.quantity, packaging.piecesPerBox);
  const actions = chooseRiskActions({
    // A target without a model asks for nothing: its probability is taken as its usual rate.
    pLate: late?.probability ?? 0,
    usualLateRate: late?.usualRate ?? 1,
    pComplaint: complaint?.probability ?? 0,
    complaintCostFen: packaging.complaintCostFen,
    costPerBoxFen: packaging.extraPerBoxFen,
    boxes,
  });
  const matters = (late?.elevated ?? false) || (complaint?.elevated ?? false) || actions.length > 0;
  return { late, complaint, actions, matters, boxes };
}

/** Whole boxes for a quantity (at least one). */
export function boxesFor(quantity: number, piecesPerBox: number): number {
  return Math.max(1, Math.ceil(quantity / piecesPerBox));
}
