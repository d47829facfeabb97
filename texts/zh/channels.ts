/** Channel orders: the rule-stacking review card and its replies, buyer links (handlers/stacking-review.ts, handlers/channel-customers.ts). */
import type { Channel } from '../../domain/channels/order';
import { format } from './format';

/** How one buyer came to be the customer, as the card and the board say it. */
export interface LinkWords {
  method: 'phone-hash' | 'manual' | null;
  by: string | null;
  /** "2月24日". */
  on: string;
}

const CHANNEL_NAMES: Record<Channel, string> = { douyin: '抖音', taobao: '淘宝/天猫', jd: '京东' };

function linkText(l: LinkWords): string {
  if (l.method === null) return '已取消关联';
  if (l.method === 'phone-hash') return `手机号自动匹配（${l.on}）`;
  return `${l.by ?? '有人'}手动关联（${l.on}）`;
}

export const channels = {
  channel: (c: Channel): string => CHANNEL_NAMES[c],
  /** A buyer id as shown: encrypted ids are long, the first characters tell them apart. */
  buyer: (c: Channel, key: string): string =>
    `${CHANNEL_NAMES[c]}买家 ${key.length > 16 ? `${key.slice(0, 16)}…` : key}`,
  link: linkText,

  /** The card the ops supervisor decides on. */
  card: {
    title: '⚠️ 疑似跨渠道叠用优惠',
    subtitle: (customer: string, orders: number): string => `${customer} · ${orders}个订单`,
    customer: '客户',
    links: '客户关联',
    linkLine: (buyer: string, l: LinkWords): string => `${buyer}：${linkText(l)}`,
    orderLabel: (channel: string, shop: string): string => `${channel} · ${shop}`,
    orderValue: (a: { orderId: string; paidAt: string; lines: string[]; rules: string[] }): string =>
      `订单 ${a.orderId} · ${a.paidAt} 付款\n${a.lines.join('、')}\n${a.rules.length > 0 ? a.rules.join('；') : '未应用规则'}`,
    line: (sku: string, quantity: number): string => `${sku}×${quantity}`,
    rule: (label: string, code: string, yuan: string): string => `${label}（${code}）−${yuan}元`,
    overlap: '重叠SKU',
    exclusive: '互斥规则',
    pair: (a: string, b: string): string => `${a} 与 ${b} 互斥`,
    explain: (window: string): string =>
      `同一客户在${window}内于不同渠道购买相同SKU，且各单所用优惠规则互斥。请核实：确认叠用，或写明原因后忽略。`,
    confirm: '确认叠用',
    dismiss: '忽略',
    reasonsTitle: '忽略原因',
    reasons: {
      repeat: '正常复购，不是叠用',
      'wrong-link': '买家关联有误，不是同一客户',
      rules: '规则互斥设置有误',
      other: '其他原因（请写明）',
    } as Record<string, string>,
    confirmedBy: (who: string, at: string): string => `已确认叠用 · ${who} ${at}`,
    dismissedBy: (who: string, at: string, reason: string): string => `已忽略 · ${who} ${at}：${reason}`,
    superseded: (id: number): string => `有新订单加入，已由复核 #${id} 取代`,
  },

  /** What the tapper is told. */
  review: {
    notReviewer: (name: string): string => `叠用复核由运营主管${name}或管理员处理，您不能操作。`,
    noReviewer: '叠用复核只能由管理员处理（未设置运营主管）。',
    decided: (a: { who: string; at: string; confirmed: boolean }): string =>
      `这条复核已由${a.who}于${a.at}${a.confirmed ? '确认叠用' : '忽略'}，未再修改。`,
    superseded: (id: number): string => `这条复核已由复核 #${id} 取代（有新订单加入），请处理新的卡片。`,
    needsReason: '忽略需要原因：请选择原因，或写一句说明。',
    reasonWithNote: (reason: string, note: string): string => `${reason}：${note}`,
    gone: '找不到这条叠用复核。',
    unknownAction: (key: string): string => `不认识的操作“${key}”。`,
  },

  /** "关联买家 抖音 <买家ID> 博世", "取消关联 抖音 <买家ID>". */
  links: {
    linked: (a: { buyer: string; customer: string; orders: number; previous: string | null }): string =>
      `✅ 已将${a.buyer} 关联到“${a.customer}”（手动）。${
        a.orders > 0 ? `该买家的 ${a.orders} 个订单已归到此客户。` : '该买家还没有订单，之后的订单会归到此客户。'
      }${a.previous ? `原关联：${a.previous}。` : ''}`,
    previous: (customer: string, how: string): string => `${customer}，${how}`,
    unlinked: (a: { buyer: string; customer: string; orders: number }): string =>
      `已取消${a.buyer} 与“${a.customer}”的关联，${a.orders} 个订单不再归属该客户。`,
    notLinked: (buyer: string): string => `${buyer} 没有关联任何客户，未做修改。`,
    refused: '只有销售、运营主管和管理员可以关联平台买家。',
    notFound: (subject: string): string => `客户资料里没有“${subject}”，请用客户全称或简称。`,
    ambiguous: (names: string[]): string => `“${names.join('”和“')}”都对得上，请写客户全称。`,
    usage:
      '关联平台买家：“关联买家 抖音 <买家ID> <客户名称>”（渠道：抖音、淘宝、天猫、京东）；取消：“取消关联 抖音 <买家ID>”。买家ID见看板的“未关联的复购买家”。',
  },

  /** The board page /board/stacking. */
  board: {
    title: (company: string): string => `叠用复核 · ${company}`,
    heading: '跨渠道叠用复核',
    open: (n: number): string => `待复核（${n}）`,
    decided: '最近处理',
    none: '暂无',
    columns: {
      id: '编号',
      created: '发现时间',
      customer: '客户',
      orders: '订单',
      overlap: '重叠SKU',
      rules: '互斥规则',
      status: '状态',
    },
    status: {
      open: '待复核',
      confirmed: '已确认叠用',
      dismissed: '已忽略',
      superseded: '已被取代',
    },
    decision: (who: string, at: string, reason: string | null): string => `${who} ${at}${reason ? `：${reason}` : ''}`,
    noReviewer: '未设置运营主管（channels.reviewer）：复核只在看板显示，不发卡片。',
    unmapped: '未关联的复购买家',
    unmappedNote: '这些买家付款过多次，但还没有关联到客户。在聊天中发送：关联买家 <渠道> <买家ID> <客户名称>。',
    unmappedColumns: {
      buyer: '渠道 · 买家ID',
      shops: '店铺',
      orders: '订单数',
      paid: '实付合计（元）',
      last: '最近付款',
      phone: '手机号',
    },
    phoneHash: (given: boolean): string => (given ? '有（未匹配到唯一客户）' : '无'),
  },

  /** "24小时". */
  window: (ms: number): string => format.span(ms),
};
