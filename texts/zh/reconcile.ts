/** Reconciliation of channel orders with the platforms' settlements: the report, the board page, the digest line. */
import { formatFen } from '../../domain/channels/money';
import type { Channel } from '../../domain/channels/order';
import type { Cause } from '../../domain/channels/reconcile';

/** 0.0123 → "1.23%"; null → "—". */
const rate = (r: number | null): string => (r === null ? '—' : `${(r * 100).toFixed(2)}%`);
const yuan = (fen: number): string => `${formatFen(fen)}元`;

const channelNames: Record<Channel, string> = { douyin: '抖音', taobao: '淘宝/天猫', jd: '京东' };

const causeNames: Record<Cause, string> = {
  not_settled: '尚未结算',
  refund: '退款',
  price_change: '改价',
  promotion_no_rule: '平台活动无对应规则',
  rule_no_counterpart: '规则在平台无对应活动',
  fees: '结算已扣费用',
  rounding: '分摊/四舍五入',
  other: '其他',
};

export const reconcile = {
  channelName: (channel: Channel | null): string => (channel === null ? '合计' : channelNames[channel]),
  causeName: (cause: Cause): string => causeNames[cause],
  rate,
  yuan,
  // ----- the command's text report -----
  heading: (from: string, to: string): string => `渠道对账 ${from} 至 ${to}（按结算完成日，北京时间）`,
  summary: (a: {
    channel: string;
    rate: number | null;
    settled: number;
    matchRate: number | null;
    unsettled: number;
    settledFen: number;
    absDifferenceFen: number;
    feeFen: number;
  }): string =>
    `${a.channel}：差异率 ${rate(a.rate)}（差异合计 ${yuan(a.absDifferenceFen)} / 结算 ${yuan(a.settledFen)}），已结算 ${a.settled} 单，分毫不差 ${rate(a.matchRate)}，未结算 ${a.unsettled} 单，平台费用 ${yuan(a.feeFen)}`,
  unknownOrders: (count: number, fen: number): string => `  另有 ${count} 单结算无对应订单（${yuan(fen)}）`,
  causeLine: (cause: Cause, orders: number, fen: number): string =>
    `  ${causeNames[cause]}：${orders} 单，${yuan(fen)}`,
  differencesHeading: '差异订单（按差异金额从大到小）：',
  differenceLine: (a: {
    channel: Channel;
    orderId: string;
    cause: Cause;
    expectedFen: number;
    settledFen: number | null;
    differenceFen: number | null;
  }): string =>
    `${channelNames[a.channel]} ${a.orderId} ${causeNames[a.cause]}：应开票 ${yuan(a.expectedFen)}，已结算 ${a.settledFen === null ? '—' : yuan(a.settledFen)}，差异 ${a.differenceFen === null ? '—' : yuan(a.differenceFen)}`,
  more: (count: number): string => `……另有 ${count} 单，完整清单请用 --format csv`,
  nothing: '本期没有渠道订单结算，也没有未结算的订单。',
  noDifferences: '没有差异订单。',
  // ----- the board page -----
  page: {
    title: (company: string): string => `${company} 渠道对账`,
    period: '期间',
    from: '从',
    to: '到',
    channel: '渠道',
    allChannels: '全部渠道',
    show: '查看',
    rate: '差异率',
    matchRate: '分毫不差',
    settled: '已结算订单',
    unsettled: '未结算订单',
    fees: '平台费用',
    byCause: '差异原因',
    cause: '原因',
    orders: '订单数',
    amount: '金额',
    largest: (count: number): string => `差异最大的 ${count} 单`,
    order: '订单号',
    shop: '店铺',
    expected: '应开票',
    settledAmount: '已结算',
    difference: '差异',
    nothing: '本期没有渠道订单结算，也没有未结算的订单。',
    badPeriod: '日期格式为 YYYY-MM-DD，开始不晚于结束；渠道为抖音、淘宝/天猫或京东。',
    rateNote: '差异率 = Σ|应开票 − 已结算| ÷ Σ已结算，只计本期结算完成的订单；平台费用另列为成本，不减开票金额。',
  },
  // ----- the weekly digest -----
  digestHeading: '渠道对账（本周结算完成的订单）：',
  digestLine: (a: {
    channel: Channel;
    rate: number | null;
    settled: number;
    matchRate: number | null;
    unsettled: number;
  }): string =>
    `${channelNames[a.channel]} 差异率 ${rate(a.rate)}，结算 ${a.settled} 单，分毫不差 ${rate(a.matchRate)}，未结算 ${a.unsettled} 单`,
  digestNothing: '本周没有渠道订单结算。',
};
