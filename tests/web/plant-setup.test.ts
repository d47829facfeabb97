import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { eq } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { configCommand } from '../../bot/cli-config';
import { readBusinessConfig } from '../../config/business-config';
import { openDatabase, type DatabaseHandle } from '../../db/client';
import { customers, orders } from '../../db/schema';
import { TestApp } from '../support/app';
import { CHROMIUM, hasBrowser, launchChromium } from '../support/browser';
import { backends, createTestDatabase } from '../support/databases';
import { migratedPgliteDir } from '../support/pglite-image';
import { WecomWorld, wecomEnv } from '../wecom/harness';

const STARTER = 'config/starter.yaml';
const PASSWORD = 'first admin 2026';
const GROUP = 'wrkPLANTSALES01';
/** Who the admin maps from the synced directory, to what. */
const MAPPING: Array<[string, string]> = [
  ['WangGong', 'lead:tech'],
  ['ChenJie', 'lead:purchasing'],
  ['ZhouShiFu', 'lead:production'],
  ['ZhaoZong', 'director:tech'],
  ['QianZong', 'director:purchasing'],
  ['SunZong', 'director:production'],
  ['ZhangSan', 'sales'],
];

if (!hasBrowser) console.warn(`plant set-up test skipped: no Chromium at ${CHROMIUM} (apt-get install chromium)`);

// The real PostgreSQL when the run has one (two processes share it as in a plant); PGlite otherwise.
const backend = backends.at(-1)!;

describe.skipIf(!hasBrowser)(`setting up a plant from an empty database (${backend}, headless Chromium)`, () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  let browser: Browser | undefined;
  afterAll(async () => {
    await browser?.close();
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  /** An empty database, and how the CLI reaches it. */
  async function emptyDatabase(): Promise<{ env: Record<string, string>; open: () => Promise<DatabaseHandle> }> {
    if (backend === 'postgres') {
      const created = await createTestDatabase('postgres');
      cleanups.push(() => created.close());
      // Each process opens its own connections; the database is dropped once they are closed.
      return { env: { DATABASE_URL: created.url! }, open: () => openDatabase({ url: created.url! }) };
    }
    const dir = mkdtempSync(join(tmpdir(), 'orderbot-plant-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    await migratedPgliteDir(dir);
    return { env: { ORDERBOT_DATA_DIR: dir }, open: () => openDatabase({ dataDir: dir }) };
  }

  it('signs in as the first admin, maps the synced directory, takes on a new group, and the next order follows the new settings in both processes', async () => {
    const database = await emptyDatabase();
    // The first admin, as the README says: `config set-password admin` on the starter config.
    let said = '';
    const io = {
      env: { ...database.env, ORDERBOT_CONFIG: STARTER },
      out: (text: string) => {
        said += text;
      },
      err: (text: string) => {
        said += text;
      },
    };
    expect(await configCommand(['set-password', 'admin'], io, async () => PASSWORD)).toBe(0);
    expect(said).toContain('admin "admin"');

    const handle = await database.open();
    cleanups.push(() => handle.close());
    const starter = readBusinessConfig(readFileSync(STARTER, 'utf8'), STARTER);
    const seed = { config: starter.config, input: starter.input };
    const w = await WecomWorld.start(backend, handle, {
      app: { seed, seedDemoData: false, fresh: false, configPollMs: 100 },
    });
    cleanups.push(() => w.close());
    // A second process on the same database (same WeCom app, same clock).
    const secondHandle = backend === 'postgres' ? await database.open() : handle;
    if (secondHandle !== handle) cleanups.push(() => secondHandle.close());
    const second = await TestApp.start(backend, {
      database: secondHandle,
      env: wecomEnv(w.fake),
      clock: w.clock,
      seed,
      seedDemoData: false,
      configPollMs: 100,
    });
    cleanups.push(() => second.close());

    browser = await launchChromium();
    const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${w.app.url}/admin`);
    await page.fill('input[name=username]', 'admin');
    await page.fill('input[name=password]', PASSWORD);
    await page.click('button[type=submit]');
    await page.waitForURL(`${w.app.url}/admin`);
    let version = w.app.app.config.version;
    await expectVersion(page, version);

    // The company directory from WeCom, then each lead, director and the sales person picked from it.
    await page.click('#directory-sync');
    await expect.poll(() => page.locator('#directory-result').innerText()).toContain('企业微信：13 人（新增 14');
    for (const [userId, role] of MAPPING) {
      const row = page.locator(`[data-person="wecom:${userId}"]`);
      await row.locator('select').selectOption(role);
      await row.getByRole('button', { name: '设定' }).click();
      await expectVersion(page, ++version);
    }
    await expect.poll(() => page.locator('[data-person="wecom:ZhaoZong"]').innerText()).toContain('技术部总监');

    // A group the bot heard from shows up as new; the admin names it a sales group.
    await w.fake.mentionAibot({ chatId: GROUP, fromUser: 'ZhangSan', text: '@订单助手 你好' });
    await w.waitFor(() => w.fake.chat(GROUP)[0], 'the answer in the new group');
    await page.reload();
    const group = page.locator(`[data-group="wecom:${GROUP}"]`);
    await group.locator('input[name=id]').fill('sales-east');
    await group.locator('input[name=name]').fill('华东销售群');
    await group.getByRole('button').click();
    await expectVersion(page, ++version);

    // Samples go to Engineering and Production only; an unanswered card escalates after one hour.
    await page.fill('[data-path="routing.sample"]', 'tech, production');
    await page.fill('[data-path="thresholds.escalateAfter"]', '1h');
    await page.click('#save');
    await expect.poll(() => page.locator('#result').innerText()).toContain(`已保存为第 ${++version} 版`);

    // The plant's customers and materials, from its own files.
    for (const kind of ['customers', 'materials']) {
      await page.selectOption('#import-kind', kind);
      await page.setInputFiles('#import-file', `docs/samples/${kind}.csv`);
      await page.click('#import-form button[type=submit]');
      await expect.poll(() => page.locator('#import-result').innerText()).toContain('将新增');
      await page.click('#import-confirm');
      await expect.poll(() => page.locator('#import-result').innerText()).toContain('已导入');
    }
    expect(errors).toEqual([]);

    // Both processes run the new settings, without a restart.
    for (const app of [w.app, second]) {
      await expect.poll(() => app.app.config.version).toBe(version);
      expect(app.app.config.current.thresholds.escalateAfter).toBe(3600_000);
      expect(app.app.config.current.routing.sample).toEqual(['tech', 'production']);
    }

    // A request in that group: an order of 华达 (from the customers file), its cards to the mapped leads of the routed departments.
    await w.fake.mentionAibot({
      chatId: GROUP,
      fromUser: 'ZhangSan',
      text: '@订单助手 华达要ZJ-1001样品5件，3月5日前到',
    });
    const created = await w.waitFor(
      () => w.fake.chat(GROUP).find((m) => m.content.includes('已创建需求单')),
      'the new order in the group',
    );
    expect(created.content).toContain('技术部、生产部');
    const [order] = await w.db.select().from(orders);
    const [customer] = await w.db.select().from(customers).where(eq(customers.name, '宁波华达汽车零部件有限公司'));
    expect(order).toMatchObject({
      conversationId: 'sales-east',
      requesterId: 'zhangsan',
      status: 'pending_approval',
      customerId: customer!.id,
    });
    await w.waitFor(() => w.fake.cardsOf('WangGong')[0] && w.fake.cardsOf('ZhouShiFu')[0], 'the leads’ cards');
    expect(w.fake.cardsOf('ChenJie')).toEqual([]);
    expect(w.fake.cardsOf('ZhaoZong')).toEqual([]);

    // Nobody answers for an hour: the cards go up to the mapped directors. The second process's own ticks run
    // too, and its reminder job may hold the tasks (SKIP LOCKED) when this tick looks: then the next tick, 30 s
    // on, escalates them, as in a plant.
    w.clock.advance(61 * 60_000);
    const directors = () => w.fake.cardsOf('ZhaoZong')[0] && w.fake.cardsOf('SunZong')[0];
    for (let tick = 0; tick < 5 && !directors(); tick += 1) {
      if (tick > 0) w.clock.advance(30_000);
      await w.app.app.scheduler.tick();
      await w.app.settle();
      await second.settle();
    }
    await w.waitFor(directors, 'the directors’ cards');
    expect(w.fake.cardsOf('QianZong')).toEqual([]);
  });
});

async function expectVersion(page: Page, version: number) {
  await expect.poll(() => page.locator('#status').innerText(), { timeout: 10_000 }).toBe(`第 ${version} 版`);
}
