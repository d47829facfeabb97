import { OrderbotError } from '../../core/errors';
import { createHash } from 'node:crypto';
import { carrierCode, guessCarrier, PHONE_REQUIRED_CARRIERS } from './carriers';

/**
 * 快递100 real-time query (实时快递查询): POST form-urlencoded `customer`, `param`, `sign` to
 * `https://poll.kuaidi100.com/poll/query.do`. One call per `track()`; no retries here (each query is billed
 * and 快递100 locks waybills queried too often), the caller decides when to retry.
 */

export const KUAIDI100_BASE_URL = 'https://poll.kuaidi100.com';
export const KUAIDI100_QUERY_PATH = '/poll/query.do';

/** Query one waybill no more often than this; 快递100 may lock waybills polled more often. Enforced by the caller. */
export const MIN_POLL_INTERVAL_MS = 30 * 60_000;

export type TrackingState =
  | 'in-transit'
  | 'picked-up'
  | 'problem'
  | 'delivered'
  | 'refused'
  | 'out-for-delivery'
  | 'returned';

export interface TrackingEvent {
  /** ISO 8601 with +08:00 (快递100 times are China local time); the raw text when it cannot be parsed. */
  at: string;
  text: string;
}

export interface TrackingFound {
  state: TrackingState;
  /** True once 快递100 reports the parcel signed for (state 3 or a 3xx sub-state, or ischeck=1 unless refused/returned). */
  signed: boolean;
  /** 快递100's own `state` value, e.g. "3", kept for logs and for codes we map coarsely. */
  rawState: string;
  /** The newest event. */
  lastEvent?: TrackingEvent;
  /** All events, newest first. */
  events: TrackingEvent[];
  carrier: string;
  waybill: string;
}

export interface TrackingNoInfo {
  /** 快递100 has no trace yet (returnCode 500 查询无结果), or the number does not belong to this carrier. */
  state: 'no-info';
  carrier: string;
  waybill: string;
}

export type Tracking = TrackingFound | TrackingNoInfo;

export interface TrackArgs {
  /** Carrier name as written ('顺丰', '中通快递'), abbreviation ('SF') or 快递100 code ('shunfeng'). Empty: guessed from the waybill prefix. */
  carrier: string;
  waybill: string;
  /** Sender's or recipient's phone, full or last 4 digits; required for 顺丰 and 中通. Never logged in full. */
  phone?: string;
}

export type CourierErrorCode =
  | 'NETWORK'
  | 'TIMEOUT'
  | 'HTTP_ERROR'
  | 'BAD_RESPONSE'
  | 'UNKNOWN_CARRIER'
  | 'PHONE_REQUIRED'
  | 'PHONE_MISMATCH'
  | 'BAD_REQUEST'
  | 'SERVER_ERROR'
  | 'SERVER_BUSY'
  | 'SIGN_FAILED'
  | 'KEY_EXPIRED'
  | 'UNKNOWN';

export class CourierError extends OrderbotError {
  declare readonly code: CourierErrorCode;
  /** 快递100 `returnCode` (or `status`) when the answer carried one. */
  readonly returnCode: string | undefined;
  /** HTTP status when an answer arrived. */
  readonly status: number | undefined;

  constructor(args: {
    code: CourierErrorCode;
    message: string;
    retryable: boolean;
    returnCode?: string;
    status?: number;
    cause?: unknown;
  }) {
    super(`[courier:kuaidi100] ${args.code}: ${args.message}`, args);
    this.returnCode = args.returnCode;
    this.status = args.status;
  }
}

/**
 * What each `returnCode` of a `{result:false, returnCode, message}` answer means to us. The one place to change
 * when 快递100 behaves differently; `confirmed: false` rows come from a single field report, see README.
 */
export const RETURN_CODES: Readonly<
  Record<
    string,
    | { outcome: 'no-info' }
    | { outcome: 'error'; code: CourierErrorCode; retryable: boolean; confirmed: boolean; meaning: string }
  >
> = {
  '400': {
    outcome: 'error',
    code: 'BAD_REQUEST',
    retryable: false,
    confirmed: true,
    meaning: '提交数据不完整 / 找不到对应公司 / 账号未授权',
  },
  '408': {
    outcome: 'error',
    code: 'PHONE_MISMATCH',
    retryable: false,
    confirmed: false,
    meaning: '快递公司参数异常：验证码错误 (phone missing or wrong)',
  },
  '500': { outcome: 'no-info' },
  '501': { outcome: 'error', code: 'SERVER_ERROR', retryable: true, confirmed: true, meaning: '服务器错误' },
  '502': { outcome: 'error', code: 'SERVER_BUSY', retryable: true, confirmed: true, meaning: '服务器繁忙' },
  '503': { outcome: 'error', code: 'SIGN_FAILED', retryable: false, confirmed: true, meaning: '验证签名失败' },
  '601': {
    outcome: 'error',
    code: 'KEY_EXPIRED',
    retryable: false,
    confirmed: true,
    meaning: 'key 已过期 / 没有可用单量',
  },
};

/** 快递100 `state` -> ours. Unknown codes are treated as in transit. */
const STATES: Readonly<Record<string, TrackingState>> = {
  '0': 'in-transit',
  '1': 'picked-up',
  '2': 'problem',
  '3': 'delivered',
  '4': 'refused', // 退签
  '5': 'out-for-delivery',
  '6': 'returned',
  '7': 'in-transit', // 转投 / 转单
  '8': 'in-transit', // 清关
  '10': 'in-transit', // 待清关
  '11': 'in-transit', // 清关中
  '12': 'in-transit', // 已清关
  '13': 'problem', // 清关异常
  '14': 'refused', // 收件人拒签
};

/** Maps a 快递100 state; 3-digit sub-states (resultv2, e.g. 301 本人签收, 501 投柜) map by their first digit. */
export function mapState(raw: string): TrackingState {
  const s = raw.trim();
  const exact = STATES[s];
  if (exact) return exact;
  if (/^[1-6]\d{2}$/.test(s)) return STATES[s.charAt(0)] ?? 'in-transit';
  return 'in-transit';
}

/** Upper-case hex MD5 of param + key + customer. */
export function kuaidi100Sign(param: string, key: string, customer: string): string {
  return createHash('md5')
    .update(param + key + customer, 'utf8')
    .digest('hex')
    .toUpperCase();
}

/** Strips spaces, dashes and a +86 / 0086 prefix; keeps what the caller has (full number or last 4 digits). */
export function normalizePhone(phone: string): string {
  const compact = phone.replace(/[\s\-()]/g, '');
  return /^(?:\+86|0086)\d{7,}$/.test(compact) ? compact.replace(/^(?:\+86|0086)/, '') : compact;
}

/** 13812345678 -> 138****5678; short values (e.g. last 4 digits) -> ****. */
export function maskPhone(phone: string): string {
  const p = normalizePhone(phone);
  return p.length >= 7 ? `${p.slice(0, 3)}****${p.slice(-4)}` : '****';
}

/** China local "YYYY-MM-DD HH:mm:ss" -> ISO with +08:00; anything else is returned trimmed. */
export function chinaTimeToIso(time: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}(?::\d{2})?)$/.exec(time.trim());
  if (!m) return time.trim();
  const hms = m[2]!.length === 5 ? `${m[2]}:00` : m[2]!;
  return `${m[1]}T${hms}+08:00`;
}

export interface Kuaidi100Options {
  /** 授权码 (customer). */
  customer: string;
  /** 授权 key; only used for the sign, never logged. */
  key: string;
  /** Default https://poll.kuaidi100.com; the path /poll/query.do is appended unless already there. */
  baseUrl?: string;
  /** Whole request including the body (default 5000). */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const text = (v: unknown): string | undefined =>
  typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;

export class Kuaidi100Client {
  private readonly customer: string;
  private readonly key: string;
  private readonly url: string;
  private readonly timeoutMs: number;
  private readonly fetchFn: typeof fetch;

  constructor(options: Kuaidi100Options) {
    this.customer = options.customer;
    this.key = options.key;
    const base = (options.baseUrl ?? KUAIDI100_BASE_URL).replace(/\/+$/, '');
    this.url = base.endsWith(KUAIDI100_QUERY_PATH) ? base : base + KUAIDI100_QUERY_PATH;
    this.timeoutMs = options.timeoutMs ?? 5000;
    this.fetchFn = options.fetch ?? fetch;
  }

  async track(args: TrackArgs): Promise<Tracking> {
    const waybill = args.waybill.replace(/\s+/g, '');
    const phone = args.phone === undefined ? '' : normalizePhone(args.phone);
    const fail = (e: ConstructorParameters<typeof CourierError>[0]): CourierError =>
      new CourierError({ ...e, message: this.scrub(e.message, phone) });

    if (!waybill || waybill.length > 32) {
      throw fail({ code: 'BAD_REQUEST', retryable: false, message: 'waybill number must have 1 to 32 characters' });
    }
    const carrier = resolveCarrier(args.carrier, waybill);
    if (!carrier) {
      throw fail({
        code: 'UNKNOWN_CARRIER',
        retryable: false,
        message: `unknown carrier "${args.carrier.trim()}" for waybill ${waybill}`,
      });
    }
    const where = `${carrier} ${waybill}`;
    if (!phone && PHONE_REQUIRED_CARRIERS.has(carrier)) {
      throw fail({
        code: 'PHONE_REQUIRED',
        retryable: false,
        message: `${where}: 快递100 needs the sender's or recipient's phone (last 4 digits are enough)`,
      });
    }

    const param = JSON.stringify({ com: carrier, num: waybill, ...(phone ? { phone } : {}) });
    const body = new URLSearchParams({
      customer: this.customer,
      param,
      sign: kuaidi100Sign(param, this.key, this.customer),
    });

    const signal = AbortSignal.timeout(this.timeoutMs);
    let status: number;
    let raw: string;
    try {
      const res = await this.fetchFn(this.url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded;charset=utf-8', accept: 'application/json' },
        body: body.toString(),
        signal,
      });
      status = res.status;
      raw = await res.text();
    } catch (err) {
      const timedOut =
        signal.aborted || (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError'));
      throw fail({
        code: timedOut ? 'TIMEOUT' : 'NETWORK',
        retryable: true,
        message: timedOut
          ? `${where}: no answer within ${this.timeoutMs} ms`
          : `${where}: request failed: ${err instanceof Error ? err.message : String(err)}`,
        cause: err,
      });
    }

    let json: unknown;
    try {
      json = raw ? JSON.parse(raw) : undefined;
    } catch {
      json = undefined;
    }
    const returnCode = isRecord(json) ? text(json.returnCode) : undefined;

    if (status < 200 || status >= 300) {
      if (returnCode === undefined || status >= 500) {
        throw fail({
          code: 'HTTP_ERROR',
          retryable: status >= 500 || status === 429 || status === 408,
          status,
          message: `${where}: HTTP ${status}`,
        });
      }
    }
    if (!isRecord(json)) {
      throw fail({
        code: 'BAD_RESPONSE',
        retryable: true,
        status,
        message: `${where}: answer is not a JSON object (HTTP ${status})`,
      });
    }

    const message = text(json.message) ?? '';
    const failed = json.result === false || returnCode !== undefined;
    const statusField = text(json.status);
    if (!failed && (statusField === undefined || statusField === '200')) {
      return this.found(json, carrier, waybill);
    }

    const codeOf = returnCode ?? statusField ?? '';
    const rule = RETURN_CODES[codeOf];
    if (rule?.outcome === 'no-info' || (!rule && message.includes('查询无结果'))) {
      return { state: 'no-info', carrier, waybill };
    }
    if (!rule) {
      throw fail({
        code: 'UNKNOWN',
        retryable: false,
        status,
        returnCode: codeOf,
        message: `${where}: returnCode ${codeOf || '?'} ${message}`.trim(),
      });
    }
    throw fail({
      code: rule.code,
      retryable: rule.retryable,
      status,
      returnCode: codeOf,
      message: `${where}: returnCode ${codeOf} ${message || rule.meaning}`,
    });
  }

  private found(json: Record<string, unknown>, carrier: string, waybill: string): Tracking {
    const events: Array<TrackingEvent & { sortKey: string }> = [];
    for (const row of Array.isArray(json.data) ? json.data : []) {
      if (!isRecord(row)) continue;
      const time = text(row.ftime) ?? text(row.time) ?? '';
      events.push({ at: chinaTimeToIso(time), text: (text(row.context) ?? '').trim(), sortKey: time });
    }
    // 快递100 answers newest first by default; sort anyway (stable) so `lastEvent` is the newest whatever the order.
    events.sort((a, b) => (a.sortKey < b.sortKey ? 1 : a.sortKey > b.sortKey ? -1 : 0));
    const rawState = text(json.state) ?? '0';
    if (events.length === 0 && rawState === '0') return { state: 'no-info', carrier, waybill };
    const state = mapState(rawState);
    const signed = state === 'delivered' || (text(json.ischeck) === '1' && state !== 'refused' && state !== 'returned');
    const clean = events.map(({ at, text: t }) => ({ at, text: t }));
    const lastEvent = clean[0];
    return { state, signed, rawState, ...(lastEvent ? { lastEvent } : {}), events: clean, carrier, waybill };
  }

  /** Removes the key and any phone number from text that goes into an error message. */
  private scrub(message: string, phone: string): string {
    let out = message;
    if (this.key) out = out.split(this.key).join('***');
    if (phone) out = out.split(phone).join(maskPhone(phone));
    return out.replace(/(?<!\d)(?:\+?86|0086)?1[3-9]\d{9}(?!\d)/g, (p) => maskPhone(p));
  }
}

function resolveCarrier(carrier: string, waybill: string): string | undefined {
  const given = carrier.trim();
  if (!given) return guessCarrier(waybill);
  const known = carrierCode(given);
  if (known) return known;
  // Any other lower-case word is taken as a 快递100 code we have no alias for (e.g. 'youzhengguonei').
  return /^[a-z][a-z0-9]*$/.test(given) ? given : undefined;
}
