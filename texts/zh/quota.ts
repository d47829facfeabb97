/** What could not be sent, as the exhausted notice names it. */
export interface NotSent {
  kind: 'post' | 'card' | 'card-update';
  /** A card's title, or the start of a message. */
  what: string;
  /** The chat's or person's name. */
  to: string;
}

/** To the ops conversation: the DingTalk organisation's monthly API quota (标准版每月 5,000 次). */
export const quota = {
  warning: (a: { used: number; quota: number; daysLeft: number }): string =>
    `⚠️ 本月钉钉接口已调用 ${a.used} 次，达到每月额度 ${a.quota} 次的 ${Math.floor((a.used / a.quota) * 100)}%，本月还剩 ${a.daysLeft} 天。` +
    '额度用完后，最先停发的是订单跟踪卡片的刷新（交期、状态）、订单状态消息和周报；审批卡片、给销售的回复和升级提醒最后才停，会一直尝试发送。' +
    '如需更多额度，可升级钉钉版本，再把 DINGTALK_MONTHLY_QUOTA 设为 0。',
  exhausted: (a: { used: number; quota: number; daysLeft: number; notSent: NotSent }): string =>
    `⛔ 钉钉本月接口调用额度已用完（ApiCountLimitForOrg）：本月已调用 ${a.used} 次${a.quota > 0 ? `（额度 ${a.quota} 次）` : ''}，本月还剩 ${a.daysLeft} 天。` +
    `没能发出：${notSentText(a.notSent)}。` +
    '下月1日前，订单跟踪卡片的刷新（交期、状态）、订单状态消息和周报不再发送；审批卡片、给销售的回复和升级提醒仍会每小时重试。',
};

function notSentText(n: NotSent): string {
  if (n.kind === 'card') return `发给${n.to}的卡片「${n.what}」`;
  if (n.kind === 'card-update') return `卡片「${n.what}」的更新`;
  return `发到${n.to}的消息「${n.what}」`;
}
