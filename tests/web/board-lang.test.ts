import type { AddressInfo } from 'node:net';
import { bodyParser } from '@koa/bodyparser';
import Koa from 'koa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedConfig, loadBusinessConfig } from '../../config/business-config';
import { boardRoutes } from '../../web/board/routes';
import { TestApp } from '../support/app';
import { backends, createTestDatabase } from '../support/databases';
import { confirmedOrder, travelTo } from '../support/lifecycle';

const ORDER = '/board/orders/SO-20260224-0002';
/** The reasons listed in an order's row of the board. */
function reasonsOf(html: string, number: string): string[] {
  const row = new RegExp(`<tr class="order \\w+" data-number="${number}">[\\s\\S]*?</tr>`).exec(html)?.[0] ?? '';
  return [...row.matchAll(/<li>([^<]*)<\/li>/g)].map((m) => m[1]!);
}

/** The cookies a response sets, by name: the whole Set-Cookie line of each. */
function setCookies(res: Response): Record<string, string> {
  return Object.fromEntries(res.headers.getSetCookie().map((c) => [c.slice(0, c.indexOf('=')), c]));
}

/** A browser's cookie jar, enough for these pages: name → value, whatever the path. */
class Jar {
  readonly values = new Map<string, string>();
  header(): string {
    return [...this.values].map(([k, v]) => `${k}=${v}`).join('; ');
  }
  keep(res: Response) {
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const [name, value] = pair!.split('=') as [string, string];
      if (value === '') this.values.delete(name);
      else this.values.set(name, value);
    }
  }
}

async function get(url: string, jar: Jar) {
  const res = await fetch(url, { redirect: 'manual', headers: { cookie: jar.header() } });
  jar.keep(res);
  return {
    status: res.status,
    location: res.headers.get('location'),
    cookies: setCookies(res),
    text: await res.text(),
  };
}

async function login(url: string, jar: Jar, username: string, password: string) {
  const res = await fetch(`${url}/board/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: jar.header() },
    body: new URLSearchParams({ username, password }),
  });
  jar.keep(res);
  return { status: res.status, location: res.headers.get('location'), text: await res.text() };
}

describe.each(backends)('the ops board in English and Chinese over HTTP (%s)', (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await TestApp.start(backend);
    // One order confirmed at once; one waiting on the customer for an hour, then past its approval deadline.
    await confirmedOrder(t);
    await t.say('客户：博世 需要BRK-2026-01样品5件，3月5日前到');
    await t.settle();
    await travelTo(t, '2026-02-24T10:30:00');
    await t.say('等客户图纸');
    await t.settle();
    await travelTo(t, '2026-02-24T11:30:00');
    await t.say('客户已回复');
    await t.settle();
    // Its approvals' deadline moved by the hour it waited on the customer: 13:00, escalated at 13:30.
    await travelTo(t, '2026-02-24T13:30:00');
  });
  afterAll(async () => {
    await t?.close();
  });

  it('is Chinese by default and sets no language cookie', async () => {
    const jar = new Jar();
    const page = await get(`${t.url}/board/login`, jar);
    expect(page.cookies).toEqual({});
    expect(page.text).toContain('<html lang="zh-CN">');
    expect(page.text).toContain('<label for="username">用户名</label>');
    expect(page.text).toContain('<a class="lang" href="/board/login?lang=en" hreflang="en" lang="en">English</a>');
    expect((await login(t.url, jar, 'ops', 'orderbot')).location).toBe('/board');
    const board = (await get(`${t.url}/board`, jar)).text;
    expect(board).toContain('<title>运营看板 · 华东精密制造有限公司</title>');
    expect(board).toContain('<a class="lang" href="/board?lang=en"');
    expect(board).toContain('<h2>订单明细</h2>');
    expect(board).toContain('<li data-status="pending_approval"><b>1</b>待审批</li>');
    expect(reasonsOf(board, 'SO-20260224-0002')).toEqual(['审批超时，已升级', '产线负荷高']);
    expect(board).toContain('<figcaption>客户感知时延</figcaption>');
    const order = (await get(`${t.url}${ORDER}`, jar)).text;
    expect(order).toContain('<span class="label">等客户（暂停计时）</span>');
    expect(order).toContain('<dt>原始需求</dt>');
  });

  it('switches to English with ?lang=en, keeps it in a cookie across pages, and back with ?lang=zh', async () => {
    const jar = new Jar();
    const signIn = await get(`${t.url}/board/login?next=${encodeURIComponent(ORDER)}&lang=en`, jar);
    const cookie = signIn.cookies.orderbot_lang ?? '';
    expect(cookie).toMatch(/^orderbot_lang=en; path=\/board; /);
    expect(cookie).toMatch(/; samesite=lax/i);
    expect(cookie).not.toMatch(/httponly/i);
    const expires = Date.parse(/expires=([^;]+)/.exec(cookie)?.[1] ?? '');
    expect(expires - Date.now()).toBeGreaterThan(364 * 24 * 3600_000);
    expect(signIn.text).toContain('<html lang="en">');
    expect(signIn.text).toContain('<label for="username">Username</label>');
    expect(signIn.text).toContain('<input type="hidden" name="next" value="/board/orders/SO-20260224-0002">');
    // The link back to Chinese keeps where to go after signing in.
    expect(signIn.text).toContain('href="/board/login?next=%2Fboard%2Forders%2FSO-20260224-0002&amp;lang=zh"');
    expect(signIn.text).toContain('>中文</a>');

    const wrong = await login(t.url, jar, 'ops', 'wrong-password');
    expect(wrong.status).toBe(401);
    expect(wrong.text).toContain('<p class="error" role="alert">Wrong username or password.</p>');
    expect((await login(t.url, jar, 'ops', 'orderbot')).location).toBe('/board');

    // No ?lang on these: the cookie says English.
    const board = await get(`${t.url}/board`, jar);
    expect(board.cookies).toEqual({});
    expect(board.text).toContain('<html lang="en">');
    expect(board.text).toContain('<title>Ops board · 华东精密制造有限公司</title>');
    expect(board.text).toContain('<a class="lang" href="/board?lang=zh" hreflang="zh-CN" lang="zh-CN">中文</a>');
    expect(board.text).toContain('<button>Sign out</button>');
    expect(board.text).toContain('<h2>Orders</h2>');
    expect(board.text).toContain('<h2>Production line load</h2>');
    expect(board.text).toContain('<li data-status="pending_approval"><b>1</b>awaiting approval</li>');
    expect(board.text).toContain('<td class="nowrap">confirmed</td>');
    expect(reasonsOf(board.text, 'SO-20260224-0002')).toEqual(['approval overdue, escalated', 'busy production line']);
    expect(board.text).toContain('<figcaption>Customer-facing latency</figcaption>');
    expect(board.text).toContain('data-series="median"');
    expect(board.text).toContain('Orders confirmed this week');
    expect(board.text).not.toContain('待审批');
    expect(board.text).not.toContain('未完成订单');

    const order = await get(`${t.url}${ORDER}`, jar);
    expect(order.text).toContain('<html lang="en">');
    expect(order.text).toContain('<a class="lang" href="/board/orders/SO-20260224-0002?lang=zh"');
    for (const label of [
      'Request created',
      'Waiting on the customer (clock paused)',
      'Customer replied (clock running again)',
    ])
      expect(order.text).toContain(`<span class="label">${label}</span>`);
    expect(order.text).toContain('<dt>Request as written</dt>');
    expect(order.text).not.toContain('创建需求单');

    const missing = await get(`${t.url}/board/orders/SO-404`, jar);
    expect(missing.status).toBe(404);
    expect(missing.text).toContain('<p>Could not find order SO-404.</p>');

    // The CSV's column names are identifiers, in either language.
    const csv = await get(`${t.url}/board/kpi.csv?from=2026-02-23&to=2026-03-01`, jar);
    expect(csv.text.split('\n')[0]).toMatch(/^period,from,to,confirmed_orders,latency_p50_hours/);

    const chinese = await get(`${t.url}/board?lang=zh`, jar);
    expect(chinese.cookies.orderbot_lang).toMatch(/^orderbot_lang=zh; path=\/board; /);
    expect(chinese.text).toContain('<h2>订单明细</h2>');
    expect((await get(`${t.url}${ORDER}`, jar)).text).toContain('<span class="label">创建需求单</span>');
  });

  it('ignores a language it does not have', async () => {
    const jar = new Jar();
    const page = await get(`${t.url}/board/login?lang=fr`, jar);
    expect(page.cookies).toEqual({});
    expect(page.text).toContain('<html lang="zh-CN">');
    jar.values.set('orderbot_lang', 'fr');
    expect((await get(`${t.url}/board/login`, jar)).text).toContain('<html lang="zh-CN">');
  });

  it.runIf(backend === 'pglite')('says "too many attempts" in English', async () => {
    const jar = new Jar();
    await get(`${t.url}/board/login?lang=en`, jar);
    for (let i = 0; i < 5; i += 1) expect((await login(t.url, jar, 'guesser', `guess-${i}`)).status).toBe(401);
    const blocked = await login(t.url, jar, 'guesser', 'orderbot');
    expect(blocked.status).toBe(429);
    expect(blocked.text).toContain('Too many attempts. Please try again in 15 minutes.');
  });
});

describe.each(backends)('the demo password outside the playground (%s)', (backend) => {
  let url: string;
  let close: () => Promise<void>;
  beforeAll(async () => {
    const database = await createTestDatabase(backend);
    const app = new Koa();
    app.use(bodyParser({ enableTypes: ['form'] }));
    const config = loadBusinessConfig();
    app.use(
      boardRoutes({
        db: database.db,
        config: fixedConfig(config),
        clock: () => new Date(),
        playground: false,
      }).routes(),
    );
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    close = async () => {
      await new Promise((resolve) => server.close(resolve));
      await database.close();
    };
  });
  afterAll(async () => close?.());

  it("is refused in the reader's language", async () => {
    const jar = new Jar();
    const zh = await login(url, jar, 'ops', 'orderbot');
    expect(zh.status).toBe(403);
    expect(zh.text).toContain('演示密码只能在本地演练场使用。');
    await get(`${url}/board/login?lang=en`, jar);
    const en = await login(url, jar, 'ops', 'orderbot');
    expect(en.status).toBe(403);
    expect(en.text).toContain('The demo password only works in the local playground.');
    expect(jar.values.has('orderbot_board')).toBe(false);
  });
});
