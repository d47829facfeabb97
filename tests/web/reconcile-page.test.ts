import { afterEach, describe, expect, it } from 'vitest';
import { storeChannelOrders } from '../../db/channel-orders';
import { storeSettlements } from '../../db/channel-settlements';
import type { ReceivedOrder } from '../../domain/channels/received';
import { evaluateRules } from '../../domain/channels/rules';
import { TestApp } from '../support/app';
import { backends } from '../support/databases';

async function login(t: TestApp) {
  const res = await fetch(`${t.url}/board/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ username: 'ops', password: 'orderbot' }),
  });
  return res.headers.get('set-cookie')?.split(';')[0] ?? '';
}

async function get(t: TestApp, path: string, cookie?: string) {
  const res = await fetch(`${t.url}${path}`, { redirect: 'manual', headers: cookie ? { cookie } : {} });
  return { status: res.status, location: res.headers.get('location'), text: await res.text() };
}

function order(channel: 'douyin' | 'jd', orderId: string, paidAt: string, priceFen: number): ReceivedOrder {
  return {
    order: {
      channel,
      shop: `${channel}-1`,
      orderId,
      buyerKey: 'b',
      createdAt: paidAt,
      paidAt,
      lines: [{ sku: 'BRK-2026-01', quantity: 1, unitPriceFen: priceFen, discounts: [] }],
      discounts: [],
      totals: { freightFen: 0, paidFen: priceFen },
    },
    status: 'finished',
    updatedAt: paidAt,
    buyerPhoneHash: null,
  };
}

/** The test clock starts on Tue 2026-02-24: the default period is Feb 17–23. */
async function seed(t: TestApp) {
  const now = t.clock.now();
  await storeChannelOrders(
    t.db,
    [
      order('douyin', 'DY-OK', '2026-02-18T02:00:00Z', 20_000),
      order('douyin', 'DY-<b>', '2026-02-18T03:00:00Z', 20_000),
      order('jd', 'JD-WAIT', '2026-02-22T03:00:00Z', 15_000),
    ],
    { source: 'poll', now, evaluate: (copy) => evaluateRules(copy.order, []) },
  );
  await storeSettlements(
    t.db,
    'douyin',
    'douyin-1',
    [
      { lineKey: 'a', orderId: 'DY-OK', kind: 'settle', amountFen: 20_000, settledAt: '2026-02-20T02:00:00Z' },
      { lineKey: 'b', orderId: 'DY-<b>', kind: 'settle', amountFen: 18_000, settledAt: '2026-02-20T02:00:00Z' },
    ],
    'api',
    now,
  );
}

describe.each(backends)('the board reconciliation page (%s)', (backend) => {
  let t: TestApp;
  afterEach(async () => t?.close());

  it('is behind the login; shows per channel the rate, the match share, the unsettled orders, the causes and the largest differences', async () => {
    t = await TestApp.start(backend);
    await seed(t);
    expect(await get(t, '/board/reconcile')).toMatchObject({
      status: 302,
      location: '/board/login?next=%2Fboard%2Freconcile',
    });
    const cookie = await login(t);

    const page = await get(t, '/board/reconcile', cookie);
    expect(page.status).toBe(200);
    expect(page.text).toContain('渠道对账 2026-02-17 至 2026-02-23');
    expect(page.text).toContain('value="2026-02-17"');
    const douyin = page.text.match(/<tr data-channel="douyin">[\s\S]*?<\/tr>/)?.[0] ?? '';
    // |20 000 − 18 000| / 38 000 = 5.26%, one of two matched.
    expect(douyin).toContain('<td class="num rate">5.26%</td>');
    expect(douyin).toContain('<td class="num match">50.00%</td>');
    expect(douyin).toContain('<td class="num settled">2</td>');
    const jd = page.text.match(/<tr data-channel="jd">[\s\S]*?<\/tr>/)?.[0] ?? '';
    expect(jd).toContain('<td class="num unsettled">1</td>');
    expect(jd).toContain('<td class="num rate">—</td>');
    expect(page.text).toMatch(/<tr data-cause="other"><td>其他<\/td>/);
    expect(page.text).toMatch(/<tr data-cause="not_settled"><td>尚未结算<\/td>/);
    const listed = [...page.text.matchAll(/<tr class="difference" data-order="([^"]+)" data-cause="([^"]+)"/g)].map(
      (m) => `${m[1]} ${m[2]}`,
    );
    expect(listed).toEqual(['JD-WAIT not_settled', 'DY-&lt;b&gt; other']);
    expect(page.text).not.toContain('DY-<b>');

    const en = await get(t, '/board/reconcile?from=2026-02-17&to=2026-02-23&channel=douyin&lang=en', cookie);
    expect(en.status).toBe(200);
    expect(en.text).toContain('Channel reconciliation 2026-02-17 to 2026-02-23');
    expect(en.text).toContain('Difference rate');
    expect(en.text).not.toContain('data-channel="jd"');
    expect(en.text).toContain(
      'href="/board/reconcile?from=2026-02-17&amp;to=2026-02-23&amp;channel=douyin&amp;lang=zh"',
    );

    const earlier = await get(t, '/board/reconcile?from=2026-01-01&to=2026-01-31', cookie);
    expect(earlier.text).toContain('本期没有渠道订单结算');

    for (const query of ['from=2026-02-30&to=2026-03-01', 'from=2026-02-23&to=2026-02-17', 'channel=pdd']) {
      const bad = await get(t, `/board/reconcile?${query}`, cookie);
      expect(bad.status, query).toBe(400);
      expect(bad.text).toContain('日期格式为 YYYY-MM-DD');
    }
  });
});
