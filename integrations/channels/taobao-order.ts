/**
 * Taobao/Tmall trades and bill lines (TOP JSON, ../shared/protocols/channels.md §1.2) mapped to the canonical
 * channel order and settlement lines.
 *
 * Trades (taobao.trade.fullinfo.get):
 * - Money is a 元 string with two decimals ("0.01", "120.00"), parsed with parseYuan — except `tmall_coupon_fee`,
 *   an integer number of 分 in the official SDKs (Java Integer, Go int64; not a string): read as 分.
 * - Times are China wall-clock strings ("2026-01-31 23:59:59") converted with an explicit +08:00.
 * - Lines come from orders[]: sku = outer_sku_id, else outer_iid, else "num_iid:<id>" (the seller set no code);
 *   quantity = num; unitPriceFen = price.
 * - promotion_details: a detail whose `id` is a line's oid is that line's discount; one whose id is the tid (or
 *   any other id) is order level. ref = promotion_id (e.g. "mjs-123024_211143", tool-activity_detail), else the
 *   promotion name. Every promotion detail is counted as shop-funded: they are the seller's own tools (mjs- 满就送,
 *   shopbonus- 店铺优惠券, Tmall$… item promotions). The platform-funded amounts are the trade's
 *   `tmall_coupon_fee` (天猫红包) and `platform_subsidy_fee`, added as order-level platform discounts with those
 *   field names as ref. A promotion_id prefix listed in `platformPromotionPrefixes` is counted as platform-funded
 *   instead (none known for sure: [U]).
 * - buyerKey = buyer_open_uid (required); totals: freight = post_fee, paid = payment; updatedAt = modified;
 *   buyerPhoneHash null (receiver data is masked / oaid-encrypted).
 *
 * Bill lines (taobao.bill.bills.get): lineKey = bid, orderId = trade_id, settledAt = pay_time (the money moved),
 * else book_time. kind: 'fee' when the line's account_id is one of the shop's fee accounts (commission and other
 * platform charges; the bill line itself does not say, the account list of taobao.bill.accounts.get does), else
 * 'settle' for a positive amount and 'refund' for a negative one. The unit of `amount` is unconfirmed [U]: 分 by
 * default, 元 when configured.
 */
import {
  assertChannelOrder,
  type ChannelOrder,
  type ChannelOrderLine,
  type PlatformDiscount,
} from '../../domain/channels/order';
import { parseYuan } from '../../domain/channels/money';
import type { ChannelOrderStatus, ReceivedOrder, SettlementLine } from '../../domain/channels/received';
import { topTimeToUtc } from './taobao-sign';

export type TopId = string | number;

export interface TopPromotionDetail {
  id: TopId;
  promotion_id?: string;
  promotion_name?: string;
  discount_fee?: string;
}

export interface TopOrder {
  oid: TopId;
  num_iid?: TopId;
  sku_id?: string;
  outer_iid?: string;
  outer_sku_id?: string;
  price: string;
  num: number;
}

export interface TopTrade {
  tid: TopId;
  tid_str?: string;
  status: string;
  created: string;
  modified: string;
  pay_time?: string;
  buyer_open_uid?: string;
  payment: string;
  post_fee?: string;
  tmall_coupon_fee?: number | string;
  platform_subsidy_fee?: string;
  promotion_details?: { promotion_detail?: TopPromotionDetail[] } | TopPromotionDetail[];
  orders?: { order?: TopOrder[] } | TopOrder[];
}

export interface TopBill {
  bid: TopId;
  account_id?: TopId;
  trade_id?: TopId;
  order_id?: TopId;
  amount: number | string;
  biz_time?: string;
  pay_time?: string;
  book_time?: string;
}

export interface TradeMappingOptions {
  /** promotion_id prefixes whose discount the platform pays (default none). */
  platformPromotionPrefixes?: readonly string[];
}

export interface BillMappingOptions {
  /** The unit of a bill line's `amount` [U]: 'fen' (default) or 'yuan'. */
  billAmountUnit?: 'fen' | 'yuan';
  /** account_id values (科目) whose lines are fees (commission, service charges). */
  feeAccountIds?: readonly string[];
}

/** TOP wraps lists in an object ({"order":[…]}) unless called with simplify=true; both are read. */
export function topList<T>(value: { [key: string]: T[] | undefined } | T[] | undefined, key: string): T[] {
  if (value === undefined || value === null) return [];
  if (Array.isArray(value)) return value;
  return value[key] ?? [];
}

/** A TOP 64-bit id as a decimal string (parseTopJson keeps the large ones as strings already). */
export function topId(value: unknown, field: string): string {
  if (typeof value === 'string' && /^\d+$/.test(value)) return value;
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return String(value);
  throw new RangeError(`${field}: not an id: ${JSON.stringify(value)}`);
}

const STATUS: Record<string, ChannelOrderStatus> = {
  TRADE_NO_CREATE_PAY: 'unpaid',
  WAIT_BUYER_PAY: 'unpaid',
  PAY_PENDING: 'unpaid',
  WAIT_PRE_AUTH_CONFIRM: 'unpaid',
  WAIT_SELLER_SEND_GOODS: 'paid',
  PAID_FORBID_CONSIGN: 'paid',
  SELLER_CONSIGNED_PART: 'shipped',
  WAIT_BUYER_CONFIRM_GOODS: 'shipped',
  TRADE_BUYER_SIGNED: 'shipped',
  TRADE_FINISHED: 'finished',
};

export function tradeStatus(status: string): ChannelOrderStatus {
  if (status.startsWith('TRADE_CLOSED')) return 'cancelled';
  const mapped = STATUS[status];
  if (mapped === undefined) throw new RangeError(`taobao: unknown trade status ${JSON.stringify(status)}`);
  return mapped;
}

function yuan(value: string | undefined, field: string): number {
  if (value === undefined || value === '') return 0;
  try {
    return parseYuan(value);
  } catch (err) {
    throw new RangeError(`${field}: ${(err as Error).message}`);
  }
}

/** tmall_coupon_fee: an integer of 分 (as the SDKs type it); a 元 string is read as such. */
function tmallCouponFen(value: number | string | undefined): number {
  if (value === undefined || value === '') return 0;
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new RangeError(`tmall_coupon_fee: not an integer of fen: ${value}`);
    return value;
  }
  return /^\d+$/.test(value) ? Number(value) : yuan(value, 'tmall_coupon_fee');
}

/** One trade as received from fullinfo.get, as the canonical order with its state. */
export function mapTrade(shop: string, trade: TopTrade, options: TradeMappingOptions = {}): ReceivedOrder {
  const tid = trade.tid_str ?? topId(trade.tid, 'tid');
  const where = `taobao trade ${tid}`;
  if (!trade.buyer_open_uid) throw new RangeError(`${where}: buyer_open_uid missing (ask for it in fields)`);
  const platformPrefixes = options.platformPromotionPrefixes ?? [];
  const orders = topList<TopOrder>(trade.orders, 'order');
  const oids = orders.map((o, i) => topId(o.oid, `${where} orders[${i}].oid`));
  const lineDiscounts: PlatformDiscount[][] = orders.map(() => []);
  const orderDiscounts: PlatformDiscount[] = [];
  topList<TopPromotionDetail>(trade.promotion_details, 'promotion_detail').forEach((detail, i) => {
    const field = `${where} promotion_details[${i}]`;
    const ref = detail.promotion_id || detail.promotion_name || `promotion-${i}`;
    const amountFen = yuan(detail.discount_fee, `${field}.discount_fee`);
    if (amountFen < 0) throw new RangeError(`${field}.discount_fee: negative`);
    const fundedBy = platformPrefixes.some((p) => ref.startsWith(p)) ? 'platform' : 'shop';
    const line = oids.indexOf(topId(detail.id, `${field}.id`));
    (line >= 0 ? lineDiscounts[line]! : orderDiscounts).push({ ref, amountFen, fundedBy });
  });
  const coupon = tmallCouponFen(trade.tmall_coupon_fee);
  if (coupon > 0) orderDiscounts.push({ ref: 'tmall_coupon_fee', amountFen: coupon, fundedBy: 'platform' });
  const subsidy = yuan(trade.platform_subsidy_fee, `${where} platform_subsidy_fee`);
  if (subsidy > 0) orderDiscounts.push({ ref: 'platform_subsidy_fee', amountFen: subsidy, fundedBy: 'platform' });
  const lines: ChannelOrderLine[] = orders.map((o, i) => ({
    sku: o.outer_sku_id || o.outer_iid || `num_iid:${o.num_iid ?? oids[i]}`,
    quantity: o.num,
    unitPriceFen: yuan(o.price, `${where} orders[${i}].price`),
    discounts: lineDiscounts[i]!,
  }));
  const order: ChannelOrder = {
    channel: 'taobao',
    shop,
    orderId: tid,
    buyerKey: trade.buyer_open_uid,
    createdAt: topTimeToUtc(trade.created, `${where} created`),
    paidAt: trade.pay_time ? topTimeToUtc(trade.pay_time, `${where} pay_time`) : null,
    lines,
    discounts: orderDiscounts,
    totals: {
      freightFen: yuan(trade.post_fee, `${where} post_fee`),
      paidFen: yuan(trade.payment, `${where} payment`),
    },
  };
  assertChannelOrder(order);
  return {
    order,
    status: tradeStatus(trade.status),
    updatedAt: topTimeToUtc(trade.modified, `${where} modified`),
    buyerPhoneHash: null,
  };
}

function billAmountFen(amount: number | string, unit: 'fen' | 'yuan', field: string): number {
  if (unit === 'yuan') return yuan(String(amount), field);
  const fen = typeof amount === 'number' ? amount : /^-?\d+$/.test(amount) ? Number(amount) : Number.NaN;
  if (!Number.isSafeInteger(fen)) throw new RangeError(`${field}: not an integer of fen: ${JSON.stringify(amount)}`);
  return fen;
}

export function mapBill(bill: TopBill, options: BillMappingOptions = {}): SettlementLine {
  const bid = topId(bill.bid, 'bill bid');
  const where = `taobao bill ${bid}`;
  const amountFen = billAmountFen(bill.amount, options.billAmountUnit ?? 'fen', `${where} amount`);
  const account = bill.account_id === undefined ? null : topId(bill.account_id, `${where} account_id`);
  const isFee = account !== null && (options.feeAccountIds ?? []).includes(account);
  const at = bill.pay_time || bill.book_time || bill.biz_time;
  if (!at) throw new RangeError(`${where}: no pay_time, book_time or biz_time`);
  const orderSource = bill.trade_id ?? bill.order_id;
  return {
    lineKey: bid,
    orderId: orderSource === undefined ? '' : topId(orderSource, `${where} trade_id`),
    kind: isFee ? 'fee' : amountFen < 0 ? 'refund' : 'settle',
    amountFen,
    settledAt: topTimeToUtc(at, `${where} time`),
  };
}
