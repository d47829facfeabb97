/** Channel orders: the rule-stacking review card and its replies, buyer links (handlers/stacking-review.ts, handlers/channel-customers.ts). */
export const channels = {};
