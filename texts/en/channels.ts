import type { Channel } from '../../domain/channels/order';
import type { Catalogue } from '../catalogue';
import type { LinkWords } from '../zh/channels';
import { format } from './format';

const CHANNEL_NAMES: Record<Channel, string> = { douyin: 'Douyin', taobao: 'Taobao/Tmall', jd: 'JD' };

function linkText(l: LinkWords): string {
  if (l.method === null) return 'link removed since';
  if (l.method === 'phone-hash') return `matched by phone automatically (${l.on})`;
  return `linked by hand by ${l.by ?? 'someone'} (${l.on})`;
}

export const channels: Catalogue['channels'] = {
  channel: (c) => CHANNEL_NAMES[c],
  buyer: (c, key) => `${CHANNEL_NAMES[c]} buyer ${key.length > 16 ? `${key.slice(0, 16)}…` : key}`,
  link: linkText,

  card: {
    title: '⚠️ Suspected promotion stacking across channels',
    subtitle: (customer, orders) => `${customer} · ${orders} orders`,
    customer: 'Customer',
    links: 'Customer link',
    linkLine: (buyer, l) => `${buyer}: ${linkText(l)}`,
    orderLabel: (channel, shop) => `${channel} · ${shop}`,
    orderValue: (a) =>
      `Order ${a.orderId} · paid ${a.paidAt}\n${a.lines.join(', ')}\n${a.rules.length > 0 ? a.rules.join('; ') : 'no rule applied'}`,
    line: (sku, quantity) => `${sku} × ${quantity}`,
    rule: (label, code, yuan) => `${label} (${code}) −${yuan} yuan`,
    overlap: 'SKUs on both',
    exclusive: 'Exclusive rules',
    pair: (a, b) => `${a} excludes ${b}`,
    explain: (window) =>
      `One customer bought the same SKUs on different channels within ${window}, and the orders got promotions that exclude each other. Check it: confirm the stacking, or dismiss it with a reason.`,
    confirm: 'Confirm stacking',
    dismiss: 'Dismiss',
    reasonsTitle: 'Why dismiss',
    reasons: {
      repeat: 'A normal repeat purchase',
      'wrong-link': 'Wrong buyer link: not the same customer',
      rules: 'The rules should not exclude each other',
      other: 'Other (write why)',
    },
    confirmedBy: (who, at) => `Stacking confirmed · ${who} ${at}`,
    dismissedBy: (who, at, reason) => `Dismissed · ${who} ${at}: ${reason}`,
    superseded: (id) => `A new order joined: replaced by review #${id}`,
  },

  review: {
    notReviewer: (name) => `Stacking reviews are decided by the ops supervisor ${name} or an admin, not by you.`,
    noReviewer: 'Only admins decide stacking reviews (no ops supervisor is set).',
    decided: (a) => `${a.who} ${a.confirmed ? 'confirmed' : 'dismissed'} this review at ${a.at}; nothing was changed.`,
    superseded: (id) => `This review was replaced by review #${id} (a new order joined); decide the new card.`,
    needsReason: 'Dismissing needs a reason: pick one or write a note.',
    reasonWithNote: (reason, note) => `${reason}: ${note}`,
    gone: 'This stacking review cannot be found.',
    unknownAction: (key) => `Unknown action "${key}".`,
  },

  links: {
    linked: (a) =>
      `✅ ${a.buyer} is now linked to "${a.customer}" (by hand). ${
        a.orders > 0
          ? `Its ${a.orders} order${a.orders > 1 ? 's are' : ' is'} now this customer's.`
          : 'It has no orders yet; later ones will be this customer’s.'
      }${a.previous ? ` Was: ${a.previous}.` : ''}`,
    previous: (customer, how) => `${customer}, ${how}`,
    unlinked: (a) =>
      `${a.buyer} is no longer linked to "${a.customer}"; ${a.orders} order(s) no longer count as theirs.`,
    notLinked: (buyer) => `${buyer} is not linked to any customer; nothing was changed.`,
    refused: 'Only sales people, the ops supervisor and admins can link platform buyers.',
    notFound: (subject) => `No customer "${subject}" in the customer list; use its full or short name.`,
    ambiguous: (names) => `"${names.join('" and "')}" both fit; write the customer's full name.`,
    usage:
      'Link a platform buyer: "link buyer douyin <buyer id> to <customer>" (channels: douyin, taobao, tmall, jd); undo: "unlink buyer douyin <buyer id>". Buyer ids are on the board under "Unlinked repeat buyers".',
  },

  board: {
    title: (company) => `Stacking reviews · ${company}`,
    heading: 'Promotion stacking across channels',
    open: (n) => `To review (${n})`,
    decided: 'Latest decisions',
    none: 'None',
    columns: {
      id: 'No.',
      created: 'Found',
      customer: 'Customer',
      orders: 'Orders',
      overlap: 'SKUs on both',
      rules: 'Exclusive rules',
      status: 'Status',
    },
    status: {
      open: 'To review',
      confirmed: 'Stacking confirmed',
      dismissed: 'Dismissed',
      superseded: 'Replaced',
    },
    decision: (who, at, reason) => `${who} ${at}${reason ? `: ${reason}` : ''}`,
    noReviewer: 'No ops supervisor is set (channels.reviewer): reviews show on the board only, no cards are sent.',
    unmapped: 'Unlinked repeat buyers',
    unmappedNote:
      'These buyers paid more than once but are not linked to a customer yet. In the chat: link buyer <channel> <buyer id> to <customer>.',
    unmappedColumns: {
      buyer: 'Channel · buyer id',
      shops: 'Shops',
      orders: 'Orders',
      paid: 'Paid in total (yuan)',
      last: 'Last paid',
      phone: 'Phone',
    },
    phoneHash: (given) => (given ? 'given (no single customer matches)' : 'none'),
  },

  window: (ms) => format.span(ms),
};
