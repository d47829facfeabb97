/**
 * The Douyin 抖店 adapter: signed calls to the open-platform gateway (douyin-sign.ts), orders polled with
 * order.searchList and read with order.orderDetail (mapped by douyin-order.ts), settlements read with
 * order.getSettleBillDetailV3. Pushes arrive at douyin-push.ts and are worked off by the intake with fetchOrder.
 *
 * Order polling. The cursor is { from, to, page } in unix seconds: the window [from, to] of update_time is
 * listed ascending by update_time, PAGE_SIZE per page (page numbers start at 0). After a full page the next
 * call starts again at page 0 from the page's newest update_time (keyset paging), not at page + 1: an order
 * that changes while we page leaves the window (its update_time becomes "now") and would shift every later
 * order one place forward, so offset paging would skip one; keyset paging does not, and the changed order is
 * read again in a later window. Only a full page of orders sharing one second falls back to page + 1 within
 * that second. Orders at a page's boundary second are read twice: storing is idempotent. A window ends
 * LAG_S before `now` (the platform's index lags a little) and spans at most WINDOW_S.
 *
 * The list entries lack what the canonical order needs (searchList's sku_order_list carries no campaign_info
 * or promotion_detail, per the SDK's response types), so every listed order is read with orderDetail.
 *
 * Settlement polling. The cursor is { from, to, startIndex, startTime }: a settle-time window of at most
 * SETTLE_WINDOW_S (the platform advises ≤ 7 days), paged with the platform's next_start_index /
 * next_start_time until is_end = 1; windows end SETTLE_LAG_S before `now`.
 */
import pLimit from 'p-limit';
import {
  ChannelApiError,
  type ChannelAdapter,
  type Cursor,
  type OrderPage,
  type SettlementLine,
  type SettlementPage,
} from './port';
import type { AdapterSettings } from './settings';
import { parseLosslessJson, sortedJson, stringParams } from './douyin-json';
import { douyinListedOrder, douyinReceivedOrder, douyinSettlementLines, secondsToChinaTime } from './douyin-order';
import { apiSign, type DouyinSignMethod } from './douyin-sign';

export const DOUYIN_GATEWAY = 'https://openapi-fxg.jinritemai.com';
/** orderDetail calls in flight at once while a page is read (the platform's QPS limit is not published [U]). */
const DETAIL_CONCURRENCY = 4;
export const PAGE_SIZE = 100;
export const WINDOW_S = 6 * 3600;
export const LAG_S = 60;
export const SETTLE_PAGE_SIZE = 100;
export const SETTLE_WINDOW_S = 7 * 86_400;
export const SETTLE_LAG_S = 3600;
export const HTTP_TIMEOUT_MS = 10_000;
/** How long to wait after 60000 isv.traffic-limited (the platform gives no hint; its QPS limits are unknown). */
export const RATE_LIMIT_WAIT_MS = 1000;

const SUCCESS = 10000;
const AUTH_SUB_CODES = new Set([
  'isv.access-token-expired',
  'isv.access-token-no-existed',
  'isv.access-token-invalid',
  'isv.access-token-missing',
  'isv.signature-invalid',
  'isv.app-id-missing',
]);

interface Envelope {
  code: number;
  msg?: string;
  sub_code?: string;
  sub_msg?: string;
  log_id?: string;
  data?: unknown;
}

function num(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value))
    throw new RangeError(`cursor ${field} must be an integer`);
  return value;
}

export function createDouyinAdapter(settings: AdapterSettings): ChannelAdapter {
  const { shop, secret, token } = settings;
  const doFetch = settings.fetch ?? fetch;
  const clock = settings.now ?? (() => new Date());
  const base = (shop.baseUrl ?? DOUYIN_GATEWAY).replace(/\/+$/, '');
  const signMethod: DouyinSignMethod = shop.signMethod === 'md5' ? 'md5' : 'hmac-sha256';
  const fail = (code: string, message: string, kind: ChannelApiError['kind'], retryAfterMs?: number) =>
    new ChannelApiError('douyin', code, message, kind, retryAfterMs);

  /** One signed gateway call; the envelope's data on 10000, else a ChannelApiError. */
  async function call(method: string, params: Record<string, unknown>): Promise<unknown> {
    const paramJson = sortedJson(stringParams(params));
    const timestamp = String(Math.floor(clock().getTime() / 1000));
    const query = new URLSearchParams({
      app_key: shop.appKey,
      method,
      v: '2',
      timestamp,
      sign: apiSign({ appKey: shop.appKey, secret, method, paramJson, timestamp, signMethod }),
      sign_method: signMethod,
    });
    if (token) query.set('access_token', token);
    const url = `${base}/${method.replace(/\./g, '/')}?${query}`;
    let response: Response;
    let text: string;
    try {
      response = await doFetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json;charset=UTF-8', 'x-open-no-old-err-code': '1' },
        body: paramJson,
        signal: AbortSignal.timeout(HTTP_TIMEOUT_MS),
      });
      text = await response.text();
    } catch (err) {
      const timeout = (err as Error).name === 'TimeoutError' || (err as Error).name === 'AbortError';
      throw fail(timeout ? 'timeout' : 'network', `${method}: ${(err as Error).message}`, 'unavailable');
    }
    if (response.status === 429) throw fail('http-429', `${method}: HTTP 429`, 'rate-limited', RATE_LIMIT_WAIT_MS);
    if (response.status >= 500)
      throw fail(`http-${response.status}`, `${method}: HTTP ${response.status}`, 'unavailable');
    let envelope: Envelope;
    try {
      envelope = parseLosslessJson(text) as Envelope;
    } catch {
      throw fail(`http-${response.status}`, `${method}: not JSON (HTTP ${response.status})`, 'unavailable');
    }
    if (typeof envelope?.code !== 'number') {
      throw fail(`http-${response.status}`, `${method}: no envelope code (HTTP ${response.status})`, 'unavailable');
    }
    if (envelope.code === SUCCESS) return envelope.data;
    const sub = envelope.sub_code ?? '';
    const code = sub ? `${envelope.code}/${sub}` : String(envelope.code);
    const message = `${method}: ${envelope.sub_msg || envelope.msg || 'failed'} (log_id ${envelope.log_id ?? '-'})`;
    if (envelope.code === 60000) throw fail(code, message, 'rate-limited', RATE_LIMIT_WAIT_MS);
    if (AUTH_SUB_CODES.has(sub) || envelope.code === 30001 || envelope.code === 50001)
      throw fail(code, message, 'auth');
    if (envelope.code === 20000 || envelope.code === 90000) throw fail(code, message, 'unavailable');
    throw fail(code, message, 'bad-request');
  }

  async function orderDetail(orderId: string) {
    let data: unknown;
    try {
      data = await call('order.orderDetail', { shop_order_id: orderId });
    } catch (err) {
      // 50002 业务处理失败 is what the gateway answers for an order it does not know [U: sub code unconfirmed].
      if (err instanceof ChannelApiError && err.code.startsWith('50002')) return null;
      throw err;
    }
    const detail = (data as { shop_order_detail?: unknown } | null)?.shop_order_detail;
    if (!detail) return null;
    try {
      return douyinReceivedOrder(shop.shop, detail);
    } catch (err) {
      throw fail('mapping', `order.orderDetail ${orderId}: ${(err as Error).message}`, 'bad-request');
    }
  }

  return {
    channel: 'douyin',
    shop: shop.shop,

    async pollOrders(cursor: Cursor | null, now: Date): Promise<OrderPage> {
      const nowS = Math.floor(now.getTime() / 1000);
      const from = cursor ? num(cursor.from, 'from') : Math.floor((now.getTime() - shop.firstLookback) / 1000);
      const page = cursor ? num(cursor.page ?? 0, 'page') : 0;
      const to = cursor && cursor.to != null ? num(cursor.to, 'to') : Math.min(from + WINDOW_S, nowS - LAG_S);
      if (to <= from) return { orders: [], cursor: { from, to: null, page: 0 }, more: false };
      const data = (await call('order.searchList', {
        update_time_start: from,
        update_time_end: to,
        order_by: 'update_time',
        order_asc: true,
        page,
        size: PAGE_SIZE,
      })) as { total?: number; shop_order_list?: unknown[] } | null;
      let listed: { order_id: string; update_time: number }[];
      try {
        listed = (data?.shop_order_list ?? []).map((entry) => douyinListedOrder.parse(entry));
      } catch (err) {
        throw fail('mapping', `order.searchList: ${(err as Error).message}`, 'bad-request');
      }
      const limit = pLimit(DETAIL_CONCURRENCY);
      const details = await Promise.all(listed.map((entry) => limit(() => orderDetail(entry.order_id))));
      const orders = details.filter((received) => received !== null);
      const total = typeof data?.total === 'number' ? data.total : 0;
      const full = listed.length >= PAGE_SIZE && (page + 1) * PAGE_SIZE < total;
      if (!full) {
        return { orders, cursor: { from: to, to: null, page: 0 }, more: to < nowS - LAG_S };
      }
      const newest = Math.max(...listed.map((entry) => entry.update_time));
      const next = newest > from ? { from: newest, to, page: 0 } : { from, to, page: page + 1 };
      return { orders, cursor: next, more: true };
    },

    fetchOrder: orderDetail,

    async pollSettlements(cursor: Cursor | null, now: Date): Promise<SettlementPage> {
      const nowS = Math.floor(now.getTime() / 1000);
      const from = cursor ? num(cursor.from, 'from') : Math.floor((now.getTime() - shop.firstLookback) / 1000);
      const to =
        cursor && cursor.to != null ? num(cursor.to, 'to') : Math.min(from + SETTLE_WINDOW_S, nowS - SETTLE_LAG_S);
      const done = { from: to, to: null, startIndex: null, startTime: null };
      if (to <= from) return { lines: [], cursor: { ...done, from }, more: false };
      const startIndex = typeof cursor?.startIndex === 'string' ? cursor.startIndex : null;
      const startTime = typeof cursor?.startTime === 'string' ? cursor.startTime : secondsToChinaTime(from);
      const data = (await call('order.getSettleBillDetailV3', {
        size: SETTLE_PAGE_SIZE,
        start_time: startTime,
        end_time: secondsToChinaTime(to),
        time_type: 0,
        start_index: startIndex,
      })) as {
        code?: string;
        code_msg?: string;
        data?: unknown[];
        next_start_index?: string;
        next_start_time?: string;
        is_end?: number;
      } | null;
      if (data?.code !== '100000') {
        throw fail(
          `settle-${data?.code ?? 'none'}`,
          `order.getSettleBillDetailV3: ${data?.code_msg ?? 'failed'}`,
          'unavailable',
        );
      }
      let lines: SettlementLine[];
      try {
        lines = (data.data ?? []).flatMap((row) => douyinSettlementLines(row));
      } catch (err) {
        throw fail('mapping', `order.getSettleBillDetailV3: ${(err as Error).message}`, 'bad-request');
      }
      const nextIndex = data.next_start_index ?? null;
      const stuck = (data.data ?? []).length === 0 && nextIndex === startIndex;
      if (Number(data.is_end) === 1 || stuck || !nextIndex) {
        return { lines, cursor: done, more: to < nowS - SETTLE_LAG_S };
      }
      return {
        lines,
        cursor: { from, to, startIndex: nextIndex, startTime: data.next_start_time ?? startTime },
        more: true,
      };
    },
  };
}
