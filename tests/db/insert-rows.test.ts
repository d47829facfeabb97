import { asc, eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import {
  childRows,
  insertParentsWithChildren,
  insertRows,
  insertWithChildren,
  siblingRows,
} from '../../db/insert-rows';
import {
  approvalTasks,
  cards,
  inboundMessages,
  materials,
  orderEvents,
  orderItems,
  orderRiskInputs,
  orders,
} from '../../db/schema';
import { backends, useTestDatabase } from '../support/databases';
import { orderRow } from '../support/order-row';

const at = new Date('2026-02-24T02:00:00.000Z');

describe.each(backends)('rows inserted as one jsonb parameter (%s)', (backend) => {
  const database = useTestDatabase(backend);

  async function anOrder(number: string) {
    const [order] = await database().db.insert(orders).values(orderRow(number, at)).returning();
    return order!.id;
  }

  it('stores and answers what the builder does: arrays, JSON, times, nulls and defaults, in the order given', async () => {
    const { db } = database();
    const [orderId, otherId] = [await anOrder('SO-1'), await anOrder('SO-2')];
    const tasks = (department: string, assignees: string[], id = orderId) => ({
      orderId: id,
      department,
      assignees,
      dueAt: new Date(at.getTime() + 7_200_000),
      escalatedTo: null,
      createdAt: at,
    });
    const viaBuilder = await db
      .insert(approvalTasks)
      .values([tasks('tech', ['wanggong']), tasks('purchasing', ['chenjie', 'lijie'])])
      .returning();
    const viaJson = await insertRows(
      db,
      approvalTasks,
      [tasks('tech', ['wanggong'], otherId), tasks('purchasing', ['chenjie', 'lijie'], otherId)],
      { returning: true },
    );
    const withoutId = (rows: Array<{ id: number; orderId: number }>) =>
      rows.map(({ id: _, orderId: __, ...row }) => row);
    expect(withoutId(viaJson)).toEqual(withoutId(viaBuilder));
    expect(viaJson[0]).toMatchObject({ status: 'pending', escalationLevel: 0, version: 1, decidedAt: null });
    expect(viaJson.map((t) => t.id)).toEqual([...viaJson.map((t) => t.id)].sort((a, b) => a - b));

    const events = [
      {
        orderId,
        at,
        type: 'created',
        actorId: 'zhangsan',
        data: { items: [{ sku: 'BRK-2026-01', quantity: 5 }], note: '“加急”' },
      },
      { orderId, at, type: 'promise-checked', data: { earliest: '2026-03-05', binding: [] } },
    ];
    // Rows giving different columns (one has no actor) go through the builder: the same rows either way.
    await insertRows(db, orderEvents, events);
    await insertRows(db, orderEvents, [events[0]!, { ...events[1]!, actorId: null }]);
    const stored = await db
      .select()
      .from(orderEvents)
      .where(eq(orderEvents.orderId, orderId))
      .orderBy(asc(orderEvents.id));
    expect(stored.map(({ id: _, ...e }) => e)).toEqual([
      { ...events[0], at },
      { ...events[1], actorId: null, at },
      { ...events[0], at },
      { ...events[1], actorId: null, at },
    ]);
  });

  it('hands a row giving an SQL expression to the builder, which writes the expression', async () => {
    const { db } = database();
    const orderId = await anOrder('SO-3');
    const [event] = await insertRows(
      db,
      orderEvents,
      [{ orderId, at: sql`'2026-02-24T03:00:00Z'::timestamptz` as unknown as Date, type: 'note', data: {} }],
      { returning: ['at', 'type'] },
    );
    expect(event).toEqual({ at: new Date('2026-02-24T03:00:00Z'), type: 'note' });
  });

  it('answers values computed per inserted row beside its columns, and refuses them for rows the builder must take', async () => {
    const { db } = database();
    const orderId = await anOrder('SO-41');
    const rows = [
      { orderId, at, type: 'note', data: { n: 1 } },
      { orderId, at, type: 'stage', data: { n: 2 } },
    ];
    const answered = await insertRows(db, orderEvents, rows, {
      returning: ['type'],
      returningAlso: {
        n: "(order_events.data ->> 'n')::int * 10",
        same: 'order_events.order_id = order_events.order_id',
      },
    });
    expect(answered).toEqual([
      { type: 'note', n: 10, same: true },
      { type: 'stage', n: 20, same: true },
    ]);
    await expect(
      insertRows(db, orderEvents, [rows[0]!, { orderId, at, type: 'note', actorId: 'zhangsan' }], {
        returning: ['type'],
        returningAlso: { n: '1' },
      }),
    ).rejects.toThrow(/cannot answer computed values/);
  });

  it('sends rows to the builder when a later row gives other columns of the same count, or an SQL value', async () => {
    const { db } = database();
    const orderId = await anOrder('SO-40');
    const returning = { returning: ['actorId', 'at', 'data'] as Array<'actorId' | 'at' | 'data'> };
    const otherColumns = await insertRows(
      db,
      orderEvents,
      [
        { orderId, at, type: 'note', actorId: 'zhangsan' },
        { orderId, at, type: 'note', data: { n: 2 } },
      ],
      returning,
    );
    expect(otherColumns).toEqual([
      { actorId: 'zhangsan', at, data: {} },
      { actorId: null, at, data: { n: 2 } },
    ]);
    const laterExpression = await insertRows(
      db,
      orderEvents,
      [
        { orderId, at, type: 'note', data: {} },
        { orderId, at: sql`'2026-02-24T03:00:00Z'::timestamptz` as unknown as Date, type: 'note', data: {} },
      ],
      returning,
    );
    expect(laterExpression).toEqual([
      { actorId: null, at, data: {} },
      { actorId: null, at: new Date('2026-02-24T03:00:00Z'), data: {} },
    ]);
  });

  it('inserts a row and the rows that belong to it in one statement, the children in order', async () => {
    const { db } = database();
    await db.insert(materials).values([
      { code: 'BRK-2026-01', name: '制动钳支架' },
      { code: 'BRK-2026-02', name: '制动钳支架 2 型' },
    ]);
    const order = await insertWithChildren(
      db,
      {
        table: orders,
        row: orderRow('SO-4', at, { kind: 'batch' }),
      },
      [
        childRows(orderItems, 'orderId', [
          {
            lineNo: 1,
            materialCode: 'BRK-2026-01',
            quantity: 500,
            unit: '件',
            kind: 'batch',
            requestedDate: '2026-03-05',
          },
          {
            lineNo: 2,
            materialCode: 'BRK-2026-02',
            quantity: 20,
            unit: '件',
            kind: 'sample',
            requestedDate: '2026-03-01',
          },
        ]),
        childRows(orderEvents, 'orderId', [
          { at, type: 'created', actorId: 'zhangsan', data: { n: 1 } },
          { at, type: 'promise-checked', actorId: null, data: { n: 2 } },
        ]),
        childRows(orderRiskInputs, 'orderId', []),
      ],
    );
    expect(order).toMatchObject({
      number: 'SO-4',
      kind: 'batch',
      status: 'pending_approval',
      urgent: false,
      requestedAt: at,
    });
    const [viaBuilder] = await db.select().from(orders).where(eq(orders.id, order.id));
    expect(order).toEqual(viaBuilder);
    const items = await db
      .select()
      .from(orderItems)
      .where(eq(orderItems.orderId, order.id))
      .orderBy(asc(orderItems.id));
    expect(items.map((i) => [i.lineNo, i.materialCode, i.quantity, i.requestedDate])).toEqual([
      [1, 'BRK-2026-01', 500, '2026-03-05'],
      [2, 'BRK-2026-02', 20, '2026-03-01'],
    ]);
    const events = await db
      .select()
      .from(orderEvents)
      .where(eq(orderEvents.orderId, order.id))
      .orderBy(asc(orderEvents.id));
    expect(events.map((e) => [e.type, e.actorId, e.data])).toEqual([
      ['created', 'zhangsan', { n: 1 }],
      ['promise-checked', null, { n: 2 }],
    ]);
    expect(await db.select().from(orderRiskInputs).where(eq(orderRiskInputs.orderId, order.id))).toEqual([]);
  });

  it('inserts several rows and the children of each in one statement, matched on a column of the parents', async () => {
    const { db } = database();
    const orderId = await anOrder('SO-5');
    const task = (department: string, assignees: string[]) => ({
      orderId,
      department,
      assignees,
      dueAt: new Date(at.getTime() + 7_200_000),
      createdAt: at,
    });
    const card = (id: string, recipientId: string) => ({
      id,
      orderId,
      platform: 'wecom',
      recipientId,
      content: { title: id },
      createdAt: at,
    });
    const tasks = await insertParentsWithChildren(
      db,
      {
        table: approvalTasks,
        matchOn: 'department',
        rows: [task('tech', ['wanggong']), task('purchasing', ['chenjie', 'lijie']), task('production', ['zhao'])],
      },
      [
        childRows(
          cards,
          'taskId',
          [card('c-chen', 'chenjie'), card('c-wang', 'wanggong'), card('c-li', 'lijie')],
          ['purchasing', 'tech', 'purchasing'],
        ),
        siblingRows(cards, [{ ...card('c-etd', 'sales-east'), purpose: 'etd' }]),
      ],
    );
    expect(tasks.map((t) => t.department)).toEqual(['tech', 'purchasing', 'production']);
    expect(tasks).toEqual(
      await db.select().from(approvalTasks).where(eq(approvalTasks.orderId, orderId)).orderBy(asc(approvalTasks.id)),
    );
    const taskOf = new Map(tasks.map((t) => [t.department, t.id]));
    const stored = await db
      .select()
      .from(cards)
      .where(eq(cards.orderId, orderId))
      .orderBy(asc(cards.taskId), asc(cards.recipientId));
    expect(stored.map((c) => [c.id, c.taskId, c.recipientId, c.content])).toEqual([
      ['c-wang', taskOf.get('tech'), 'wanggong', { title: 'c-wang' }],
      ['c-chen', taskOf.get('purchasing'), 'chenjie', { title: 'c-chen' }],
      ['c-li', taskOf.get('purchasing'), 'lijie', { title: 'c-li' }],
      ['c-etd', null, 'sales-east', { title: 'c-etd' }],
    ]);
    // Without parent rows, siblings still go in.
    expect(
      await insertParentsWithChildren(db, { table: approvalTasks, rows: [], matchOn: 'department' }, [
        siblingRows(cards, [card('c-alone', 'sales-west')]),
      ]),
    ).toEqual([]);
    expect(await db.select({ id: cards.id }).from(cards).where(eq(cards.recipientId, 'sales-west'))).toEqual([
      { id: 'c-alone' },
    ]);
    // Several parents without each child's own: refused before anything is written.
    await expect(
      insertParentsWithChildren(db, { table: approvalTasks, rows: [task('qa', ['x']), task('qc', ['y'])] }, [
        childRows(cards, 'taskId', [card('c-x', 'x')]),
      ]),
    ).rejects.toThrow(/name their parents/);
    expect(await db.select().from(approvalTasks).where(eq(approvalTasks.orderId, orderId))).toHaveLength(3);
  });

  it('skips a conflicting row and answers only the rows it inserted', async () => {
    const { db } = database();
    const row = (externalId: string) => ({
      platform: 'wecom',
      externalId,
      kind: 'message' as const,
      payload: { text: `需要BRK-2026-01样品5件 ${externalId}` },
      receivedAt: at,
    });
    const first = await insertRows(db, inboundMessages, [row('m-1'), row('m-2')], {
      onConflictDoNothing: ['platform', 'externalId'],
      returning: true,
    });
    expect(first.map((r) => r.externalId)).toEqual(['m-1', 'm-2']);
    const again = await insertRows(db, inboundMessages, [row('m-2'), row('m-3')], {
      onConflictDoNothing: ['platform', 'externalId'],
      returning: true,
    });
    expect(again.map((r) => [r.externalId, r.status, r.payload])).toEqual([['m-3', 'received', row('m-3').payload]]);
    expect(await db.select().from(inboundMessages)).toHaveLength(3);
  });

  it('makes a write of another table by the same statement, or alone without rows', async () => {
    const { db } = database();
    const [inbound] = await insertRows(
      db,
      inboundMessages,
      [{ platform: 'dingtalk', externalId: 'm-9', kind: 'message', payload: {}, receivedAt: at }],
      { returning: ['id'] },
    );
    const mark = (status: string) => sql`update inbound_messages set status = ${status} where id = ${inbound!.id}`;
    const statusNow = async () =>
      (await db.select().from(inboundMessages).where(eq(inboundMessages.id, inbound!.id)))[0]!.status;
    const orderId = await anOrder('SO-6');
    const event = { orderId, at, type: 'note', actorId: null, data: {} };
    await insertRows(db, orderEvents, [event, event], { alongside: mark('processed') });
    expect(await statusNow()).toBe('processed');
    expect(await db.select().from(orderEvents).where(eq(orderEvents.orderId, orderId))).toHaveLength(2);
    await insertRows(db, orderEvents, [], { alongside: mark('failed') });
    expect(await statusNow()).toBe('failed');
    // Rows the builder takes (an SQL value): the write is still made.
    await insertRows(db, orderEvents, [{ ...event, at: sql`now()` as unknown as Date }], {
      alongside: mark('received'),
    });
    expect(await statusNow()).toBe('received');
    expect(await db.select().from(orderEvents).where(eq(orderEvents.orderId, orderId))).toHaveLength(3);
  });
});
