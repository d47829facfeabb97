import type { BusinessConfig } from '../config/business-config';
import { formatDate } from '../domain/china-time';

/** Everything the bot says in a chat, in the sender's language. Cards for approvers are built in cards/. */
export type Lang = 'zh' | 'en';

interface ItemLine {
  materialCode: string;
  materialName?: string;
  quantity: number;
  unit: string;
  kind: 'sample' | 'batch';
}

const KIND = { zh: { sample: '样品', batch: '批量' }, en: { sample: 'sample', batch: 'batch' } } as const;

/** Chinese count units as an English reader writes them. */
const UNIT_EN: Record<string, string> = {
  件: 'pcs',
  个: 'pcs',
  只: 'pcs',
  支: 'pcs',
  片: 'pcs',
  套: 'sets',
  箱: 'boxes',
};

export function itemLine(item: ItemLine, lang: Lang): string {
  return lang === 'zh'
    ? `${item.materialCode} × ${item.quantity}${item.unit}（${KIND.zh[item.kind]}）`
    : `${item.materialCode} × ${item.quantity} ${UNIT_EN[item.unit] ?? item.unit} (${KIND.en[item.kind]})`;
}

export function departmentName(config: BusinessConfig, key: string, lang: Lang = 'zh'): string {
  const department = config.departments.find((d) => d.key === key);
  return (lang === 'en' ? department?.nameEn : undefined) ?? department?.name ?? key;
}

export function departmentNames(config: BusinessConfig, keys: readonly string[], lang: Lang): string {
  return keys.map((k) => departmentName(config, k, lang)).join(lang === 'zh' ? '、' : ', ');
}

export const texts = {
  orderCreated(args: {
    lang: Lang;
    number: string;
    items: ItemLine[];
    requestedDate: string;
    today: string;
    urgent: boolean;
    customerName: string | null;
    departments: string;
    warnings: string[];
    /** The customer's request time when the sales person stated it (the latency clock starts there). */
    statedAt?: string | null;
  }): string {
    const { lang } = args;
    const date = formatDate(args.requestedDate, lang, args.today);
    if (lang === 'zh') {
      return [
        `✅ 已创建需求单 **${args.number}**`,
        ...args.items.map((i) => `物料：${itemLine(i, lang)}`),
        ...(args.customerName ? [`客户：${args.customerName}`] : []),
        `要求交期：${date}${args.urgent ? '（加急）' : ''}`,
        ...(args.statedAt ? [`客户提出时间：${args.statedAt}`] : []),
        `状态：待审批（${args.departments}）`,
        ...args.warnings.map((w) => `⚠️ ${w}`),
      ].join('\n');
    }
    return [
      `✅ Requirement order **${args.number}** created`,
      ...args.items.map((i) => `Item: ${itemLine(i, lang)}`),
      ...(args.customerName ? [`Customer: ${args.customerName}`] : []),
      `Requested date: ${date}${args.urgent ? ' (urgent)' : ''}`,
      ...(args.statedAt ? [`Customer asked: ${args.statedAt}`] : []),
      `Status: awaiting approval (${args.departments})`,
      ...args.warnings.map((w) => `⚠️ ${w}`),
    ].join('\n');
  },

  askMissing(missing: readonly string[], lang: Lang, summary: string): string {
    const wanted = missing.map((m) =>
      lang === 'zh'
        ? ({ quantity: '数量', dueDate: '交期', items: '物料编码' }[m] ?? m)
        : ({ quantity: 'the quantity', dueDate: 'the due date', items: 'the material code' }[m] ?? m),
    );
    return lang === 'zh'
      ? `📝 已记下：${summary}\n还缺：${wanted.join('、')}。请直接回复（例如 ${missing.includes('dueDate') ? '“3月5日前”' : '“5件”'}），30分钟内有效。`
      : `📝 Noted: ${summary}\nStill missing: ${wanted.join(' and ')}. Just reply (e.g. ${missing.includes('dueDate') ? '"by 3/5"' : '"5 pcs"'}) within 30 minutes.`;
  },

  unknownCodes(unknown: Array<{ code: string; suggestions: string[] }>, lang: Lang): string {
    const lines = unknown.map(({ code, suggestions }) =>
      lang === 'zh'
        ? `物料编码 ${code} 不在物料主数据中${suggestions.length ? `，您是不是要找：${suggestions.join('、')}？` : '。'}`
        : `Material code ${code} is not in the material master${suggestions.length ? `. Did you mean ${suggestions.join(', ')}?` : '.'}`,
    );
    const tail =
      lang === 'zh'
        ? '请改正编码后重新发送，需求单未创建。'
        : 'Please resend with the right code; no order was created.';
    return `❓ ${lines.join('\n')}\n${tail}`;
  },

  specOutside(spec: string, material: string, range: string, lang: Lang): string {
    return lang === 'zh'
      ? `${material} 的 ${spec} 超出历史合格范围（${range}），已提请技术部重点评审`
      : `${spec} on ${material} is outside its qualified range (${range}); flagged to tech for review`;
  },

  specUnknown(spec: string, material: string, lang: Lang): string {
    return lang === 'zh'
      ? `${material} 没有 ${spec} 的历史合格记录，需技术部确认`
      : `${material} has no qualified history for ${spec}; tech must confirm`;
  },

  confirmed(args: {
    lang: Lang;
    number: string;
    approvals: string;
    promisedDate: string;
    today: string;
    movedFrom?: string | null;
  }): string {
    const date = formatDate(args.promisedDate, args.lang, args.today);
    const moved = args.movedFrom ? formatDate(args.movedFrom, args.lang, args.today) : null;
    return args.lang === 'zh'
      ? `🎉 需求单 **${args.number}** 已确认：${args.approvals} 均已同意。\n承诺交期：${date}${moved ? `（原要求${moved}，审批期间库存/产能已被其他订单占用）` : ''}`
      : `🎉 Order **${args.number}** is confirmed: approved by ${args.approvals}.\nPromised date: ${date}${moved ? ` (requested ${moved}; stock or capacity was taken by another order meanwhile)` : ''}`;
  },

  rejected(args: { lang: Lang; number: string; department: string; actor: string; reason: string }): string {
    return args.lang === 'zh'
      ? `❌ 需求单 **${args.number}** 被${args.department} ${args.actor} 驳回。\n原因：${args.reason}`
      : `❌ Order **${args.number}** was rejected by ${args.actor} (${args.department}).\nReason: ${args.reason}`;
  },

  help(lang: Lang, botName: string): string {
    return lang === 'zh'
      ? `您好，我是${botName}。发需求给我就行，例如：\n“需要BRK-2026-01样品5件，3月5日前到”\n查进度：“SO-20260224-0001 到哪了”`
      : `Hi, I'm ${botName}. Send me a request such as:\n"BRK-2026-01 samples ×5 by 3/5"\nAsk for progress: "where is SO-20260224-0001"`;
  },

  handlingError(lang: Lang): string {
    return lang === 'zh'
      ? '抱歉，处理这条消息时出错了，已记录，请稍后再试。'
      : 'Sorry, something went wrong handling that message. It has been logged; please try again shortly.';
  },
};

/** Notices to one approver about their tap; approvers are in the plant, so these are in Chinese. */
export const approverTexts = {
  notAssignee: (department: string, assignees: string) =>
    `您不是${department}这张审批卡的处理人（处理人：${assignees}），操作未生效。`,
  alreadyDecided: (orderNumber: string, who: string, verb: string, time: string) =>
    `${orderNumber} 的这项审批已由 ${who} 于 ${time} ${verb}，无需再处理。`,
  needsReason: (orderNumber: string) =>
    `驳回 ${orderNumber} 需要填写原因：请在卡片上选好（或写明）驳回原因，再点“驳回”。`,
  unknownCard: () => '这张卡片已失效，找不到对应的审批。',
  unknownAction: (key: string) => `不认识的操作“${key}”。`,
};
