import { FailurePlan } from '../failure-plan';
import { SmsHttpServer, type RawRequest, type RawReply } from '../sms/http';

/**
 * Fake Amap Web Service (GET, JSON, every value a string):
 *  - /v3/geocode/geo: known addresses answer count "1", unknown ones count "0" with geocodes [];
 *  - /v3/direction/driving: route.paths[].duration and distance;
 *  - /v5/direction/driving: route.paths[].distance, plus cost.duration only when show_fields includes cost.
 * A missing or wrong key answers INVALID_USER_KEY (10001); coordinates with more than 6 decimals answer
 * INVALID_PARAMS (20000). Failures are scripted per endpoint with `fail`.
 */

export interface FakePoint {
  lng: number;
  lat: number;
}

export interface FakeAddress {
  location: FakePoint;
  formatted?: string;
  province?: string;
  city?: string;
  district?: string;
  adcode?: string;
  level?: string;
}

/** Seconds for a pair, or null for "no route" (20802). */
export type DurationFn = (origin: FakePoint, destination: FakePoint) => number | null;

export interface FakeAmapOptions {
  keys?: string[];
  addresses?: Record<string, FakePoint | FakeAddress>;
  /** A function, or a table keyed "lng,lat;lng,lat" (origin;destination); pairs not in the table use the default. */
  durations?: DurationFn | Record<string, number | null>;
  /** v5 ignores show_fields and never sends cost. */
  omitV5Cost?: boolean;
}

/** 'driving' matches both driving versions. */
export type AmapEndpoint = 'geocode' | 'driving' | 'driving-v3' | 'driving-v5';

/**
 * - `infocode`: HTTP 200 with status "0" and that infocode;
 * - `httpStatus`: that HTTP status with a non-Amap body;
 * - `delayMs`: the normal answer, late.
 */
export type AmapFailure = { infocode: string; info?: string } | { httpStatus: number } | { delayMs: number };

export interface AmapRecord {
  path: string;
  query: Record<string, string>;
  status: number;
  infocode: string | undefined;
}

export const FAKE_AMAP_KEY = 'test-amap-key';

const INFO: Record<string, string> = {
  '10001': 'INVALID_USER_KEY',
  '10002': 'SERVICE_NOT_AVAILABLE',
  '10003': 'DAILY_QUERY_OVER_LIMIT',
  '10004': 'ACCESS_TOO_FREQUENT',
  '10005': 'INVALID_USER_IP',
  '10009': 'USERKEY_PLAT_NOMATCH',
  '10013': 'USER_KEY_RECYCLED',
  '10014': 'QPS_HAS_EXCEEDED_THE_LIMIT',
  '10015': 'GATEWAY_TIMEOUT',
  '10016': 'SERVER_IS_BUSY',
  '10021': 'CUQPS_HAS_EXCEEDED_THE_LIMIT',
  '10044': 'USER_DAILY_QUERY_OVER_LIMIT',
  '20000': 'INVALID_PARAMS',
  '20001': 'MISSING_REQUIRED_PARAMS',
  '20800': 'OUT_OF_SERVICE',
  '20801': 'NO_ROADS_NEARBY',
  '20802': 'ROUTE_FAIL',
  '20803': 'OVER_DIRECTION_RANGE',
};

const ENDPOINTS: Record<string, AmapEndpoint> = {
  '/v3/geocode/geo': 'geocode',
  '/v3/direction/driving': 'driving-v3',
  '/v5/direction/driving': 'driving-v5',
};

const SPEED_M_PER_S = 60_000 / 3600;

const str = (n: number): string => String(Math.round(n));
const fmt = (p: FakePoint): string => `${Number(p.lng.toFixed(6))},${Number(p.lat.toFixed(6))}`;

export function haversineMetres(a: FakePoint, b: FakePoint): number {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLng = (b.lng - a.lng) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLng / 2) ** 2;
  return 2 * 6_371_000 * Math.asin(Math.sqrt(h));
}

const defaultDuration: DurationFn = (o, d) => haversineMetres(o, d) / SPEED_M_PER_S;

function parsePoint(raw: string | undefined): FakePoint | undefined {
  const m = /^(-?\d{1,3}(?:\.\d{1,6})?),(-?\d{1,2}(?:\.\d{1,6})?)$/.exec(raw ?? '');
  if (!m) return undefined;
  const p = { lng: Number(m[1]), lat: Number(m[2]) };
  return Math.abs(p.lng) <= 180 && Math.abs(p.lat) <= 90 ? p : undefined;
}

const ok = (fields: Record<string, unknown>): RawReply => ({
  status: 200,
  json: { status: '1', info: 'OK', infocode: '10000', ...fields },
});

const amapError = (infocode: string, info?: string): RawReply => ({
  status: 200,
  json: { status: '0', info: info ?? INFO[infocode] ?? 'UNKNOWN_ERROR', infocode },
});

export class FakeAmap {
  readonly requests: AmapRecord[] = [];
  readonly failures = new FailurePlan<AmapEndpoint, AmapFailure>();
  omitV5Cost: boolean;
  private readonly keys: Set<string>;
  private readonly addresses = new Map<string, FakeAddress>();
  private readonly http = new SmsHttpServer((req) => this.handle(req));

  constructor(private readonly opts: FakeAmapOptions = {}) {
    this.keys = new Set(opts.keys ?? [FAKE_AMAP_KEY]);
    this.omitV5Cost = opts.omitV5Cost ?? false;
    for (const [address, entry] of Object.entries(opts.addresses ?? {})) this.addAddress(address, entry);
  }

  get url(): string {
    return this.http.url;
  }
  start(): Promise<string> {
    return this.http.start();
  }
  stop(): Promise<void> {
    return this.http.stop();
  }

  addAddress(address: string, entry: FakePoint | FakeAddress): this {
    this.addresses.set(address, 'location' in entry ? entry : { location: entry });
    return this;
  }

  fail(endpoint: AmapEndpoint, failure: AmapFailure, options: { times?: number; skip?: number } = {}): this {
    this.failures.add(endpoint, failure, options);
    return this;
  }

  /** Requests to one path (e.g. '/v5/direction/driving'), or all. */
  calls(path?: string): AmapRecord[] {
    return path ? this.requests.filter((r) => r.path === path) : this.requests;
  }

  reset(): void {
    this.requests.length = 0;
    this.failures.clear();
  }

  private handle(req: RawRequest): RawReply {
    const query = Object.fromEntries(req.url.searchParams);
    const reply = this.decide(req, query);
    const json = reply.json as { infocode?: unknown };
    this.requests.push({
      path: req.url.pathname,
      query,
      status: reply.status,
      infocode: typeof json.infocode === 'string' ? json.infocode : undefined,
    });
    return reply;
  }

  private decide(req: RawRequest, query: Record<string, string>): RawReply {
    const endpoint = ENDPOINTS[req.url.pathname];
    if (req.method !== 'GET' || !endpoint) return { status: 404, json: { error: 'Not Found' } };
    if (!query.key || !this.keys.has(query.key)) return amapError('10001');
    const failure =
      this.failures.take(endpoint) ?? (endpoint === 'geocode' ? undefined : this.failures.take('driving'));
    if (failure && 'infocode' in failure) return amapError(failure.infocode, failure.info);
    if (failure && 'httpStatus' in failure)
      return { status: failure.httpStatus, json: { error: 'Internal Server Error' } };
    const reply = endpoint === 'geocode' ? this.geocode(query) : this.driving(endpoint, query);
    return failure ? { ...reply, delayMs: failure.delayMs } : reply;
  }

  private geocode(query: Record<string, string>): RawReply {
    if (!query.address) return amapError('20001');
    const found = this.addresses.get(query.address.trim());
    if (!found) return ok({ count: '0', geocodes: [] });
    return ok({
      count: '1',
      geocodes: [
        {
          formatted_address: found.formatted ?? query.address,
          country: '中国',
          province: found.province ?? '',
          citycode: [],
          city: found.city ?? query.city ?? '',
          district: found.district ?? '',
          township: [],
          neighborhood: { name: [], type: [] },
          building: { name: [], type: [] },
          adcode: found.adcode ?? '',
          street: [],
          number: [],
          location: fmt(found.location),
          level: found.level ?? '门牌号',
        },
      ],
    });
  }

  private driving(endpoint: AmapEndpoint, query: Record<string, string>): RawReply {
    if (!query.origin || !query.destination) return amapError('20001');
    const origin = parsePoint(query.origin);
    const destination = parsePoint(query.destination);
    if (!origin || !destination) return amapError('20000');
    const seconds = this.duration(origin, destination);
    if (seconds === null) return amapError('20802');
    const distance = str(haversineMetres(origin, destination));
    const route = { origin: query.origin, destination: query.destination, taxi_cost: str(Number(distance) / 400) };
    if (endpoint === 'driving-v3') {
      const path = {
        distance,
        duration: str(seconds),
        strategy: '速度最快',
        tolls: '0',
        toll_distance: '0',
        restriction: '0',
        traffic_lights: '0',
        steps: [],
      };
      return ok({ count: '1', route: { ...route, paths: [path] } });
    }
    const showCost = !this.omitV5Cost && (query.show_fields ?? '').split(',').includes('cost');
    const cost = { duration: str(seconds), tolls: '0', toll_distance: '0', toll_road: [], traffic_lights: '0' };
    const path = { distance, restriction: '0', steps: [], ...(showCost ? { cost } : {}) };
    return ok({ count: '1', route: { ...route, paths: [path] } });
  }

  private duration(origin: FakePoint, destination: FakePoint): number | null {
    const table = this.opts.durations;
    if (typeof table === 'function') return table(origin, destination);
    const listed = table?.[`${fmt(origin)};${fmt(destination)}`];
    return listed !== undefined ? listed : defaultDuration(origin, destination);
  }
}
