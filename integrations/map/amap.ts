/** Amap (高德) Web Service client: geocoding and driving duration. Plain GET, JSON with string values. */
import { OrderbotError } from '../../core/errors';
import { HttpRequestError, type HttpSend, type KeepAliveResponse, httpSender } from '../http/keep-alive';

export const AMAP_DEFAULT_BASE = 'https://restapi.amap.com';

export interface LngLat {
  lng: number;
  lat: number;
}

export interface AmapClientOptions {
  key: string;
  baseUrl?: string;
  timeoutMs?: number;
  /** Replaces the keep-alive connections (tests, proxies). */
  fetch?: typeof fetch;
}

const RETRYABLE_CODES = new Set(['10004', '10014', '10015', '10016', '10021']);
const QUOTA_CODES = new Set(['10003', '10044']);
const NO_ROUTE_CODES = new Set(['20800', '20801', '20802', '20803']);

/**
 * code: the Amap infocode, or HTTP_<status> / TIMEOUT / NETWORK / BAD_RESPONSE.
 * quotaExhausted: the daily quota is used up until midnight (China time); retrying earlier is pointless.
 */
export class MapError extends OrderbotError {
  readonly quotaExhausted: boolean;

  constructor(args: { code: string; message: string; retryable: boolean; quotaExhausted?: boolean }) {
    super(`[amap] ${args.code}: ${args.message}`, args);
    this.quotaExhausted = args.quotaExhausted ?? false;
  }
}

/** `lng,lat` with at most 6 decimals, as Amap requires. */
export function formatLngLat(p: LngLat): string {
  if (!Number.isFinite(p.lng) || !Number.isFinite(p.lat)) throw new RangeError(`invalid coordinate ${p.lng},${p.lat}`);
  return `${round6(p.lng)},${round6(p.lat)}`;
}

const round6 = (n: number): number => Number(n.toFixed(6)) || 0;

type Json = Record<string, unknown>;

const isRecord = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

const badResponse = (path: string, detail: string): MapError =>
  new MapError({ code: 'BAD_RESPONSE', message: `${path}: ${detail}`, retryable: false });

function numberField(v: unknown, path: string, field: string): number {
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : typeof v === 'number' ? v : NaN;
  if (!Number.isFinite(n) || n < 0) throw badResponse(path, `${field} is not a non-negative number`);
  return n;
}

function parseLocation(v: unknown, path: string): LngLat {
  const [lng, lat, rest] = typeof v === 'string' ? v.split(',') : [];
  const p = { lng: Number(lng), lat: Number(lat) };
  if (rest !== undefined || !lng || !lat || !Number.isFinite(p.lng) || !Number.isFinite(p.lat)) {
    throw badResponse(path, 'location is not "lng,lat"');
  }
  return p;
}

const isOk = (status: number) => status >= 200 && status < 300;

function httpError(path: string, status: number): MapError {
  return new MapError({
    code: `HTTP_${status}`,
    message: `${path} answered HTTP ${status}`,
    retryable: status >= 500 || status === 429,
  });
}

function parseJson(path: string, text: string): Json {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw badResponse(path, 'body is not JSON');
  }
  if (!isRecord(body)) throw badResponse(path, 'body is not a JSON object');
  return body;
}

function firstPath(body: Json): Json | undefined {
  const route = body.route;
  const paths = isRecord(route) ? route.paths : undefined;
  const first: unknown = Array.isArray(paths) ? paths[0] : undefined;
  return isRecord(first) ? first : undefined;
}

export class AmapClient {
  private readonly base: string;
  private readonly timeoutMs: number;
  private readonly send: HttpSend;

  constructor(private readonly opts: AmapClientOptions) {
    this.base = new URL(opts.baseUrl ?? AMAP_DEFAULT_BASE).toString().replace(/\/+$/, '');
    this.timeoutMs = opts.timeoutMs ?? 5000;
    this.send = httpSender(opts.fetch);
  }

  /** null when Amap knows no such address. */
  async geocode(address: string, city?: string): Promise<{ lng: number; lat: number; formatted: string } | null> {
    const path = '/v3/geocode/geo';
    if (address.trim() === '') return null;
    const body = await this.get(path, { address: address.trim(), ...(city ? { city } : {}) });
    const first: unknown = Array.isArray(body.geocodes) ? body.geocodes[0] : undefined;
    if (body.count === '0' || !isRecord(first)) return null;
    const formatted = typeof first.formatted_address === 'string' ? first.formatted_address : address.trim();
    return { ...parseLocation(first.location, path), formatted };
  }

  /** null when Amap finds no route between the points (20800-20803, or no paths). */
  async drivingSeconds(origin: LngLat, destination: LngLat): Promise<{ seconds: number; metres: number } | null> {
    const points = { origin: formatLngLat(origin), destination: formatLngLat(destination) };
    try {
      return await this.drivingV5(points);
    } catch (err) {
      if (err instanceof MapError && NO_ROUTE_CODES.has(err.code)) return null;
      throw err;
    }
  }

  private async drivingV5(points: Record<string, string>): Promise<{ seconds: number; metres: number } | null> {
    const path = '/v5/direction/driving';
    const first = firstPath(await this.get(path, { ...points, show_fields: 'cost' }));
    if (!first) return null;
    if (!isRecord(first.cost) || first.cost.duration === undefined) return this.drivingV3(points);
    return {
      seconds: numberField(first.cost.duration, path, 'cost.duration'),
      metres: numberField(first.distance, path, 'distance'),
    };
  }

  private async drivingV3(points: Record<string, string>): Promise<{ seconds: number; metres: number } | null> {
    const path = '/v3/direction/driving';
    const first = firstPath(await this.get(path, points));
    if (!first) return null;
    return {
      seconds: numberField(first.duration, path, 'duration'),
      metres: numberField(first.distance, path, 'distance'),
    };
  }

  private async get(path: string, params: Record<string, string>): Promise<Json> {
    const url = new URL(`${this.base}${path}`);
    for (const [k, v] of Object.entries({ ...params, key: this.opts.key })) url.searchParams.set(k, v);
    let res: KeepAliveResponse;
    try {
      res = await this.send({ method: 'GET', url, headers: { accept: 'application/json' }, timeoutMs: this.timeoutMs });
    } catch (err) {
      // A failed status is reported as such even when its body was then lost.
      if (err instanceof HttpRequestError && err.status !== undefined && !isOk(err.status))
        throw httpError(path, err.status);
      throw this.transportError(path, err, err instanceof HttpRequestError && err.timedOut);
    }
    if (!isOk(res.status)) throw httpError(path, res.status);
    return this.checkStatus(path, parseJson(path, res.text));
  }

  private checkStatus(path: string, body: Json): Json {
    if (body.status === '1') return body;
    const code = typeof body.infocode === 'string' ? body.infocode : 'BAD_RESPONSE';
    const info = typeof body.info === 'string' ? body.info : 'no info';
    throw new MapError({
      code,
      message: `${path}: ${this.redact(info)}`,
      retryable: RETRYABLE_CODES.has(code),
      quotaExhausted: QUOTA_CODES.has(code),
    });
  }

  private transportError(path: string, err: unknown, timedOut: boolean): MapError {
    if (timedOut)
      return new MapError({
        code: 'TIMEOUT',
        message: `${path}: no answer within ${this.timeoutMs} ms`,
        retryable: true,
      });
    const detail = err instanceof Error ? err.message : String(err);
    return new MapError({ code: 'NETWORK', message: `${path}: ${this.redact(detail)}`, retryable: true });
  }

  private redact(text: string): string {
    return this.opts.key ? text.split(this.opts.key).join('***') : text;
  }
}
