import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestApp } from '../support/app';
import { CHROMIUM, hasBrowser, launchChromium } from '../support/browser';

if (!hasBrowser) console.warn(`admin page tests skipped: no Chromium at ${CHROMIUM} (apt-get install chromium)`);

describe.skipIf(!hasBrowser)('admin console page in headless Chromium', () => {
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

  it('signs in, saves a setting the running bot uses at once, marks an invalid field, and rolls back', async () => {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${t.url}/admin`);
    expect(page.url()).toContain('/board/login?next=%2Fadmin');
    await page.fill('input[name=username]', 'ops');
    await page.fill('input[name=password]', 'orderbot');
    await page.click('button[type=submit]');
    await page.waitForURL(`${t.url}/admin`);
    await expect.poll(() => page.locator('#status').innerText()).toBe('第 1 版');

    await page.fill('[data-path="thresholds.escalateAfter"]', '1h');
    await page.click('#save');
    await expect.poll(() => page.locator('#result').innerText()).toContain('已保存为第 2 版');
    expect(t.app.config.current.thresholds.escalateAfter).toBe(3600_000);
    await expect.poll(() => page.locator('#versions').innerText()).toContain('thresholds.escalateAfter: 2h → 1h');

    // Two fields wrong at once: each is marked, with its reason next to it.
    await page.fill('[data-path="routing.sample"]', '');
    await page.fill('[data-path="thresholds.delayAlertAfter"]', 'soon');
    await page.click('#save');
    await expect.poll(() => page.locator('#result').innerText()).toContain('routing.sample');
    expect(await page.locator('[data-path="routing.sample"]').getAttribute('class')).toContain('error');
    expect(await page.locator('[data-path="thresholds.delayAlertAfter"]').getAttribute('class')).toContain('error');
    expect(await page.locator('.field-issue').allInnerTexts()).toContain('不是时长："soon"（写法如 2h、30m、90s）');
    expect(t.app.config.version).toBe(2);

    await page.locator('.version', { hasText: '第 1 版' }).getByRole('button').click();
    await expect.poll(() => page.locator('#result').innerText()).toContain('已恢复第 1 版（保存为第 3 版）');
    expect(t.app.config.current.thresholds.escalateAfter).toBe(2 * 3600_000);
    expect(errors).toEqual([]);

    // A setting the stored config leaves out is offered with its default, and written only once typed.
    const red = page.locator('[data-path="kpi.lineLoad.red"]');
    expect(await red.getAttribute('placeholder')).toBe('1');
    expect(await page.locator('[data-path="kpi.lateness.red"]').getAttribute('placeholder')).toBe('4h');
    await red.fill('85%');
    await page.click('#save');
    await expect
      .poll(() => page.locator('#result').innerText())
      .toContain('kpi.lineLoad.red: 标红阈值（85%）不能低于标黄阈值（kpi.busyLineLoad：90%）');
    await page.fill('[data-path="kpi.busyLineLoad"]', '0.8');
    await page.click('#save');
    await expect.poll(() => page.locator('#result').innerText()).toContain('已保存为第 4 版');
    expect(t.app.config.current.kpi.lineLoad.red).toBe(0.85);
    expect(t.app.config.current.kpi.busyLineLoad).toBe(0.8);
    expect(t.app.config.current.kpi.lateness).toEqual({ yellow: 0 });

    // A group the bot heard from but the settings lack is offered as a new group.
    await t.say('BRK-2026-01 样品5件 3月5日前到', { conversationId: 'wecom:wrkNEW01' });
    await t.settle();
    await page.reload();
    const group = page.locator('[data-group="wecom:wrkNEW01"]');
    await group.locator('input[name=id]').fill('sales-north');
    await group.locator('input[name=name]').fill('华北销售群');
    await group.getByRole('button').click();
    await expect.poll(() => page.locator('#result').innerText()).toContain('已添加销售群 华北销售群');
    expect(t.app.config.current.conversations.at(-1)).toEqual({
      id: 'sales-north',
      name: '华北销售群',
      wecom: { chatId: 'wrkNEW01' },
    });
    await expect.poll(() => page.locator('#group-list').innerText()).toBe('没有新群。');
    expect(errors).toEqual([]);

    // The official calendar of a year the config lacks is taken into the form, then saved.
    await page.fill('#calendar-year', '2025');
    await page.click('#calendar-form button[type=submit]');
    await expect.poll(() => page.locator('#calendar-result').innerText()).toContain('已载入 2025 年：节假日 ');
    await page.click('#save');
    await expect.poll(() => t.app.config.current.calendar.holidays).toContain('2025-10-01');
    expect(t.app.config.current.calendar.holidays).toContain('2026-10-01');
    expect(t.app.config.current.calendar.makeUpWorkdays).toContain('2025-09-28');
    await page.fill('#calendar-year', '2031');
    await page.click('#calendar-form button[type=submit]');
    await expect.poll(() => page.locator('#calendar-result').innerText()).toContain('没有 2031 年的法定节假日数据');

    // A customers file: previewed, then imported, and the import is in the audit list.
    await page.selectOption('#import-kind', 'customers');
    await page.setInputFiles('#import-file', 'docs/samples/customers.csv');
    await page.click('#import-form button[type=submit]');
    await expect.poll(() => page.locator('#import-result').innerText()).toBe('将新增 3，修改 0，不变 0。');
    await page.click('#import-confirm');
    await expect.poll(() => page.locator('#import-result').innerText()).toBe('已导入：新增 3，修改 0，不变 0。');
    await expect.poll(() => page.locator('#audit-list').innerText()).toContain('customers.csv');
    expect(errors).toEqual([]);

    await page.goto(`${t.url}/admin?lang=en`);
    await expect.poll(() => page.locator('#status').innerText()).toBe('Version 6');
    await page.close();
  });
});
