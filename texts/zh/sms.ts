/** SMS to customers, and what the sales chat is told when one does not surely arrive. */
export const sms = {
  /** The delay SMS as the log provider and the playground show it (vendors render their own template). */
  delay: (a: { company: string; order: string; etd: string; reason: string }): string =>
    `【${a.company}】您的订单${a.order}预计${a.etd}，晚于约定时间，原因：${a.reason}。给您带来不便，敬请谅解。`,
  refused: (number: string, phone: string, reason: string): string =>
    `❗ ${number} 的延误短信发给 ${phone} 被短信服务商拒绝（${reason}），请电话联系客户。`,
  uncertain: (number: string, phone: string): string =>
    `❗ ${number} 的延误短信发给 ${phone} 可能未送达（服务商无应答），请电话联系客户确认。`,
};
