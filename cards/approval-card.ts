import { formatDate } from '../domain/china-time';
import { formatRange, formatSpec, type SpecVerdict } from '../domain/spec-check';
import type { Card, CardField } from './model';

export interface ApprovalCardInput {
  cardId: string;
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
  sourceText: string;
  today: string;
}

const KIND_ZH = { sample: '样品', batch: '批量' } as const;

function specField(verdicts: SpecVerdict[]): CardField | null {
  if (verdicts.length === 0) return null;
  const parts = verdicts.map((v) => {
    if (v.status === 'qualified') return `${formatSpec(v.spec)} ✓`;
    if (v.status === 'outside') return `${formatSpec(v.spec)} ✗ 超出历史合格范围（${formatRange(v.range)}）`;
    return `${formatSpec(v.spec)} ? 无历史合格记录`;
  });
  const worst = verdicts.some((v) => v.status === 'outside')
    ? 'red'
    : verdicts.some((v) => v.status === 'unknown')
      ? 'yellow'
      : undefined;
  return { label: '技术要求', value: parts.join('；'), ...(worst ? { tone: worst } : {}) };
}

/** The card an approver taps Approve / Reject on. Approvers are in the plant, so it is always in Chinese. */
export function buildApprovalCard(input: ApprovalCardInput): Card {
  const fields: CardField[] = [
    { label: '订单号', value: input.orderNumber },
    { label: '销售', value: input.requesterName },
    ...(input.customerName ? [{ label: '客户', value: input.customerName }] : []),
    ...input.items.map((item, i) => ({
      label: input.items.length > 1 ? `物料 ${i + 1}` : '物料',
      value: `${item.materialCode} ${item.materialName} × ${item.quantity}${item.unit}（${KIND_ZH[item.kind]}）`,
    })),
    {
      label: '要求交期',
      value: formatDate(input.requestedDate, 'zh', input.today) + (input.urgent ? '（加急）' : ''),
      ...(input.urgent ? { tone: 'yellow' as const } : {}),
    },
  ];
  fields.push(...(input.promiseFields ?? []));
  const spec = specField(input.verdicts);
  if (spec) fields.push(spec);
  const notes = [
    `原文：${input.sourceText}`,
    ...input.reports.map(
      (r) =>
        `检验报告 ${r.reportNo}（${r.materialCode}，${r.inspectedOn}，${r.passed ? '合格' : '不合格'}）：` +
        Object.entries(r.results)
          .map(([k, v]) => `${k} ${v}`)
          .join('，'),
    ),
  ];
  return {
    id: input.cardId,
    title: `需求单审批 · ${input.departmentName}`,
    subtitle: input.orderNumber,
    fields,
    notes,
    buttons: [
      { key: 'approve', label: '同意', style: 'primary' },
      { key: 'reject', label: '驳回', style: 'danger' },
    ],
  };
}
