import { format } from './format';

/** Customers named in the chat: which one, a new one, contacts, and one need asked twice. */
export const customers = {
  /** A request naming two known customers: which is it? */
  choice: {
    title: '是哪个客户？',
    note: (names: string[]): string => `消息里提到了 ${names.join('、')}，请点选本单的客户，或回复客户名称。`,
    prompt: (names: string[]): string =>
      `❓ 这条需求提到了 ${names.join('、')}，是哪个客户的？请点卡片或回复客户名称。`,
    chosen: (name: string): string => `客户：${name}`,
    taken: '这条需求已经处理过了。',
  },

  /** A labelled customer the master data does not know: one tap adds it. */
  add: {
    title: (name: string): string => `新客户 · ${name}`,
    name: '客户名称',
    order: '订单',
    note: (name: string): string =>
      `客户资料里还没有“${name}”。添加后订单会关联到它；联系人可以在群里说“${name} 联系人 张三 13800138000”。`,
    button: '添加客户',
    added: (name: string): string => `已添加客户 · ${name}`,
    addedReply: (name: string, orders: number): string =>
      `✅ 已添加客户“${name}”${orders > 0 ? `，已关联 ${orders} 个订单` : ''}。补充联系人：“${name} 联系人 张三 13800138000”。`,
    exists: (name: string): string => `客户“${name}”已在客户资料中，订单已关联。`,
  },

  /** "采埃孚 联系人 周工 13800138003". */
  contact: {
    updated: (a: { customer: string; contactName: string | null; phone: string | null }): string =>
      `✅ 已更新 ${a.customer}：${[a.contactName ? `联系人 ${a.contactName}` : '', a.phone ? `电话 ${a.phone}` : '']
        .filter(Boolean)
        .join('，')}。之后的延误短信发给这个联系人。`,
    refused: '只有销售和管理员可以修改客户联系人。',
    notFound: (subject: string): string => `客户资料里没有“${subject}”，请用客户全称或简称。`,
    ambiguous: (names: string[]): string => `“${names.join('”和“')}”都对得上，请写客户全称。`,
    badPhone: (digits: string): string =>
      `“${digits}”不是有效的手机或座机号码（如 13800138000、021-55556666），未修改。`,
  },

  /** One need asked twice. */
  sameNeed: {
    title: '已有相同需求',
    order: '订单号',
    sales: '销售',
    items: '物料',
    date: (promised: boolean): string => (promised ? '承诺交期' : '要求交期'),
    status: '状态',
    prompt: (a: { number: string; sales: string; customer: string }): string =>
      `🔁 ${a.customer} 的这个物料已有 ${a.sales} 的订单 ${a.number}。是同一需求吗？点卡片，或回复“同一需求”/“新需求”。`,
    follow: '同一需求，关注此单',
    separate: '新需求，另下一单',
    following: (number: string): string => `✅ 已关注 ${number}，它的进展会同步到本群，未另下单。`,
    followed: (number: string): string => `已关注 ${number}`,
    separated: '已另下新单',
    alreadyOpen: (number: string, date: string): string =>
      `您已有相同的订单 ${number}（要求交期 ${date}），未重复下单。查进度请说“${number} 到哪了”。`,
    onlyRequester: (name: string): string => `只有提出需求的${name}可以选择。`,
    taken: '这条需求已经处理过了。',
  },

  status: {
    pending_approval: '待审批',
    confirmed: '已确认',
  },

  items: (lines: string[]): string => format.clauses(lines),
};
