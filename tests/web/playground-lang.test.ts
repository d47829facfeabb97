import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestApp } from '../support/app';
import { CHROMIUM, hasBrowser, launchChromium } from '../support/browser';

const HAN = /[\u4e00-\u9fff]/;

describe('the playground page over HTTP', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await TestApp.start('pglite');
  });
  afterAll(async () => {
    await t?.close();
  });

  const get = async (path: string, cookie?: string) => {
    const res = await fetch(`${t.url}${path}`, { headers: cookie ? { cookie } : {} });
    return { cookies: res.headers.getSetCookie(), type: res.headers.get('content-type'), text: await res.text() };
  };

  it('is Chinese by default, English from ?lang=en on, kept in a cookie for the whole site', async () => {
    const chinese = await get('/');
    expect(chinese.type).toContain('text/html');
    expect(chinese.cookies).toEqual([]);
    expect(chinese.text).toContain('<html lang="zh-CN">');
    expect(chinese.text).toContain('id="send-button">发送</button>');

    const english = await get('/?lang=en');
    expect(english.cookies).toHaveLength(1);
    expect(english.cookies[0]).toMatch(/^orderbot_lang=en; path=\/; expires=[^;]+; samesite=lax$/i);
    expect(english.text).toContain('<html lang="en">');
    expect(english.text).toContain('id="send-button">Send</button>');
    // Nothing Chinese at all, the sample requests included.
    expect(english.text).toContain('BRK-2026-01 samples ×5 by 3/5');
    expect(english.text).not.toMatch(HAN);

    expect((await get('/', 'orderbot_lang=en')).text).toBe(english.text);
    expect((await get('/?lang=zh', 'orderbot_lang=en')).text).toBe(chinese.text);
  });
});

if (!hasBrowser)
  console.warn(`playground language tests skipped: no Chromium at ${CHROMIUM} (apt-get install chromium)`);

describe.skipIf(!hasBrowser)('the playground page in English in headless Chromium', () => {
  let t: TestApp;
  let browser: Browser;
  beforeAll(async () => {
    t = await TestApp.start('pglite');
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it("says what its script builds in English, asks for a rejection's reason in English, and stays English", async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const prompts: string[] = [];
    page.on('dialog', (dialog) => {
      prompts.push(dialog.message());
      void dialog.accept('mould under repair');
    });
    await page.goto(`${t.url}/?lang=en`);
    await expect.poll(() => page.locator('#health').innerText(), { timeout: 5000 }).toBe('Database: pglite');
    await expect
      .poll(() => page.locator('#clock-now').innerText(), { timeout: 5000 })
      .toMatch(/^Clock 02-24 \d\d:\d\d$/);
    await expect.poll(() => page.title()).toBe('订单助手 · local playground');
    expect(await page.locator('#company').innerText()).toBe('华东精密制造有限公司 · local playground');
    expect(await page.locator('#message-list').innerText()).toBe('No messages yet: try an example below');
    expect(await page.locator('[data-inbox="wanggong"]').getAttribute('aria-label')).toBe("王工's inbox");
    expect(await page.locator('[data-inbox="wanggong"] .list').innerText()).toBe('Nothing to do');
    expect(await page.locator('[data-sms] h2').innerText()).toBe('SMS noticessimulated');
    expect(await page.locator('#sms-list').innerText()).toBe('No SMS yet');
    expect(await page.locator('#sender-select option[value="wanggong"]').innerText()).toBe('王工 (技术主管)');
    expect(await page.locator('#chips .chip').count()).toBe(6);

    await page.click('#travel-1h');
    await expect
      .poll(() => page.locator('#clock-now').innerText(), { timeout: 5000 })
      .toMatch(/^Clock 02-24 \d\d:\d\d \(60 minutes ahead\)$/);

    await page.fill('#message-input', 'BRK-2026-05 ×30 3月10日前');
    await page.click('#send-button');
    const card = page.locator('[data-inbox="zhoushifu"] [data-card]').filter({ hasText: 'SO-20260224-0001' });
    await card.locator('[data-button="reject"]').click();
    await expect.poll(() => prompts).toEqual(['Why do you reject it?']);
    await expect
      .poll(() => page.locator('#message-list').innerText(), { timeout: 5000 })
      .toContain('mould under repair');

    await page.goto(t.url);
    expect(await page.locator('#send-button').innerText()).toBe('Send');
    await page.goto(`${t.url}/?lang=zh`);
    expect(await page.locator('#send-button').innerText()).toBe('发送');
    await expect.poll(() => page.locator('#health').innerText(), { timeout: 5000 }).toBe('数据库: pglite');
    expect(errors).toEqual([]);
    await page.close();
  });
});
