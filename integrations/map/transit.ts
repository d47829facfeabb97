import { AmapClient, formatLngLat, MapError, type LngLat } from './amap';

export type TransitResult =
  | { seconds: number; source: 'amap' }
  | { seconds: null; reason: 'not-found' | 'no-route' | 'unavailable'; detail: string };

export interface TransitTimes {
  transitSeconds(fromAddress: string, toAddress: string): Promise<TransitResult>;
}

export interface AmapTransitOptions {
  /** How long a driving duration (or "no route") stays cached. Default 7 days. */
  routeTtlMs?: number;
  now?: () => Date;
  /** Max entries per cache (geocodes, routes). Default 1000. */
  maxEntries?: number;
}

export interface CreateTransitTimesOptions extends AmapTransitOptions {
  timeoutMs?: number;
  fetch?: typeof fetch;
}

type MapLookups = Pick<AmapClient, 'geocode' | 'drivingSeconds'>;

const DEFAULT_ROUTE_TTL_MS = 7 * 24 * 3600 * 1000;

/** Map with least-recently-used eviction and an optional per-entry expiry. */
class LruCache<V> {
  private readonly entries = new Map<string, { value: V; expiresAt: number }>();

  constructor(private readonly maxEntries: number) {}

  get(key: string, nowMs: number): { value: V } | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    if (entry.expiresAt <= nowMs) return undefined;
    this.entries.set(key, entry);
    return { value: entry.value };
  }

  set(key: string, value: V, expiresAt = Infinity): void {
    this.entries.delete(key);
    this.entries.set(key, { value, expiresAt });
    const oldest = this.entries.size > this.maxEntries ? this.entries.keys().next().value : undefined;
    if (oldest !== undefined) this.entries.delete(oldest);
  }
}

const normalizeAddress = (address: string): string => address.trim().replace(/\s+/g, ' ');

/** Driving time between two addresses via Amap, cached in process. Never throws. */
export class AmapTransitTimes implements TransitTimes {
  private readonly geocodes: LruCache<LngLat | null>;
  private readonly routes: LruCache<number | null>;
  private readonly routeTtlMs: number;
  private readonly now: () => Date;

  constructor(
    private readonly map: MapLookups,
    options: AmapTransitOptions = {},
  ) {
    this.geocodes = new LruCache(options.maxEntries ?? 1000);
    this.routes = new LruCache(options.maxEntries ?? 1000);
    this.routeTtlMs = options.routeTtlMs ?? DEFAULT_ROUTE_TTL_MS;
    this.now = options.now ?? (() => new Date());
  }

  async transitSeconds(fromAddress: string, toAddress: string): Promise<TransitResult> {
    try {
      const [from, to] = await Promise.all([this.locate(fromAddress), this.locate(toAddress)]);
      if (!from) return { seconds: null, reason: 'not-found', detail: `address not found: ${fromAddress}` };
      if (!to) return { seconds: null, reason: 'not-found', detail: `address not found: ${toAddress}` };
      const seconds = await this.drive(from, to);
      if (seconds === null)
        return { seconds: null, reason: 'no-route', detail: `no driving route from ${fromAddress} to ${toAddress}` };
      return { seconds, source: 'amap' };
    } catch (err) {
      return { seconds: null, reason: 'unavailable', detail: describe(err) };
    }
  }

  private async locate(address: string): Promise<LngLat | null> {
    const key = normalizeAddress(address);
    const cached = this.geocodes.get(key, this.now().getTime());
    if (cached) return cached.value;
    const found = await this.map.geocode(key);
    const point = found ? { lng: found.lng, lat: found.lat } : null;
    this.geocodes.set(key, point);
    return point;
  }

  private async drive(from: LngLat, to: LngLat): Promise<number | null> {
    const key = `${formatLngLat(from)};${formatLngLat(to)}`;
    const nowMs = this.now().getTime();
    const cached = this.routes.get(key, nowMs);
    if (cached) return cached.value;
    const route = await this.map.drivingSeconds(from, to);
    const seconds = route ? route.seconds : null;
    this.routes.set(key, seconds, nowMs + this.routeTtlMs);
    return seconds;
  }
}

function describe(err: unknown): string {
  if (err instanceof MapError) return err.message;
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

/** An AmapTransitTimes when AMAP_KEY is set (base URL from AMAP_API_BASE), else undefined. */
export function createTransitTimes(
  env: Record<string, string | undefined>,
  options: CreateTransitTimesOptions = {},
): AmapTransitTimes | undefined {
  const key = env.AMAP_KEY?.trim();
  if (!key) return undefined;
  const baseUrl = env.AMAP_API_BASE?.trim();
  const client = new AmapClient({
    key,
    ...(baseUrl ? { baseUrl } : {}),
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  return new AmapTransitTimes(client, options);
}
