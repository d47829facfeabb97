import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { asc } from 'drizzle-orm';
import { adminAudit, channelOrders, channelRules } from '../../db/schema';
import type { ChannelOrder } from '../../domain/channels/order';
import type { RuleEvaluation } from '../../domain/channels/rules';
import { adminSession } from '../support/admin-session';
import { TestApp } from '../support/app';
import { backends, useTestDatabase } from '../support/databases';

// biome-ignore lint/suspicious/noExplicitAny: tests read whatever JSON the product answered
type Json = any;

const SAMPLE = readFileSync('docs/samples/channel-rules.csv', 'utf8');
/** The sample with one cell of one rule's row changed. */
const withCell = (code: string, from: string, to: string) =>
  SAMPLE.split('\n')
    .map((line) => (line.startsWith(`${code},`) ? line.replace(from, to) : line))
    .join('\n');

describe.each(backends)('the promotion rules in the admin console (%s)', (backend) => {
  const database = useTestDatabase(backend);
  const apps: TestApp[] = [];
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((a) => a.close()));
  });

  async function start() {
    const t = await TestApp.start(backend, { database: database(), fresh: true });
    apps.push(t);
    const admin = await adminSession(t);
    /** Posts a rule sheet as the page does: the file as the body, its name URL-encoded in x-file-name. */
    const upload = async (body: string, confirm = false, headers: Record<string, string> = admin.headers) => {
      t.clock.advance(1000); // the audit lists by time: one second between writes
      const res = await fetch(`${t.url}/api/admin/channel-rules/sheet${confirm ? '?confirm=1' : ''}`, {
        method: 'POST',
        headers: {
          ...headers,
          'content-type': 'application/octet-stream',
          'x-file-name': encodeURIComponent('促销规则.csv'),
        },
        body,
      });
      return { status: res.status, json: (await res.json()) as Json };
    };
    const stored = () =>
      t.db
        .select({ code: channelRules.code, version: channelRules.version, status: channelRules.status })
        .from(channelRules)
        .orderBy(asc(channelRules.code), asc(channelRules.version));
    return { t, admin, upload, stored };
  }

  /** A stored channel order whose evaluation applied `code` for `amountFen`, as intake stores one. */
  async function storeApplied(t: TestApp, orderId: string, code: string, amountFen: number) {
    const at = new Date('2026-01-10T02:00:00Z');
    const body = { channel: 'douyin', shop: '旗舰店', orderId } as unknown as ChannelOrder;
    const evaluation = {
      applied: [{ code, version: 1, amountFen, lines: [], label: code }],
      skipped: [],
      expectedInvoiceFen: 0,
    } as unknown as RuleEvaluation;
    await t.db.insert(channelOrders).values({
      channel: 'douyin',
      shop: '旗舰店',
      orderId,
      status: 'paid',
      buyerKey: 'dy-open-1',
      createdAt: at,
      paidAt: at,
      platformUpdatedAt: at,
      body,
      goodsFen: 30000,
      paidFen: 30000 - amountFen,
      evaluation,
      expectedInvoiceFen: 30000 - amountFen,
      source: 'poll',
      receivedAt: at,
      updatedAt: at,
    });
  }

  it('checks a sheet, saves it on confirm, leaves the same sheet unchanged, versions a changed row, and saves nothing of a bad sheet', async () => {
    const { t, admin, upload, stored } = await start();
    expect((await upload(SAMPLE, false, { ...admin.headers, 'x-csrf-token': 'wrong' })).status).toBe(403);

    const checked = await upload(SAMPLE);
    expect(checked).toEqual({
      status: 200,
      json: {
        file: '促销规则.csv',
        added: 5,
        newVersions: 0,
        unchanged: 0,
        versions: { 'DY-299-50': 1, 'DY-BRK-95': 1, 'TM-COUPON-20': 1, 'TB-GIFT': 1, 'JD-PLUS-95': 1 },
        written: false,
        errors: [],
      },
    });
    expect(await stored()).toEqual([]);
    expect((await admin.api('GET', '/channel-rules')).json).toEqual({ rules: [] });

    expect((await upload(SAMPLE, true)).json).toMatchObject({ added: 5, newVersions: 0, unchanged: 0, written: true });
    await storeApplied(t, '6920001', 'DY-299-50', 5000);
    await storeApplied(t, '6920002', 'TM-COUPON-20', 2000);
    const { json: list } = await admin.api('GET', '/channel-rules');
    expect(list.rules.map((r: Json) => [r.code, r.version, r.status])).toEqual([
      ['DY-299-50', 1, 'active'],
      ['DY-BRK-95', 1, 'active'],
      ['JD-PLUS-95', 1, 'paused'],
      ['TB-GIFT', 1, 'active'],
      ['TM-COUPON-20', 1, 'active'],
    ]);
    const byCode = Object.fromEntries(list.rules.map((r: Json) => [r.code, r]));
    expect(byCode['DY-299-50']).toMatchObject({
      label: '已应用抖音满299减50',
      channel: 'douyin',
      shop: null,
      benefitSummary: '满 299.00 元 · 减 50.00 元',
      window: { from: '2026-01-01 00:00:00', to: '2026-02-01 00:00:00', basis: 'pay' },
      priority: 10,
      stackGroup: '满减',
      exclusiveWith: ['JD-PLUS-95'],
      budget: { type: 'usage', limit: 1000, used: 1, spentFen: 5000, summary: '1 / 1000 单' },
    });
    expect(byCode['TM-COUPON-20'].budget).toMatchObject({
      type: 'spend',
      limit: 500000,
      summary: '20.00 / 5000.00 元',
    });
    expect(byCode['DY-BRK-95']).toMatchObject({ shop: '旗舰店', benefitSummary: '立减 5%', budget: null });
    expect(byCode['TB-GIFT'].benefitSummary).toBe('满 2 件 · 赠 BRK-2026-01×1');
    // A paused rule's budget use is not counted (activeRulesWithUsage counts the active versions only).
    expect(byCode['JD-PLUS-95'].benefitSummary).toBe('立减 5% · 每件');

    // The same sheet again: nothing to write, and nothing audited.
    expect((await upload(SAMPLE, true)).json).toMatchObject({ added: 0, newVersions: 0, unchanged: 5, written: true });
    expect(await t.db.select().from(adminAudit)).toHaveLength(1);

    // One row changed: a new version of that code only, the old one archived.
    const changed = withCell('DY-299-50', ',满减,50.00,', ',满减,60.00,');
    expect((await upload(changed)).json).toMatchObject({ added: 0, newVersions: 1, unchanged: 4, written: false });
    expect((await stored()).filter((r) => r.code === 'DY-299-50')).toHaveLength(1);
    expect((await upload(changed, true)).json).toMatchObject({ newVersions: 1, unchanged: 4, written: true });
    const versions = await admin.api('GET', '/channel-rules/DY-299-50');
    expect(versions.status).toBe(200);
    expect(versions.json.versions.map((v: Json) => [v.version, v.status, v.rule.benefit.amountFen])).toEqual([
      [1, 'archived', 5000],
      [2, 'active', 6000],
    ]);
    expect(versions.json.versions[1].source).toBe('admin:ops:促销规则.csv');
    // Usage counts every version of the code.
    expect((await admin.api('GET', '/channel-rules')).json.rules[0]).toMatchObject({
      code: 'DY-299-50',
      version: 2,
      benefitSummary: '满 299.00 元 · 减 60.00 元',
      budget: { used: 1 },
    });
    expect(await admin.api('GET', '/channel-rules/NOPE')).toMatchObject({
      status: 404,
      json: { error: '没有规则 NOPE。' },
    });

    // A bad sheet: every bad cell as a line, nothing saved even with confirm.
    const before = await stored();
    const bad = withCell('DY-BRK-95', ',抖音,旗舰店,', ',拼多多,旗舰店,').replace(
      ',100.00,,满减,20.00,',
      ',1.234,,满减,25.00,',
    );
    const refused = await upload(bad, true);
    expect(refused.status).toBe(200);
    expect(refused.json).toMatchObject({ added: 0, newVersions: 0, unchanged: 0, written: false });
    expect(refused.json.errors.map((e: Json) => e.line)).toEqual([
      expect.stringMatching(/^row 3, column C \(渠道\): "拼多多" is not a channel/),
      'row 4, column G (门槛(元)): "1.234" is not an amount in yuan (more than two decimals)',
    ]);
    expect(await stored()).toEqual(before);

    const { json: audit } = await admin.api('GET', '/audit');
    const imports = audit.entries.filter((e: Json) => e.action === 'import');
    expect(imports.map((e: Json) => [e.actor, e.detail])).toEqual([
      ['ops', { file: '促销规则.csv', kind: 'channel-rules', added: 0, newVersions: 1, changed: 1, unchanged: 4 }],
      ['ops', { file: '促销规则.csv', kind: 'channel-rules', added: 5, newVersions: 0, changed: 0, unchanged: 0 }],
    ]);
  });

  it('pauses and resumes the latest version in place, refuses a stale or archived version, and lets a viewer read only', async () => {
    const { t, admin, upload, stored } = await start();
    await upload(SAMPLE, true);
    const status = (code: string, body: unknown, api = admin.api) => {
      t.clock.advance(1000);
      return api('POST', `/channel-rules/${encodeURIComponent(code)}/status`, body);
    };

    expect(await status('DY-BRK-95', { status: 'paused', version: 1 })).toEqual({
      status: 200,
      json: { code: 'DY-BRK-95', version: 1, status: 'paused', changed: true },
    });
    // No new version: the status of version 1 itself.
    expect((await stored()).filter((r) => r.code === 'DY-BRK-95')).toEqual([
      { code: 'DY-BRK-95', version: 1, status: 'paused' },
    ]);
    expect((await status('DY-BRK-95', { status: 'paused', version: 1 })).json).toMatchObject({ changed: false });
    expect((await status('DY-BRK-95', { status: 'active', version: 1 })).json).toMatchObject({
      status: 'active',
      changed: true,
    });
    expect(await status('DY-BRK-95', { status: 'archived', version: 1 })).toMatchObject({ status: 400 });
    expect(await status('DY-BRK-95', { status: 'paused' })).toMatchObject({ status: 400 });
    expect(await status('NOPE', { status: 'paused', version: 1 })).toMatchObject({ status: 404 });

    // Someone saves a newer version: the page's version 1 is stale.
    await upload(withCell('DY-BRK-95', ',95折,', ',9折,'), true);
    const stale = await status('DY-BRK-95', { status: 'paused', version: 1 });
    expect(stale).toEqual({
      status: 409,
      json: {
        error: '规则 DY-BRK-95 已有更新的第 2 版（第 1 版之后有人保存过规则表），未做改动。请刷新后再操作。',
        reason: 'stale',
        latest: 2,
        status: 'active',
      },
    });
    const english = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${t.url}/api/admin${path}`, {
        method,
        headers: { ...admin.headers, cookie: `${admin.cookie}; orderbot_lang=en` },
        body: JSON.stringify(body),
      });
      return { status: res.status, json: (await res.json()) as Json };
    };
    expect((await status('DY-BRK-95', { status: 'paused', version: 1 }, english)).json.error).toBe(
      'Rule DY-BRK-95 has a newer version 2 (someone saved a rule sheet after version 1); nothing was changed. Reload, then try again.',
    );
    expect((await stored()).filter((r) => r.code === 'DY-BRK-95').map((r) => r.status)).toEqual(['archived', 'active']);

    // An archived latest version cannot be resumed.
    await upload(withCell('DY-BRK-95', ',启用', ',归档'), true);
    const archived = await status('DY-BRK-95', { status: 'active', version: 3 });
    expect(archived).toMatchObject({ status: 409, json: { reason: 'status', status: 'archived', latest: 3 } });
    expect(archived.json.error).toContain('第 3 版处于归档状态');
    expect((await stored()).filter((r) => r.code === 'DY-BRK-95').map((r) => r.status)).toEqual([
      'archived',
      'archived',
      'archived',
    ]);

    // Without the CSRF token: refused.
    const noCsrf = await fetch(`${t.url}/api/admin/channel-rules/TB-GIFT/status`, {
      method: 'POST',
      headers: { cookie: admin.cookie, 'content-type': 'application/json' },
      body: JSON.stringify({ status: 'paused', version: 1 }),
    });
    expect(noCsrf.status).toBe(403);

    // A viewer reads the rules and their versions, but may not change them.
    expect((await admin.api('PUT', '/users/wang', { password: 'a long password', role: 'viewer' })).status).toBe(200);
    const login = await fetch(`${t.url}/board/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ username: 'wang', password: 'a long password' }),
    });
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
    const session = (await (await fetch(`${t.url}/api/admin/session`, { headers: { cookie } })).json()) as Json;
    expect(session.role).toBe('viewer');
    const viewerHeaders = { cookie, 'x-csrf-token': session.csrfToken, 'content-type': 'application/json' };
    const viewer = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${t.url}/api/admin${path}`, {
        method,
        headers: viewerHeaders,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return { status: res.status, json: (await res.json()) as Json };
    };
    expect((await viewer('GET', '/channel-rules')).json.rules).toHaveLength(5);
    expect((await viewer('GET', '/channel-rules/DY-BRK-95')).json.versions).toHaveLength(3);
    expect((await viewer('GET', '/config')).status).toBe(403);
    expect((await status('TB-GIFT', { status: 'paused', version: 1 }, viewer)).status).toBe(403);
    expect((await upload(withCell('TB-GIFT', ',是,', ',否,'), true, viewerHeaders)).status).toBe(403);
    expect((await stored()).find((r) => r.code === 'TB-GIFT')).toEqual({
      code: 'TB-GIFT',
      version: 1,
      status: 'active',
    });

    // Each status change is audited; the refused ones are not.
    const { json: audit } = await admin.api('GET', '/audit');
    expect(
      audit.entries
        .filter((e: Json) => e.action === 'channel-rule-status')
        .map((e: Json) => [e.actor, e.detail])
        .reverse(),
    ).toEqual([
      ['ops', { code: 'DY-BRK-95', version: 1, from: 'active', to: 'paused' }],
      ['ops', { code: 'DY-BRK-95', version: 1, from: 'paused', to: 'active' }],
    ]);
  });

  it('shows the rules section on the console page, in Chinese and in English', async () => {
    const { t, admin } = await start();
    const page = async (lang: string) =>
      (await fetch(`${t.url}/admin?lang=${lang}`, { headers: { cookie: admin.cookie } })).text();
    const zh = await page('zh');
    expect(zh).toContain('<section id="rules" hidden>');
    expect(zh).toContain('"channelRules":"促销规则"');
    expect(zh).toContain('orderbot import rules');
    const en = await page('en');
    expect(en).toContain('"channelRules":"Promotion rules"');
    expect(en).toContain('"ruleStale":"Rule {0} has a newer version {2}');
  });
});
