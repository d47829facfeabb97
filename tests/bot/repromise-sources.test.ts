import { eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { readEnv } from '../../config/env';
import { plantChanges, repromises } from '../../db/schema';
import { recheckPlantChanges } from '../../handlers/repromise';
import { adminSession } from '../support/admin-session';
import { TestApp } from '../support/app';
import { backends, useTestDatabase } from '../support/databases';
import { confirmedOrder } from '../support/lifecycle';

const MES_TOKEN = 'mes-test-token-0123456789abcdef';
const repromiseCard = (t: TestApp) =>
  t.state().then((s) => s.conversations['sales-east']?.find((m) => m.card?.id.startsWith('rp-'))?.card);

describe.each(backends)('plant changes from the console and the MES re-promise on %s', (backend) => {
  const database = useTestDatabase(backend);
  const apps: TestApp[] = [];
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((a) => a.close()));
  });
  const start = async () => {
    const env = readEnv({ MES_API_TOKEN: MES_TOKEN });
    const t = await TestApp.start(backend, { database: database(), fresh: true, env });
    apps.push(t);
    return t;
  };
  const runJob = async (t: TestApp) => {
    await t.app.bot.runScheduled('repromise', (ctx) => recheckPlantChanges(ctx));
    await t.settle();
  };

  it('a holiday saved in the admin console re-promises the order it makes late', async () => {
    const t = await start();
    await confirmedOrder(t);
    const admin = await adminSession(t);
    const { json } = await admin.api('GET', '/config');
    // Line B makes the order on Feb 25: closing the rest of the week leaves Saturday Feb 28 (a make-up workday),
    // and a delivery on Mar 4, after the promise.
    json.config.calendar.holidays.push('2026-02-25', '2026-02-26', '2026-02-27');
    expect((await admin.api('PUT', '/config', { version: json.version, config: json.config })).status).toBe(200);
    const [change] = await t.db.select().from(plantChanges);
    expect(change).toMatchObject({ kind: 'calendar', everything: true, source: 'config' });
    await runJob(t);
    const card = await repromiseCard(t);
    expect(card?.fields.find((f) => f.label === '原因')?.value).toBe('新增停产日（2月25日、2月26日、2月27日）');
    expect(await t.db.select().from(repromises)).toHaveLength(1);
  });

  it('a heavier line load from the MES re-promises the orders on that line; a lighter one moves none', async () => {
    const t = await start();
    await confirmedOrder(t);
    const put = (load: number) =>
      fetch(`${t.url}/api/mes/lines/B/load`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${MES_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ periods: [{ from: '2026-02-24', to: '2026-03-31', load }] }),
      });
    expect((await put(0.5)).status).toBe(200);
    await runJob(t);
    expect(await repromiseCard(t)).toBeUndefined();
    expect((await put(1)).status).toBe(200);
    await runJob(t);
    const card = await repromiseCard(t);
    expect(card?.fields.find((f) => f.label === '原因')?.value).toBe('B线负荷调整');
    expect(card?.fields.find((f) => f.label === '最早可交')?.value).toBe('4月4日');
    const changes = await t.db.select().from(plantChanges).where(eq(plantChanges.kind, 'line-load'));
    expect(changes.map((c) => c.processedAt !== null)).toEqual([true, true]);
  });
});
