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

/** Approve, and Reject with a reason from the department's list. */
export function approvalButtons(lang: Lang): CardButton[] {
  const t = texts(lang).approvals.card;
  return [
    { key: 'approve', label: t.approve, style: 'primary' },
    { key: 'reject', label: t.reject, style: 'danger', needsReason: true },
  ];
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
  const notes = [
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
