/**
 * A JD JOS order (jingdong.pop.order.search / .get, `orderInfo`) to the canonical ChannelOrder
 * (domain/channels/order.ts). Money is a 元 string ("299.00") parsed with parseYuan; times are China
 * wall-clock strings "yyyy-MM-dd HH:mm:ss" converted with an explicit +08:00.
 * Field meanings: ../shared/protocols/channels.md §1.3.
 */
import { assertChannelOrder, type ChannelOrder, type ChannelOrderLine, type Funder } from '../../domain/channels/order';
import type { PlatformDiscount } from '../../domain/channels/order';
import { parseYuan } from '../../domain/channels/money';
import type { ChannelOrderStatus, ReceivedOrder } from '../../domain/channels/received';

/** The order fields asked for (`optional_fields`): JOS returns only those named. */
export const JD_ORDER_FIELDS = [
  'orderId',
  'venderId',
  'orderType',
  'orderTotalPrice',
  'orderSellerPrice',
  'orderPayment',
  'freightPrice',
  'sellerDiscount',
  'orderState',
  'orderStartTime',
  'modified',
  'paymentConfirmTime',
  'pin',
  'open_id_buyer',
  'xid_buyer',
  'itemInfoList',
  'couponDetailList',
] as const;

/** The order states polled: every state JOS documents for POP orders (unpaid orders are not listed by JOS). */
export const JD_ORDER_STATES = [
  'WAIT_SELLER_STOCK_OUT',
  'WAIT_GOODS_RECEIVE_CONFIRM',
  'FINISHED_L',
  'TRADE_CANCELED',
  'LOCKED',
  'PAUSE',
] as const;

/**
 * JOS order states in our vocabulary. LOCKED (an order held, e.g. while a cancellation is asked for) and
 * PAUSE / POP_ORDER_PAUSE (held by JD) are paid orders not yet shipped: they count as 'paid' until JD moves
 * them on (to TRADE_CANCELED, or back to WAIT_SELLER_STOCK_OUT). WAIT_SELLER_DELIVERY is the cross-border
 * "waiting for domestic shipping" of 海外购 shops: paid.
 */
const STATUS: Record<string, ChannelOrderStatus> = {
  WAIT_SELLER_STOCK_OUT: 'paid',
  WAIT_SELLER_DELIVERY: 'paid',
  WAIT_GOODS_RECEIVE_CONFIRM: 'shipped',
  FINISHED_L: 'finished',
  TRADE_CANCELED: 'cancelled',
  LOCKED: 'paid',
  PAUSE: 'paid',
  POP_ORDER_PAUSE: 'paid',
};

/**
 * Who funds a JD coupon, by `couponType` (JOS sends the code, sometimes with its name: "30-单品促销优惠").
 * The enumeration as public JOS SDKs document it: 20 套装优惠 (bundle), 28 闪团优惠 (flash group), 29 团购优惠
 * (group buy), 30 单品促销优惠 (single-item promotion; the only type with a skuId), 34 手机红包 (mobile red
 * packet), 35 满返满送 (cash back, order level), 39 京豆优惠 (JD beans), 41 京东券优惠 (JD coupon), 52 礼品卡优惠
 * (gift card), 100 店铺优惠 (shop discount, order level).
 * UNCONFIRMED: JOS documents no funder. JD beans, gift cards and mobile red packets are JD's own currencies
 * (JD pays the shop for them), so they are 'platform'; a 京东券 may be a shop's 东券 or JD's 京券 and cannot be
 * told apart here, so it stays 'shop' with every other or unknown type. Change this table when finance knows.
 */
export const JD_COUPON_FUNDERS: Readonly<Record<string, Funder>> = {
  '34': 'platform',
  '39': 'platform',
  '52': 'platform',
};
const DEFAULT_COUPON_FUNDER: Funder = 'shop';

export interface JdItemInfo {
  skuId?: string;
  outerSkuId?: string;
  skuName?: string;
  jdPrice?: string;
  itemTotal?: string;
  wareId?: string;
}

export interface JdCouponDetail {
  orderId?: string;
  skuId?: string;
  couponType?: string;
  couponPrice?: string;
}

/** An `orderInfo` as JOS sends it (only the fields used; numbers may arrive as strings or numbers). */
export interface JdOrderInfo {
  orderId?: string | number;
  venderId?: string | number;
  orderTotalPrice?: string;
  orderSellerPrice?: string;
  orderPayment?: string;
  freightPrice?: string;
  sellerDiscount?: string;
  orderState?: string;
  orderStartTime?: string;
  modified?: string;
  paymentConfirmTime?: string;
  pin?: string;
  open_id_buyer?: string;
  xid_buyer?: string;
  itemInfoList?: JdItemInfo[];
  couponDetailList?: JdCouponDetail[];
}

/** An order JOS sent that cannot be read; names the order and the field. */
export class JdOrderError extends Error {
  constructor(orderId: string, field: string, why: string) {
    super(`jd order ${orderId}: ${field} ${why}`);
    this.name = 'JdOrderError';
  }
}

const CHINA_TIME = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})$/;

/** "2026-01-31 23:59:59" (China) → "2026-01-31T15:59:59Z"; null for anything else. */
export function chinaTimeToUtc(text: string): string | null {
  const m = CHINA_TIME.exec(text.trim());
  if (!m) return null;
  const ms = Date.parse(`${m[1]}T${m[2]}+08:00`);
  if (Number.isNaN(ms)) return null;
  const iso = new Date(ms).toISOString().replace('.000Z', 'Z');
  // Date.parse rolls 2026-02-30 over to March: refuse what does not read back the same.
  return utcToChinaTime(new Date(ms)) === `${m[1]} ${m[2]}` ? iso : null;
}

/** An instant as China wall-clock "yyyy-MM-dd HH:mm:ss" (the JOS timestamp and date format). */
export function utcToChinaTime(instant: Date): string {
  return new Date(instant.getTime() + 8 * 3600_000).toISOString().slice(0, 19).replace('T', ' ');
}

/** The leading code of a couponType ("30-单品促销优惠" → "30", "100" → "100"). */
export function couponCode(couponType: string | undefined): string {
  const m = /^\s*(\d+)/.exec(couponType ?? '');
  return m ? m[1]! : (couponType ?? '').trim() || 'unknown';
}

export function couponFunder(code: string): Funder {
  return JD_COUPON_FUNDERS[code] ?? DEFAULT_COUPON_FUNDER;
}

/** One JOS orderInfo as a received order of `shop`. Throws JdOrderError on a field it cannot read. */
export function receivedJdOrder(info: JdOrderInfo, shop: string): ReceivedOrder {
  const orderId = String(info.orderId ?? '').trim();
  if (orderId === '') throw new JdOrderError('(no id)', 'orderId', 'is missing');
  const fail = (field: string, why: string): never => {
    throw new JdOrderError(orderId, field, why);
  };
  const yuan = (value: string | undefined, field: string, optional = false): number => {
    if ((value === undefined || value === '') && optional) return 0;
    if (value === undefined) return fail(field, 'is missing');
    try {
      return parseYuan(String(value).trim());
    } catch (err) {
      return fail(field, (err as Error).message);
    }
  };
  const time = (value: string | undefined, field: string): string => {
    const utc = value === undefined ? null : chinaTimeToUtc(value);
    return utc ?? fail(field, `is not a "yyyy-MM-dd HH:mm:ss" time: ${JSON.stringify(value)}`);
  };

  const items = info.itemInfoList ?? [];
  const lines: Array<ChannelOrderLine & { skuId: string }> = items.map((item, i) => {
    const quantity = Number(item.itemTotal);
    if (!Number.isSafeInteger(quantity) || quantity <= 0)
      fail(`itemInfoList[${i}].itemTotal`, 'must be a whole number above 0');
    const outer = (item.outerSkuId ?? '').trim();
    const skuId = String(item.skuId ?? '').trim();
    return {
      // The seller's outer SKU as sent; a line without one gets JD's sku id, marked so it never matches a material.
      sku: outer !== '' ? outer : `jd-sku:${skuId}`,
      quantity,
      unitPriceFen: yuan(item.jdPrice, `itemInfoList[${i}].jdPrice`),
      discounts: [],
      skuId,
    };
  });

  const orderDiscounts: PlatformDiscount[] = [];
  let shopCouponsFen = 0;
  for (const [i, coupon] of (info.couponDetailList ?? []).entries()) {
    const code = couponCode(coupon.couponType);
    const amountFen = yuan(coupon.couponPrice, `couponDetailList[${i}].couponPrice`);
    if (amountFen < 0) fail(`couponDetailList[${i}].couponPrice`, 'is negative');
    if (amountFen === 0) continue;
    const fundedBy = couponFunder(code);
    if (fundedBy === 'shop') shopCouponsFen += amountFen;
    const skuId = String(coupon.skuId ?? '').trim();
    const line = skuId === '' ? undefined : lines.find((l) => l.skuId === skuId);
    if (line) line.discounts.push({ ref: `coupon-${code}:${skuId}`, amountFen, fundedBy });
    else orderDiscounts.push({ ref: `coupon-${code}:${skuId === '' ? 'order' : skuId}`, amountFen, fundedBy });
  }
  // sellerDiscount is the shop's whole discount; what its coupons do not explain is an order-level shop discount.
  const sellerDiscountFen = yuan(info.sellerDiscount, 'sellerDiscount', true);
  if (sellerDiscountFen > shopCouponsFen) {
    orderDiscounts.push({ ref: 'seller-discount', amountFen: sellerDiscountFen - shopCouponsFen, fundedBy: 'shop' });
  }

  const state = String(info.orderState ?? '');
  const paidAtText = (info.paymentConfirmTime ?? '').trim();
  const paidAt = paidAtText === '' || paidAtText.startsWith('0000') ? null : time(paidAtText, 'paymentConfirmTime');
  // A state JOS adds later: paid when JD says when it was paid, else unpaid; never refused.
  const status = STATUS[state] ?? (paidAt ? 'paid' : 'unpaid');
  const buyerKey = [info.open_id_buyer, info.xid_buyer, info.pin].map((v) => (v ?? '').trim()).find((v) => v !== '');

  const order: ChannelOrder = {
    channel: 'jd',
    shop,
    orderId,
    buyerKey: buyerKey ?? '',
    createdAt: time(info.orderStartTime, 'orderStartTime'),
    paidAt,
    lines: lines.map(({ skuId: _skuId, ...line }) => line),
    discounts: orderDiscounts,
    totals: {
      freightFen: yuan(info.freightPrice, 'freightPrice', true),
      paidFen: yuan(info.orderPayment, 'orderPayment'),
    },
  };
  try {
    assertChannelOrder(order);
  } catch (err) {
    throw new JdOrderError(orderId, 'order', (err as Error).message);
  }
  return { order, status, updatedAt: time(info.modified, 'modified'), buyerPhoneHash: null };
}
