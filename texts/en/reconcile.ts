import { formatFen } from '../../domain/channels/money';
import type { Channel } from '../../domain/channels/order';
import type { Cause } from '../../domain/channels/reconcile';
import type { Catalogue } from '../catalogue';

const rate = (r: number | null): string => (r === null ? '—' : `${(r * 100).toFixed(2)}%`);
const yuan = (fen: number): string => `¥${formatFen(fen)}`;

const channelNames: Record<Channel, string> = { douyin: 'Douyin', taobao: 'Taobao/Tmall', jd: 'JD' };

const causeNames: Record<Cause, string> = {
  not_settled: 'not settled yet',
  refund: 'refund',
  price_change: 'price change',
  promotion_no_rule: 'platform promotion with no rule',
  rule_no_counterpart: 'rule with no platform counterpart',
  fees: 'fees taken off the settlement',
  rounding: 'rounding',
  other: 'other',
};

export const reconcile: Catalogue['reconcile'] = {
  channelName: (channel) => (channel === null ? 'All channels' : channelNames[channel]),
  causeName: (cause) => causeNames[cause],
  rate,
  yuan,
  heading: (from, to) => `Channel reconciliation ${from} to ${to} (by settlement date, China time)`,
  summary: (a) =>
    `${a.channel}: difference rate ${rate(a.rate)} (differences ${yuan(a.absDifferenceFen)} / settled ${yuan(a.settledFen)}), ${a.settled} orders settled, ${rate(a.matchRate)} matched to the fen, ${a.unsettled} not settled yet, platform fees ${yuan(a.feeFen)}`,
  unknownOrders: (count, fen) => `  and ${count} settled orders we have no order for (${yuan(fen)})`,
  causeLine: (cause, orders, fen) => `  ${causeNames[cause]}: ${orders} orders, ${yuan(fen)}`,
  differencesHeading: 'Orders with a difference (largest first):',
  differenceLine: (a) =>
    `${channelNames[a.channel]} ${a.orderId} ${causeNames[a.cause]}: expected ${yuan(a.expectedFen)}, settled ${a.settledFen === null ? '—' : yuan(a.settledFen)}, difference ${a.differenceFen === null ? '—' : yuan(a.differenceFen)}`,
  more: (count) => `… and ${count} more; --format csv lists them all`,
  nothing: 'No channel order was settled in this period, and none is waiting for settlement.',
  noDifferences: 'No order with a difference.',
  page: {
    title: (company) => `${company} channel reconciliation`,
    period: 'Period',
    from: 'From',
    to: 'To',
    channel: 'Channel',
    allChannels: 'All channels',
    show: 'Show',
    rate: 'Difference rate',
    matchRate: 'Matched to the fen',
    settled: 'Orders settled',
    unsettled: 'Not settled yet',
    fees: 'Platform fees',
    byCause: 'Differences by cause',
    cause: 'Cause',
    orders: 'Orders',
    amount: 'Amount',
    largest: (count) => `The ${count} largest differences`,
    order: 'Order',
    shop: 'Shop',
    expected: 'Expected',
    settledAmount: 'Settled',
    difference: 'Difference',
    nothing: 'No channel order was settled in this period, and none is waiting for settlement.',
    badPeriod: 'Dates are YYYY-MM-DD, the start not after the end; the channel is Douyin, Taobao/Tmall or JD.',
    rateNote:
      'Difference rate = Σ|expected − settled| ÷ Σ settled, over the orders whose settlement became final in the period; platform fees are costs, listed apart, not taken off the invoice.',
  },
  digestHeading: 'Channel reconciliation (orders settled this week):',
  digestLine: (a) =>
    `${channelNames[a.channel]} difference rate ${rate(a.rate)}, ${a.settled} settled, ${rate(a.matchRate)} matched to the fen, ${a.unsettled} not settled yet`,
  digestNothing: 'No channel order was settled this week.',
};
