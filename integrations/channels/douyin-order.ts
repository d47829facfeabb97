/**
 * Douyin order.orderDetail and getSettleBillDetailV3 rows → the canonical order and settlement lines.
 *
 * Orders (shop_order_detail):
 * - orderId = the shop order id (`order_id` of the detail, = `shop_order_id` / a push's `p_id`); buyerKey =
 *   doudian_open_id (or `order:<id>` when the platform sends none, so unrelated orders never share a buyer).
 * - Money is integer 分 on the wire (checked with assertFen); seconds → UTC ISO.
 * - A line per sku_order_list entry; sku = out_sku_id, else code (the seller's outer code as sent: the intake
 *   maps it to a material code). quantity = item_num. `origin_amount` is the unit's current price (activity
 *   price included) and `sum_amount` = origin_amount × item_num (the SDK's field docs). When the two disagree,
 *   sum_amount is the line total that counts: its unit price is sum_amount / item_num when that divides, else
 *   the line is split in two lines of the same sku (⌊total/n⌋ and ⌊total/n⌋+1 分) so the line total stays exact.
 * - Discounts per line from promotion_detail: shop_discount_detail → 'shop', platform_discount_detail →
 *   'platform', kol_discount_detail → 'talent'; a coupon is `coupon-<coupon_type>:<coupon_id>`, a full
 *   discount `campaign-<campaign_type>:<campaign_id>`, a red packet `redpack:<sku order id>`.
 *   campaign_info (限时特卖, 达人专属价…) is already inside origin_amount (Douyin: "活动金额会体现到商品价格中"),
 *   so it is listed as `campaign:<campaign_id>` with amountFen 0: visible for matching a rule's platformRef, never
 *   deducted twice. Its funder is campaign_sub_type (0 shop, 1 platform).
 * - freight = post_amount, paid = pay_amount; buyerPhoneHash null (receiver data is encrypted).
 * Status: 1 unpaid; 105, 2 paid; 101, 3 shipped; 5 finished; 4 cancelled.
 *
 * Settlement lines (one bill row → lines whose sum is exactly the row's settle_amount, 商家实收):
 * - trade_type 0 (已结算): `settle` = total_income, then one `fee` line per non-zero fee (commission,
 *   platform_service_fee, colonel_service_fee, channel_promotion_fee, other_sharing_amount,
 *   good_learn_channel_fee) as a negative amount, and an `adjust` line for whatever the fees do not explain
 *   (total_income − fees ≠ settle_amount), so Σ lines = settle_amount.
 * - trade_type 1, 3 (结算后退款): one `refund` line of −|settle_amount|.
 * - trade_type 2 (保证金退款) and anything else: one `adjust` line of settle_amount as sent.
 * lineKey = `<request_no>:<order_id (sub-order)>` plus `:<fee>` for the split parts; orderId = shop_order_id;
 * settledAt = settle_time, China wall-clock "yyyy-MM-dd HH:mm:ss" read as +08:00.
 */
import { z } from 'zod';
import { assertFen } from '../../domain/channels/money';
import {
  assertChannelOrder,
  type ChannelOrder,
  type ChannelOrderLine,
  type Funder,
  type PlatformDiscount,
} from '../../domain/channels/order';
import type { ChannelOrderStatus, ReceivedOrder, SettlementLine } from '../../domain/channels/received';

const id = z.union([z.string(), z.number()]).transform(String);
const fen = z.number().int();
const opt = (schema: z.ZodType<number>) => schema.optional().default(0);

const couponInfo = z.looseObject({ coupon_id: id, coupon_type: z.number().int(), coupon_amount: fen });
const fullDiscountInfo = z.looseObject({
  campaign_id: id.optional(),
  campaign_type: z.number().int(),
  campaign_amount: fen,
});
const discountDetail = z.looseObject({
  coupon_info: z.array(couponInfo).nullish(),
  full_discount_info: z.array(fullDiscountInfo).nullish(),
  redpack_amount: fen.nullish(),
});
const skuOrder = z.looseObject({
  order_id: id,
  out_sku_id: z.string().nullish(),
  code: z.string().nullish(),
  item_num: z.number().int(),
  origin_amount: fen,
  sum_amount: fen.nullish(),
  campaign_info: z
    .array(
      z.looseObject({
        campaign_id: id,
        campaign_type: z.number().int().nullish(),
        campaign_sub_type: z.number().nullish(),
      }),
    )
    .nullish(),
  promotion_detail: z
    .looseObject({
      shop_discount_detail: discountDetail.nullish(),
      platform_discount_detail: discountDetail.nullish(),
      kol_discount_detail: discountDetail.nullish(),
    })
    .nullish(),
});
export const douyinOrderDetail = z.looseObject({
  order_id: id,
  order_status: z.number().int(),
  create_time: z.number().int(),
  pay_time: z.number().int().nullish(),
  update_time: z.number().int(),
  pay_amount: fen,
  post_amount: opt(fen),
  doudian_open_id: z.string().nullish(),
  sku_order_list: z.array(skuOrder),
});
export type DouyinOrderDetail = z.infer<typeof douyinOrderDetail>;

/** One entry of order.searchList's shop_order_list: only what paging needs (details are read per order). */
export const douyinListedOrder = z.looseObject({ order_id: id, update_time: z.number().int() });

export const douyinSettleRow = z.looseObject({
  settle_time: z.string(),
  request_no: id,
  shop_order_id: id,
  order_id: id,
  settle_amount: fen,
  trade_type: z.number().int(),
  total_income: opt(fen),
  commission: opt(fen),
  platform_service_fee: opt(fen),
  colonel_service_fee: opt(fen),
  channel_promotion_fee: opt(fen),
  other_sharing_amount: opt(fen),
  good_learn_channel_fee: opt(fen),
});
export type DouyinSettleRow = z.infer<typeof douyinSettleRow>;

const STATUS: Record<number, ChannelOrderStatus> = {
  1: 'unpaid',
  105: 'paid',
  2: 'paid',
  101: 'shipped',
  3: 'shipped',
  5: 'finished',
  4: 'cancelled',
};

/** Unix seconds → "2026-02-24T02:00:00Z". */
export function secondsToIso(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');
}

/** "2026-02-24 10:00:00" (China time) → "2026-02-24T02:00:00Z"; throws on anything else. */
export function chinaTimeToIso(text: string): string {
  if (!/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(text))
    throw new RangeError(`not a time "yyyy-MM-dd HH:mm:ss": ${text}`);
  const at = new Date(`${text.replace(' ', 'T')}+08:00`);
  if (Number.isNaN(at.getTime())) throw new RangeError(`not a time: ${text}`);
  return at.toISOString().replace('.000Z', 'Z');
}

/** Unix seconds → "yyyy-MM-dd HH:mm:ss" China time. */
export function secondsToChinaTime(seconds: number): string {
  return new Date((seconds + 8 * 3600) * 1000).toISOString().slice(0, 19).replace('T', ' ');
}

function lineDiscounts(sku: z.infer<typeof skuOrder>): PlatformDiscount[] {
  const out: PlatformDiscount[] = [];
  for (const c of sku.campaign_info ?? []) {
    out.push({
      ref: `campaign:${c.campaign_id}`,
      amountFen: 0,
      fundedBy: c.campaign_sub_type === 1 ? 'platform' : 'shop',
    });
  }
  const details: [Funder, z.infer<typeof discountDetail> | null | undefined][] = [
    ['shop', sku.promotion_detail?.shop_discount_detail],
    ['platform', sku.promotion_detail?.platform_discount_detail],
    ['talent', sku.promotion_detail?.kol_discount_detail],
  ];
  for (const [fundedBy, detail] of details) {
    if (!detail) continue;
    for (const c of detail.coupon_info ?? []) {
      assertFen(c.coupon_amount, 'coupon_amount');
      out.push({ ref: `coupon-${c.coupon_type}:${c.coupon_id}`, amountFen: c.coupon_amount, fundedBy });
    }
    for (const f of detail.full_discount_info ?? []) {
      assertFen(f.campaign_amount, 'campaign_amount');
      out.push({
        ref: `campaign-${f.campaign_type}:${f.campaign_id ?? sku.order_id}`,
        amountFen: f.campaign_amount,
        fundedBy,
      });
    }
    if (detail.redpack_amount) out.push({ ref: `redpack:${sku.order_id}`, amountFen: detail.redpack_amount, fundedBy });
  }
  return out;
}

function skuLines(sku: z.infer<typeof skuOrder>, orderId: string): ChannelOrderLine[] {
  const code = sku.out_sku_id || sku.code;
  if (!code) throw new RangeError(`order ${orderId}: sku order ${sku.order_id} has neither out_sku_id nor code`);
  assertFen(sku.origin_amount, 'origin_amount');
  const n = sku.item_num;
  const total = sku.sum_amount ?? sku.origin_amount * n;
  assertFen(total, 'sum_amount');
  const discounts = lineDiscounts(sku);
  if (n <= 0) return [{ sku: code, quantity: n, unitPriceFen: sku.origin_amount, discounts }];
  if (total === sku.origin_amount * n) return [{ sku: code, quantity: n, unitPriceFen: sku.origin_amount, discounts }];
  const base = Math.floor(total / n);
  const rest = total - base * n;
  if (rest === 0) return [{ sku: code, quantity: n, unitPriceFen: base, discounts }];
  return [
    { sku: code, quantity: n - rest, unitPriceFen: base, discounts },
    { sku: code, quantity: rest, unitPriceFen: base + 1, discounts: [] },
  ];
}

/** The canonical order of a Douyin shop order detail; throws RangeError when it cannot be mapped. */
export function douyinReceivedOrder(shop: string, raw: unknown): ReceivedOrder {
  const detail = douyinOrderDetail.parse(raw);
  const status = STATUS[detail.order_status];
  if (!status) throw new RangeError(`order ${detail.order_id}: unknown order_status ${detail.order_status}`);
  assertFen(detail.pay_amount, 'pay_amount');
  assertFen(detail.post_amount, 'post_amount');
  const order: ChannelOrder = {
    channel: 'douyin',
    shop,
    orderId: detail.order_id,
    buyerKey: detail.doudian_open_id || `order:${detail.order_id}`,
    createdAt: secondsToIso(detail.create_time),
    paidAt: detail.pay_time ? secondsToIso(detail.pay_time) : null,
    lines: detail.sku_order_list.flatMap((sku) => skuLines(sku, detail.order_id)),
    discounts: [],
    totals: { freightFen: detail.post_amount, paidFen: detail.pay_amount },
  };
  assertChannelOrder(order);
  return { order, status, updatedAt: secondsToIso(detail.update_time), buyerPhoneHash: null };
}

const FEES = [
  'commission',
  'platform_service_fee',
  'colonel_service_fee',
  'channel_promotion_fee',
  'other_sharing_amount',
  'good_learn_channel_fee',
] as const;

/** The settlement lines of one bill row; their amounts add up to the row's settle_amount. */
export function douyinSettlementLines(raw: unknown): SettlementLine[] {
  const row = douyinSettleRow.parse(raw);
  assertFen(row.settle_amount, 'settle_amount');
  const key = `${row.request_no}:${row.order_id}`;
  const base = { orderId: row.shop_order_id, settledAt: chinaTimeToIso(row.settle_time) };
  if (row.trade_type === 1 || row.trade_type === 3) {
    return [{ ...base, lineKey: key, kind: 'refund', amountFen: -Math.abs(row.settle_amount) }];
  }
  if (row.trade_type !== 0) return [{ ...base, lineKey: key, kind: 'adjust', amountFen: row.settle_amount }];
  const lines: SettlementLine[] = [{ ...base, lineKey: key, kind: 'settle', amountFen: row.total_income }];
  for (const fee of FEES) {
    const amount = row[fee];
    assertFen(amount, fee);
    if (amount !== 0) lines.push({ ...base, lineKey: `${key}:${fee}`, kind: 'fee', amountFen: -Math.abs(amount) });
  }
  const rest = row.settle_amount - lines.reduce((sum, line) => sum + line.amountFen, 0);
  if (rest !== 0) lines.push({ ...base, lineKey: `${key}:adjust`, kind: 'adjust', amountFen: rest });
  return lines;
}
