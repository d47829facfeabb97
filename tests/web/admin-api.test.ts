import { readFileSync } from 'node:fs';
import { eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { loadBusinessConfig } from '../../config/business-config';
import { openDatabase } from '../../db/client';
import { configVersions, customers } from '../../db/schema';
import { TestApp } from '../support/app';
import { backends, useTestDatabase } from '../support/databases';

/** A signed-in console user: the session cookie and the CSRF token the session endpoint gives. */
interface Session {
  cookie: string;
  csrf: string;
}

async function signIn(t: TestApp, username: string, password: string): Promise<Session> {
  const res = await fetch(`${t.url}/board/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ username, password }),
  });
  const setCookie = res.headers.get('set-cookie') ?? '';
  expect(setCookie).toMatch(/; path=\/;/);
  const cookie = setCookie.split(';')[0]!;
  const session = await api(t, 'GET', '/api/admin/session', { cookie, csrf: '' });
  return { cookie, csrf: session.json.csrfToken };
}

async function api(t: TestApp, method: string, path: string, session?: Session, body?: unknown, csrf = true) {
  const headers: Record<string, string> = {};
  if (session) headers.cookie = session.cookie;
  if (session && csrf && session.csrf) headers['x-csrf-token'] = session.csrf;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${t.url}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined };
}

// biome-ignore lint/suspicious/noExplicitAny: the config as JSON, edited the way the console's forms do
type Json = any;

describe.each(backends)('the admin console API (%s)', (backend) => {
  const database = useTestDatabase(backend);
  const apps: TestApp[] = [];
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((a) => a.close()));
  });
  const start = async (options: Parameters<typeof TestApp.start>[1] = {}) => {
    const t = await TestApp.start(backend, { database: database(), ...options });
    apps.push(t);
    return t;
  };

  it('saves a setting as a new version that this process runs on at once, and reads it back', async () => {
    const t = await start({ fresh: true });
    expect(await api(t, 'GET', '/api/admin/config')).toMatchObject({ status: 401 });
    const admin = await signIn(t, 'ops', 'orderbot');
    expect((await api(t, 'GET', '/api/admin/session', admin)).json).toMatchObject({ username: 'ops', role: 'admin' });

    const { json: got } = await api(t, 'GET', '/api/admin/config', admin);
    expect(got.version).toBe(1);
    expect(got.config.board.users[0].passwordHash).toBe('(unchanged)');
    expect(got.config.thresholds.escalateAfter).toBe('2h');
    // In the order the file has them, which the console's form follows.
    expect(Object.keys(got.config).slice(0, 4)).toEqual(['company', 'timeZone', 'botName', 'people']);

    const config: Json = structuredClone(got.config);
    config.thresholds.escalateAfter = '1h';
    config.lines[0].capacityPerDay = 150;
    const saved = await api(t, 'PUT', '/api/admin/config', admin, { version: 1, config });
    expect(saved).toMatchObject({ status: 200, json: { version: 2 } });
    expect(saved.json.changes).toEqual(['thresholds.escalateAfter: 2h → 1h', 'lines.0.capacityPerDay: 200 → 150']);
    expect(t.app.config.current.thresholds.escalateAfter).toBe(3600_000);
    expect(t.app.bot.config.lines[0]!.capacityPerDay).toBe(150);

    const again = await api(t, 'GET', '/api/admin/config', admin);
    expect(again.json).toMatchObject({ version: 2, config: { thresholds: { escalateAfter: '1h' } } });
    // The stored version keeps the real password hash.
    const [stored] = (await t.db.select().from(configVersions)).filter((v) => v.version === 2);
    expect(JSON.stringify(stored!.config)).toContain('scrypt$');
    expect(stored).toMatchObject({ source: 'console', savedBy: 'ops' });
  });

  it('refuses a stale version (409), a write without the CSRF token (403), and names the field of each invalid input (400)', async () => {
    const t = await start({ fresh: true });
    const admin = await signIn(t, 'ops', 'orderbot');
    const base: Json = (await api(t, 'GET', '/api/admin/config', admin)).json.config;
    const save = (config: Json, version = 1, withCsrf = true) =>
      api(t, 'PUT', '/api/admin/config', admin, { version, config }, withCsrf);

    expect(await save(base, 1, false)).toMatchObject({ status: 403, json: { error: expect.stringContaining('CSRF') } });
    const first: Json = structuredClone(base);
    first.thresholds.delayAlertAfter = '3h';
    expect((await save(first)).status).toBe(200);
    const stale = await save(base, 1);
    expect(stale).toMatchObject({ status: 409, json: { latest: 2 } });

    const invalid: Array<[string, (c: Json) => void, string]> = [
      ['a department without a lead', (c) => (c.departments[0].leads = []), 'departments.0.leads'],
      ['a lead nobody knows', (c) => (c.departments[1].leads = ['nobody']), 'departments.1.leads.0'],
      ['an order kind without a route', (c) => (c.routing.sample = []), 'routing.sample'],
      ['a route to no department', (c) => (c.routing.batch = ['marketing']), 'routing.batch.0'],
      ['a duration that is none', (c) => (c.thresholds.escalateAfter = 'soon'), 'thresholds.escalateAfter'],
      ['a holiday that is no date', (c) => (c.calendar.holidays = ['2026-13-45']), 'calendar.holidays.0'],
      ['a line without capacity', (c) => (c.lines[0].capacityPerDay = 0), 'lines.0.capacityPerDay'],
      [
        'a stage owned by no department',
        (c) => (Object.values(c.lifecycle.stages as object)[0].department = 'x'),
        'lifecycle.stages.',
      ],
      ['an ops group that does not exist', (c) => (c.opsConversation = 'nowhere'), 'opsConversation'],
      [
        'a new board user without a password',
        (c) => c.board.users.push({ username: 'li' }),
        'board.users.1.passwordHash',
      ],
    ];
    for (const [what, change, field] of invalid) {
      const config: Json = structuredClone(first);
      change(config);
      const refused = await save(config, 2);
      expect({ what, status: refused.status, field: refused.json.field }).toEqual({
        what,
        status: 400,
        field: field.endsWith('.')
          ? expect.stringMatching(new RegExp(`^${field.replaceAll('.', '\\.')}\\w+\\.department$`))
          : field,
      });
    }
    expect((await api(t, 'GET', '/api/admin/config', admin)).json.version).toBe(2);
  });

  it("words a refusal in the reader's language: Chinese by default, English with the pages' language cookie", async () => {
    const t = await start({ fresh: true });
    const admin = await signIn(t, 'ops', 'orderbot');
    const config: Json = (await api(t, 'GET', '/api/admin/config', admin)).json.config;
    config.departments[0].leads = ['nobody'];
    config.lines[0].capacityPerDay = 0;
    const zh = await api(t, 'PUT', '/api/admin/config', admin, { version: 1, config });
    expect(zh.json.issues).toHaveLength(2);
    expect(zh.json.issues).toEqual(
      expect.arrayContaining([
        { path: 'departments.0.leads.0', message: '没有这个人员："nobody"' },
        { path: 'lines.0.capacityPerDay', message: expect.stringContaining('数值过小') },
      ]),
    );
    const english = { ...admin, cookie: `${admin.cookie}; orderbot_lang=en` };
    const en = await api(t, 'PUT', '/api/admin/config', english, { version: 1, config });
    expect(en.json.issues.map((i: Json) => i.message).sort()).toEqual([
      'Too small: expected number to be >0',
      'unknown person "nobody"',
    ]);
  });

  it('previews an uploaded customers file, imports it on confirm, and lists the import in the audit', async () => {
    const t = await start({ fresh: true });
    const admin = await signIn(t, 'ops', 'orderbot');
    const upload = async (bytes: Buffer | string, query = '', csrf = admin.csrf) => {
      const res = await fetch(`${t.url}/api/admin/imports/customers${query}`, {
        method: 'POST',
        headers: {
          cookie: admin.cookie,
          'x-csrf-token': csrf,
          'content-type': 'application/octet-stream',
          'x-file-name': encodeURIComponent('客户资料.csv'),
        },
        body: bytes,
      });
      return { status: res.status, json: (await res.json()) as Json };
    };
    t.clock.advance(60_000);
    const file = readFileSync('docs/samples/customers.csv');
    expect((await upload(file, '', 'wrong')).status).toBe(403);
    const preview = await upload(file);
    expect(preview).toMatchObject({
      status: 200,
      json: { file: '客户资料.csv', kind: 'customers', added: 3, changed: 0, unchanged: 0, written: false, errors: [] },
    });
    expect(await t.db.select().from(customers).where(eq(customers.name, '宁波华达汽车零部件有限公司'))).toEqual([]);
    const confirmed = await upload(file, '?confirm=1');
    expect(confirmed.json).toMatchObject({ added: 3, written: true });
    expect(await t.db.select().from(customers).where(eq(customers.name, '宁波华达汽车零部件有限公司'))).toMatchObject([
      { erpCode: 'NB001' },
    ]);

    const bad = await upload('客户名称,电话\n甲公司,1380013\n');
    expect(bad.json).toMatchObject({ written: false, errors: [{ row: 2, column: 'B' }] });
    expect(bad.json.errors[0].line).toContain('row 2, column B (电话)');

    const { json } = await api(t, 'GET', '/api/admin/audit', admin);
    expect(json.entries.map((e: Json) => [e.action, e.actor])).toEqual([
      ['import', 'ops'],
      ['settings', 'config file'],
    ]);
    expect(json.entries[0].detail).toEqual({
      file: '客户资料.csv',
      kind: 'customers',
      added: 3,
      changed: 0,
      unchanged: 0,
    });
  });

  it('takes ERP customer codes from an uploaded customers file, and the page says which columns a customers file has', async () => {
    const t = await start({ fresh: true });
    const admin = await signIn(t, 'ops', 'orderbot');
    const upload = async (body: string, query = '') => {
      const res = await fetch(`${t.url}/api/admin/imports/customers${query}`, {
        method: 'POST',
        headers: {
          cookie: admin.cookie,
          'x-csrf-token': admin.csrf,
          'content-type': 'application/octet-stream',
          'x-file-name': encodeURIComponent('客户编码.csv'),
        },
        body,
      });
      return (await res.json()) as Json;
    };
    const code = async () => (await t.db.select().from(customers).where(eq(customers.name, '大陆集团')))[0]?.erpCode;
    expect(await code()).toBeNull();
    const file = '客户名称,客户编码\n大陆集团, DL-0001 \n';
    expect(await upload(file)).toMatchObject({ added: 0, changed: 1, written: false, errors: [] });
    expect(await code()).toBeNull();
    expect(await upload(file, '?confirm=1')).toMatchObject({ changed: 1, written: true });
    expect(await code()).toBe('DL-0001');
    // Another customers file without the column leaves the code as it is.
    expect(await upload('客户名称,联系人\n大陆集团,刘总\n', '?confirm=1')).toMatchObject({ changed: 1, written: true });
    expect(await code()).toBe('DL-0001');

    const long = await upload(`客户名称,联系人,ERP code\n大陆集团,刘总,${'D'.repeat(80)}\n`, '?confirm=1');
    expect(long).toMatchObject({ written: false, errors: [{ row: 2, column: 'C', header: 'ERP code' }] });
    expect(long.errors.map((e: Json) => e.line)).toEqual([
      `row 2, column C (ERP code): "${'D'.repeat(20)}…" is 80 characters long; at most 64 are allowed`,
    ]);
    expect(await code()).toBe('DL-0001');

    const page = async (lang: string) => {
      const res = await fetch(`${t.url}/admin?lang=${lang}`, { headers: { cookie: admin.cookie } });
      return res.text();
    };
    expect(await page('zh')).toContain('客户编码（ERP）');
    expect(await page('en')).toContain('ERP customer code (客户编码)');
  });

  it("gives a year's official holidays and make-up working days, and says which years it has", async () => {
    const t = await start({ fresh: true });
    const admin = await signIn(t, 'ops', 'orderbot');
    const y2026 = await api(t, 'GET', '/api/admin/calendar/2026', admin);
    expect(y2026.json.holidays).toHaveLength(33);
    expect(y2026.json.makeUpWorkdays).toEqual([
      '2026-01-04',
      '2026-02-14',
      '2026-02-28',
      '2026-05-09',
      '2026-09-20',
      '2026-10-10',
    ]);
    // The demo config's calendar is the official one.
    expect(y2026.json.holidays).toEqual(t.app.config.current.calendar.holidays);
    expect(await api(t, 'GET', '/api/admin/calendar/2040', admin)).toMatchObject({
      status: 404,
      json: { error: expect.stringContaining('没有 2040 年的法定节假日数据') },
    });
  });

  it('lists the versions with who and what changed, and rolls back with one call', async () => {
    const t = await start({ fresh: true });
    const admin = await signIn(t, 'ops', 'orderbot');
    const config: Json = (await api(t, 'GET', '/api/admin/config', admin)).json.config;
    config.thresholds.escalateAfter = '1h';
    await api(t, 'PUT', '/api/admin/config', admin, { version: 1, config });

    const rolled = await api(t, 'POST', '/api/admin/config/rollback', admin, { version: 1 });
    expect(rolled).toMatchObject({ status: 200, json: { version: 3, changes: ['thresholds.escalateAfter: 1h → 2h'] } });
    expect(t.app.config.current.thresholds.escalateAfter).toBe(2 * 3600_000);
    const { json } = await api(t, 'GET', '/api/admin/config/versions', admin);
    expect(json.versions.map((v: Json) => [v.version, v.source, v.savedBy, v.restores, v.changes])).toEqual([
      [3, 'rollback', 'ops', 1, ['thresholds.escalateAfter: 1h → 2h']],
      [2, 'console', 'ops', null, ['thresholds.escalateAfter: 2h → 1h']],
      [1, 'file', 'config file', null, []],
    ]);
    expect(await api(t, 'POST', '/api/admin/config/rollback', admin, { version: 99 })).toMatchObject({ status: 404 });
  });

  it('adds a viewer, who signs in to the board but is refused every console call', async () => {
    const t = await start({ fresh: true });
    const admin = await signIn(t, 'ops', 'orderbot');
    const short = await api(t, 'PUT', '/api/admin/users/wang', admin, { password: 'short', role: 'viewer' });
    expect(short).toMatchObject({ status: 400, json: { field: 'password' } });
    const added = await api(t, 'PUT', '/api/admin/users/wang', admin, {
      password: 'a long password',
      role: 'viewer',
      person: 'wanggong',
    });
    expect(added).toMatchObject({ status: 200, json: { version: 2 } });
    expect(added.json.changes).toEqual([expect.stringMatching(/^board\.users\.1: \+ /)]);
    expect(JSON.stringify(added.json.changes)).not.toContain('scrypt');

    const viewer = await signIn(t, 'wang', 'a long password');
    expect((await api(t, 'GET', '/api/admin/session', viewer)).json).toMatchObject({ role: 'viewer', name: '王工' });
    expect((await api(t, 'GET', '/api/admin/config', viewer)).status).toBe(403);
    expect((await api(t, 'PUT', '/api/admin/config', viewer, { version: 2, config: {} })).status).toBe(403);
    expect((await api(t, 'POST', '/api/admin/config/rollback', viewer, { version: 1 })).status).toBe(403);
    expect((await api(t, 'PUT', '/api/admin/users/wang', viewer, { role: 'admin' })).status).toBe(403);
    const board = await fetch(`${t.url}/board`, { headers: { cookie: viewer.cookie }, redirect: 'manual' });
    expect(board.status).toBe(200);
  });

  it('reaches a second process within its polling interval, and a restart keeps the console’s version', async () => {
    const first = await start({ fresh: true });
    const url = (database() as { url?: string }).url;
    const secondDb = url ? await openDatabase({ url, poolSize: 2 }) : database();
    const second = await TestApp.start(backend, { database: secondDb, configPollMs: 100 });
    apps.push(second);
    const admin = await signIn(first, 'ops', 'orderbot');
    const config: Json = (await api(first, 'GET', '/api/admin/config', admin)).json.config;
    config.thresholds.escalateAfter = '45m';
    await api(first, 'PUT', '/api/admin/config', admin, { version: 1, config });
    await expect.poll(() => second.app.config.current.thresholds.escalateAfter, { timeout: 5_000 }).toBe(45 * 60_000);
    if (url) apps.push({ close: () => secondDb.close() } as unknown as TestApp);

    // The same config file at the next start is no news: the console's version stands.
    await first.close();
    apps.splice(apps.indexOf(first), 1);
    const restarted = await start();
    expect(restarted.app.config.version).toBe(2);
    expect(restarted.app.config.current.thresholds.escalateAfter).toBe(45 * 60_000);
    // A changed file is taken as a new version.
    const changed = { ...loadBusinessConfig(), company: '新公司' };
    await restarted.close();
    apps.splice(apps.indexOf(restarted), 1);
    const withFile = await start({ config: changed });
    expect(withFile.app.config.version).toBe(3);
    expect(withFile.app.config.current.company).toBe('新公司');
  });
});
