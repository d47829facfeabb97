import type { Catalogue } from '../catalogue';
import type { ComplaintKind } from '../../domain/complaints/command';
import { formatFen } from '../../domain/channels/money';
import type { RiskAction, RiskEvidence, RiskTarget } from '../../domain/risk';

const pct = (p: number): string => `${Math.round(p * 100)}%`;
const yuan = (fen: number): string => `¥${formatFen(fen)}`;

function reasonEn(e: RiskEvidence, target: RiskTarget): string {
  switch (e.kind) {
    case 'mould-repair':
      return `mould ${e.mould ?? ''} under repair`.replace('  ', ' ');
    case 'mould-worn':
      return `mould ${e.mould ?? ''} worn, ${e.quantity} pcs on this order`.replace('  ', ' ');
    case 'tight-lead':
      return `asked ${e.daysShorter} days shorter than usual (${e.promisedDays} days, usually ${e.usualDays})`;
    case 'line-load':
      return `line load ${pct(e.load)}`;
    case 'late-history':
      return `${e.late} of this customer's ${e.of} delivered orders were late`;
    case 'late-last-time':
      return "this customer's last order was late";
    case 'new-customer':
      return 'a new customer, nothing delivered yet';
    case 'customer-volume':
      return `${e.ordersLast90Days} orders from this customer in 90 days`;
    case 'damage-history':
      return e.damaged > 0
        ? `${e.damaged} of this customer's last ${e.of} orders had a packaging-damage complaint`
        : `${e.damagedAll} of this customer's ${e.ofAll} orders had a packaging-damage complaint`;
    case 'return-history':
      return `${e.returned} of this customer's last ${e.of} orders came back`;
    case 'material':
      return `${e.material} is late about ${pct(e.lateRate)} of the time`;
    case 'quantity':
      return `a large quantity (${e.quantity} pcs)`;
    case 'sample':
      return 'a sample order';
    case 'expedite':
      return 'an expedited order';
    case 'new-material':
      return `the customer's first order of ${e.material}`;
    case 'purchase-lead':
      return `bought in, ${e.days} days' purchase lead`;
    case 'season':
      if (e.spansSpringFestival) return 'the delivery spans the Spring Festival';
      if (e.daysToSpringFestival !== null && e.daysToSpringFestival <= 45) {
        return `${e.daysToSpringFestival} days before the Spring Festival`;
      }
      return `orders in month ${e.month} have often ${target === 'late' ? 'been late' : 'drawn complaints'}`;
  }
}

function actionEn(a: RiskAction, boxes: number): string {
  if (a.kind === 'reinforced-packaging') {
    return (
      `Use reinforced shock-proof packaging (+${yuan(a.packagingCostFen / boxes)} a box, ${boxes} boxes, +${yuan(a.packagingCostFen)}; ` +
      `it should save about ¥${Math.round(a.expectedComplaintCostFen / 100)} in complaint costs)`
    );
  }
  return a.offerEarliestDate
    ? 'Ask production to confirm the date; late is more likely than not: answer the customer with the earliest date production confirms'
    : 'Ask production to confirm the date can be met';
}

const TARGET_EN: Record<RiskTarget, string> = { late: 'Late risk', complaint: 'Complaint risk' };

const KIND: Record<ComplaintKind, string> = {
  packaging: 'packaging damage',
  dimension: 'dimension out of tolerance',
  surface: 'surface defect',
  late: 'late delivery',
  other: 'other',
};

export const risk: Catalogue['risk'] = {
  kind: (kind) => KIND[kind],
  complaintRecorded: (a) =>
    a.isReturn
      ? `Recorded a return on ${a.number}${a.returned === null ? '' : ` of ${a.returned} pcs`} (${KIND[a.kind]}).`
      : `Recorded a customer complaint on ${a.number} (${KIND[a.kind]}).`,
  complaintUnknownOrder: (number) => `No order ${number}; please check the number.`,
  complaintNotAllowed: (number) =>
    `Only sales, quality or an admin may record a customer complaint or return on ${number}.`,

  targetLabel: (target) => TARGET_EN[target],
  targetValue: (r) =>
    `${pct(r.probability)} (usually about ${pct(r.usualRate)})${r.reasons.length > 0 ? `: ${r.reasons.map((x) => reasonEn(x.evidence, r.target)).join('; ')}` : ''}`,
  action: actionEn,
  salesHint: (number, risks) =>
    `${risks.map((r) => `${TARGET_EN[r.target]} ${pct(r.probability)} (usually about ${pct(r.usualRate)})`).join(', ')}: send "${number} risk" for the reasons and what to do`,
  explanation: (a) => {
    const lines = [`${a.number} risk (as things stood when it was ordered):`];
    for (const r of [a.assessment.late, a.assessment.complaint]) {
      if (!r) continue;
      lines.push(
        `${TARGET_EN[r.target]} ${pct(r.probability)} (usually about ${pct(r.usualRate)})${r.elevated ? ', high' : ''}`,
      );
      for (const reason of r.reasons) lines.push(`· ${reasonEn(reason.evidence, r.target)}`);
    }
    for (const action of a.assessment.actions) lines.push(actionEn(action, a.assessment.boxes));
    if (!a.assessment.matters) lines.push('The risk is at the usual level; the approval cards did not flag it.');
    lines.push("Note: a percentage is the estimated chance of trouble from this plant's history, not an accuracy.");
    for (const m of a.models) {
      const checked =
        m.precisionAtAlert === null || m.rate === null
          ? 'the last 3 months hold too few orders to check it'
          : `checked on the last 3 months: of the riskiest tenth of orders ${pct(m.precisionAtAlert)} were actually ${m.target === 'late' ? 'late' : 'complained about'} (all orders: ${pct(m.rate)})`;
      lines.push(`${TARGET_EN[m.target]} model v${m.version}, trained on ${m.orders} delivered orders; ${checked}.`);
    }
    return lines.join('\n');
  },
  noModel: (number, need) =>
    `${number}: there is no risk model yet. It needs at least ${need.orders} delivered orders (with at least ${need.positives} late and ${need.positives} complained about) to estimate risk from this plant's history; it is retrained every night.`,
  riskOff: (number) => `${number}: risk figures are off (config risk.enabled).`,
  unknownOrder: (number) => `No order ${number}; please check the number.`,
};
