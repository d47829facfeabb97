import { afterEach, describe, expect, it } from 'vitest';
import { boardSessions } from '../../db/schema';
import { TestApp } from '../support/app';
import { backends, createTestDatabase } from '../support/databases';

async function login(t: TestApp, username: string, password: string, next?: string) {
  const body = new URLSearchParams({ username, password, ...(next !== undefined ? { next } : {}) });
  const res = await fetch(`${t.url}/board/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body,
  });
  return {
    status: res.status,
    location: res.headers.get('location'),
    cookie: res.headers.get('set-cookie')?.split(';')[0] ?? null,
    text: await res.text(),
  };
}

async function get(t: TestApp, path: string, cookie?: string | null) {
  const res = await fetch(`${t.url}${path}`, { redirect: 'manual', headers: cookie ? { cookie } : {} });
  return {
    status: res.status,
    location: res.headers.get('location'),
    type: res.headers.get('content-type'),
    text: await res.text(),
  };
}

describe.each(backends)('ops board sign-in and pages over HTTP (%s)', (backend) => {
  let t: TestApp;
  afterEach(async () => t?.close());

  it('keeps everything behind the login, and the session in the database (a restart keeps it, sign-out and time end it)', async () => {
    const database = await createTestDatabase(backend);
    try {
      t = await TestApp.start(backend, { database });
      expect(await get(t, '/board')).toMatchObject({ status: 302, location: '/board/login?next=%2Fboard' });
      expect(await get(t, '/board/kpi.csv?from=2026-02-01&to=2026-02-28')).toMatchObject({ status: 401 });
      const ok = await login(t, 'ops', 'orderbot');
      expect(ok).toMatchObject({ status: 302, location: '/board' });
      expect(ok.cookie).toMatch(/^orderbot_board=[\w-]{40,}$/);
      const stored = await t.db.select().from(boardSessions);
      expect(stored).toHaveLength(1);
      expect(stored[0]!.tokenHash).not.toContain(ok.cookie!.split('=')[1]);
      expect((await get(t, '/board', ok.cookie)).status).toBe(200);

      await t.close();
      t = await TestApp.start(backend, { database });
      const board = await get(t, '/board', ok.cookie);
      expect(board.status).toBe(200);
      expect(board.type).toContain('text/html');
      expect((await get(t, '/board/kpi.csv?from=2026-02-28&to=2026-02-01', ok.cookie)).status).toBe(400);
      const csv = await get(t, '/board/kpi.csv?from=2026-02-16&to=2026-03-01', ok.cookie);
      expect(
        csv.text
          .trim()
          .split('\n')
          .map((l) => l.split(',')[0]),
      ).toEqual(['period', '2026-W08', '2026-W09', 'total']);

      const out = await fetch(`${t.url}/board/logout`, {
        method: 'POST',
        redirect: 'manual',
        headers: { cookie: ok.cookie! },
      });
      expect(out.headers.get('location')).toBe('/board/login');
      expect(await t.db.select().from(boardSessions)).toHaveLength(0);
      expect((await get(t, '/board', ok.cookie)).status).toBe(302);

      const again = await login(t, 'ops', 'orderbot');
      t.clock.advance(12 * 3600_000 + 1000);
      expect((await get(t, '/board', again.cookie)).status).toBe(302);
    } finally {
      await t?.close();
      await database.close();
    }
  });

  it.runIf(backend === 'pglite')(
    'refuses wrong passwords and unknown users alike, slows down guessing, and never redirects off the board',
    async () => {
      t = await TestApp.start(backend);
      const wrong = await login(t, 'ops', 'nope');
      const nobody = await login(t, 'nobody', 'orderbot');
      for (const r of [wrong, nobody]) {
        expect(r.status).toBe(401);
        expect(r.cookie).toBeNull();
        expect(r.text).toContain('用户名或密码错误');
      }
      expect((await login(t, 'ops', 'orderbot', '//evil.example/board')).location).toBe('/board');
      expect((await login(t, 'ops', 'orderbot', 'https://evil.example/')).location).toBe('/board');
      expect((await login(t, 'ops', 'orderbot', '/board/orders/SO-20260224-0001')).location).toBe(
        '/board/orders/SO-20260224-0001',
      );
      for (let i = 0; i < 5; i += 1) expect((await login(t, 'ops', `guess-${i}`)).status).toBe(401);
      const blocked = await login(t, 'ops', 'orderbot');
      expect(blocked.status).toBe(429);
      expect(blocked.cookie).toBeNull();
      expect(blocked.text).toContain('尝试次数过多');
      t.clock.advance(15 * 60_000);
      expect((await login(t, 'ops', 'orderbot')).status).toBe(302);
    },
  );

  it.runIf(backend === 'pglite')('escapes what it echoes and answers an unknown order with 404', async () => {
    t = await TestApp.start(backend);
    const { cookie } = await login(t, 'ops', 'orderbot');
    const missing = await get(t, `/board/orders/${encodeURIComponent('<script>alert(1)</script>')}`, cookie);
    expect(missing.status).toBe(404);
    expect(missing.text).not.toContain('<script>alert(1)');
    expect(missing.text).toContain('&lt;script&gt;');
    const form = await login(t, '<img src=x onerror=alert(1)>', 'x');
    expect(form.text).not.toContain('<img src=x');
  });
});
