import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AmapClient, formatLngLat, MapError } from '../../integrations/map/amap';
import { AmapTransitTimes, createTransitTimes } from '../../integrations/map/transit';
import { FAKE_AMAP_KEY, FakeAmap } from '../fakes/map/fake-amap';

const SHANGHAI = { lng: 121.473701, lat: 31.230416 };
const HANGZHOU = { lng: 120.15507, lat: 30.274084 };
const FACTORY = '上海市黄浦区人民大道200号';
const CUSTOMER = '浙江省杭州市上城区解放东路18号';
const ROUTE_KEY = `${formatLngLat(SHANGHAI)};${formatLngLat(HANGZHOU)}`;

const fake = new FakeAmap({
  addresses: {
    [FACTORY]: { location: SHANGHAI, formatted: '上海市黄浦区人民大道200号', city: '上海市' },
    [CUSTOMER]: HANGZHOU,
  },
  durations: { [ROUTE_KEY]: 9000 },
});

const client = (over: Partial<ConstructorParameters<typeof AmapClient>[0]> = {}): AmapClient =>
  new AmapClient({ key: FAKE_AMAP_KEY, baseUrl: fake.url, timeoutMs: 2000, ...over });

async function mapError(p: Promise<unknown>): Promise<MapError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(MapError);
  return err as MapError;
}

beforeAll(() => fake.start());
afterAll(() => fake.stop());
beforeEach(() => {
  fake.reset();
  fake.omitV5Cost = false;
});

describe('AmapClient.geocode', () => {
  it('finds a known address and sends address, city and key', async () => {
    const found = await client().geocode(FACTORY, '上海');
    expect(found).toEqual({ ...SHANGHAI, formatted: '上海市黄浦区人民大道200号' });
    expect(fake.calls('/v3/geocode/geo')[0]?.query).toEqual({ address: FACTORY, city: '上海', key: FAKE_AMAP_KEY });
  });

  it('answers null for an unknown address (count "0"), not an error', async () => {
    expect(await client().geocode('火星基地1号')).toBeNull();
    expect(fake.requests[0]?.infocode).toBe('10000');
  });
});

describe('AmapClient.drivingSeconds', () => {
  it('reads cost.duration and distance from v5, asking for show_fields=cost', async () => {
    const route = await client().drivingSeconds(SHANGHAI, HANGZHOU);
    expect(route).toEqual({ seconds: 9000, metres: expect.any(Number) });
    expect(route!.metres).toBeGreaterThan(150_000);
    const [call] = fake.calls();
    expect(call?.path).toBe('/v5/direction/driving');
    expect(call?.query).toMatchObject({
      origin: '121.473701,31.230416',
      destination: '120.15507,30.274084',
      show_fields: 'cost',
    });
  });

  it('sends at most 6 decimals', async () => {
    await client().drivingSeconds({ lng: 121.47370123456, lat: 31.2304169999 }, HANGZHOU);
    expect(fake.calls()[0]?.query.origin).toBe('121.473701,31.230417');
  });

  it('falls back to v3 once when v5 answers without cost', async () => {
    fake.omitV5Cost = true;
    expect(await client().drivingSeconds(SHANGHAI, HANGZHOU)).toEqual({ seconds: 9000, metres: expect.any(Number) });
    expect(fake.calls().map((c) => c.path)).toEqual(['/v5/direction/driving', '/v3/direction/driving']);
  });

  it('answers null for no route (20802)', async () => {
    fake.fail('driving', { infocode: '20802' });
    expect(await client().drivingSeconds(SHANGHAI, HANGZHOU)).toBeNull();
  });

  it('defaults to haversine at 60 km/h for unlisted pairs', async () => {
    const route = await client().drivingSeconds(HANGZHOU, SHANGHAI);
    expect(route!.seconds).toBeCloseTo(route!.metres / (60_000 / 3600), -1);
  });
});

describe('AmapClient errors', () => {
  it('wrong key: 10001, not retryable, key kept out of the message', async () => {
    const err = await mapError(client({ key: 'wrong-secret-key-123' }).geocode(FACTORY));
    expect(err).toMatchObject({ code: '10001', retryable: false, quotaExhausted: false });
    expect(err.message).toContain('INVALID_USER_KEY');
    expect(`${err.message} ${err.stack ?? ''}`).not.toContain('wrong-secret-key-123');
  });

  it('10021 (QPS) is retryable', async () => {
    fake.fail('geocode', { infocode: '10021' });
    expect(await mapError(client().geocode(FACTORY))).toMatchObject({
      code: '10021',
      retryable: true,
      quotaExhausted: false,
    });
    expect(await client().geocode(FACTORY)).not.toBeNull();
  });

  it('10003 means the daily quota is gone', async () => {
    fake.fail('driving', { infocode: '10003' });
    expect(await mapError(client().drivingSeconds(SHANGHAI, HANGZHOU))).toMatchObject({
      code: '10003',
      retryable: false,
      quotaExhausted: true,
    });
  });

  it('HTTP 500 is retryable', async () => {
    fake.fail('driving-v5', { httpStatus: 500 });
    expect(await mapError(client().drivingSeconds(SHANGHAI, HANGZHOU))).toMatchObject({
      code: 'HTTP_500',
      retryable: true,
    });
  });

  it('a slow answer is a retryable TIMEOUT', async () => {
    fake.fail('geocode', { delayMs: 1000 });
    expect(await mapError(client({ timeoutMs: 200 }).geocode(FACTORY))).toMatchObject({
      code: 'TIMEOUT',
      retryable: true,
    });
  });

  it('a closed port is a retryable NETWORK error', async () => {
    const closed = new FakeAmap();
    const base = await closed.start();
    await closed.stop();
    expect(await mapError(client({ baseUrl: base }).geocode(FACTORY))).toMatchObject({
      code: 'NETWORK',
      retryable: true,
    });
  });
});

describe('AmapTransitTimes', () => {
  const clock = { now: new Date('2025-03-01T08:00:00Z') };
  const transit = (routeTtlMs?: number): AmapTransitTimes =>
    new AmapTransitTimes(client(), { now: () => clock.now, ...(routeTtlMs !== undefined ? { routeTtlMs } : {}) });

  it('caches geocodes and routes: the second call makes no requests', async () => {
    const t = transit();
    expect(await t.transitSeconds(FACTORY, CUSTOMER)).toEqual({ seconds: 9000, source: 'amap' });
    expect(fake.requests.map((r) => r.path).sort()).toEqual([
      '/v3/geocode/geo',
      '/v3/geocode/geo',
      '/v5/direction/driving',
    ]);
    expect(await t.transitSeconds(` ${FACTORY} `, CUSTOMER)).toEqual({ seconds: 9000, source: 'amap' });
    expect(fake.requests).toHaveLength(3);
  });

  it('asks for the route again after routeTtlMs, but not for the geocodes', async () => {
    const t = transit(60_000);
    await t.transitSeconds(FACTORY, CUSTOMER);
    clock.now = new Date(clock.now.getTime() + 59_999);
    await t.transitSeconds(FACTORY, CUSTOMER);
    expect(fake.calls('/v5/direction/driving')).toHaveLength(1);
    clock.now = new Date(clock.now.getTime() + 1);
    await t.transitSeconds(FACTORY, CUSTOMER);
    expect(fake.calls('/v5/direction/driving')).toHaveLength(2);
    expect(fake.calls('/v3/geocode/geo')).toHaveLength(2);
  });

  it('reports not-found and no-route', async () => {
    const t = transit();
    expect(await t.transitSeconds(FACTORY, '火星基地1号')).toMatchObject({
      seconds: null,
      reason: 'not-found',
      detail: expect.stringContaining('火星基地1号'),
    });
    fake.fail('driving', { infocode: '20802' });
    expect(await t.transitSeconds(FACTORY, CUSTOMER)).toMatchObject({ seconds: null, reason: 'no-route' });
  });

  it('turns map failures into unavailable without throwing, and does not cache them', async () => {
    const t = transit();
    fake.fail('geocode', { infocode: '10021' });
    expect(await t.transitSeconds(FACTORY, CUSTOMER)).toMatchObject({
      seconds: null,
      reason: 'unavailable',
      detail: expect.stringContaining('10021'),
    });
    expect(await t.transitSeconds(FACTORY, CUSTOMER)).toEqual({ seconds: 9000, source: 'amap' });
  });

  it('an unreachable map is unavailable', async () => {
    const t = createTransitTimes({ AMAP_KEY: FAKE_AMAP_KEY, AMAP_API_BASE: 'http://127.0.0.1:1' }, { timeoutMs: 500 });
    expect(await t!.transitSeconds(FACTORY, CUSTOMER)).toMatchObject({ seconds: null, reason: 'unavailable' });
  });
});

describe('createTransitTimes', () => {
  it('is undefined without AMAP_KEY', () => {
    expect(createTransitTimes({})).toBeUndefined();
    expect(createTransitTimes({ AMAP_KEY: '  ', AMAP_API_BASE: 'http://127.0.0.1:1' })).toBeUndefined();
  });

  it('uses AMAP_KEY and AMAP_API_BASE', async () => {
    const t = createTransitTimes({ AMAP_KEY: FAKE_AMAP_KEY, AMAP_API_BASE: fake.url });
    expect(t).toBeInstanceOf(AmapTransitTimes);
    expect(await t!.transitSeconds(FACTORY, CUSTOMER)).toEqual({ seconds: 9000, source: 'amap' });
  });
});
