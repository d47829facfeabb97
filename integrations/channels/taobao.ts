/**
 * The Taobao/Tmall TOP adapter (../shared/protocols/channels.md §1.2). Tmall shops use channel 'taobao'.
 *
 * Calls: a form POST to `<baseUrl>/router/rest` (default https://eco.taobao.com/router/rest) with the system
 * parameters method, app_key, session, timestamp (China time), format=json, v=2.0, sign_method (the shop's
 * signMethod, default md5) and sign (taobao-sign.ts). 10 s per call. `error_response` codes become a
 * ChannelApiError: 7 rate-limited (retryAfterMs from "This ban will last for N more seconds"), 25/27/29 auth
 * (signature, session, app key), 31 auth (our clock is off by more than 10 minutes), 40/41 bad-request, the rest
 * unavailable (as are timeouts, network errors and non-JSON answers).
 *
 * Orders (pollOrders): taobao.trades.sold.increment.get over windows of at most 30 minutes of `modified`, never
 * later than now − 2 minutes. The platform lists a window in DESCENDING modified order; an order modified while we
 * page leaves the window (its new modified is after the window's end), which shifts the rows behind it one place
 * towards page 1. Read forwards, the row that slips onto the page just read is lost; read from the last page back
 * to page 1, a shift only moves rows already read onto the next page to read (read twice, stored once). So each
 * window is counted first (page 1, total_results), then read from its last page backwards, one page per call.
 * The cursor is { start, end, page }: the window and the next page to read (null: the window is not opened yet);
 * a restart resumes there and repeats at most that window's remaining pages, never skips.
 * The increment list is used for the tids only: promotion_details, tmall_coupon_fee and the order lines in full
 * come from taobao.trade.fullinfo.get, called per tid (the increment API is not documented to return
 * promotion_details [U]; reading each trade in full also gives the state as of now, and a copy older than the
 * stored one changes nothing). A trade that cannot be mapped (an unknown status, a malformed amount) fails the page
 * with an error naming the trade and field, and the cursor stays: nothing is skipped silently.
 *
 * Messages: taobao.tmc.messages.consume / confirm (TMC over HTTP). A message whose content names no tid is
 * confirmed at once and not handed over (nothing to re-read). Unconfirmed messages come again later.
 *
 * Settlements: taobao.bill.bills.get by pay time (time_type 2) over windows of at most one day (never later than
 * now − 10 minutes), paged forwards 100 lines a page (bill lines of a past window do not change). The cursor is
 * { start, page }.
 */
import pLimit from 'p-limit';
import type { Cursor, ReceivedOrder, SettlementLine } from '../../domain/channels/received';
import { ChannelApiError, type ChannelAdapter, type ChannelMessage, type OrderPage, type SettlementPage } from './port';
import type { AdapterSettings } from './settings';
import {
  type BillMappingOptions,
  mapBill,
  mapTrade,
  type TopBill,
  type TopTrade,
  type TradeMappingOptions,
  topId,
  topList,
} from './taobao-order';
import { formatTopTime, parseTopJson, signTopRequest, type TopSignMethod } from './taobao-sign';

export const TAOBAO_GATEWAY = 'https://eco.taobao.com';
export const TAOBAO_TIMEOUT_MS = 10_000;
/** Orders: the longest window of one increment call (TOP recommends ≤ 30 minutes, allows one day). */
export const ORDER_WINDOW_MS = 30 * 60_000;
/** Orders: how far behind now the newest window ends (the platform's index lags a little behind its writes). */
export const ORDER_SAFETY_LAG_MS = 2 * 60_000;
export const ORDER_PAGE_SIZE = 100;
export const BILL_WINDOW_MS = 24 * 3600_000;
export const BILL_SAFETY_LAG_MS = 10 * 60_000;
export const BILL_PAGE_SIZE = 100;
/** The unit of taobao.bill.bills.get `amount` until the platform confirms it [U]. */
export const BILL_AMOUNT_UNIT: 'fen' | 'yuan' = 'fen';
/** Trades read in full at the same time. */
const FULLINFO_CONCURRENCY = 4;

const INCREMENT_FIELDS = 'tid,modified,status';
export const TRADE_FIELDS = [
  'tid',
  'tid_str',
  'status',
  'type',
  'created',
  'modified',
  'pay_time',
  'buyer_open_uid',
  'payment',
  'total_fee',
  'post_fee',
  'discount_fee',
  'adjust_fee',
  'tmall_coupon_fee',
  'platform_subsidy_fee',
  'promotion_details',
  'orders',
].join(',');
const BILL_FIELDS = 'bid,account_id,trade_id,order_id,amount,total_amount,biz_time,pay_time,book_time,status';

export interface TaobaoOptions extends TradeMappingOptions, BillMappingOptions {
  /** The hash of sign_method=hmac: MD5 as the official SDKs (default); SHA-256 as one third-party port [U]. */
  hmacHash?: 'md5' | 'sha256';
  timeoutMs?: number;
}

export interface TaobaoAdapter extends ChannelAdapter {
  /** taobao.trade.invoice.amount.get: what to invoice the consumer and the platform, in 分. */
  invoiceAmounts(tid: string): Promise<{ consumerFen: number; platformFen: number }>;
}

type TopParams = Record<string, string | number | boolean | undefined>;

export function createTaobaoAdapter(settings: AdapterSettings, options: TaobaoOptions = {}): TaobaoAdapter {
  const { shop } = settings;
  const fetchImpl = settings.fetch ?? fetch;
  const clock = settings.now ?? (() => new Date());
  const signMethod: TopSignMethod = shop.signMethod ?? 'md5';
  const url = `${(shop.baseUrl ?? TAOBAO_GATEWAY).replace(/\/+$/, '')}/router/rest`;
  const timeoutMs = options.timeoutMs ?? TAOBAO_TIMEOUT_MS;
  const billOptions: BillMappingOptions = { billAmountUnit: BILL_AMOUNT_UNIT, ...options };

  const fail = (code: string, message: string, kind: ChannelApiError['kind'], retryAfterMs?: number) =>
    new ChannelApiError('taobao', code, message, kind, retryAfterMs);

  async function call(method: string, business: TopParams): Promise<Record<string, unknown>> {
    const params: Record<string, string> = {
      method,
      app_key: shop.appKey,
      sign_method: signMethod,
      timestamp: formatTopTime(clock()),
      format: 'json',
      v: '2.0',
    };
    if (settings.token) params.session = settings.token;
    for (const [key, value] of Object.entries(business)) if (value !== undefined) params[key] = String(value);
    params.sign = signTopRequest(params, settings.secret, signMethod, options.hmacHash ?? 'md5');
    const signal = AbortSignal.timeout(timeoutMs);
    let status: number;
    let text: string;
    try {
      const response = await fetchImpl(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded;charset=utf-8' },
        body: new URLSearchParams(params).toString(),
        signal,
      });
      status = response.status;
      text = await response.text();
    } catch (err) {
      if (signal.aborted) throw fail('timeout', `${method}: no answer within ${timeoutMs} ms`, 'unavailable');
      throw fail('network', `${method}: ${(err as Error).message}`, 'unavailable');
    }
    if (status < 200 || status >= 300) throw fail(`http-${status}`, `${method}: HTTP ${status}`, 'unavailable');
    let body: Record<string, unknown>;
    try {
      body = parseTopJson(text) as Record<string, unknown>;
    } catch {
      throw fail('json', `${method}: the answer is not JSON`, 'unavailable');
    }
    if (body === null || typeof body !== 'object')
      throw fail('json', `${method}: the answer is not an object`, 'unavailable');
    const error = body.error_response as Record<string, unknown> | undefined;
    if (error) throw topError(method, error);
    const key = `${method.replace(/^taobao\./, '').replace(/\./g, '_')}_response`;
    const reply = body[key];
    if (reply === null || typeof reply !== 'object')
      throw fail('shape', `${method}: no ${key} in the answer`, 'unavailable');
    return reply as Record<string, unknown>;
  }

  function topError(method: string, error: Record<string, unknown>): ChannelApiError {
    const code = String(error.code ?? '');
    const text = [error.msg, error.sub_code, error.sub_msg].filter((v) => v !== undefined && v !== '').join(' / ');
    const message = `${method}: ${text}`;
    switch (code) {
      case '7': {
        const seconds = /(\d+) more seconds?/.exec(`${error.msg ?? ''} ${error.sub_msg ?? ''}`);
        return fail(code, message, 'rate-limited', seconds ? Number(seconds[1]) * 1000 : 1000);
      }
      case '25':
      case '27':
      case '29':
        return fail(code, message, 'auth');
      case '31':
        return fail(code, `${message} (is this machine's clock right?)`, 'auth');
      case '40':
      case '41':
        return fail(code, message, 'bad-request');
      default:
        return fail(code, message, 'unavailable');
    }
  }

  async function fullinfo(tid: string): Promise<ReceivedOrder | null> {
    try {
      const reply = await call('taobao.trade.fullinfo.get', { tid, fields: TRADE_FIELDS });
      const trade = reply.trade as TopTrade | undefined;
      return trade ? mapTrade(shop.shop, trade, options) : null;
    } catch (err) {
      // TOP answers an unknown tid with a business error whose sub_code names it [U: the exact sub_code].
      if (err instanceof ChannelApiError && err.kind === 'unavailable' && /not[-_ ]?exist/i.test(err.message))
        return null;
      throw err;
    }
  }

  async function increment(start: number, end: number, page: number) {
    const reply = await call('taobao.trades.sold.increment.get', {
      // One second of overlap with the previous window: the boundary second is read by both (stored once),
      // whether the platform treats start_modified as inclusive or not [U].
      start_modified: formatTopTime(new Date(start - 1000)),
      end_modified: formatTopTime(new Date(end)),
      fields: INCREMENT_FIELDS,
      page_no: page,
      page_size: ORDER_PAGE_SIZE,
      use_has_next: false,
    });
    const trades = topList<{ tid: unknown }>(reply.trades as never, 'trade');
    const total = Number(reply.total_results ?? 0);
    return { tids: trades.map((t, i) => topId(t.tid, `increment trades[${i}].tid`)), total };
  }

  async function readInFull(tids: string[]): Promise<ReceivedOrder[]> {
    const limit = pLimit(FULLINFO_CONCURRENCY);
    const unique = [...new Set(tids)];
    const copies = await Promise.all(unique.map((tid) => limit(() => fullinfo(tid))));
    return copies.filter((copy): copy is ReceivedOrder => copy !== null);
  }

  return {
    channel: 'taobao',
    shop: shop.shop,

    async pollOrders(cursor: Cursor | null, now: Date): Promise<OrderPage> {
      const latest = now.getTime() - ORDER_SAFETY_LAG_MS;
      const state = readOrderCursor(cursor, now.getTime() - shop.firstLookback);
      if (state.page === null) {
        const end = Math.min(state.start + ORDER_WINDOW_MS, latest);
        if (end <= state.start) return { orders: [], cursor: orderCursor(state.start, null, null), more: false };
        const first = await increment(state.start, end, 1);
        const pages = Math.ceil(first.total / ORDER_PAGE_SIZE);
        if (pages <= 1) {
          const orders = await readInFull(first.tids);
          return { orders, cursor: orderCursor(end, null, null), more: end < latest };
        }
        // Counted: read from the last page back to page 1, one page a call.
        return readPage(state.start, end, pages, latest);
      }
      return readPage(state.start, state.end, state.page, latest);
    },

    fetchOrder: fullinfo,

    async pollSettlements(cursor: Cursor | null, now: Date): Promise<SettlementPage> {
      const latest = now.getTime() - BILL_SAFETY_LAG_MS;
      const start = typeof cursor?.start === 'string' ? Date.parse(cursor.start) : now.getTime() - shop.firstLookback;
      if (Number.isNaN(start)) throw new RangeError(`taobao settlements cursor: bad start ${String(cursor?.start)}`);
      const page = typeof cursor?.page === 'number' && cursor.page >= 1 ? cursor.page : 1;
      const end = Math.min(start + BILL_WINDOW_MS, latest);
      if (end <= start) return { lines: [], cursor: { start: iso(start), page: 1 }, more: false };
      const reply = await call('taobao.bill.bills.get', {
        start_time: formatTopTime(new Date(start)),
        end_time: formatTopTime(new Date(end)),
        time_type: 2,
        fields: BILL_FIELDS,
        page_no: page,
        page_size: BILL_PAGE_SIZE,
      });
      const bills = topList<TopBill>(reply.bills as never, 'bill_dto');
      const lines: SettlementLine[] = bills.map((bill) => mapBill(bill, billOptions));
      const total = Number(reply.total_results ?? 0);
      const hasNext = reply.has_next === true || reply.has_next === 'true' || page * BILL_PAGE_SIZE < total;
      if (hasNext && bills.length > 0) return { lines, cursor: { start: iso(start), page: page + 1 }, more: true };
      return { lines, cursor: { start: iso(end), page: 1 }, more: end < latest };
    },

    async pullMessages(max: number) {
      const quantity = Math.min(200, Math.max(10, Math.floor(max)));
      const reply = await call('taobao.tmc.messages.consume', { quantity, group_name: 'default' });
      const raw = topList<Record<string, unknown>>(reply.messages as never, 'tmc_message');
      const messages: ChannelMessage[] = [];
      const noOrder: string[] = [];
      for (const [i, m] of raw.entries()) {
        const id = topId(m.id, `tmc message ${i} id`);
        // The same message twice in one batch is handed over once (stored once either way).
        if (messages.some((held) => held.messageId === id)) continue;
        const payload = typeof m.content === 'string' ? safeParse(m.content) : (m.content ?? null);
        const tid =
          payload !== null && typeof payload === 'object' ? (payload as Record<string, unknown>).tid : undefined;
        if (tid === undefined || tid === null || tid === '') {
          noOrder.push(id);
          continue;
        }
        // Beyond `max`: left unconfirmed, the platform sends them again.
        if (messages.length < max)
          messages.push({
            messageId: id,
            orderId: topId(tid, `tmc message ${id} tid`),
            topic: String(m.topic ?? ''),
            payload,
          });
      }
      if (noOrder.length > 0) await confirm(noOrder);
      return { messages, confirm };
    },

    async invoiceAmounts(tid: string) {
      const reply = await call('taobao.trade.invoice.amount.get', { tid });
      const fen = (v: unknown, field: string) => {
        const n = typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : v;
        if (typeof n !== 'number' || !Number.isSafeInteger(n)) throw new RangeError(`${field}: not fen: ${String(v)}`);
        return n;
      };
      return {
        consumerFen: fen(reply.consumer_invoice_amount, 'consumer_invoice_amount'),
        platformFen: fen(reply.platform_invoice_amount, 'platform_invoice_amount'),
      };
    },
  };

  async function confirm(ids: string[]): Promise<void> {
    for (let i = 0; i < ids.length; i += 200) {
      await call('taobao.tmc.messages.confirm', {
        s_message_ids: ids.slice(i, i + 200).join(','),
        group_name: 'default',
      });
    }
  }

  async function readPage(start: number, end: number, page: number, latest: number): Promise<OrderPage> {
    const { tids } = await increment(start, end, page);
    const orders = await readInFull(tids);
    if (page > 1) return { orders, cursor: orderCursor(start, end, page - 1), more: true };
    return { orders, cursor: orderCursor(end, null, null), more: end < latest };
  }
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function orderCursor(start: number, end: number | null, page: number | null): Cursor {
  return { start: iso(start), end: end === null ? null : iso(end), page };
}

function readOrderCursor(cursor: Cursor | null, firstStart: number) {
  if (cursor === null || cursor.start === undefined) return { start: firstStart, end: 0, page: null };
  const start = typeof cursor.start === 'string' ? Date.parse(cursor.start) : Number.NaN;
  if (Number.isNaN(start)) throw new RangeError(`taobao orders cursor: bad start ${String(cursor.start)}`);
  if (typeof cursor.page === 'number' && cursor.page >= 1 && typeof cursor.end === 'string') {
    const end = Date.parse(cursor.end);
    if (Number.isNaN(end)) throw new RangeError(`taobao orders cursor: bad end ${cursor.end}`);
    return { start, end, page: cursor.page };
  }
  return { start, end: 0, page: null as number | null };
}

function safeParse(content: string): unknown {
  try {
    return parseTopJson(content);
  } catch {
    return null;
  }
}
