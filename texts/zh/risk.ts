import type { ComplaintKind } from '../../domain/complaints/command';

const KIND: Record<ComplaintKind, string> = {
  packaging: '包装破损',
  dimension: '尺寸超差',
  surface: '表面问题',
  late: '交期延误',
  other: '其他',
};

/** Complaints and returns reported in chat, and (later) the risk figures on cards. */
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
};
