import { type Constraint, MOULD_END_UNKNOWN } from '../../domain/promise';
import { format } from './format';

/** Why the plant can or cannot make a date, and the choices on a request it cannot meet. */
export const promise = {
  /** One constraint as a person reads it: "A线负荷92%至3月6日". */
  constraint(c: Constraint, today: string): string {
    const d = (date: string) => format.date(date, today);
    switch (c.kind) {
      case 'stock':
        return `库存可用 ${c.available}，需 ${c.needed}`;
      case 'line-load':
        return `${c.line}线负荷${Math.round(c.load * 100)}%至${d(c.until)}`;
      case 'line-capacity':
        return `${c.line}线${d(c.freeFrom)}起有空余产能，${d(c.finish)}完工`;
      case 'mould':
        return c.availableFrom === MOULD_END_UNKNOWN
          ? `模具${c.mould}维修中，修好日期未定`
          : `模具${c.mould}维修至${d(c.availableFrom)}`;
      case 'purchase-lead':
        return `采购周期${c.days}天，${d(c.readyFrom)}到料`;
      case 'transit':
        return `运输${c.days}天`;
      case 'calendar':
        return `节假日停产（${c.holidays.map(d).join('、')}）`;
    }
  },

  /** On the approval cards: how the date was reached. */
  card: {
    earliest: '最早可交',
    basis: '交期依据',
    fromStock: '库存发货',
    lineLoad: (line: string): string => `${line}线负荷`,
    lineLoadValue: (load: number, until: string, today: string): string =>
      `${Math.round(load * 100)}%（至${format.date(until, today)}）`,
  },

  blocked(a: { requested: string; earliest: string | null; reasons: string; today: string }): string {
    const requested = format.date(a.requested, a.today);
    if (a.earliest === null) {
      return `⛔ ${requested}无法交付：半年内排不上产${a.reasons ? ` —— ${a.reasons}` : ''}。可升级技术部评估加急。`;
    }
    const earliest = format.date(a.earliest, a.today);
    return `⛔ ${requested}无法交付：最早${earliest} —— ${a.reasons || '产能已排满'}\n可点卡片按钮，或回复“按最早交期下单”/“升级加急”。`;
  },

  /** Added to the blocked answer when part can still make the date. */
  splitHint: (split: string): string => `也可拆分交付：${split}（点“拆分交付”或回复“拆分交付”）`,

  /** The card in the sales chat for a request the plant cannot meet. */
  blockedCard: {
    title: '交期不可行',
    item: '物料',
    requested: '要求交期',
    earliest: '最早可交',
    why: '原因',
    escalate: '升级技术部加急',
    offer: (date: string): string => `按${date}下单`,
    split: '拆分交付',
    /** Added to the card once tech is asked. */
    escalated: (department: string, leads: string): string => `已提交${department}（${leads}）评估加急`,
    /** The card once the order is placed at the earliest date. */
    ordered: (number: string): string => `已按最早交期下单 · ${number}`,
  },

  /** To the sales chat and the sales person about their choice. */
  choiceTaken: '这项需求已经处理过了。',
  onlyRequester: (name: string): string => `只有提出需求的${name}可以选择。`,
  alreadyEscalated: '已经提交过加急评估，请等技术部答复。',
  planChanged: '计划有变，暂时排不上产，请稍后再试或升级技术部。',
  escalatedToTech: (department: string, leads: string): string =>
    `已提交${department}（${leads}）评估加急，结果会发到本群。`,
  expediteRefused: (who: string, reason: string): string => `${who}：不能加急（${reason}）。仍可按最早交期下单。`,
  expediteNotEnough: (who: string, earliest: string): string =>
    `${who}同意加急，但仍赶不上：加急后最早${earliest}。可按该日期下单。`,

  /** The expedite card to tech's leads. */
  expediteCard: {
    title: (department: string): string => `加急评估 · ${department}`,
    subtitle: (sales: string): string => `${sales} 申请加急`,
    constraint: '约束',
    source: (text: string): string => `原文：${text}`,
    explain: '同意加急：按加急（线体负荷可压满、采购周期可缩短）重新核算交期。',
    approve: '同意加急',
    reject: '不能加急',
    approvedBy: (who: string, time: string): string => `已同意加急 · ${who} ${time}`,
    rejectedBy: (who: string, time: string, reason: string): string => `不能加急 · ${who} ${time}：${reason}`,
  },
  /** To a tech lead about their tap on an expedite card. */
  notExpediter: (department: string): string => `您不是${department}的加急评估人，操作未生效。`,
  expediteDecided: '这项加急申请已经处理过了。',
  expediteNeedsReason: '不能加急需要填写原因，请写明原因后再点。',
};
