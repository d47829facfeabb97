import type { RiskAssessment } from '../domain/risk/assess';
import { formatRange, formatSpec, type SpecVerdict } from '../domain/spec-check';
import { type Lang, texts } from '../texts';
import type { Card, CardButton, CardField } from './model';

export interface ApprovalCardInput {
  cardId: string;
  /** The card's language: approvers are in the plant, so the handlers give 'zh'. */
  lang: Lang;
  orderNumber: string;
  departmentName: string;
  requesterName: string;
  customerName: string | null;
  items: Array<{
    materialCode: string;
    materialName: string;
    quantity: number;
    unit: string;
    kind: 'sample' | 'batch';
    due?: string;
  }>;
  requestedDate: string;
  urgent: boolean;
  verdicts: SpecVerdict[];
  /** How the delivery date was reached (stock, line capacity, mould…). */
  promiseFields?: CardField[];
  /** Latest inspection reports of materials with a spec outside its range (tech card only). */
  reports: Array<{
    reportNo: string;
    materialCode: string;
    inspectedOn: string;
    passed: boolean;
    results: Record<string, number>;
  }>;
  /** The order's risk when it matters (handlers/order-risk.ts); absent or not mattering: nothing is shown. */
  risk?: RiskAssessment | null;
  /** What the department's approvers may reject with. */
  rejectReasons: ReadonlyArray<{ id: string; text: string }>;
  sourceText: string;
  today: string;
}

function specField(input: ApprovalCardInput): CardField | null {
  const { verdicts } = input;
  if (verdicts.length === 0) return null;
  const t = texts(input.lang).approvals.card;
  const parts = verdicts.map((v) => {
    if (v.status === 'qualified') return t.specQualified(formatSpec(v.spec));
    if (v.status === 'outside') return t.specOutside(formatSpec(v.spec), formatRange(v.range));
    return t.specUnknown(formatSpec(v.spec));
  });
  const worst = verdicts.some((v) => v.status === 'outside')
    ? 'red'
    : verdicts.some((v) => v.status === 'unknown')
      ? 'yellow'
      : undefined;
  return { key: 'specs', label: t.specs, value: parts.join(t.specSeparator), ...(worst ? { tone: worst } : {}) };
}

/** A line per target that is well above the plant's usual rate, or that an action is suggested for. */
function riskFields(input: ApprovalCardInput): CardField[] {
  const risk = input.risk;
  if (!risk?.matters) return [];
  const t = texts(input.lang).risk;
  const packaging = risk.actions.some((a) => a.kind === 'reinforced-packaging');
  return [risk.late, risk.complaint].flatMap((r): CardField[] => {
    if (!r || !(r.elevated || (r.target === 'complaint' && packaging))) return [];
    const tone = r.probability >= 0.5 ? ('red' as const) : ('yellow' as const);
    return [{ key: `risk-${r.target}`, label: t.targetLabel(r.target), value: t.targetValue(r), tone }];
  });
}

function riskNotes(input: ApprovalCardInput): string[] {
  const risk = input.risk;
  if (!risk?.matters) return [];
  const t = texts(input.lang).risk;
  return risk.actions.map((a) => t.action(a, risk.boxes));
}

/** Approve, Reject with a reason from the department's list, and Transfer to a colleague. */
export function approvalButtons(lang: Lang): CardButton[] {
  const t = texts(lang).approvals.card;
  return [
    { key: 'approve', label: t.approve, style: 'primary' },
    { key: 'reject', label: t.reject, style: 'danger', needsReason: true },
    { key: TRANSFER_KEYS.open, label: texts(lang).approvalFlow.transferButton, style: 'default' },
  ];
}

/** The transfer buttons: "转交" turns the card into a picker of colleagues, "确认转交" hands the step over, "返回" goes back. */
export const TRANSFER_KEYS = { open: 'transfer', confirm: 'transfer-to', back: 'transfer-back' } as const;

/**
 * The approval card as a picker of colleagues: the one select a WeCom button card can carry (and DingTalk's
 * reason select) lists them, "确认转交" sends the choice as the tap's reason id.
 */
export function transferPicker(card: Card, lang: Lang, colleagues: ReadonlyArray<{ id: string; name: string }>): Card {
  const t = texts(lang).approvalFlow;
  return {
    ...card,
    notes: [t.transferNote(colleagues.map((c) => c.name).join('、')), ...(card.notes ?? [])],
    buttons: [
      { key: TRANSFER_KEYS.confirm, label: t.transferConfirm, style: 'primary', needsReason: true },
      { key: TRANSFER_KEYS.back, label: t.transferBack, style: 'default' },
    ],
    reasons: { title: t.transferTitle, options: colleagues.map((c) => ({ id: c.id, text: c.name })) },
  };
}

/** The card an approver taps Approve / Reject on. */
export function buildApprovalCard(input: ApprovalCardInput): Card {
  const lang = input.lang;
  const t = texts(lang).approvals.card;
  const fields: CardField[] = [
    { key: 'order', label: t.orderNumber, value: input.orderNumber },
    { key: 'requester', label: t.requester, value: input.requesterName },
    ...(input.customerName ? [{ key: 'customer', label: t.customer, value: input.customerName }] : []),
    ...input.items.map((item, i) => ({
      key: `item:${i + 1}`,
      label: t.item(i, input.items.length),
      value: t.itemValue(item),
    })),
    {
      key: 'requested',
      label: t.requested,
      value: texts(lang).format.date(input.requestedDate, input.today) + (input.urgent ? t.urgent : ''),
      ...(input.urgent ? { tone: 'yellow' as const } : {}),
    },
  ];
  fields.push(...(input.promiseFields ?? []));
  const spec = specField(input);
  if (spec) fields.push(spec);
  fields.push(...riskFields(input));
  const notes = [
    ...riskNotes(input),
    t.source(input.sourceText),
    ...input.reports.map((r) => t.report({ ...r, results: t.reportResults(Object.entries(r.results)) })),
  ];
  return {
    id: input.cardId,
    title: t.title(input.departmentName),
    subtitle: input.orderNumber,
    fields,
    notes,
    buttons: approvalButtons(lang),
    reasons: { title: t.reasonsTitle, options: input.rejectReasons.map(({ id, text }) => ({ id, text })) },
  };
}
