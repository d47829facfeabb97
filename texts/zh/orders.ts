import type { MissingField } from '../../domain/parse';
import { format } from './format';

/** One line of an order as the chat shows it. */
export interface ItemLine {
  materialCode: string;
  quantity: number;
  unit: string;
  kind: 'sample' | 'batch';
  /** The line's own date when it differs from the order's (YYYY-MM-DD). */
  due?: string;
}

export interface OrderCreated {
  number: string;
  items: ItemLine[];
  requestedDate: string;
  today: string;
  urgent: boolean;
  customerName: string | null;
  /** The departments whose approval it waits for, already listed ("技术部、采购部"). */
  departments: string;
  warnings: string[];
  /** The customer's request time when the sales person stated it (the latency clock starts there). */
  statedAt?: string | null;
}

const MISSING: Record<string, string> = { quantity: '数量', dueDate: '交期', items: '物料编码' };
const KIND = { sample: '样品', batch: '批量' } as const;

/** A request becoming an order, and what the sales chat hears until it is decided. */
export const orders = {
  kind: (kind: 'sample' | 'batch'): string => KIND[kind],

  /** "BRK-2026-01 × 5件（样品）". */
  itemLine: (item: ItemLine): string =>
    `${item.materialCode} × ${item.quantity}${item.unit}（${KIND[item.kind]}）${item.due ? ` · ${format.date(item.due)}交` : ''}`,

  /** An item still without a quantity shows its code alone. */
  partialItems: (lines: string[]): string => format.clauses(lines),

  created(a: OrderCreated): string {
    const date = format.date(a.requestedDate, a.today);
    return [
      `✅ 已创建需求单 **${a.number}**`,
      ...a.items.map((i) => `物料：${orders.itemLine(i)}`),
      ...(a.customerName ? [`客户：${a.customerName}`] : []),
      `要求交期：${date}${a.urgent ? '（加急）' : ''}`,
      ...(a.statedAt ? [`客户提出时间：${a.statedAt}`] : []),
      `状态：待审批（${a.departments}）`,
      ...a.warnings.map((w) => `⚠️ ${w}`),
    ].join('\n');
  },

  askMissing(missing: readonly MissingField[], summary: string): string {
    const wanted = missing.map((m) => MISSING[m] ?? m);
    const example = missing.includes('dueDate') ? '“3月5日前”' : '“5件”';
    return `📝 已记下：${summary}\n还缺：${wanted.join('、')}。请直接回复（例如 ${example}），30分钟内有效。`;
  },

  unknownCodes(unknown: Array<{ code: string; suggestions: string[] }>): string {
    const lines = unknown.map(({ code, suggestions }) =>
      suggestions.length
        ? `物料编码 ${code} 不在物料主数据中，您是不是要找：${suggestions.join('、')}？`
        : `物料编码 ${code} 不在物料主数据中。`,
    );
    return `❓ ${lines.join('\n')}\n请改正编码后重新发送，需求单未创建。`;
  },

  specOutside: (spec: string, material: string, range: string): string =>
    `${material} 的 ${spec} 超出历史合格范围（${range}），已提请技术部重点评审`,

  specUnknown: (spec: string, material: string): string => `${material} 没有 ${spec} 的历史合格记录，需技术部确认`,

  /** "9:30" or "2月23日 9:30": when the customer asked, as the sales person stated it. */
  statedAt: (at: Date, today: string): string => format.timeOrDateTime(at, today),

  confirmed(a: { number: string; approvals: string; promisedDate: string; today: string; movedFrom?: string | null }) {
    const date = format.date(a.promisedDate, a.today);
    const moved = a.movedFrom
      ? `（原要求${format.date(a.movedFrom, a.today)}，审批期间库存/产能已被其他订单占用）`
      : '';
    return `🎉 需求单 **${a.number}** 已确认：${a.approvals} 均已同意。\n承诺交期：${date}${moved}`;
  },

  /** One approval in the confirmation: "技术部 王工". */
  approvalBy: (department: string, person: string): string => `${department} ${person}`,

  rejected: (a: { number: string; department: string; actor: string; reason: string }): string =>
    `❌ 需求单 **${a.number}** 被${a.department} ${a.actor} 驳回。\n原因：${a.reason}`,

  help: (botName: string): string =>
    `您好，我是${botName}。发需求给我就行，例如：\n“需要BRK-2026-01样品5件，3月5日前到”\n查进度：“SO-20260224-0001 到哪了”`,

  handlingError: '抱歉，处理这条消息时出错了，已记录，请稍后再试。',
};
