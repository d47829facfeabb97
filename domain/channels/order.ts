/**
 * The canonical channel order: what every channel adapter (Douyin, Taobao/Tmall, JD) produces, and
 * what the rule evaluation and reconciliation read. Money is integer 分; instants are UTC ISO strings
 * ("2026-01-31T15:59:59Z"); platform times in GMT+8 are converted by the adapter.
 * Tmall orders come through the Taobao TOP API and use channel 'taobao'.
 */

export type Channel = 'douyin' | 'taobao' | 'jd';

/** Who pays for a discount. Only 'shop' lowers the plant's revenue (see rules.ts, expectedInvoiceFen). */
export type Funder = 'shop' | 'platform' | 'talent';

/** A discount the platform reports it applied (Douyin campaign/coupon, Taobao promotion_details, JD coupon). */
export interface PlatformDiscount {
  /** The platform's identifier, prefixed by kind as the adapter chooses, e.g. "mjs-123024_211143". */
  ref: string;
  amountFen: number;
  fundedBy: Funder;
}

export interface ChannelOrderLine {
  /** Our material code when the outer SKU maps to one, else the seller's outer SKU code as sent. */
  sku: string;
  /** A positive integer. */
  quantity: number;
  /** The platform's current unit price (activity prices already included, as Douyin's origin_amount). */
  unitPriceFen: number;
  /** Platform-reported discounts on this line. */
  discounts: PlatformDiscount[];
}

export interface ChannelOrder {
  channel: Channel;
  shop: string;
  /** The platform's order id (Douyin shop_order_id, Taobao tid, JD orderId). */
  orderId: string;
  /** The platform-scoped buyer id (doudian_open_id, buyer_open_uid, open_id_buyer); never matched across channels. */
  buyerKey: string;
  createdAt: string;
  /** null while unpaid. */
  paidAt: string | null;
  lines: ChannelOrderLine[];
  /** Platform-reported order-level discounts (not split per line by the platform). */
  discounts: PlatformDiscount[];
  /** The totals as the platform reports them; not recomputed here. */
  totals: {
    freightFen: number;
    /** What the buyer paid (Douyin pay_amount, Taobao payment, JD orderPayment). */
    paidFen: number;
  };
}

/** quantity × unit price. */
export function lineAmountFen(line: ChannelOrderLine): number {
  return line.quantity * line.unitPriceFen;
}

/** Σ quantity × unit price over all lines. */
export function goodsSubtotalFen(order: ChannelOrder): number {
  return order.lines.reduce((sum, line) => sum + lineAmountFen(line), 0);
}

/** Every platform-reported discount, per line first (in line order), then order-level. */
export function allPlatformDiscounts(order: ChannelOrder): PlatformDiscount[] {
  return [...order.lines.flatMap((line) => line.discounts), ...order.discounts];
}

/** Throws a RangeError naming the field when the order breaks the invariants above. */
export function assertChannelOrder(order: ChannelOrder): void {
  const fail = (field: string, why: string): never => {
    throw new RangeError(`order ${order.orderId}: ${field} ${why}`);
  };
  const fen = (v: number, field: string) => {
    if (!Number.isSafeInteger(v) || v < 0) fail(field, 'must be a non-negative integer number of fen');
  };
  if (!isUtcInstant(order.createdAt)) fail('createdAt', 'must be a UTC ISO instant');
  if (order.paidAt !== null && !isUtcInstant(order.paidAt)) fail('paidAt', 'must be a UTC ISO instant or null');
  order.lines.forEach((line, i) => {
    if (!Number.isSafeInteger(line.quantity) || line.quantity <= 0)
      fail(`lines[${i}].quantity`, 'must be a positive integer');
    fen(line.unitPriceFen, `lines[${i}].unitPriceFen`);
    if (!Number.isSafeInteger(lineAmountFen(line))) fail(`lines[${i}]`, 'amount too large');
    for (const [j, d] of line.discounts.entries()) fen(d.amountFen, `lines[${i}].discounts[${j}].amountFen`);
  });
  for (const [j, d] of order.discounts.entries()) fen(d.amountFen, `discounts[${j}].amountFen`);
  fen(order.totals.freightFen, 'totals.freightFen');
  fen(order.totals.paidFen, 'totals.paidFen');
}

const UTC_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?Z$/;

export function isUtcInstant(s: string): boolean {
  return UTC_INSTANT.test(s) && !Number.isNaN(Date.parse(s));
}
