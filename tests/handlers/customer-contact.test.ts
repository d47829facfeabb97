import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../bot/logger';
import { createHandlerContext } from '../../core/context';
import type { Effect } from '../../core/effects';
import type { Tx } from '../../db/client';
import { customers, outbox } from '../../db/schema';
import { refreshOpenEtds } from '../../handlers/etd';
import { backends } from '../support/databases';
import { demoConfig, useHandlerHarness } from './harness';

describe.each(backends)("customer-contact (a customer's contact from the chat) on %s", (backend) => {
  const { scenario } = useHandlerHarness(backend);
  const customer = async (s: { tx: Tx }, name: string) =>
    (await s.tx.select().from(customers).where(eq(customers.name, name)))[0]!;

  it('takes a contact and a phone from a sales person, masks the phone in the reply, and moves updated_at', async () => {
    await scenario(async (s) => {
      const before = await customer(s, '采埃孚');
      s.at('2026-02-24T11:00');
      const step = await s.say('采埃孚 联系人 周工 13900139003');
      expect(step.reply).toBe('✅ 已更新 采埃孚：联系人 周工，电话 139****9003。之后的延误短信发给这个联系人。');
      const after = await customer(s, '采埃孚');
      expect(after).toMatchObject({ contactName: '周工', contactPhone: '13900139003' });
      expect(after.updatedAt.getTime()).toBeGreaterThan(before.updatedAt.getTime());
    });
  });

  it.each([
    ['大陆集团 电话改为 13912345678', '大陆集团', { contactPhone: '13912345678', contactName: '刘经理' }],
    ['ZF contact Zhou 13800138099', '采埃孚', { contactPhone: '13800138099', contactName: 'Zhou' }],
    ['Conti phone 021-55556666', '大陆集团', { contactPhone: '021-55556666' }],
    ['博世联系人改为王经理', '博世', { contactName: '王经理', contactPhone: '13800138002' }],
  ])('"%s" updates %s', async (text, name, expected) => {
    await scenario(async (s) => {
      await s.say(text);
      expect(await customer(s, name)).toMatchObject(expected);
    });
  });

  it('answers in English to English, and refuses a phone that is none', async () => {
    await scenario(async (s) => {
      const ok = await s.say('ZF contact Zhou 13800138099');
      expect(ok.reply).toBe(
        '✅ 采埃孚 updated: contact Zhou, phone 138****8099. Delay SMS go to this contact from now on.',
      );
      const bad = await s.say('大陆集团 电话 1380013');
      expect(bad.reply).toBe('“1380013”不是有效的手机或座机号码（如 13800138000、021-55556666），未修改。');
      expect((await customer(s, '大陆集团')).contactPhone).toBe('13800138001');
    });
  });

  it('refuses anyone but sales and admins, and changes nothing', async () => {
    await scenario(async (s) => {
      const step = await s.say('采埃孚 联系人 周工 13900139003', { senderId: 'wanggong' });
      expect(step.reply).toBe('只有销售和管理员可以修改客户联系人。');
      expect((await customer(s, '采埃孚')).contactPhone).toBe('13800138003');
    });
  });

  it('lets an admin of the config do it', async () => {
    await scenario(
      async (s) => {
        await s.say('采埃孚 联系人 周工 13900139003', { senderId: 'wanggong' });
        expect((await customer(s, '采埃孚')).contactPhone).toBe('13900139003');
      },
      { config: { ...demoConfig(), admins: ['wanggong'] } },
    );
  });

  it('says so when the customer is not known', async () => {
    await scenario(async (s) => {
      const step = await s.say('新能科技 联系人 张三 13900139003');
      expect(step.reply).toBe('客户资料里没有“新能科技”，请用客户全称或简称。');
    });
  });

  it("sends the next delay SMS to the customer's new contact", async () => {
    await scenario(async (s) => {
      await s.say('大陆集团 联系人 王五 13900139099');
      const order = await s.confirmedOrder();
      expect(order.customerName).toBe('大陆集团');
      // Production is late: the ETD slips far past the promise and the delay alert goes out.
      s.at('2026-03-06T10:00');
      const ctx = createHandlerContext({
        tx: s.tx,
        now: s.clock.now(),
        config: s.config,
        log: createLogger('silent'),
        eventKey: 'test:etd',
        platform: 'playground',
      });
      await refreshOpenEtds(ctx);
      await ctx.flush();
      const rows = await s.tx.select().from(outbox).where(eq(outbox.kind, 'sms'));
      expect(rows.map((r) => (r.payload as Extract<Effect, { kind: 'sms' }>).phone)).toEqual(['13900139099']);
    });
  });
});
