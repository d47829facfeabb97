import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import type { Card } from '../../cards/model';
import { channelCustomerLinks, channelOrders, customers, stackingReviews } from '../../db/schema';
import { parseBuyerLinkCommand } from '../../handlers/channel-customers';
import { reviewRuleStacking } from '../../handlers/stacking-review';
import { backends } from '../support/databases';
import { demoConfig, type Scenario, useHandlerHarness } from './harness';
import { insertRules, received, store } from './stacking-fixtures';

const config = () => {
  const c = demoConfig();
  c.channels.reviewer = 'zhouzong';
  c.admins = ['sunzong'];
  return c;
};
const run = (s: Scenario) => s.run('stacking', (ctx) => reviewRuleStacking(ctx));
const reviews = (s: Scenario) => s.tx.select().from(stackingReviews).orderBy(stackingReviews.id);
const customerId = async (s: Scenario, name: string) =>
  (await s.tx.select({ id: customers.id }).from(customers).where(eq(customers.name, name)))[0]!.id;

/** Two orders of one buyer pair on Douyin and JD, both with BRK-2026-01, an hour apart, before 10:00 China time. */
async function twoChannels(s: Scenario) {
  await insertRules(s.tx, s.clock.now());
  await store(
    s.tx,
    [
      received({
        channel: 'douyin',
        orderId: 'DY1001',
        buyerKey: 'dy_open_abc',
        paidAt: '2026-02-24T00:10:00Z',
        lines: [['BRK-2026-01', 2, 20000]],
      }),
      received({
        channel: 'jd',
        orderId: 'JD2001',
        buyerKey: 'jd_open_xyz',
        paidAt: '2026-02-24T01:10:00Z',
        lines: [
          ['BRK-2026-01', 1, 20000],
          ['CAL-3310-A', 1, 5000],
        ],
      }),
    ],
    s.clock.now(),
  );
}

describe('the buyer-link command words', () => {
  it('reads link and unlink in Chinese and English, and asks for the usage on a malformed one', () => {
    expect(parseBuyerLinkCommand('关联买家 抖音 dy_open_abc 博世')).toEqual({
      kind: 'link',
      channel: 'douyin',
      buyerKey: 'dy_open_abc',
      subject: '博世',
    });
    expect(parseBuyerLinkCommand('@订单助手 关联买家 天猫:AAEx9/+= 到 大陆集团')).toMatchObject({
      channel: 'taobao',
      buyerKey: 'AAEx9/+=',
      subject: '大陆集团',
    });
    expect(parseBuyerLinkCommand('link buyer JD jd-1 to Bosch')).toMatchObject({ channel: 'jd', subject: 'Bosch' });
    expect(parseBuyerLinkCommand('取消关联 京东 jd-1')).toEqual({ kind: 'unlink', channel: 'jd', buyerKey: 'jd-1' });
    expect(parseBuyerLinkCommand('unlink buyer douyin dy-9')).toMatchObject({ kind: 'unlink', channel: 'douyin' });
    expect(parseBuyerLinkCommand('关联买家 拼多多 x 博世')).toEqual({ kind: 'usage' });
    expect(parseBuyerLinkCommand('需要BRK-2026-01样品5件')).toBeNull();
    expect(parseBuyerLinkCommand('取消关联这个单子吧')).toBeNull();
  });
});

describe.each(backends)('rule stacking reviews on %s', (backend) => {
  const { scenario } = useHandlerHarness(backend);

  it('links by hand, finds the stacking once, and records one decision by the reviewer', async () => {
    await scenario(
      async (s) => {
        await twoChannels(s);
        expect((await run(s)).sentCards).toEqual([]); // nobody linked yet (博世's phone is not on these orders)

        const refused = await s.say('关联买家 抖音 dy_open_abc 博世', { senderId: 'wanggong' });
        expect(refused.reply).toContain('只有销售');
        const linked = await s.say('关联买家 抖音 dy_open_abc 博世');
        expect(linked.reply).toContain('1 个订单已归到此客户');
        expect((await s.say('link buyer jd jd_open_xyz to Bosch')).reply).toContain('"博世"');

        const step = await run(s);
        expect(step.sentCards).toHaveLength(1);
        const { to, card } = step.sentCards[0]!;
        expect(to).toEqual({ userId: 'zhouzong' });
        const field = (key: string) => card.fields.find((f) => f.key === key)?.value;
        expect(field('customer')).toBe('博世');
        expect(field('links')).toContain('张三手动关联');
        expect(field('overlap')).toBe('BRK-2026-01');
        expect(field('exclusive')).toBe('DY-MJ50 与 JD-PLUS 互斥');
        const orderFields = card.fields.filter((f) => f.key.startsWith('order:'));
        expect(orderFields.map((f) => f.label)).toEqual(['抖音 · douyin-shop-1', '京东 · jd-shop-1']);
        expect(orderFields[0]!.value).toContain('订单 DY1001 · 2月24日 08:10 付款');
        expect(orderFields[0]!.value).toContain('抖音满299减50（DY-MJ50）−50.00元');
        expect(orderFields[1]!.value).toContain('京东PLUS会员价（JD-PLUS）−25.00元');
        expect(card.buttons.map((b) => [b.key, b.needsReason ?? false])).toEqual([
          ['confirm', false],
          ['dismiss', true],
        ]);
        expect(card.reasons?.options.map((o) => o.id)).toEqual(['repeat', 'wrong-link', 'rules', 'other']);

        expect((await run(s)).effects).toEqual([]);
        expect(await reviews(s)).toEqual([
          expect.objectContaining({ status: 'open', ruleCodes: ['DY-MJ50', 'JD-PLUS'], overlapSkus: ['BRK-2026-01'] }),
        ]);

        const other = await s.tap(card.id, 'lisi', 'confirm');
        expect(other.notice).toContain('周总');
        expect(other.updatedCards).toEqual([]);
        expect((await s.tap(card.id, 'zhouzong', 'dismiss')).notice).toContain('需要原因');
        expect((await s.tap(card.id, 'zhouzong', 'dismiss', { reasonId: 'other' })).notice).toContain('需要原因');
        const dismissed = await s.tap(card.id, 'zhouzong', 'dismiss', { reasonId: 'repeat', callbackRef: 'cb-1' });
        expect(dismissed.updatedCards).toHaveLength(1);
        expect(dismissed.updatedCards[0]).toMatchObject({ cardId: card.id, callbackRef: 'cb-1' });
        expect(dismissed.updatedCards[0]!.card.resolved?.text).toContain('已忽略 · 周总');
        const [review] = await reviews(s);
        expect(review).toMatchObject({ status: 'dismissed', reviewer: 'zhouzong', reason: '正常复购，不是叠用' });

        const late = await s.tap(card.id, 'sunzong', 'confirm');
        expect(late.notice).toContain('已由周总');
        expect(late.updatedCards).toEqual([]);
        expect(await reviews(s)).toEqual([review]);
        expect(((await s.card(card.id)).content as Card).resolved?.status).toBe('rejected');
      },
      { config: config() },
    );
  });

  it('links a buyer by phone hash when exactly one customer has that mobile, never when two have it', async () => {
    await scenario(async (s) => {
      // 博世 has 13800138002 in the demo data; 大陆集团 and 采埃孚 get the same number here.
      await s.say('采埃孚 电话 13800138003');
      await s.say('大陆集团 电话 13800138003');
      await store(
        s.tx,
        [
          received({
            channel: 'douyin',
            orderId: 'DY1',
            buyerKey: 'dy_one',
            paidAt: '2026-02-24T00:10:00Z',
            lines: [['BRK-2026-01', 1, 100]],
            phone: '13800138002',
          }),
          received({
            channel: 'jd',
            orderId: 'JD1',
            buyerKey: 'jd_two',
            paidAt: '2026-02-24T00:20:00Z',
            lines: [['BRK-2026-01', 1, 100]],
            phone: '13800138003',
          }),
          received({
            channel: 'jd',
            orderId: 'JD2',
            buyerKey: 'jd_three',
            paidAt: '2026-02-24T00:30:00Z',
            lines: [['BRK-2026-01', 1, 100]],
            phone: '13912345678',
          }),
        ],
        s.clock.now(),
      );
      await run(s);
      const links = await s.tx.select().from(channelCustomerLinks);
      expect(links).toEqual([
        expect.objectContaining({
          channel: 'douyin',
          buyerKey: 'dy_one',
          customerId: await customerId(s, '博世'),
          method: 'phone-hash',
          linkedBy: null,
        }),
      ]);
      const rows = await s.tx
        .select({ orderId: channelOrders.orderId, customerId: channelOrders.customerId })
        .from(channelOrders)
        .orderBy(channelOrders.orderId);
      expect(rows).toEqual([
        { orderId: 'DY1', customerId: await customerId(s, '博世') },
        { orderId: 'JD1', customerId: null },
        { orderId: 'JD2', customerId: null },
      ]);
      // A later order of a linked buyer gets the customer as it is stored.
      await store(
        s.tx,
        [
          received({
            channel: 'douyin',
            orderId: 'DY2',
            buyerKey: 'dy_one',
            paidAt: '2026-02-24T01:10:00Z',
            lines: [['BRK-2026-02', 1, 100]],
          }),
        ],
        s.clock.now(),
      );
      const [dy2] = await s.tx.select().from(channelOrders).where(eq(channelOrders.orderId, 'DY2'));
      expect(dy2?.customerId).toBe(await customerId(s, '博世'));
    });
  });

  it('a third order joining the group supersedes the open item; a set inside an existing one creates nothing', async () => {
    await scenario(
      async (s) => {
        await twoChannels(s);
        await s.say('关联买家 抖音 dy_open_abc 博世');
        await s.say('关联买家 京东 jd_open_xyz 博世');
        const first = await run(s);
        const firstCard = first.sentCards[0]!.card;
        s.at('2026-02-24T11:00');
        await store(
          s.tx,
          [
            received({
              channel: 'jd',
              orderId: 'JD2002',
              buyerKey: 'jd_open_xyz',
              paidAt: '2026-02-24T02:40:00Z',
              lines: [['BRK-2026-02', 1, 30000]],
            }),
            received({
              channel: 'douyin',
              orderId: 'DY1002',
              buyerKey: 'dy_open_abc',
              paidAt: '2026-02-24T02:50:00Z',
              lines: [
                ['BRK-2026-01', 1, 20000],
                ['BRK-2026-02', 1, 20000],
              ],
            }),
          ],
          s.clock.now(),
        );
        const second = await run(s);
        expect(second.sentCards).toHaveLength(1);
        expect(second.sentCards[0]!.card.fields.filter((f) => f.key.startsWith('order:'))).toHaveLength(4);
        expect(second.updatedCards.map((u) => [u.cardId, u.card.resolved?.status])).toEqual([
          [firstCard.id, 'cancelled'],
        ]);
        const [old, bigger] = await reviews(s);
        expect(old).toMatchObject({ status: 'dismissed', reviewer: null, reason: `superseded:${bigger!.id}` });
        expect(bigger).toMatchObject({ status: 'open', overlapSkus: ['BRK-2026-01', 'BRK-2026-02'] });
        expect((await s.tap(firstCard.id, 'zhouzong', 'confirm')).notice).toContain(`#${bigger!.id}`);

        // One order cancelled: the group shrinks to a set the bigger item holds already.
        await store(
          s.tx,
          [
            {
              ...received({
                channel: 'douyin',
                orderId: 'DY1002',
                buyerKey: 'dy_open_abc',
                paidAt: '2026-02-24T02:50:00Z',
                lines: [
                  ['BRK-2026-01', 1, 20000],
                  ['BRK-2026-02', 1, 20000],
                ],
                status: 'cancelled',
              }),
              updatedAt: '2026-02-24T02:55:00Z',
            },
          ],
          s.clock.now(),
        );
        expect((await run(s)).effects).toEqual([]);
        expect(await reviews(s)).toHaveLength(2);
        // An admin may decide too.
        const decided = await s.tap(`sr-${bigger!.id}`, 'sunzong', 'confirm');
        expect(decided.updatedCards[0]!.card.resolved?.text).toContain('已确认叠用 · 孙总');
      },
      { config: config() },
    );
  });

  it('without a reviewer the item is recorded for the board and no card is sent', async () => {
    await scenario(async (s) => {
      await twoChannels(s);
      await s.say('关联买家 抖音 dy_open_abc 博世');
      await s.say('关联买家 京东 jd_open_xyz 博世');
      const step = await run(s);
      expect(step.effects).toEqual([]);
      expect(await reviews(s)).toHaveLength(1);
    });
  });

  it('unlinking takes the customer off the buyer’s orders', async () => {
    await scenario(async (s) => {
      await twoChannels(s);
      await s.say('关联买家 抖音 dy_open_abc 博世');
      const step = await s.say('取消关联 抖音 dy_open_abc');
      expect(step.reply).toContain('1 个订单不再归属该客户');
      expect((await s.say('取消关联 抖音 dy_open_abc')).reply).toContain('没有关联');
      const rows = await s.tx.select({ customerId: channelOrders.customerId }).from(channelOrders);
      expect(rows.every((r) => r.customerId === null)).toBe(true);
      expect(await s.tx.select().from(channelCustomerLinks)).toEqual([]);
    });
  });
});
