import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { loadBusinessConfig } from '../../config/business-config';
import { type Order, orders } from '../../db/schema';
import { signStatusToken, statusLinkSecret } from '../../handlers/customer-notices';
import { TestApp } from '../support/app';
import { backends } from '../support/databases';
import { confirmedOrder } from '../support/lifecycle';

const PUBLIC = 'https://orders.example.com';
const FIRST = 'SO-20260224-0001';
const SECOND = 'SO-20260224-0002';

function noticesConfig() {
  const config = loadBusinessConfig();
  config.customerNotices.milestones = ['confirmed', 'shipped'];
  return config;
}

async function get(t: TestApp, path: string) {
  const res = await fetch(`${t.url}${path}`, { redirect: 'manual' });
  return { status: res.status, type: res.headers.get('content-type'), headers: res.headers, text: await res.text() };
}

/** The path of the status link in the customer's latest SMS (the playground's SMS pane). */
async function linkInSms(t: TestApp, word: string): Promise<string> {
  const text = await t.waitFor(
    (s) => (s.sms as Array<{ text: string }>).map((m) => m.text).find((m) => m.includes(word)),
    `an SMS saying ${word}`,
  );
  const link = /查看进度：(\S+)$/.exec(text)?.[1];
  expect(link?.startsWith(`${PUBLIC}/s/`)).toBe(true);
  return link!.slice(PUBLIC.length);
}

/** Every name the plant uses inside: people, departments, groups. None may reach a customer's page. */
function internalNames(config = loadBusinessConfig()): string[] {
  return [
    ...config.people.map((p) => p.name),
    ...config.departments.map((d) => d.name),
    ...config.conversations.map((c) => c.name),
  ];
}

const INVALID = '链接已失效';

describe.each(backends)('customer status page over HTTP (%s)', (backend) => {
  let t: TestApp;
  beforeEach(() => {
    vi.stubEnv('PUBLIC_URL', PUBLIC);
    vi.stubEnv('STATUS_LINK_SECRET', '');
    vi.stubEnv('SMS_PROVIDER', '');
  });
  afterEach(async () => {
    await t?.close();
    vi.unstubAllEnvs();
  });

  it('opens the order of the SMS link: stage, arrival, shipment; nothing internal, no script', async () => {
    t = await TestApp.start(backend, { config: noticesConfig() });
    await confirmedOrder(t);
    const path = await linkInSms(t, '已确认');

    const confirmed = await get(t, path);
    expect(confirmed.status).toBe(200);
    expect(confirmed.type).toContain('text/html');
    expect(confirmed.headers.get('cache-control')).toBe('no-store');
    expect(confirmed.headers.get('referrer-policy')).toBe('no-referrer');
    expect(confirmed.text).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
    expect(confirmed.text).toContain('lang="zh-CN"');
    expect(confirmed.text).not.toContain('<script');
    expect(confirmed.text).toContain(FIRST);
    expect(confirmed.text).toContain('<li class="now">已确认（当前）</li>');
    expect(confirmed.text).toContain('<li>生产中</li>');
    expect(confirmed.text).toContain('<li>已送达</li>');
    expect(confirmed.text).toContain('预计送达</dt><dd>2月28日 14:30');
    expect(confirmed.text).toContain('约定交期</dt><dd>3月3日 18:00');
    expect(confirmed.text).not.toContain('运单号');
    for (const name of internalNames()) expect(confirmed.text).not.toContain(name);

    await t.say(`${FIRST} 已发货 顺丰 SF1234567890`);
    await t.settle();
    const [order] = await t.db.select().from(orders).where(eq(orders.number, FIRST));
    await t.db
      .update(orders)
      .set({ tracking: { state: 'transit', at: '2026-02-25 09:12', text: '【杭州市】快件已到达 <杭州转运中心>' } })
      .where(eq(orders.id, order!.id));
    const shippedPath = await linkInSms(t, '已发货');
    const shipped = await get(t, shippedPath);
    expect(shipped.status).toBe(200);
    expect(shipped.text).toContain('<li class="done">已确认</li>');
    expect(shipped.text).toContain('<li class="now">已发货（当前）</li>');
    expect(shipped.text).toContain('顺丰速运');
    expect(shipped.text).toContain('SF1234567890');
    // The courier's words are escaped, not markup.
    expect(shipped.text).toContain('快件已到达 &lt;杭州转运中心&gt;');
    expect(shipped.text).not.toContain('<杭州转运中心>');
    for (const name of internalNames()) expect(shipped.text).not.toContain(name);
    // The first SMS's link still opens the order, now shipped.
    expect((await get(t, path)).text).toContain('已发货（当前）');
  });

  it('leaves out the stages a stock order skips', async () => {
    t = await TestApp.start(backend, { config: noticesConfig() });
    await confirmedOrder(t);
    const [order] = await t.db.select().from(orders).where(eq(orders.number, FIRST));
    await t.db
      .update(orders)
      .set({ skippedStages: ['in_production', 'qc_passed'] })
      .where(eq(orders.id, order!.id));
    const page = await get(t, await linkInSms(t, '已确认'));
    expect(page.text).not.toContain('生产中');
    expect(page.text).not.toContain('质检通过');
    expect(page.text).toContain('<li>已包装</li>');
  });

  it('answers an expired, an altered, another order’s and a made-up link with the same plain 404', async () => {
    t = await TestApp.start(backend, { config: noticesConfig() });
    await confirmedOrder(t);
    await t.say('客户：博世 需要BRK-2026-01样品5件，3月5日前到');
    await t.settle();
    const path = await linkInSms(t, '已确认');
    const [, , token] = path.split('/') as [string, string, string];
    const [number, expires, sig] = token.split('.') as [string, string, string];
    // The other order could be opened with its own link: only the signature keeps it out.
    await t.db.update(orders).set({ stage: 'confirmed', status: 'confirmed' }).where(eq(orders.number, SECOND));
    const secret = await statusLinkSecret(t.db, t.clock.now());
    const own = signStatusToken(secret, SECOND, new Date(Number.parseInt(expires, 36) * 1000));
    expect((await get(t, `/s/${own}`)).status).toBe(200);

    const pages = {
      altered: await get(t, `/s/${number}.${expires}.${sig.slice(0, -1)}${sig.endsWith('A') ? 'B' : 'A'}`),
      later: await get(t, `/s/${number}.${(Number.parseInt(expires, 36) + 86_400).toString(36)}.${sig}`),
      other: await get(t, `/s/${SECOND}.${expires}.${sig}`),
      garbage: await get(t, '/s/hello'),
      script: await get(t, `/s/${encodeURIComponent('<script>alert(1)</script>')}`),
    };
    for (const [what, page] of Object.entries(pages)) {
      expect(page.status, what).toBe(404);
      expect(page.text, what).toContain(INVALID);
      expect(page.text, what).not.toContain('SO-');
      expect(page.text, what).not.toContain('<script>alert');
    }
    // All alike: nothing tells an expired link from a forged one.
    expect(new Set(Object.values(pages).map((p) => p.text)).size).toBe(1);

    // A link made with the right secret for an order that does not exist opens nothing either.
    const unknown = signStatusToken(secret, 'SO-20260224-0099', new Date(t.clock.now().getTime() + 86_400_000));
    expect((await get(t, `/s/${unknown}`)).status).toBe(404);

    // Still valid on day 29; gone after day 30.
    t.clock.advance(29 * 86_400_000);
    expect((await get(t, path)).status).toBe(200);
    t.clock.advance(86_400_000 + 60_000);
    const expired = await get(t, path);
    expect(expired.status).toBe(404);
    expect(expired.text).toBe(pages.garbage.text);
  });

  it('honours STATUS_LINK_SECRET: a link signed with another secret opens nothing', async () => {
    vi.stubEnv('STATUS_LINK_SECRET', 'the-plant-s-own-link-secret-2026');
    t = await TestApp.start(backend, { config: noticesConfig() });
    await confirmedOrder(t);
    const path = await linkInSms(t, '已确认');
    expect((await get(t, path)).status).toBe(200);
    const stored = await statusLinkSecret(t.db, t.clock.now(), {});
    const forged = signStatusToken(stored, FIRST, new Date(t.clock.now().getTime() + 86_400_000));
    expect((await get(t, `/s/${forged}`)).status).toBe(404);
  });

  it('lists the deliveries an order was split into, each with its stage and arrival', async () => {
    t = await TestApp.start(backend, { config: noticesConfig() });
    await confirmedOrder(t);
    const path = await linkInSms(t, '已确认');
    const [parent] = await t.db.select().from(orders).where(eq(orders.number, FIRST));
    const { id: _id, ...copy } = parent as Order;
    void _id;
    await t.db.insert(orders).values([
      { ...copy, number: `${FIRST}-2`, splitOf: parent!.id, stage: 'shipped', etd: new Date('2026-02-27T06:00:00Z') },
      { ...copy, number: `${FIRST}-3`, splitOf: parent!.id, stage: 'confirmed', etd: new Date('2026-03-06T08:00:00Z') },
    ]);
    const page = await get(t, path);
    expect(page.status).toBe(200);
    expect(page.text).toContain('分批交付');
    expect(page.text).toContain(`<dt>${FIRST}-2</dt><dd>已发货 · 预计送达 2月27日 14:00</dd>`);
    expect(page.text).toContain(`<dt>${FIRST}-3</dt><dd>已确认 · 预计送达 3月6日 16:00</dd>`);
  });
});
