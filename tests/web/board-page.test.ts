import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { CHROMIUM, hasBrowser, launchChromium } from '../support/browser';
import { TestApp } from '../support/app';
import { confirmedOrder, travelTo } from '../support/lifecycle';

if (!hasBrowser) console.warn(`ops board page tests skipped: no Chromium at ${CHROMIUM} (apt-get install chromium)`);

describe.skipIf(!hasBrowser)('ops board in headless Chromium', () => {
  let t: TestApp;
  let browser: Browser;
  beforeAll(async () => {
    t = await TestApp.start('pglite');
    // One order confirmed at once; one waiting on the customer for an hour, then past its approval deadline.
    await confirmedOrder(t);
    await t.say('客户：博世 需要BRK-2026-01样品5件，3月5日前到');
    await t.settle();
    await travelTo(t, '2026-02-24T10:30:00');
    await t.say('等客户图纸');
    await travelTo(t, '2026-02-24T11:30:00');
    await t.say('客户已回复');
    // Its approvals' deadline moved by the hour it waited on the customer: 13:00, escalated at 13:30.
    await travelTo(t, '2026-02-24T13:30:00');
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it("asks for a login, refuses a wrong password, and shows the board, an order's timeline, and signs out", async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${t.url}/board`);
    expect(new URL(page.url()).pathname).toBe('/board/login');

    await page.fill('input[name="username"]', 'ops');
    await page.fill('input[name="password"]', 'wrong-password');
    await page.click('button[type="submit"]');
    expect(await page.locator('p.error').innerText()).toContain('用户名或密码错误');
    expect(await page.inputValue('input[name="username"]')).toBe('ops');

    await page.fill('input[name="password"]', 'orderbot');
    await page.click('button[type="submit"]');
    expect(new URL(page.url()).pathname).toBe('/board');
    expect(await page.title()).toContain('运营看板');
    expect(await page.locator('header').innerText()).toContain('周总');

    const rows = page.locator('#open-orders tr.order');
    expect(await rows.count()).toBe(2);
    const first = rows.first();
    expect(await first.getAttribute('data-number')).toBe('SO-20260224-0002');
    expect(await first.getAttribute('class')).toContain('red');
    expect(await first.innerText()).toContain('审批超时');
    expect(await first.innerText()).toContain('博世');
    expect(await rows.nth(1).getAttribute('class')).toContain('blue');

    for (const kpi of ['latency', 'on-time', 'accuracy', 'handling']) {
      expect(await page.locator(`figure.chart[data-kpi="${kpi}"] svg`).count()).toBe(1);
    }
    expect(await page.locator('figure.chart[data-kpi="latency"]').innerText()).toContain('W09');
    expect(await page.locator('#figures').innerText()).toContain('本周确认订单');
    expect(await page.locator('#lines').innerText()).toContain('A线');

    await first.locator('a').first().click();
    expect(new URL(page.url()).pathname).toBe('/board/orders/SO-20260224-0002');
    const timeline = await page.locator('#timeline').innerText();
    expect(timeline.indexOf('创建需求单')).toBeLessThan(timeline.indexOf('等客户（暂停计时）'));
    expect(timeline.indexOf('等客户（暂停计时）')).toBeLessThan(timeline.indexOf('客户已回复（继续计时）'));
    expect(timeline).toContain('图纸');
    expect(await page.locator('#pauses-table').innerText()).toContain('1小时');

    const csv = await page.request.get(`${t.url}/board/kpi.csv?from=2026-02-23&to=2026-03-01`);
    expect(csv.status()).toBe(200);
    expect((await csv.text()).split('\n')[0]).toMatch(/^period,from,to,confirmed_orders,latency_p50_hours/);

    await page.click('form[action="/board/logout"] button');
    expect(new URL(page.url()).pathname).toBe('/board/login');
    await page.goto(`${t.url}/board/orders/SO-20260224-0002`);
    expect(new URL(page.url()).pathname).toBe('/board/login');
    expect(new URL(page.url()).searchParams.get('next')).toBe('/board/orders/SO-20260224-0002');
    expect(errors).toEqual([]);

    await page.setViewportSize({ width: 390, height: 844 });
    await page.fill('input[name="username"]', 'ops');
    await page.fill('input[name="password"]', 'orderbot');
    await page.click('button[type="submit"]');
    expect(new URL(page.url()).pathname).toBe('/board/orders/SO-20260224-0002');
    await page.close();
  });
});
