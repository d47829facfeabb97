/** What a channel adapter hands over (integrations/channels/port.ts): orders with their platform state, settlement lines. */
import type { ChannelOrder } from './order';

/** An adapter-owned polling position (a time window, a page, a platform's start index), stored as JSON. */
export type Cursor = { [key: string]: string | number | boolean | null };

/** What the platform says an order's state is, in one vocabulary. */
export type ChannelOrderStatus = 'unpaid' | 'paid' | 'shipped' | 'finished' | 'cancelled';

export interface ReceivedOrder {
  order: ChannelOrder;
  status: ChannelOrderStatus;
  /** The platform's own last-modified instant (UTC ISO): a copy older than the stored one is ignored. */
  updatedAt: string;
  /** sha256 hex of the buyer's mainland mobile number when the platform gives it in the clear; null otherwise. */
  buyerPhoneHash: string | null;
}

export type SettlementKind = 'settle' | 'refund' | 'fee' | 'adjust';

/** One line of a platform's settlement statement (or of an uploaded settlement export). */
export interface SettlementLine {
  /** Unique within the channel, stable across re-reads (Douyin request_no, Taobao bid, JD bill line id). */
  lineKey: string;
  /** The platform order id it settles (the same id as ChannelOrder.orderId). */
  orderId: string;
  kind: SettlementKind;
  /** Signed 分: what the plant receives (settle, positive) or gives back (refund, fee: negative). */
  amountFen: number;
  /** UTC ISO instant. */
  settledAt: string;
}
