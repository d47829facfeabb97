import { createHash } from 'node:crypto';
import type { Queryable } from '../../db/client';
import { storeChannelOrders } from '../../db/channel-orders';
import { channelRules } from '../../db/schema';
import type { Channel } from '../../domain/channels/order';
import type { ReceivedOrder } from '../../domain/channels/received';
import { type ChannelRule, evaluateRules } from '../../domain/channels/rules';

/** 抖音满减 (DY-MJ50: 满299减50 on BRK-2026-01/02) and 京东PLUS价 (JD-PLUS: 10% off), which exclude each other. */
export const RULES: ChannelRule[] = [
  {
    code: 'DY-MJ50',
    version: 1,
    label: '抖音满299减50',
    channel: 'douyin',
    shop: null,
    skuScope: { include: ['BRK-2026-01', 'BRK-2026-02'], exclude: [] },
    conditions: { minSubtotalFen: 29900 },
    benefit: { type: 'fixed_off', amountFen: 5000 },
    target: 'order',
    allocation: 'across',
    priority: 10,
    stackGroup: null,
    combinesWith: { item: true, order: true },
    exclusiveWith: ['JD-PLUS'],
    stopFurther: false,
    window: { from: '2026-02-01 00:00:00', to: '2026-03-01 00:00:00', basis: 'pay' },
    fundedBy: 'shop',
    platformRef: null,
  },
  {
    code: 'JD-PLUS',
    version: 1,
    label: '京东PLUS会员价',
    channel: 'jd',
    shop: null,
    skuScope: { include: [], exclude: [] },
    conditions: {},
    benefit: { type: 'percent_off', basisPoints: 1000 },
    target: 'item',
    allocation: 'each',
    priority: 10,
    stackGroup: null,
    combinesWith: { item: true, order: true },
    exclusiveWith: [],
    stopFurther: false,
    window: { from: '2026-02-01 00:00:00', to: '2026-03-01 00:00:00', basis: 'pay' },
    fundedBy: 'shop',
    platformRef: null,
  },
];

export async function insertRules(db: Queryable, now: Date, rules = RULES): Promise<void> {
  await db.insert(channelRules).values(
    rules.map((rule) => ({
      code: rule.code,
      version: rule.version,
      status: 'active' as const,
      rule,
      budget: null,
      source: 'test',
      createdAt: now,
    })),
  );
}

export const phoneHash = (digits: string) => createHash('sha256').update(digits).digest('hex');

export function received(a: {
  channel: Channel;
  orderId: string;
  buyerKey: string;
  paidAt: string;
  lines: Array<[sku: string, quantity: number, unitPriceFen: number]>;
  shop?: string;
  phone?: string;
  status?: ReceivedOrder['status'];
}): ReceivedOrder {
  const goods = a.lines.reduce((s, [, q, p]) => s + q * p, 0);
  return {
    order: {
      channel: a.channel,
      shop: a.shop ?? `${a.channel}-shop-1`,
      orderId: a.orderId,
      buyerKey: a.buyerKey,
      createdAt: a.paidAt,
      paidAt: a.paidAt,
      lines: a.lines.map(([sku, quantity, unitPriceFen]) => ({ sku, quantity, unitPriceFen, discounts: [] })),
      discounts: [],
      totals: { freightFen: 0, paidFen: goods },
    },
    status: a.status ?? 'paid',
    updatedAt: a.paidAt,
    buyerPhoneHash: a.phone ? phoneHash(a.phone) : null,
  };
}

/** Stores copies as the intake does, each evaluated against the rules. */
export function store(db: Queryable, copies: ReceivedOrder[], now: Date, rules = RULES) {
  return storeChannelOrders(db, copies, {
    source: 'push',
    now,
    evaluate: (copy) => (copy.order.paidAt ? evaluateRules(copy.order, rules) : null),
  });
}
