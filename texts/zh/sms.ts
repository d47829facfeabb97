/** SMS to customers, and what the sales chat is told when one does not surely arrive. */
export const sms = {
  /** The delay SMS as the log provider and the playground show it (vendors render their own template). */
  delay: (a: { company: string; order: string; etd: string; reason: string }): string =>
    `【${a.company}】您的订单${a.order}预计${a.etd}，晚于约定时间，原因：${a.reason}。给您带来不便，敬请谅解。`,
  /** A customer notice's status link, after the message: "查看进度：https://…/s/…". */
  link: (link: string | undefined): string => (link ? `查看进度：${link}` : ''),
  /** The order is confirmed; `when` is "3月18日14:30前". */
  confirmed: (a: { company: string; order: string; when: string; link?: string }): string =>
    `【${a.company}】您的订单${a.order}已确认，预计${a.when}送达。${sms.link(a.link)}`,
  shipped: (a: { company: string; order: string; carrier: string; waybill: string; link?: string }): string =>
    `【${a.company}】您的订单${a.order}已发货，${a.carrier}运单号${a.waybill}。${sms.link(a.link)}`,
  /** `from` is the old date ("3月5日"), `to` the new one with its time ("3月9日18:00前"). */
  promiseChanged: (a: { company: string; order: string; from: string; to: string; link?: string }): string =>
    `【${a.company}】您的订单${a.order}交期已由${a.from}调整为${a.to}送达。${sms.link(a.link)}`,
  /** Shipped without a waybill yet: what the notice says in their place. */
  noCarrier: '物流',
  noWaybill: '稍后告知',
  refused: (number: string, phone: string, reason: string): string =>
    `❗ ${number} 的延误短信发给 ${phone} 被短信服务商拒绝（${reason}），请电话联系客户。`,
  uncertain: (number: string, phone: string): string =>
    `❗ ${number} 的延误短信发给 ${phone} 可能未送达（服务商无应答），请电话联系客户确认。`,
};
