import type { ComplaintKind } from '../../domain/complaints/command';
import { formatFen } from '../../domain/channels/money';
import type { RiskAssessment, RiskAction, RiskEvidence, RiskTarget, TargetRisk } from '../../domain/risk';

const pct = (p: number): string => `${Math.round(p * 100)}%`;
const yuan = (fen: number): string => `${formatFen(fen).replace(/\.?0+$/, '')}元`;

function reasonZh(e: RiskEvidence, target: RiskTarget): string {
  switch (e.kind) {
    case 'mould-repair':
      return `${e.mould ?? '所用'}模具维修中`;
    case 'mould-worn':
      return `${e.mould ?? '所用'}模具磨损，本单${e.quantity}件`;
    case 'tight-lead':
      return `要求交期比常规短${e.daysShorter}天（${e.promisedDays}天，常规${e.usualDays}天）`;
    case 'line-load':
      return `产线负荷${pct(e.load)}`;
    case 'late-history':
      return `该客户已交付${e.of}单中${e.late}单延期`;
    case 'late-last-time':
      return '该客户上一单延期';
    case 'new-customer':
      return '新客户，尚无交付记录';
    case 'customer-volume':
      return `该客户近90天下单${e.ordersLast90Days}次`;
    case 'damage-history':
      return e.damaged > 0
        ? `该客户近${e.of}次订单中${e.damaged}次发生包装破损投诉`
        : `该客户${e.ofAll}单中${e.damagedAll}单发生包装破损投诉`;
    case 'return-history':
      return `该客户近${e.of}次订单中${e.returned}次退货`;
    case 'material':
      return `${e.material}历史延期率约${pct(e.lateRate)}`;
    case 'quantity':
      return `数量较大（${e.quantity}件）`;
    case 'sample':
      return '样品单';
    case 'expedite':
      return '加急单';
    case 'new-material':
      return `该客户首次订购${e.material}`;
    case 'purchase-lead':
      return `需外购，采购周期${e.days}天`;
    case 'season':
      if (e.spansSpringFestival) return '交期跨春节';
      if (e.daysToSpringFestival !== null && e.daysToSpringFestival <= 45) {
        return `临近春节（还有${e.daysToSpringFestival}天）`;
      }
      return `${e.month}月的订单历来${target === 'late' ? '延期' : '投诉'}较多`;
  }
}

function actionZh(a: RiskAction, boxes: number): string {
  if (a.kind === 'reinforced-packaging') {
    return (
      `建议启用加强版防震包装（成本+${yuan(a.packagingCostFen / boxes)}/箱，共${boxes}箱 +${yuan(a.packagingCostFen)}；` +
      `按投诉风险估算可少损失约${Math.round(a.expectedComplaintCostFen / 100)}元）`
    );
  }
  return a.offerEarliestDate
    ? '建议请生产确认交期；延期可能性过半，按生产确认的最早可交付日期答复客户'
    : '建议请生产确认能否按期交付';
}

const TARGET_ZH: Record<RiskTarget, string> = { late: '延期风险', complaint: '投诉风险' };

const KIND: Record<ComplaintKind, string> = {
  packaging: '包装破损',
  dimension: '尺寸超差',
  surface: '表面问题',
  late: '交期延误',
  other: '其他',
};

/** Complaints and returns reported in chat, and the risk figures on cards and in answers. */
export const risk = {
  kind: (kind: ComplaintKind): string => KIND[kind],
  complaintRecorded: (a: {
    number: string;
    kind: ComplaintKind;
    isReturn: boolean;
    returned: number | null;
  }): string =>
    a.isReturn
      ? `已记录 ${a.number} 退货${a.returned === null ? '' : ` ${a.returned}件`}（${KIND[a.kind]}）。`
      : `已记录 ${a.number} 的客户投诉（${KIND[a.kind]}）。`,
  complaintUnknownOrder: (number: string): string => `没有找到订单 ${number}，请检查单号。`,
  complaintNotAllowed: (number: string): string => `只有销售、质量部或管理员可以为 ${number} 记录客户投诉和退货。`,

  /** Card field label of a target. */
  targetLabel: (target: RiskTarget): string => TARGET_ZH[target],
  /** "31%（平时约10%）：#3模具维修中；要求交期比常规短6天". */
  targetValue: (r: TargetRisk): string =>
    `${pct(r.probability)}（平时约${pct(r.usualRate)}）${r.reasons.length > 0 ? `：${r.reasons.map((x) => reasonZh(x.evidence, r.target)).join('；')}` : ''}`,
  action: actionZh,
  /** The sales chat's warning when a new order's risk matters. */
  salesHint: (number: string, risks: readonly TargetRisk[]): string =>
    `${risks.map((r) => `${TARGET_ZH[r.target]}${pct(r.probability)}（平时约${pct(r.usualRate)}）`).join('，')}，发送“${number} 风险”查看原因和建议`,
  /** The answer to "SO-… 风险". */
  explanation: (a: {
    number: string;
    assessment: RiskAssessment;
    models: ReadonlyArray<{
      target: RiskTarget;
      version: number;
      orders: number;
      precisionAtAlert: number | null;
      rate: number | null;
    }>;
  }): string => {
    const lines = [`${a.number} 风险（按下单时的情况估计）：`];
    for (const r of [a.assessment.late, a.assessment.complaint]) {
      if (!r) continue;
      lines.push(
        `${TARGET_ZH[r.target]} ${pct(r.probability)}（平时约${pct(r.usualRate)}）${r.elevated ? '，偏高' : ''}`,
      );
      for (const reason of r.reasons) lines.push(`· ${reasonZh(reason.evidence, r.target)}`);
    }
    for (const action of a.assessment.actions) lines.push(actionZh(action, a.assessment.boxes));
    if (!a.assessment.matters) lines.push('风险在平常水平，审批卡片上未提示。');
    lines.push('说明：百分比是按本厂历史估计的出问题可能性，不是准确率。');
    for (const m of a.models) {
      const checked =
        m.precisionAtAlert === null || m.rate === null
          ? '最近3个月的订单还不够检验'
          : `在最近3个月的订单上检验：风险最高的十分之一订单中${pct(m.precisionAtAlert)}实际${m.target === 'late' ? '延期' : '被投诉'}（全部订单${pct(m.rate)}）`;
      lines.push(`${TARGET_ZH[m.target]}模型 v${m.version}，用${m.orders}张已交付订单训练；${checked}。`);
    }
    return lines.join('\n');
  },
  noModel: (number: string, need: { orders: number; positives: number }): string =>
    `${number}：还没有风险模型。需要至少${need.orders}张已交付订单（其中延期、投诉各至少${need.positives}张）才能按本厂历史估计风险；每天凌晨自动重新训练。`,
  riskOff: (number: string): string => `${number}：风险提示未启用（配置 risk.enabled）。`,
  unknownOrder: (number: string): string => `没有找到订单 ${number}，请检查单号。`,
};
