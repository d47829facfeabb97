/**
 * The JD 京东 JOS channel adapter (../shared/protocols/channels.md §1.3). JD has no order push that could be
 * verified, so orders are polled: jingdong.pop.order.search by modified time (dateType 0) in windows, and
 * jingdong.pop.order.get for one order. JOS has no known settlement-bill API: JD settlements arrive as
 * uploaded 京麦 bill exports (integrations/channels/settlement-export.ts), so pollSettlements reads nothing.
 *
 * Signing: every parameter but `sign` that is not empty, sorted by name, concatenated as name+value, wrapped
 * in the app secret, MD5, upper-case hex. `timestamp` is China wall-clock "yyyy-MM-dd HH:mm:ss".
 *
 * Paging without loss. A window [from, to] (to at most WINDOW_MS after from, and LAG_MS behind now) is read
 * by keyset, not by page number: after a full page in ascending modified order the next request starts at the
 * page's last modified time (its rows at that second are read again, harmlessly); if JD answers in
 * descending order (sortType is documented as "1 = desc" only), the window's upper bound moves down to the
 * page's oldest modified time instead. Only a page whose rows all share one second moves to the next page
 * number. An order modified while a window is read gets a modified time after the window and is read by a
 * later window; nothing shifts under a page number, so nothing is skipped. The cursor is saved with each page,
 * so a restart repeats at most that one page.
 */
import { createHash } from 'node:crypto';
import type { ReceivedOrder } from '../../domain/channels/received';
import {
  JD_ORDER_FIELDS,
  JD_ORDER_STATES,
  JdOrderError,
  type JdOrderInfo,
  receivedJdOrder,
  utcToChinaTime,
  chinaTimeToUtc,
} from './jd-order';
import { type ChannelAdapter, ChannelApiError, type Cursor, type OrderPage } from './port';
import type { AdapterSettings } from './settings';

const GATEWAY = 'https://api.jd.com/routerjson';
/** The width of one search window. JOS allows at most one month [U]; a day keeps each window's pages few. */
export const WINDOW_MS = 24 * 3600_000;
/** How far behind now a window ends, so that orders JD is still writing are not passed by. */
export const LAG_MS = 60_000;
/** JOS refuses page_size above 100. */
export const PAGE_SIZE = 100;
/** Modified-time searches see about three months back [U]; an older cursor starts here instead. */
export const LOOKBACK_MS = 89 * 86_400_000;
const REQUEST_TIMEOUT_MS = 30_000;

/**
 * JOS error codes by what they mean for us. UNCONFIRMED [U]: the numbers are the ones the test fake answers;
 * JOS's own list was not found. Unknown codes are read from the English description, else 'unavailable'.
 */
export const JOS_ERROR_KINDS: Readonly<Record<string, ChannelApiError['kind']>> = {
  '19': 'auth', // access_token invalid or expired
  '20': 'auth', // signature invalid
  '21': 'auth', // app_key unknown
  '22': 'bad-request', // timestamp out of range
  '30': 'bad-request', // missing or invalid arguments
  '74': 'rate-limited', // the app's daily call quota is used up
};

/** The JOS request signature: upper-case MD5(secret + sorted name+value of non-empty params + secret). */
export function signJos(params: Record<string, string>, secret: string): string {
  const body = Object.keys(params)
    .filter((k) => k !== 'sign' && params[k] !== undefined && params[k] !== '')
    .sort()
    .map((k) => `${k}${params[k]}`)
    .join('');
  return createHash('md5').update(`${secret}${body}${secret}`, 'utf8').digest('hex').toUpperCase();
}

/** Milliseconds from `now` to the next midnight in China (JOS daily quotas reset then [U]). */
export function msToChinaMidnight(now: Date): number {
  const day = 86_400_000;
  const china = now.getTime() + 8 * 3600_000;
  return day - (((china % day) + day) % day);
}

interface WindowCursor {
  /** UTC ISO: the window's lower bound (inclusive). */
  from: string;
  /** UTC ISO: the window's end, or null between windows. */
  to: string | null;
  /** UTC ISO: the upper bound of the next request (below `to` only when JD answers newest first). */
  upper: string | null;
  page: number;
}

function readCursor(cursor: Cursor): WindowCursor {
  const { from, to, upper, page } = cursor;
  const iso = (v: unknown) => typeof v === 'string' && !Number.isNaN(Date.parse(v));
  if (!iso(from) || (to !== null && !iso(to)) || (upper !== null && !iso(upper)) || typeof page !== 'number') {
    throw new ChannelApiError('jd', 'cursor', `unreadable cursor ${JSON.stringify(cursor)}`, 'bad-request');
  }
  return { from: from as string, to: (to as string | null) ?? null, upper: (upper as string | null) ?? null, page };
}

const toSecond = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');

interface SearchResult {
  orderInfoList?: JdOrderInfo[];
  orderTotal?: number | string;
  apiResult?: ApiResult;
}
interface ApiResult {
  success?: boolean | string;
  englishErrCode?: string;
  chineseErrCode?: string;
  numberCode?: number | string;
}

export function createJdAdapter(settings: AdapterSettings): ChannelAdapter {
  const { shop, secret, token } = settings;
  const doFetch = settings.fetch ?? fetch;
  const clock = settings.now ?? (() => new Date());
  const base = shop.baseUrl ?? GATEWAY;
  const url = /\/routerjson\/?$/.test(base) ? base : `${base.replace(/\/$/, '')}/routerjson`;

  const failure = (code: string, message: string, kind: ChannelApiError['kind']) =>
    new ChannelApiError('jd', code, message, kind, kind === 'rate-limited' ? msToChinaMidnight(clock()) : undefined);

  /** One signed JOS call; the answer's body, or a ChannelApiError. */
  async function call(method: string, business: Record<string, unknown>): Promise<Record<string, unknown>> {
    const params: Record<string, string> = {
      method,
      app_key: shop.appKey,
      timestamp: utcToChinaTime(clock()),
      v: '2.0',
      '360buy_param_json': JSON.stringify(business),
    };
    if (token) params.access_token = token;
    params.sign = signJos(params, secret);
    let response: Response;
    try {
      response = await doFetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded;charset=UTF-8' },
        body: new URLSearchParams(params).toString(),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
    } catch (err) {
      throw failure('network', `${method}: ${(err as Error).message}`, 'unavailable');
    }
    const text = await response.text().catch(() => '');
    if (response.status !== 200)
      throw failure(`http-${response.status}`, `${method}: ${text.slice(0, 200)}`, 'unavailable');
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      throw failure('not-json', `${method}: ${text.slice(0, 200)}`, 'unavailable');
    }
    const error = body.error_response as { code?: unknown; zh_desc?: string; en_desc?: string } | undefined;
    if (error) {
      const code = String(error.code ?? '');
      const words = `${error.en_desc ?? ''} ${error.zh_desc ?? ''}`.trim();
      throw failure(code, `${method}: ${words}`, errorKind(code, error.en_desc ?? ''));
    }
    return body;
  }

  function checkApiResult(method: string, result: ApiResult | undefined): void {
    if (!result) throw failure('no-api-result', `${method}: the answer has no apiResult`, 'unavailable');
    if (result.success === true || result.success === 'true') return;
    const code = String(result.numberCode ?? result.englishErrCode ?? 'api-result');
    throw failure(
      code,
      `${method}: ${result.englishErrCode ?? ''} ${result.chineseErrCode ?? ''}`.trim(),
      'bad-request',
    );
  }

  function received(info: JdOrderInfo): ReceivedOrder {
    try {
      return receivedJdOrder(info, shop.shop);
    } catch (err) {
      if (err instanceof JdOrderError) throw failure('order', err.message, 'bad-request');
      throw err;
    }
  }

  async function search(from: string, upper: string, page: number): Promise<JdOrderInfo[]> {
    const method = 'jingdong.pop.order.search';
    const body = await call(method, {
      start_date: utcToChinaTime(new Date(from)),
      end_date: utcToChinaTime(new Date(upper)),
      order_state: JD_ORDER_STATES.join(','),
      optional_fields: JD_ORDER_FIELDS.join(','),
      page: String(page),
      page_size: String(PAGE_SIZE),
      sortType: '0',
      dateType: '0',
    });
    const wrapper = body.jingdong_pop_order_search_responce as { searchorderinfo_result?: SearchResult } | undefined;
    const result = wrapper?.searchorderinfo_result;
    if (!result)
      throw failure('no-result', `${method}: unexpected answer ${JSON.stringify(body).slice(0, 200)}`, 'unavailable');
    checkApiResult(method, result.apiResult);
    return result.orderInfoList ?? [];
  }

  return {
    channel: 'jd',
    shop: shop.shop,

    async pollOrders(cursor, now): Promise<OrderPage> {
      const latest = now.getTime() - LAG_MS;
      let at: WindowCursor = cursor
        ? readCursor(cursor)
        : { from: toSecond(now.getTime() - shop.firstLookback), to: null, upper: null, page: 1 };
      if (at.to === null) {
        // Orders modified before JD's lookback cannot be searched any more; start where JD still answers.
        const from = Math.max(Date.parse(at.from), now.getTime() - LOOKBACK_MS);
        if (from >= latest) return { orders: [], cursor: { ...at, from: toSecond(from) }, more: false };
        const to = toSecond(Math.min(from + WINDOW_MS, latest));
        at = { from: toSecond(from), to, upper: to, page: 1 };
      }
      const to = at.to!;
      const list = await search(at.from, at.upper ?? to, at.page);
      const orders = list.map(received);
      if (list.length < PAGE_SIZE) {
        // The window is read: the next one starts at its end (that second again: a bound JD may include or not).
        const next: WindowCursor = { from: to, to: null, upper: null, page: 1 };
        return { orders, cursor: { ...next }, more: Date.parse(to) < toSecondMs(latest) };
      }
      const first = Date.parse(orders[0]!.updatedAt);
      const last = Date.parse(orders.at(-1)!.updatedAt);
      let next: WindowCursor;
      if (first < last) next = { ...at, from: toSecond(last), page: 1 };
      else if (first > last) next = { ...at, upper: toSecond(last), page: 1 };
      else next = { ...at, page: at.page + 1 };
      return { orders, cursor: { ...next }, more: true };
    },

    async fetchOrder(orderId) {
      const method = 'jingdong.pop.order.get';
      const body = await call(method, { order_id: orderId, optional_fields: JD_ORDER_FIELDS.join(',') });
      const wrapper = body.jingdong_pop_order_get_responce as
        | { orderDetailInfo?: { orderInfo?: JdOrderInfo | null; apiResult?: ApiResult } }
        | undefined;
      const detail = wrapper?.orderDetailInfo;
      if (!detail)
        throw failure('no-result', `${method}: unexpected answer ${JSON.stringify(body).slice(0, 200)}`, 'unavailable');
      checkApiResult(method, detail.apiResult);
      return detail.orderInfo ? received(detail.orderInfo) : null;
    },

    async pollSettlements(_cursor, now) {
      // No JOS bill API is known [U]: JD settlements come from uploaded 京麦 bill exports.
      return { lines: [], cursor: { source: 'upload', checkedAt: now.toISOString() }, more: false };
    },
  };
}

const toSecondMs = (ms: number) => Math.floor(ms / 1000) * 1000;

function errorKind(code: string, english: string): ChannelApiError['kind'] {
  const known = JOS_ERROR_KINDS[code];
  if (known) return known;
  if (/limit|quota|exceed/i.test(english)) return 'rate-limited';
  if (/sign|token|session|app.?key|authori/i.test(english)) return 'auth';
  if (/param|argument|invalid/i.test(english)) return 'bad-request';
  return 'unavailable';
}

/** For tests and tools: the JOS time of an instant and back. */
export { chinaTimeToUtc, utcToChinaTime };
