import { eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { createCourierTracker } from '../../integrations/courier/port';
import { createTransitTimes } from '../../integrations/map/transit';
import { createSmsProvider } from '../../integrations/sms/sms-config';
import { customerRoutes, customers, orderEvents, orders, outbox, smsMessages } from '../../db/schema';
import { FakeKuaidi100 } from '../fakes/courier/fake-kuaidi100';
import { FAKE_AMAP_KEY, FakeAmap } from '../fakes/map/fake-amap';
import { ALIYUN_SENTINELS, FakeAliyunSms } from '../fakes/sms/fake-aliyun';
import { TestApp } from '../support/app';
import { TestClock } from '../support/clock';
import { backends, useTestDatabase } from '../support/databases';
import { china, confirmedOrder, etdCard, travelTo } from '../support/lifecycle';
import { refreshOpenEtds } from '../../handlers/etd';

const NUMBER = 'SO-20260224-0001';

describe.each(backends)('lifecycle against the outside world on %s', (backend) => {
  const database = useTestDatabase(backend);
  const closers: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
  });
  const fakeAliyun = async (clock: TestClock) => {
    const fake = new FakeAliyunSms({ signNames: ['华东精密'], templates: ['SMS_DELAY_1'], clock: clock.now });
    await fake.start();
    closers.push(() => fake.stop());
    return fake;
  };
  const start = async (options: Parameters<typeof TestApp.start>[1] = {}) => {
    const app = await TestApp.start(backend, { database: database(), fresh: true, ...options });
    closers.push(() => app.close());
    return app;
  };
  const aliyunApp = async (fake: FakeAliyunSms, clock: TestClock) =>
    start({
      clock,
      integrations: {
        smsProvider: createSmsProvider(
          {
            SMS_PROVIDER: 'aliyun',
            SMS_ENDPOINT: fake.url,
            SMS_ACCESS_KEY_ID: 'test-ak',
            SMS_ACCESS_KEY_SECRET: 'test-secret',
            SMS_SIGN_NAME: '华东精密',
            SMS_TEMPLATE_DELAY: 'SMS_DELAY_1',
          },
          { timeoutMs: 300, now: clock.now },
        ),
      },
    });
  const setPhone = (t: TestApp, phone: string) =>
    t.db.update(customers).set({ contactPhone: phone }).where(eq(customers.name, '大陆集团'));

  it('sends the delay SMS through Aliyun with our outbox id as OutId, once', async () => {
    const clock = new TestClock();
    const fake = await fakeAliyun(clock);
    const t = await aliyunApp(fake, clock);
    await confirmedOrder(t);
    await travelTo(t, '2026-03-02T09:00:00');
    await t.app.scheduler.tick();
    await t.settle();
    expect(fake.delivered).toHaveLength(1);
    const [sent] = fake.delivered;
    expect(sent).toMatchObject({
      phone: '13800138001',
      template: 'SMS_DELAY_1',
      params: { order: NUMBER, etd: '3月5日14:00前签收', reason: '开始生产晚于计划' },
    });
    const [row] = await t.db.select().from(outbox).where(eq(outbox.kind, 'sms'));
    expect(sent!.outId).toBe(row!.idempotencyKey);
    expect(await t.db.select().from(smsMessages)).toEqual([
      expect.objectContaining({ status: 'sent', phoneMasked: '138****8001' }),
    ]);
  });

  it('shows a provider refusal (HTTP 200 business error) to the sales person and does not retry it', async () => {
    const clock = new TestClock();
    const fake = await fakeAliyun(clock);
    const t = await aliyunApp(fake, clock);
    await setPhone(t, ALIYUN_SENTINELS.illegal);
    await confirmedOrder(t);
    await travelTo(t, '2026-03-02T09:00:00');
    const state = await t.waitFor(
      (s) => (t.botMessages(s).some((m) => m.startsWith('❗')) ? s : undefined),
      'the refusal in the chat',
    );
    expect(t.botMessages(state).find((m) => m.startsWith('❗'))).toBe(
      `❗ ${NUMBER} 的延误短信发给 138****0404 被短信服务商拒绝（isv.MOBILE_NUMBER_ILLEGAL: 非法手机号），请电话联系客户。`,
    );
    t.clock.advance(3600_000);
    await t.settle();
    expect(fake.requests).toHaveLength(1);
    expect(await t.db.select().from(outbox).where(eq(outbox.kind, 'sms'))).toEqual([
      expect.objectContaining({ status: 'failed' }),
    ]);
    expect(await t.db.select().from(orderEvents).where(eq(orderEvents.type, 'sms-rejected'))).toHaveLength(1);
  });

  it('retries after a 5xx and sends once', async () => {
    const clock = new TestClock();
    const fake = await fakeAliyun(clock);
    fake.failNext({ kind: 'http', status: 503, code: 'ServiceUnavailable' });
    const t = await aliyunApp(fake, clock);
    await confirmedOrder(t);
    t.clock.advance(china('2026-03-02T09:00:00') - t.clock.now().getTime());
    await t.app.scheduler.tick();
    for (let i = 0; i < 40 && fake.delivered.length === 0; i++) {
      if (fake.requests.length > 0) t.clock.advance(5_000); // past the retry's backoff
      await new Promise((r) => setTimeout(r, 100));
    }
    await t.settle();
    expect(fake.requests.map((r) => r.status)).toEqual([503, 200]);
    expect(fake.delivered).toHaveLength(1);
  });

  it('does not repeat an SMS whose answer timed out (it may have gone out) and asks the sales person to call', async () => {
    const clock = new TestClock();
    const fake = await fakeAliyun(clock);
    fake.failNext({ kind: 'slow', delayMs: 1000 });
    const t = await aliyunApp(fake, clock);
    await confirmedOrder(t);
    await travelTo(t, '2026-03-02T09:00:00');
    const state = await t.waitFor(
      (s) => (t.botMessages(s).some((m) => m.startsWith('❗')) ? s : undefined),
      'the warning in the chat',
    );
    expect(t.botMessages(state).find((m) => m.startsWith('❗'))).toBe(
      `❗ ${NUMBER} 的延误短信发给 138****8001 可能未送达（服务商无应答），请电话联系客户确认。`,
    );
    t.clock.advance(3600_000);
    await t.settle();
    expect(fake.requests).toHaveLength(1);
    expect(await t.db.select().from(smsMessages)).toEqual([expect.objectContaining({ status: 'unknown' })]);
  });

  it('tracks the waybill at most every 30 minutes and closes the order when 快递100 reports it signed', async () => {
    const courier = new FakeKuaidi100();
    await courier.start();
    closers.push(() => courier.stop());
    courier.setTrace('SF1234567890', {
      state: '0',
      data: [{ time: '2026-02-24 18:00:00', context: '【宁波】快件已揽收' }],
    });
    const tracker = createCourierTracker({
      KUAIDI100_CUSTOMER: 'test-customer',
      KUAIDI100_KEY: 'test-key',
      KUAIDI100_API_BASE: courier.url,
    });
    const t = await start({ integrations: { tracker: tracker! } });
    await confirmedOrder(t);
    for (const [who, text] of [
      ['zhoushifu', `${NUMBER} 开始生产`],
      ['zhenggong', `${NUMBER} 质检通过`],
      ['wushifu', `${NUMBER} 包装完成`],
      ['wushifu', `${NUMBER} 已发货 顺丰 SF1234567890`],
    ] as const) {
      await t.say(text, { senderId: who });
      await t.settle();
    }
    await travelTo(t, '2026-02-24T10:05:00');
    expect(courier.pollsOf('SF1234567890')).toHaveLength(1);
    expect(courier.pollsOf('SF1234567890')[0]!.phone).toBe('13800138001');
    await travelTo(t, '2026-02-24T10:20:00');
    expect(courier.pollsOf('SF1234567890')).toHaveLength(1);
    const inTransit = await t.state();
    expect(etdCard(inTransit)!.fields.find((f) => f.label === '物流')?.value).toBe(
      '顺丰速运 SF1234567890 · 【宁波】快件已揽收',
    );

    courier.setTrace('SF1234567890', {
      state: '3',
      data: [{ time: '2026-02-25 11:02:00', context: '【上海】已签收，签收人：前台' }],
    });
    await travelTo(t, '2026-02-24T10:40:00');
    const state = await t.waitFor(
      (s) => (t.botMessages(s).some((m) => m.startsWith(`✅ ${NUMBER}`)) ? s : undefined),
      'the delivery notice',
    );
    expect(t.botMessages(state).find((m) => m.startsWith(`✅ ${NUMBER}`))).toBe(
      `✅ ${NUMBER} 已签收（快递 10:40），订单完成。`,
    );
    expect(courier.pollsOf('SF1234567890')).toHaveLength(2);
    const [order] = await t.db.select().from(orders);
    expect(order).toMatchObject({ status: 'delivered', nextTrackAt: null });
    await travelTo(t, '2026-02-24T12:00:00');
    expect(courier.pollsOf('SF1234567890')).toHaveLength(2);
  });

  it('uses the map: driving time from the plant plus handling replaces the default transit', async () => {
    const amap = new FakeAmap({
      addresses: {
        浙江省宁波市北仑区大港工业城: { lng: 121.85, lat: 29.93 },
        上海市嘉定区安亭镇墨玉南路1055号: { lng: 121.17, lat: 31.29 },
      },
      durations: () => 3 * 3600,
    });
    await amap.start();
    closers.push(() => amap.stop());
    const transit = createTransitTimes({ AMAP_KEY: FAKE_AMAP_KEY, AMAP_API_BASE: amap.url });
    const t = await start({ integrations: { transit: transit! } });
    await confirmedOrder(t);
    expect(etdCard(await t.state())!.fields.find((f) => f.label === '预计签收')?.value).toBe('2月28日14:30前签收');
    await travelTo(t, '2026-02-24T10:11:00'); // the route job's next turn
    const [route] = await t.db.select().from(customerRoutes);
    expect(route).toMatchObject({ seconds: 3 * 3600, address: '上海市嘉定区安亭镇墨玉南路1055号' });
    // Shipped Feb 26 14:30 + 3 h driving + 8 h handling = Feb 27 01:30.
    const state = await t.waitFor(
      (s) => (etdCard(s)?.fields.find((f) => f.label === '预计签收')?.value === '2月27日01:30前签收' ? s : undefined),
      'the map-based ETD',
    );
    expect(etdCard(state)).toBeDefined();
    expect(amap.calls('/v5/direction/driving')).toHaveLength(1);
  });

  it.runIf(backend === 'postgres')('two processes refreshing at once send one alert and one SMS', async () => {
    const clock = new TestClock();
    const fake = await fakeAliyun(clock);
    const first = await aliyunApp(fake, clock);
    const second = await TestApp.start(backend, {
      database: first.database,
      clock,
      integrations: {
        smsProvider: createSmsProvider(
          {
            SMS_PROVIDER: 'aliyun',
            SMS_ENDPOINT: fake.url,
            SMS_ACCESS_KEY_ID: 'test-ak',
            SMS_ACCESS_KEY_SECRET: 'test-secret',
            SMS_SIGN_NAME: '华东精密',
            SMS_TEMPLATE_DELAY: 'SMS_DELAY_1',
          },
          { now: clock.now },
        ),
      },
    });
    closers.push(() => second.close());
    await confirmedOrder(first);
    clock.advance(china('2026-03-02T09:00:00') - clock.now().getTime());
    await Promise.all([
      first.app.bot.runScheduled('etd-refresh', (ctx) => refreshOpenEtds(ctx)),
      second.app.bot.runScheduled('etd-refresh', (ctx) => refreshOpenEtds(ctx)),
      first.app.scheduler.tick(),
      second.app.scheduler.tick(),
    ]);
    await first.settle();
    await new Promise((r) => setTimeout(r, 300));
    expect(await first.db.select().from(orderEvents).where(eq(orderEvents.type, 'delay-alert'))).toHaveLength(1);
    expect(fake.delivered).toHaveLength(1);
  });
});
