import { beforeEach, describe, expect, it } from 'vitest';
import { readRiskHistory } from '../../db/risk-history';
import { materials, orderComplaints, orderItems, orderRiskInputs, orders } from '../../db/schema';
import { backends, resetDatabase, useTestDatabase } from '../support/databases';

const at = (iso: string) => new Date(`${iso}+08:00`);

describe.each(backends)('the risk history read from the database on %s', (backend) => {
  const database = useTestDatabase(backend);
  beforeEach(() => resetDatabase(database().db));

  it('gives each promised order its plant inputs, its lateness once delivered and its complaints with their times', async () => {
    const { db } = database();
    await db.insert(materials).values([
      { code: 'BRK-1', name: '刹车片', leadTimeDays: 12 },
      { code: 'BRK-2', name: '卡钳', leadTimeDays: 20 },
    ]);
    const base = {
      platform: 'playground',
      conversationId: 'sales-east',
      requesterId: 'zhangsan',
      requesterName: '张三',
      customerName: '大陆集团',
      kind: 'batch' as const,
      language: 'zh' as const,
      requestedDate: '2026-03-10',
      sourceText: 'x',
    };
    const rows = await db
      .insert(orders)
      .values([
        // Delivered a day late, with a packaging complaint and a return; its plant inputs were recorded.
        {
          ...base,
          number: 'SO-1',
          status: 'delivered',
          requestedAt: at('2026-03-01T09:00:00'),
          createdAt: at('2026-03-01T09:00:00'),
          promisedAt: at('2026-03-10T18:00:00'),
          deliveredAt: at('2026-03-11T10:00:00'),
        },
        // Delivered on time, from before the inputs were kept: an unconstrained plant, the material's own lead.
        {
          ...base,
          number: 'SO-2',
          status: 'delivered',
          urgent: true,
          requestedAt: at('2026-03-02T09:00:00'),
          createdAt: at('2026-03-02T09:00:00'),
          promisedAt: at('2026-03-12T18:00:00'),
          deliveredAt: at('2026-03-12T09:00:00'),
        },
        // Still open: no outcome yet. And a rejected one with no promise: not history.
        {
          ...base,
          number: 'SO-3',
          status: 'confirmed',
          requestedAt: at('2026-03-03T09:00:00'),
          createdAt: at('2026-03-03T09:00:00'),
          promisedAt: at('2026-03-20T18:00:00'),
        },
        {
          ...base,
          number: 'SO-4',
          status: 'rejected',
          requestedAt: at('2026-03-04T09:00:00'),
          createdAt: at('2026-03-04T09:00:00'),
        },
      ])
      .returning();
    const id = (n: string) => rows.find((r) => r.number === n)!.id;
    const item = (orderId: number, lineNo: number, materialCode: string, quantity: number) => ({
      orderId,
      lineNo,
      materialCode,
      quantity,
      unit: '件',
      kind: 'batch' as const,
      requestedDate: '2026-03-10',
    });
    await db
      .insert(orderItems)
      .values([
        item(id('SO-1'), 1, 'BRK-1', 50),
        item(id('SO-1'), 2, 'BRK-2', 200),
        item(id('SO-2'), 1, 'BRK-1', 5),
        item(id('SO-3'), 1, 'BRK-1', 8),
        item(id('SO-4'), 1, 'BRK-1', 8),
      ]);
    await db.insert(orderRiskInputs).values({
      orderId: id('SO-1'),
      inputs: { lineLoad: 0.93, mouldStatus: 'repair', mould: 'M-3', purchaseLeadDays: 6, usualLeadDays: 20 },
      recordedAt: at('2026-03-01T09:00:00'),
    });
    await db.insert(orderComplaints).values([
      { orderId: id('SO-1'), kind: 'packaging', eventKey: 'a', at: at('2026-03-12T10:00:00') },
      {
        orderId: id('SO-1'),
        kind: 'dimension',
        isReturn: true,
        returnedQuantity: 3,
        eventKey: 'b',
        at: at('2026-03-13T10:00:00'),
      },
    ]);

    const history = await readRiskHistory(db);
    expect(history.map((e) => e.order.id)).toEqual(['SO-1', 'SO-2', 'SO-3']);
    const [first, second, third] = history;
    expect(first).toEqual({
      order: {
        id: 'SO-1',
        customer: '大陆集团',
        material: 'BRK-2',
        quantity: 250,
        kind: 'batch',
        createdAt: at('2026-03-01T09:00:00'),
        promisedAt: at('2026-03-10T18:00:00'),
        expedite: false,
        lineLoad: 0.93,
        mouldStatus: 'repair',
        mould: 'M-3',
        purchaseLeadDays: 6,
        usualLeadDays: 20,
      },
      outcome: {
        late: true,
        deliveredAt: at('2026-03-11T10:00:00'),
        complaints: [
          { kind: 'packaging', at: at('2026-03-12T10:00:00') },
          { kind: 'dimension', at: at('2026-03-13T10:00:00'), returned: true },
        ],
      },
    });
    expect(second!.order).toMatchObject({ expedite: true, lineLoad: 0, mouldStatus: 'ok', usualLeadDays: 12 });
    expect(second!.outcome).toMatchObject({ late: false, complaints: [] });
    expect(third!.outcome).toBeNull();
  });
});
