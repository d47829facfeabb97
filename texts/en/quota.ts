import type { Catalogue } from '../catalogue';
import type { NotSent } from '../zh/quota';

export const quota: Catalogue['quota'] = {
  warning: (a) =>
    `⚠️ DingTalk API calls this month: ${a.used}, ${Math.floor((a.used / a.quota) * 100)}% of the monthly quota of ${a.quota}; ${a.daysLeft} days left in the month. ` +
    'When the quota runs out, tracking-card refreshes (ETD, status), order status posts and digests stop first; approval cards, replies to sales people and escalations stop last and are still tried. ' +
    'For more calls, upgrade the DingTalk edition and set DINGTALK_MONTHLY_QUOTA to 0.',
  exhausted: (a) =>
    `⛔ DingTalk's monthly API quota is used up (ApiCountLimitForOrg): ${a.used} calls this month${a.quota > 0 ? ` (quota ${a.quota})` : ''}, ${a.daysLeft} days left in the month. ` +
    `Could not send: ${notSentText(a.notSent)}. ` +
    'Until the 1st, tracking-card refreshes (ETD, status), order status posts and digests are not sent; approval cards, replies to sales people and escalations are tried again every hour.',
};

function notSentText(n: NotSent): string {
  if (n.kind === 'card') return `the card "${n.what}" to ${n.to}`;
  if (n.kind === 'card-update') return `the update of card "${n.what}"`;
  return `the message "${n.what}" to ${n.to}`;
}
