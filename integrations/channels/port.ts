/**
 * The one port every e-commerce channel adapter (Douyin, Taobao/Tmall, JD) implements. Adapters speak the
 * platform's wire format (signing, paging, error codes) and hand back canonical orders (domain/channels/order.ts)
 * and settlement lines; storing them, evaluating the rule pool and reconciling are the same for every channel
 * (handlers/channel-intake.ts, db/channel-orders.ts).
 *
 * Cursors are opaque JSON owned by each adapter (a time window, a page, a platform's start index). The intake
 * saves the returned cursor in the same transaction as the page's orders, so a restart resumes after the last
 * stored page: orders may be read twice (storing is idempotent), never skipped.
 */
import type { Channel } from '../../domain/channels/order';
import type { Cursor, ReceivedOrder, SettlementLine } from '../../domain/channels/received';

export type {
  ChannelOrderStatus,
  Cursor,
  ReceivedOrder,
  SettlementKind,
  SettlementLine,
} from '../../domain/channels/received';

export interface OrderPage {
  orders: ReceivedOrder[];
  /** Saved with the page; given back on the next call. */
  cursor: Cursor;
  /** true when there is more to read now; false when caught up (the next poll waits for pollEvery). */
  more: boolean;
}

export interface SettlementPage {
  lines: SettlementLine[];
  cursor: Cursor;
  more: boolean;
}

/** A message the platform pushed (Douyin message push) or queued for us (Taobao TMC): an order to re-read. */
export interface ChannelMessage {
  messageId: string;
  orderId: string;
  /** The platform's topic or tag, e.g. "doudian_trade_TradeCreate" / "100", "taobao_trade_TradeBuyerPay". */
  topic: string;
  payload: unknown;
}

export interface ChannelAdapter {
  readonly channel: Channel;
  /** ChannelShopConfig.shop */
  readonly shop: string;
  /** The next page of orders changed since `cursor` (null: the shop's first poll, from `now − firstLookback`). */
  pollOrders(cursor: Cursor | null, now: Date): Promise<OrderPage>;
  /** One order read in full, e.g. after a push; null when the platform does not know it. */
  fetchOrder(orderId: string): Promise<ReceivedOrder | null>;
  /** The next page of settlement lines since `cursor`; platforms without a settlement API return none (uploads). */
  pollSettlements(cursor: Cursor | null, now: Date): Promise<SettlementPage>;
  /**
   * Platforms that queue messages for us to pull (Taobao TMC over HTTP): up to `max` messages, and how to confirm
   * them once stored. Platforms that push (Douyin) or have neither (JD) leave it out.
   */
  pullMessages?(max: number): Promise<{ messages: ChannelMessage[]; confirm(ids: string[]): Promise<void> }>;
}

/** A platform call that failed: `retryAfterMs` for rate limits, `auth` when the shop's credentials need fixing. */
export class ChannelApiError extends Error {
  constructor(
    readonly channel: Channel,
    readonly code: string,
    message: string,
    readonly kind: 'rate-limited' | 'auth' | 'bad-request' | 'unavailable',
    readonly retryAfterMs?: number,
  ) {
    super(`${channel} ${code}: ${message}`);
    this.name = 'ChannelApiError';
  }
}
