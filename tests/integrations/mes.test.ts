import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { asc, eq } from 'drizzle-orm';
import Koa from 'koa';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fixedConfig, loadBusinessConfig } from '../../config/business-config';
import type { DatabaseHandle } from '../../db/client';
import { migrate } from '../../db/migrate';
import { lineLoads, moulds } from '../../db/schema';
import { mesRoutes } from '../../integrations/mes/routes';
import { TestClock } from '../support/clock';
import { backends, createTestDatabase, resetDatabase } from '../support/databases';

const TOKEN = 'mes-test-token-0123456789abcdef';
const config = loadBusinessConfig();

describe.each(backends)('MES interface on %s', (backend) => {
  let database: DatabaseHandle;
  let server: Server;
  let url: string;
  const clock = new TestClock();

  beforeAll(async () => {
    database = await createTestDatabase(backend);
    await migrate(database.db);
    const router = mesRoutes({ db: database.db, clock: clock.now, token: TOKEN, config: fixedConfig(config) });
    const app = new Koa();
    app.use(router.routes()).use(router.allowedMethods());
    server = app.listen(0, '127.0.0.1');
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server?.close(() => resolve()));
    await database?.close();
  });
  beforeEach(async () => {
    await resetDatabase(database.db);
    const at = clock.now();
    await database.db.insert(moulds).values([
      { id: 'M-3', status: 'repair', availableFrom: '2026-03-02', updatedAt: at, updatedBy: 'demo' },
      { id: 'M-12', status: 'ok', availableFrom: null, updatedAt: at, updatedBy: 'demo' },
    ]);
    await database.db.insert(lineLoads).values([
      { line: 'A', fromDate: '2026-02-24', toDate: '2026-03-06', load: 0.92, source: 'demo' },
      { line: 'A', fromDate: '2026-03-07', toDate: '2026-04-05', load: 0.6, source: 'erp' },
      { line: 'B', fromDate: '2026-02-24', toDate: '2026-03-10', load: 0.75, source: 'demo' },
    ]);
  });

  async function call(
    method: string,
    path: string,
    options: { body?: unknown; raw?: string; token?: string | null; auth?: string } = {},
  ) {
    const headers: Record<string, string> = {};
    if (options.auth !== undefined) headers.authorization = options.auth;
    else if (options.token !== null) headers.authorization = `Bearer ${options.token ?? TOKEN}`;
    if (options.body !== undefined || options.raw !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${url}${path}`, {
      method,
      headers,
      body: options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body)),
    });
    const text = await response.text();
    return { status: response.status, json: text ? JSON.parse(text) : undefined, headers: response.headers };
  }

  const mouldRows = () => database.db.select().from(moulds).orderBy(asc(moulds.id));
  const loadsOf = (line: string) =>
    database.db
      .select({ from: lineLoads.fromDate, to: lineLoads.toDate, load: lineLoads.load, source: lineLoads.source })
      .from(lineLoads)
      .where(eq(lineLoads.line, line))
      .orderBy(asc(lineLoads.fromDate));

  it('refuses a missing, wrong or malformed token with 401 and changes nothing', async () => {
    const before = { moulds: await mouldRows(), a: await loadsOf('A') };
    const attempts = [
      call('PUT', '/api/mes/moulds/M-3', { body: { status: 'ok' }, token: null }),
      call('PUT', '/api/mes/moulds/M-3', { body: { status: 'ok' }, token: 'wrong-token-0123456789abcdef' }),
      call('PUT', '/api/mes/moulds/M-3', { body: { status: 'ok' }, token: `${TOKEN}x` }),
      call('PUT', '/api/mes/moulds/M-3', { body: { status: 'ok' }, auth: TOKEN }),
      call('PUT', '/api/mes/moulds/M-3', { body: { status: 'ok' }, auth: `Basic ${TOKEN}` }),
      call('PUT', '/api/mes/lines/A/load', { body: { periods: [] }, token: 'nope' }),
      call('PUT', '/api/mes/lines/A/load', { raw: '{not json', token: 'nope' }),
      call('GET', '/api/mes/moulds', { token: null }),
    ];
    for (const res of await Promise.all(attempts)) {
      expect(res.status).toBe(401);
      expect(res.json).toEqual({ error: 'missing or wrong bearer token' });
      expect(res.headers.get('www-authenticate')).toBe('Bearer realm="orderbot-mes"');
    }
    expect({ moulds: await mouldRows(), a: await loadsOf('A') }).toEqual(before);
  });

  it('accepts the scheme in any case', async () => {
    expect((await call('GET', '/api/mes/moulds', { auth: `bearer ${TOKEN}` })).status).toBe(200);
  });

  it('updates a mould and lists moulds in natural order', async () => {
    clock.advance(3600_000);
    const res = await call('PUT', '/api/mes/moulds/M-3', { body: { status: 'ok' } });
    expect(res.status).toBe(200);
    expect(res.json.mould).toMatchObject({
      id: 'M-3',
      status: 'ok',
      availableFrom: null,
      updatedBy: 'mes',
      updatedAt: clock.now().toISOString(),
    });

    const repair = await call('PUT', '/api/mes/moulds/M-12', {
      body: { status: 'maintenance', availableFrom: '2026-03-09' },
    });
    expect(repair.status).toBe(200);
    const created = await call('PUT', '/api/mes/moulds/M-20', { body: { status: 'repair', availableFrom: null } });
    expect(created.status).toBe(201);

    const list = await call('GET', '/api/mes/moulds');
    expect(list.status).toBe(200);
    expect(
      list.json.moulds.map((m: { id: string; status: string; availableFrom: string | null }) => [
        m.id,
        m.status,
        m.availableFrom,
      ]),
    ).toEqual([
      ['M-3', 'ok', null],
      ['M-12', 'maintenance', '2026-03-09'],
      ['M-20', 'repair', null],
    ]);
  });

  it('answers a bad mould body with 400 naming the field, and changes nothing', async () => {
    const before = await mouldRows();
    const cases: Array<[unknown, string]> = [
      [{}, 'status: '],
      [{ status: 'broken' }, 'status: '],
      [{ status: 'repair', availableFrom: '3/2' }, 'availableFrom: must be a date YYYY-MM-DD'],
      [{ status: 'repair', availableFrom: '2026-02-30' }, 'availableFrom: not a calendar date'],
      [{ status: 'ok', availableFrom: '2026-03-02' }, 'availableFrom: must be null or absent when status is "ok"'],
      [{ status: 'repair', available_from: '2026-03-02' }, 'body: '],
      [[], 'body: '],
    ];
    for (const [body, prefix] of cases) {
      const res = await call('PUT', '/api/mes/moulds/M-3', { body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.json.error, JSON.stringify(body)).toMatch(
        new RegExp(`^${prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`),
      );
    }
    const malformed = await call('PUT', '/api/mes/moulds/M-3', { raw: '{"status": ' });
    expect(malformed).toMatchObject({ status: 400, json: { error: 'malformed JSON body' } });
    const badId = await call('PUT', `/api/mes/moulds/${encodeURIComponent('M 3;drop')}`, { body: { status: 'ok' } });
    expect(badId.status).toBe(400);
    expect(badId.json.error).toMatch(/^id: /);
    expect(await mouldRows()).toEqual(before);
  });

  it('replaces every period of the line, of whatever source, and leaves other lines alone', async () => {
    const res = await call('PUT', '/api/mes/lines/A/load', {
      body: {
        periods: [
          { from: '2026-03-01', to: '2026-03-31', load: 0.5 },
          { from: '2026-02-24', to: '2026-02-28', load: 1 },
        ],
      },
    });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({
      line: 'A',
      periods: [
        { from: '2026-02-24', to: '2026-02-28', load: 1 },
        { from: '2026-03-01', to: '2026-03-31', load: 0.5 },
      ],
    });
    expect(await loadsOf('A')).toEqual([
      { from: '2026-02-24', to: '2026-02-28', load: 1, source: 'mes' },
      { from: '2026-03-01', to: '2026-03-31', load: 0.5, source: 'mes' },
    ]);
    expect(await loadsOf('B')).toEqual([{ from: '2026-02-24', to: '2026-03-10', load: 0.75, source: 'demo' }]);

    const cleared = await call('PUT', '/api/mes/lines/A/load', { body: { periods: [] } });
    expect(cleared.json).toEqual({ line: 'A', periods: [] });
    expect(await loadsOf('A')).toEqual([]);
  });

  it('answers an unknown line with 404 and changes nothing', async () => {
    const res = await call('PUT', '/api/mes/lines/Z/load', {
      body: { periods: [{ from: '2026-03-01', to: '2026-03-02', load: 0.5 }] },
    });
    expect(res.status).toBe(404);
    expect(res.json.error).toBe('line "Z" is not configured (lines: A, B, C, D)');
    expect((await database.db.select().from(lineLoads)).length).toBe(3);
  });

  it('answers bad periods with 400 naming the field, and keeps the old periods', async () => {
    const before = await loadsOf('A');
    const cases: Array<[unknown, string]> = [
      [{}, 'periods: '],
      [{ periods: 'full' }, 'periods: '],
      [{ periods: [{ from: '2026-03-05', to: '2026-03-01', load: 0.5 }] }, 'periods.0.from: must not be after "to"'],
      [{ periods: [{ from: '2026-03-01', to: '2026-03-05', load: 1.2 }] }, 'periods.0.load: '],
      [{ periods: [{ from: '2026-03-01', to: '2026-03-05', load: -0.1 }] }, 'periods.0.load: '],
      [{ periods: [{ from: '2026-03-01', to: '2026-03-05', load: '0.5' }] }, 'periods.0.load: '],
      [
        {
          periods: [
            { from: '2026-03-01', to: '2026-03-05', load: 0.5 },
            { from: '2026-3-6', to: '2026-03-07', load: 0.5 },
          ],
        },
        'periods.1.from: must be a date YYYY-MM-DD',
      ],
      [{ periods: [{ from: '2026-03-01', to: '2026-03-05' }] }, 'periods.0.load: '],
      [{ periods: [{ from: '2026-03-01', to: '2026-03-05', load: 0.5, line: 'B' }] }, 'periods.0: '],
    ];
    for (const [body, prefix] of cases) {
      const res = await call('PUT', '/api/mes/lines/A/load', { body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.json.error.startsWith(prefix), `${JSON.stringify(body)} → ${res.json.error}`).toBe(true);
    }
    expect(await loadsOf('A')).toEqual(before);
  });

  it('refuses to start with a missing or short token', () => {
    expect(() => mesRoutes({ db: database.db, clock: clock.now, token: '', config: fixedConfig(config) })).toThrow(
      /MES_API_TOKEN/,
    );
    expect(() => mesRoutes({ db: database.db, clock: clock.now, token: 'short', config: fixedConfig(config) })).toThrow(
      /at least 16/,
    );
  });
});
