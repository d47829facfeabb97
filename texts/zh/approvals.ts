import type { TaskStatus } from '../../domain/approval';
import { orders } from './orders';
import { format } from './format';

/** The approval card a department's lead taps, its escalation, and what an approver is told about a tap. */
export const approvals = {
  card: {
    title: (department: string): string => `需求单审批 · ${department}`,
    orderNumber: '订单号',
    requester: '销售',
    customer: '客户',
    /** "物料", or "物料 2" when the order has several. */
    item: (index: number, of: number): string => (of > 1 ? `物料 ${index + 1}` : '物料'),
    itemValue: (i: {
      materialCode: string;
      materialName: string;
      quantity: number;
      unit: string;
      kind: 'sample' | 'batch';
      /** The line's own date when it differs from the order's (YYYY-MM-DD). */
      due?: string;
    }) =>
      `${i.materialCode} ${i.materialName} × ${i.quantity}${i.unit}（${orders.kind(i.kind)}）${i.due ? ` · ${format.date(i.due)}交` : ''}`,
    requested: '要求交期',
    urgent: '（加急）',
    specs: '技术要求',
    specQualified: (spec: string): string => `${spec} ✓`,
    specOutside: (spec: string, range: string): string => `${spec} ✗ 超出历史合格范围（${range}）`,
    specUnknown: (spec: string): string => `${spec} ? 无历史合格记录`,
    specSeparator: '；',
    source: (text: string): string => `原文：${text}`,
    report: (r: { reportNo: string; materialCode: string; inspectedOn: string; passed: boolean; results: string }) =>
      `检验报告 ${r.reportNo}（${r.materialCode}，${r.inspectedOn}，${r.passed ? '合格' : '不合格'}）：${r.results}`,
    reportResults: (results: Array<[string, number]>): string => results.map(([k, v]) => `${k} ${v}`).join('，'),
    approve: '同意',
    reject: '驳回',
    reasonsTitle: '驳回原因',
  },

  escalation: {
    title: (department: string): string => `升级审批 · ${department}`,
    subtitle: (number: string, waited: string, holders: string): string => `${number} 已等 ${waited}（${holders}）`,
    waited: '已等待',
    waitedValue: (waited: string, holders: string): string => `${waited}（${holders}）`,
    note: (holders: string, waited: string): string => `${holders}超过${waited}未处理，升级给您；您可以代为决定。`,
    /** Who held the task, as one name or "王工/刘工". */
    holders: (names: string[]): string => names.join('/'),
    /** To the sales chat. */
    chat: (a: { number: string; department: string; waited: string; holders: string; to: string }): string =>
      `⏰ ${a.number}：${a.department}审批已等${a.waited}（${a.holders}），已升级给${a.to}。`,
  },

  /** The decided card's last line. */
  approvedBy: (who: string, time: string): string => `已同意 · ${who} ${time}`,
  rejectedBy: (who: string, time: string, note: string | null): string =>
    `已驳回 · ${who} ${time}${note ? `：${note}` : ''}`,
  closedByRejection: (who: string): string => `订单已被${who}驳回，无需处理`,

  /** To the approver who tapped. */
  notAssignee: (department: string, assignees: string): string =>
    `您不是${department}这张审批卡的处理人（处理人：${assignees}），操作未生效。`,
  alreadyDecided(a: { number: string; who: string | null; status: TaskStatus; time: string }): string {
    const verb = { approved: '同意', rejected: '驳回', cancelled: '关闭', pending: '处理' }[a.status];
    return `${a.number} 的这项审批已由 ${a.who ?? '系统'} 于 ${a.time} ${verb}，无需再处理。`;
  },
  needsReason: (number: string): string =>
    `驳回 ${number} 需要填写原因：请在卡片上选好（或写明）驳回原因，再点“驳回”。`,
  unknownCard: '这张卡片已失效，找不到对应的审批。',
  unknownAction: (key: string): string => `不认识的操作“${key}”。`,
};
