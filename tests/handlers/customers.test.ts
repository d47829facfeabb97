import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { cards, customers, drafts } from '../../db/schema';
import { backends } from '../support/databases';
import { FIRST, SALES, useHandlerHarness } from './harness';

describe.each(backends)("a request's customer on %s", (backend) => {
  const { scenario } = useHandlerHarness(backend);

  it.each([
    ['大陆集团要BRK-2026-02样品5件，12月20日前到', '大陆集团'],
    ['采埃孚 需要PAD-7781样品20套，12月20日前到', '采埃孚'],
    ['给博世做BRK-2026-01样品5件，12月20日前到', '博世'],
    ['客户采埃孚 需要BRK-2026-01样品5件，12月20日前到', '采埃孚'],
    ['比亚迪那边要BRK-2026-01样品5件，12月20日前到', '比亚迪'],
    ['Conti wants BRK-2026-01 samples ×5 by 12/20', '大陆集团'],
    ['BRK-2026-01 samples ×5 by 12/20 for ZF', '采埃孚'],
  ])('"%s" is for %s, and the order carries it', async (text, name) => {
    await scenario(async (s) => {
      const order = await s.pendingOrder(text);
      const [customer] = await s.tx.select().from(customers).where(eq(customers.name, name));
      expect(order).toMatchObject({ customerId: customer!.id, customerName: name });
    });
  });

  it('asks which customer when two are named, with a button each, and goes on with the one chosen', async () => {
    await scenario(async (s) => {
      const step = await s.say('大陆集团和博世都要BRK-2026-01样品5件，12月20日前到');
      expect(await s.orders()).toEqual([]);
      expect(step.textsIn(SALES)[0]).toContain('大陆集团、博世');
      const [card] = step.sentCards;
      expect(card!.to).toEqual({ conversationId: SALES });
      expect(card!.card.buttons.map((b) => b.label)).toEqual(['大陆集团', '博世']);
      const bosch = card!.card.buttons[1]!;

      const tapped = await s.tap(card!.card.id, 'zhangsan', bosch.key);
      const [order] = await s.orders();
      expect(order).toMatchObject({ number: FIRST, customerName: '博世' });
      expect(tapped.updatedCards[0]!.card.resolved?.text).toBe('客户：博世');
      expect((await s.drafts())[0]!.status).toBe('completed');

      const again = await s.tap(card!.card.id, 'zhangsan', bosch.key, { note: 'a stale copy' });
      expect(again.notice).toBe('这条需求已经处理过了。');
      expect(await s.orders()).toHaveLength(1);
    });
  });

  it('takes the customer typed as the answer where buttons cannot be tapped, in English too', async () => {
    await scenario(async (s) => {
      const asked = await s.say('Conti and Bosch both want BRK-2026-01 samples ×5 by 12/20');
      expect(asked.textsIn(SALES)[0]).toBe(
        '❓ This request names 大陆集团 and 博世: which customer is it for? Tap the card or reply with the name.',
      );
      await s.say('Bosch');
      const [order] = await s.orders();
      expect(order).toMatchObject({ customerName: '博世', language: 'en' });
    });
  });

  it('lets only the sales person who asked choose', async () => {
    await scenario(async (s) => {
      const step = await s.say('大陆集团和博世都要BRK-2026-01样品5件，12月20日前到');
      const card = step.sentCards[0]!.card;
      const tap = await s.tap(card.id, 'lisi', card.buttons[0]!.key);
      expect(tap.notice).toBe('只有提出需求的张三可以选择。');
      expect(await s.orders()).toEqual([]);
    });
  });

  it('keeps a labelled name it does not know, offers the sales person to add it, and links the order once added', async () => {
    await scenario(async (s) => {
      const step = await s.say('客户：新能科技 需要BRK-2026-01样品5件，12月20日前到');
      const [order] = await s.orders();
      expect(order).toMatchObject({ customerId: null, customerName: '新能科技' });
      const offer = step.sentCards.find((c) => c.card.title === '新客户 · 新能科技')!;
      expect(offer.to).toEqual({ userId: 'zhangsan' });
      expect(offer.card.buttons).toEqual([{ key: 'add-customer', label: '添加客户', style: 'primary' }]);

      const added = await s.tap(offer.card.id, 'zhangsan', 'add-customer');
      const [customer] = await s.tx.select().from(customers).where(eq(customers.name, '新能科技'));
      expect(customer).toBeDefined();
      expect((await s.order(FIRST)).customerId).toBe(customer!.id);
      expect(added.notice).toContain('已添加客户“新能科技”，已关联 1 个订单');
      expect(added.updatedCards[0]!.card.resolved?.text).toBe('已添加客户 · 新能科技');

      // Named again, it is a known customer now.
      const second = await s.pendingOrder('新能科技要BRK-2026-03样品2件，12月20日前到');
      expect(second.customerId).toBe(customer!.id);
      const [row] = await s.tx.select().from(cards).where(eq(cards.id, offer.card.id));
      expect(row!.purpose).toBe('add-customer');
    });
  });

  it('names no customer when the message names none', async () => {
    await scenario(async (s) => {
      const order = await s.pendingOrder('需要BRK-2026-01样品5件，12月20日前到');
      expect(order).toMatchObject({ customerId: null, customerName: null });
      expect(await s.tx.select().from(drafts)).toEqual([]);
    });
  });
});
