import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { CHROMIUM, hasBrowser, launchChromium } from '../support/browser';
import { TestApp } from '../support/app';

if (!hasBrowser) console.warn(`playground page tests skipped: no Chromium at ${CHROMIUM} (apt-get install chromium)`);

describe.skipIf(!hasBrowser)('playground page in headless Chromium', () => {
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

  it("sends a request, shows the cards in the leads' inboxes, and confirms after three approvals", async () => {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(t.url);
    await page.fill('#message-input', '需要BRK-2026-01样品5件,3月5日前到');
    await page.click('#send-button');
    await expect.poll(() => page.locator('#message-list').innerText(), { timeout: 5000 }).toContain('SO-20260224-0001');
    for (const id of ['wanggong', 'chenjie', 'zhoushifu']) {
      await page.locator(`[data-inbox="${id}"] [data-card] [data-button="approve"]`).click();
    }
    await expect.poll(() => page.locator('#message-list').innerText(), { timeout: 5000 }).toContain('已确认');
    await expect
      .poll(() => page.locator('[data-inbox="liugong"] [data-card]').innerText(), { timeout: 5000 })
      .toContain('已同意 · 王工 10:00');
    expect(await page.locator('[data-inbox="liugong"] [data-button="approve"]').count()).toBe(0);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('asks for a reason before rejecting', async () => {
    const page = await browser.newPage();
    page.on('dialog', (dialog) => void dialog.accept('模具在修'));
    await page.goto(t.url);
    await page.fill('#message-input', 'BRK-2026-05 ×30 3月10日前');
    await page.click('#send-button');
    const card = page.locator('[data-inbox="zhoushifu"] [data-card]').filter({ hasText: 'SO-20260224-0002' });
    await card.locator('[data-button="reject"]').click();
    await expect.poll(() => page.locator('#message-list').innerText(), { timeout: 5000 }).toContain('原因：模具在修');
    await page.close();
  });

  it("hands a step to a colleague from the card's picker", async () => {
    const page = await browser.newPage();
    await page.goto(t.url);
    await page.fill('#message-input', '需要BRK-2026-01样品5件,4月20日前到');
    await page.click('#send-button');
    const card = page.locator('[data-inbox="zhoushifu"] [data-card]').filter({ hasText: 'SO-20260224-0003' });
    await card.locator('[data-button="transfer"]').click();
    const picker = card.locator('select[data-reasons]');
    await expect
      .poll(() => picker.locator('option').allInnerTexts(), { timeout: 5000 })
      .toEqual(['转交给', '孙总', '周总']);
    await picker.selectOption('sunzong');
    await card.locator('[data-button="transfer-to"]').click();
    await expect.poll(() => card.innerText(), { timeout: 5000 }).toContain('已转交给孙总');
    await expect
      .poll(() => page.locator('[data-inbox="sunzong"] [data-card]').last().innerText(), { timeout: 5000 })
      .toContain('由周师傅转交给您');
    await page.close();
  });
});
