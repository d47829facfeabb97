import { afterEach, describe, expect, it } from 'vitest';
import { orderComplaints, orderEvents, orderRiskInputs, orders } from '../../db/schema';
import { TestApp } from '../support/app';
import { backends, useTestDatabase } from '../support/databases';
import { confirmedOrder } from '../support/lifecycle';

describe.each(backends)('complaints and returns reported in chat on %s', (backend) => {
  const database = useTestDatabase(backend);
  const apps: TestApp[] = [];
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((a) => a.close()));
  });

  it('records a complaint once per message, a return with its pieces, and refuses people outside sales and quality', async () => {
    const t = await TestApp.start(backend, { database: database(), fresh: true });
    apps.push(t);
    await confirmedOrder(t);
    const number = (await t.db.select().from(orders))[0]!.number;
    // The plant side of its risk was kept as the promise saw it when the order was made.
    const [inputs] = await t.db.select().from(orderRiskInputs);
    expect(inputs!.inputs).toMatchObject({ mouldStatus: expect.any(String), usualLeadDays: expect.any(Number) });
    const repliesIn = async (conversation: string) =>
      (await t.state()).conversations[conversation]?.filter((m) => m.text && m.from.id === 'bot').map((m) => m.text) ??
      [];

    await t.say(`${number} 客户投诉包装破损`, { messageId: 'm-complaint' });
    await t.say(`${number} 客户投诉包装破损`, { messageId: 'm-complaint' });
    await t.say(`${number} 退货 3件 尺寸超差`, { senderId: 'zhenggong', conversationId: 'sales-east' });
    await t.say(`${number} 客户投诉 表面划伤`, { senderId: 'zhoushifu' });
    await t.say(`${number} 退货 表面划伤`, { senderId: 'zhenggong' });
    await t.say('SO-20991231-9999 客户投诉包装破损');
    await t.settle();

    // The messages are handled concurrently, so in any order: compared by kind.
    const rows = await t.db.select().from(orderComplaints).orderBy(orderComplaints.kind);
    expect(rows.map((r) => [r.kind, r.isReturn, r.returnedQuantity, r.reportedBy])).toEqual([
      ['dimension', true, 3, 'zhenggong'],
      ['packaging', false, null, 'zhangsan'],
      // A return whose pieces were not said is still a return.
      ['surface', true, null, 'zhenggong'],
    ]);
    const events = (await t.db.select().from(orderEvents).orderBy(orderEvents.type)).filter(
      (e) => e.type === 'complaint' || e.type === 'returned',
    );
    expect(events.map((e) => e.type)).toEqual(['complaint', 'returned', 'returned']);
    const replies = await repliesIn('sales-east');
    expect(replies.filter((r) => r?.includes('包装破损'))).toEqual([`已记录 ${number} 的客户投诉（包装破损）。`]);
    expect(replies).toContain(`已记录 ${number} 退货 3件（尺寸超差）。`);
    expect(replies).toContain(`只有销售、质量部或管理员可以为 ${number} 记录客户投诉和退货。`);
    expect(replies).toContain('没有找到订单 SO-20991231-9999，请检查单号。');
  });
});
