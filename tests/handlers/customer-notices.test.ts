import { and, eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { BusinessConfig, NoticeMilestone } from '../../config/business-config';
import type { Effect } from '../../core/effects';
import { customers, orders, outbox } from '../../db/schema';
import { promisedInstant } from '../../domain/lifecycle';
import { NOTICE_EVENT, noticeCustomer, readStatusToken, statusLinkSecret } from '../../handlers/customer-notices';
import { backends } from '../support/databases';
import { china, demoConfig, FIRST, type Scenario, useHandlerHarness } from './harness';

const PUBLIC = 'https://orders.example.com';
type Sms = Extract<Effect, { kind: 'sms' }>;

/** The demo config with customer notices: every customer hears at `milestones`, unless `customers` says otherwise. */
function noticesConfig(
  milestones: NoticeMilestone[] = ['confirmed', 'shipped', 'promise-changed'],
  own: BusinessConfig['customerNotices']['customers'] = {},
): BusinessConfig {
  const config = demoConfig();
  config.customerNotices = { ...config.customerNotices, milestones, customers: own };
  return config;
}

/** Every SMS the scenario's transaction put in the outbox, with its key and when it may go. */
async function smsRows(s: Scenario) {
  const rows = await s.tx.select().from(outbox).where(eq(outbox.platform, 'sms'));
  return rows.map((r) => ({ key: r.idempotencyKey, notBefore: r.nextAttemptAt, sms: r.payload as Sms }));
}

async function notices(s: Scenario, orderId: number) {
  return (await s.events(orderId)).filter((e) => e.type === NOTICE_EVENT);
}

describe.each(backends)('customer notices on %s', (backend) => {
  const { scenario } = useHandlerHarness(backend);
  beforeEach(() => {
    vi.stubEnv('PUBLIC_URL', PUBLIC);
    vi.stubEnv('STATUS_LINK_SECRET', '');
    vi.stubEnv('SMS_PROVIDER', '');
  });
  afterEach(() => vi.unstubAllEnvs());

  it('sends nothing with the demo config, which has no customerNotices (as before the section existed)', async () => {
    await scenario(async (s) => {
      const order = await s.confirmedOrder();
      await s.say(`${FIRST} 已发货 顺丰 SF1234567890`);
      expect(await smsRows(s)).toEqual([]);
      expect(await notices(s, order.id)).toEqual([]);
    });
  });

  it('confirms to the customer with the time window and a signed status link', async () => {
    await scenario(
      async (s) => {
        const order = await s.confirmedOrder();
        expect(order.etd).toEqual(china('2026-02-28T14:30'));
        // The ETD is before the promise's deliver-by time: the SMS promises the ETD.
        expect(order.etd!.getTime()).toBeLessThan(promisedInstant(order.promisedDate!, '18:00').getTime());
        const rows = await smsRows(s);
        expect(rows).toHaveLength(1);
        const [{ key, notBefore, sms }] = rows as [(typeof rows)[number]];
        expect(key).toBe(`order:${order.id}:notice:confirmed:sms`);
        expect(notBefore).toEqual(s.clock.now());
        expect(sms).toMatchObject({ kind: 'sms', phone: '13800138001', template: 'confirmed' });
        expect(sms.notify).toBeUndefined();
        expect(sms.params).toEqual({ order: FIRST, when: '2月28日14:30前', link: expect.any(String) });
        expect(sms.text).toBe(
          `【${s.config.company}】您的订单${FIRST}已确认，预计2月28日14:30前送达。查看进度：${sms.params!.link}`,
        );
        const link = sms.params!.link!;
        expect(link).toMatch(new RegExp(`^${PUBLIC}/s/${FIRST}\\.[0-9a-z]+\\.[\\w-]{16}$`));
        expect(link.length).toBeLessThan(70);
        const secret = await statusLinkSecret(s.tx, s.clock.now());
        const token = link.slice(`${PUBLIC}/s/`.length);
        expect(readStatusToken(secret, token, s.clock.now())).toBe(FIRST);
        // Valid for linkDays (30), not a minute more.
        expect(readStatusToken(secret, token, new Date(s.clock.now().getTime() + 29.9 * 86_400_000))).toBe(FIRST);
        expect(readStatusToken(secret, token, new Date(s.clock.now().getTime() + 30 * 86_400_000 + 1000))).toBeNull();

        expect(await notices(s, order.id)).toMatchObject([
          {
            data: {
              milestone: 'confirmed',
              outcome: 'queued',
              phone: '138****8001',
              link: true,
              sms: s.clock.now().toISOString(),
            },
          },
        ]);
      },
      { config: noticesConfig() },
    );
  });

  it('promises the promised date at the deliver-by time when the ETD is later', async () => {
    await scenario(
      async (s) => {
        const order = await s.confirmedOrder();
        expect(await smsRows(s)).toEqual([]);
        await s.tx
          .update(orders)
          .set({ etd: china('2026-03-04T10:00') })
          .where(eq(orders.id, order.id));
        s.config.customerNotices.milestones = ['confirmed'];
        await s.run('notice', (ctx) => noticeCustomer(ctx, order.id, { kind: 'confirmed' }));
        const [row] = await smsRows(s);
        expect(row?.sms.params).toMatchObject({ when: '3月3日18:00前' });
        expect(row?.sms.text).toContain('预计3月3日18:00前送达');
      },
      { config: noticesConfig(['shipped']) },
    );
  });

  it('adds no link without PUBLIC_URL, nor with linkDays 0', async () => {
    vi.stubEnv('PUBLIC_URL', '');
    await scenario(
      async (s) => {
        await s.confirmedOrder();
        const [row] = await smsRows(s);
        expect(row?.sms.params).toEqual({ order: FIRST, when: '2月28日14:30前' });
        expect(row?.sms.text).not.toContain('查看进度');
        expect(row?.sms.text).toMatch(/送达。$/);
      },
      { config: noticesConfig() },
    );
    vi.stubEnv('PUBLIC_URL', PUBLIC);
    const config = noticesConfig();
    config.customerNotices.linkDays = 0;
    await scenario(
      async (s) => {
        await s.confirmedOrder();
        const [row] = await smsRows(s);
        expect(row?.sms.params).not.toHaveProperty('link');
      },
      { config },
    );
  });

  it('tells the customer the carrier and waybill when the order ships', async () => {
    await scenario(
      async (s) => {
        const order = await s.confirmedOrder();
        s.at('2026-02-26T15:00');
        await s.say(`${FIRST} 已发货 顺丰 SF1234567890`);
        const rows = await smsRows(s);
        expect(rows.map((r) => r.key)).toEqual([
          `order:${order.id}:notice:confirmed:sms`,
          `order:${order.id}:notice:shipped:sms`,
        ]);
        const { sms } = rows[1]!;
        expect(sms).toMatchObject({ template: 'shipped', phone: '13800138001' });
        expect(sms.params).toMatchObject({ order: FIRST, carrier: '顺丰速运', waybill: 'SF1234567890' });
        expect(sms.text).toContain(`您的订单${FIRST}已发货，顺丰速运运单号SF1234567890。查看进度：${PUBLIC}/s/`);
        expect((await notices(s, order.id)).map((e) => e.data.milestone)).toEqual(['confirmed', 'shipped']);
      },
      { config: noticesConfig() },
    );
  });

  it('tells a changed promise with the old and the new date, once per new date', async () => {
    await scenario(
      async (s) => {
        const order = await s.confirmedOrder();
        const move = (to: string, from: string) =>
          s.run('repromise', async (ctx) => {
            await ctx.tx.update(orders).set({ promisedDate: to }).where(eq(orders.id, order.id));
            await noticeCustomer(ctx, order.id, { kind: 'promise-changed', from });
          });
        await move('2026-03-09', '2026-03-03');
        await move('2026-03-09', '2026-03-03');
        await move('2026-03-12', '2026-03-09');
        const changed = (await smsRows(s)).filter((r) => r.sms.template === 'promise-changed');
        expect(changed.map((r) => r.key)).toEqual([
          `order:${order.id}:notice:promise-changed:2026-03-09:sms`,
          `order:${order.id}:notice:promise-changed:2026-03-12:sms`,
        ]);
        expect(changed[0]!.sms.params).toMatchObject({ order: FIRST, from: '3月3日', to: '3月9日18:00前' });
        expect(changed[0]!.sms.text).toContain(`您的订单${FIRST}交期已由3月3日调整为3月9日18:00前送达。`);
        expect((await notices(s, order.id)).filter((e) => e.data.milestone === 'promise-changed')).toHaveLength(2);
      },
      { config: noticesConfig() },
    );
  });

  it('holds an SMS inside quiet hours until they end; the event says so', async () => {
    await scenario(
      async (s) => {
        const pending = await s.pendingOrder('客户：大陆集团 需要BRK-2026-06样品20件，3月3日前到');
        s.at('2026-02-24T22:30');
        await s.approveAll(pending);
        const [row] = await smsRows(s);
        expect(row?.notBefore).toEqual(china('2026-02-25T08:00'));
        expect(await notices(s, pending.id)).toMatchObject([
          { data: { outcome: 'held', sms: china('2026-02-25T08:00').toISOString() } },
        ]);
      },
      { config: noticesConfig() },
    );
  });

  it('sends a confirmation once, however often it is processed (a second call, a retried tap)', async () => {
    await scenario(
      async (s) => {
        const order = await s.confirmedOrder();
        await s.run('again', (ctx) => noticeCustomer(ctx, order.id, { kind: 'confirmed' }));
        const card = await s.approvalCard(order.id, 'zhoushifu');
        await s.tap(card.id, 'zhoushifu', 'approve');
        const rows = await smsRows(s);
        expect(rows.filter((r) => r.sms.template === 'confirmed')).toHaveLength(1);
        expect(await notices(s, order.id)).toHaveLength(1);
      },
      { config: noticesConfig() },
    );
  });

  it('sends nothing to a customer whose notices are off, nor for a milestone not chosen', async () => {
    await scenario(
      async (s) => {
        const order = await s.confirmedOrder();
        await s.say(`${FIRST} 已发货 顺丰 SF1234567890`);
        expect(await smsRows(s)).toEqual([]);
        expect(await notices(s, order.id)).toEqual([]);
      },
      { config: noticesConfig(['confirmed', 'shipped'], { 大陆集团: false }) },
    );
    await scenario(
      async (s) => {
        await s.confirmedOrder();
        await s.say(`${FIRST} 已发货 顺丰 SF1234567890`);
        expect((await smsRows(s)).map((r) => r.sms.template)).toEqual(['shipped']);
      },
      { config: noticesConfig([], { 大陆集团: { milestones: ['shipped'] } }) },
    );
    // Others hear, this customer does not; and `true` is every milestone.
    await scenario(
      async (s) => {
        await s.confirmedOrder();
        expect((await smsRows(s)).map((r) => r.sms.template)).toEqual(['confirmed']);
      },
      { config: noticesConfig([], { 大陆集团: true, 博世: false }) },
    );
  });

  it('records a notice it could not send to a customer without a phone, and sends nothing', async () => {
    await scenario(
      async (s) => {
        await s.tx.update(customers).set({ contactPhone: null }).where(eq(customers.name, '大陆集团'));
        const order = await s.confirmedOrder();
        expect(await smsRows(s)).toEqual([]);
        expect(await notices(s, order.id)).toMatchObject([
          { data: { milestone: 'confirmed', outcome: 'no-phone', sms: null } },
        ]);
      },
      { config: noticesConfig() },
    );
  });

  it('records, and does not send, a notice whose template the SMS provider does not have', async () => {
    vi.stubEnv('SMS_PROVIDER', 'aliyun');
    vi.stubEnv('SMS_ACCESS_KEY_ID', 'id');
    vi.stubEnv('SMS_ACCESS_KEY_SECRET', 'secret');
    vi.stubEnv('SMS_SIGN_NAME', '测试工厂');
    vi.stubEnv('SMS_TEMPLATE_DELAY', 'SMS_100');
    vi.stubEnv('SMS_TEMPLATE_SHIPPED', 'SMS_200');
    vi.stubEnv('SMS_TEMPLATE_CONFIRMED', '');
    await scenario(
      async (s) => {
        const order = await s.confirmedOrder();
        await s.say(`${FIRST} 已发货 顺丰 SF1234567890`);
        expect((await smsRows(s)).map((r) => r.sms.template)).toEqual(['shipped']);
        expect((await notices(s, order.id)).map((e) => [e.data.milestone, e.data.outcome])).toEqual([
          ['confirmed', 'no-template'],
          ['shipped', 'queued'],
        ]);
      },
      { config: noticesConfig() },
    );
  });

  it('keeps one generated secret in the database when STATUS_LINK_SECRET is not set, and uses the variable when it is', async () => {
    await scenario(async (s) => {
      const first = await statusLinkSecret(s.tx, s.clock.now());
      expect(first.length).toBe(32);
      expect(await statusLinkSecret(s.tx, s.clock.now())).toEqual(first);
      vi.stubEnv('STATUS_LINK_SECRET', 'a-long-enough-secret-from-env');
      expect((await statusLinkSecret(s.tx, s.clock.now())).toString()).toBe('a-long-enough-secret-from-env');
    });
  });

  it('writes nothing for an order that is not confirmed', async () => {
    await scenario(
      async (s) => {
        const pending = await s.pendingOrder();
        await s.run('early', (ctx) => noticeCustomer(ctx, pending.id, { kind: 'confirmed' }));
        expect(await smsRows(s)).toEqual([]);
        const [row] = await s.tx
          .select()
          .from(outbox)
          .where(and(eq(outbox.orderId, pending.id), eq(outbox.platform, 'sms')));
        expect(row).toBeUndefined();
      },
      { config: noticesConfig() },
    );
  });
});
