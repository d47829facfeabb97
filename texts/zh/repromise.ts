import type { LinePart, PlantChangeCause } from '../../domain/repromise/types';
import { MOULD_END_UNKNOWN } from '../../domain/promise';
import { format } from './format';

/** A plant change that broke promises, and the sales chat's choices. */
export const repromise = {
  /** What changed: "模具M-3维修，3月8日恢复". */
  cause(c: PlantChangeCause, today: string): string {
    switch (c.kind) {
      case 'mould':
        if (c.status === 'ok') return `模具${c.mould}状态变更`;
        return c.availableFrom === null || c.availableFrom === MOULD_END_UNKNOWN
          ? `模具${c.mould}${c.status === 'repair' ? '维修' : '保养'}，恢复日期未定`
          : `模具${c.mould}${c.status === 'repair' ? '维修' : '保养'}，${format.date(c.availableFrom, today)}恢复`;
      case 'line-load':
        return `${c.line}线负荷调整`;
      case 'stock':
        return `库存更新后${c.materials.slice(0, 3).join('、')}${c.materials.length > 3 ? '等' : ''}可用量减少`;
      case 'calendar':
        return `新增停产日（${c.holidays.map((d) => format.date(d, today)).join('、')}）`;
    }
  },

  card: {
    title: '⚠️ 交期承诺受影响',
    summaryTitle: (n: number): string => `⚠️ ${n}个订单交期承诺受影响`,
    order: '订单',
    cause: '原因',
    promised: '原承诺',
    earliest: '最早可交',
    split: '拆分方案',
    noDate: '排产期内排不上',
    splitValue: (a: { now: string; rest: string; promised: string; restDate: string }): string =>
      `${a.promised}前交${a.now}，其余${a.rest}于${a.restDate}交`,
    summaryValue: (a: { promised: string; earliest: string; split: boolean }): string =>
      `承诺${a.promised} → 最早${a.earliest}${a.split ? '（可拆分）' : ''}`,
    expedite: '保留承诺并申请加急',
    move: (date: string): string => `改到${date}`,
    splitButton: '拆分交付',
    moveAll: '全部改到最早日期',
    allDecided: '已全部处理',
    notTold: '客户尚未收到通知：改期或拆分后将短信告知客户。',
    typed: (number: string, split: boolean): string =>
      split
        ? `也可回复「${number} 改期」「${number} 加急」或「${number} 拆分」`
        : `也可回复「${number} 改期」或「${number} 加急」`,
    typedMany: '逐单处理可回复「订单号 改期」「订单号 加急」或「订单号 拆分」',
    outcome: {
      open: '待处理',
      moved: (date: string): string => `已改到${date}`,
      split: (number: string): string => `已拆分（其余为${number}）`,
      kept: '加急后保持原承诺',
      superseded: '已被新的变更取代',
    },
  },

  /** The parts of a split, as a person reads them: "BRK-01 40件". */
  parts: (parts: Array<LinePart & { materialCode: string; unit: string }>): string =>
    parts.map((p) => `${p.materialCode} ${p.quantity}${p.unit}`).join('、'),

  moved: (a: { number: string; from: string; to: string; customer: boolean }): string =>
    `✅ ${a.number} 交期承诺已改为${a.to}（原${a.from}）。${a.customer ? '客户将收到短信通知。' : ''}`,
  split: (a: {
    number: string;
    now: string;
    promised: string;
    child: string;
    rest: string;
    restDate: string;
  }): string =>
    `✅ ${a.number} 已拆分交付：${a.now}按原承诺${a.promised}交付；其余${a.rest}为${a.child}，${a.restDate}交付。`,
  delivery: (a: { number: string; parts: string; date: string }): string =>
    `📦 分批交付：${a.number}（${a.parts}）承诺${a.date}交付，单独跟踪。`,
  splitGone: (number: string, earliest: string): string =>
    `${number} 排产已变化，拆分已不可行：整单最早${earliest}。请改期或申请加急。`,
  expediteAsked: (number: string, department: string, leads: string): string =>
    `已请${department}（${leads}）评估 ${number} 加急，保留原承诺待定。`,
  expediteKept: (number: string, who: string, promised: string): string =>
    `✅ ${who}批准加急：${number} 保持原承诺${promised}。`,
  expediteShort: (number: string, who: string, earliest: string): string =>
    `${who}批准加急，但 ${number} 加急后最早${earliest}，仍晚于承诺。请改期或拆分。`,
  expediteRefused: (number: string, who: string, reason: string): string =>
    `${who}未批准 ${number} 加急：${reason}。请改期或拆分。`,
  nothingOpen: (number: string): string => `${number} 没有待处理的交期变更。`,
  noEarliest: (number: string): string => `${number} 在排产期内排不上，无法改期：请申请加急，或与客户商量。`,
  notYours: (number: string, requester: string): string => `${number} 的交期变更由下单人${requester}处理。`,
  expediteCard: {
    title: (department: string): string => `${department}：已确认订单加急评估`,
    subtitle: (sales: string): string => `${sales} 申请保留交期承诺`,
    order: '订单',
    explain: '批准即同意突破现有产线负荷排产（已确认订单的预留仍保留）。',
  },
};
