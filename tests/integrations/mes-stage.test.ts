import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { asc, eq, ne } from 'drizzle-orm';
import Koa from 'koa';
import { afterEach, describe, expect, it } from 'vitest';
import { inboundMessages, orderEvents, orders, outbox } from '../../db/schema';
import { mesRoutes } from '../../integrations/mes/routes';
import { TestApp, type PlaygroundCard, type PlaygroundState } from '../support/app';
import { backends, useTestDatabase } from '../support/databases';
import { confirmedOrder, etdCard } from '../support/lifecycle';

const TOKEN = 'mes-test-token-0123456789abcdef';
const NUMBER = 'SO-20260224-0001';
const APPROVERS = ['wanggong', 'chenjie', 'zhoushifu'];
const field = (card: PlaygroundCard | undefined, label: string) => card?.fields.find((f) => f.label === label)?.value;

describe.each(backends)('MES stage reports on %s', (backend) => {
  const database = useTestDatabase(backend);
  const running: Array<{ t: TestApp; server: Server }> = [];
  afterEach(async () => {
    for (const { t, server } of running.splice(0)) {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await t.close();
    }
  });

  /** The product on a fresh database, and the MES interface handing reports to its bot. */
  async function start() {
    const t = await TestApp.start(backend, { database: database(), fresh: true });
    const { bot } = t.app;
    const router = mesRoutes({
      db: t.db,
      clock: t.clock.now,
      token: TOKEN,
      config: bot.configSource,
      ingest: (event, externalId) => bot.ingest(event, externalId),
    });
    const app = new Koa();
    app.use(router.routes()).use(router.allowedMethods());
    const server = app.listen(0, '127.0.0.1');
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    running.push({ t, server });
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    async function report(
      body: unknown,
      options: { number?: string; key?: string; token?: string; raw?: string } = {},
    ) {
      const headers: Record<string, string> = {
        authorization: `Bearer ${options.token ?? TOKEN}`,
        'content-type': 'application/json',
      };
      if (options.key) headers['idempotency-key'] = options.key;
      const response = await fetch(`${url}/api/mes/orders/${options.number ?? NUMBER}/stage`, {
        method: 'PUT',
        headers,
        body: options.raw ?? JSON.stringify(body),
      });
      const text = await response.text();
      return {
        status: response.status,
        json: text ? JSON.parse(text) : undefined,
        replayed: response.headers.get('idempotent-replayed'),
      };
    }
    return { t, report };
  }

  const stageEvents = (t: TestApp) =>
    t.db
      .select({ actorId: orderEvents.actorId, data: orderEvents.data })
      .from(orderEvents)
      .where(eq(orderEvents.type, 'stage-completed'))
      .orderBy(asc(orderEvents.id));
  const inbound = (t: TestApp) => t.db.select().from(inboundMessages).where(eq(inboundMessages.platform, 'mes'));
  const order = async (t: TestApp) => (await t.db.select().from(orders).where(eq(orders.number, NUMBER)))[0]!;
  /** Everything the bot sent or will send, for comparing before and after a report. */
  const outboxKeys = async (t: TestApp) =>
    (await t.db.select({ key: outbox.idempotencyKey }).from(outbox)).map((r) => r.key).sort();

  async function pendingOrder(t: TestApp, text = '客户：大陆集团 需要BRK-2026-06样品20件，3月3日前到') {
    await t.say(text);
    return t.waitFor((s) => (APPROVERS.every((who) => s.inbox[who]?.length) ? s : undefined), 'the approval cards');
  }
  async function approve(t: TestApp, state: PlaygroundState) {
    for (const who of APPROVERS) await t.tap(state.inbox[who]![0]!.id, who, 'approve');
    await t.settle();
  }

  it('advances an order as a person would: stage card resolved, next stage card sent, ETD card updated', async () => {
    const { t, report } = await start();
    const productionCard = await confirmedOrder(t);
    await t.settle();
    const said = t.botMessages(await t.state());
    t.clock.advance(30 * 60_000);

    const res = await report({ stage: 'in_production', at: '2026-02-24T10:20:00+08:00', note: '2号线 首件合格' });
    expect(res).toMatchObject({
      status: 200,
      json: { order: NUMBER, stage: 'in_production', completed: ['in_production'], status: 'done' },
      replayed: null,
    });

    const state = await t.waitFor(
      (s) =>
        s.inbox.zhenggong?.[0] &&
        s.inbox.zhoushifu?.find((c) => c.id === productionCard.id)?.resolved &&
        field(etdCard(s), '当前阶段')?.startsWith('生产中') &&
        s,
      'the QC card, the production card marked done and the ETD card',
    );
    expect(state.inbox.zhenggong![0]!.title).toBe(`质检通过 · ${NUMBER}`);
    expect(state.inbox.zhoushifu!.find((c) => c.id === productionCard.id)!.resolved).toMatchObject({
      status: 'approved',
      text: expect.stringMatching(/^生产中 · MES 10:30$/),
    });
    expect(field(etdCard(state), '当前阶段')).toBe('生产中（2月24日 10:30）');
    // Nothing is said in the chat (a person's report gets an answer there; the MES gets it over HTTP).
    expect(t.botMessages(state)).toEqual(said);

    expect(await stageEvents(t)).toEqual([
      {
        actorId: null,
        data: { stage: 'in_production', via: 'mes', floorAt: '2026-02-24T10:20:00+08:00', note: '2号线 首件合格' },
      },
    ]);
    expect(await order(t)).toMatchObject({ stage: 'in_production', stageAt: t.clock.now() });
    const [row] = await inbound(t);
    expect(row).toMatchObject({
      kind: 'mes-stage-report',
      externalId: `stage:${NUMBER}:in_production`,
      status: 'processed',
      payload: {
        orderNumber: NUMBER,
        stage: 'in_production',
        outcome: { status: 'done', completed: ['in_production'] },
      },
    });
    // Every effect goes to the order's own platform, and is delivered.
    await t.settle();
    expect(await t.db.select().from(outbox).where(eq(outbox.platform, 'mes'))).toEqual([]);
    expect(await t.db.select().from(outbox).where(ne(outbox.status, 'sent'))).toEqual([]);
  });

  it('completes the stages in between on a jump forward, and ships with a carrier and waybill', async () => {
    const { t, report } = await start();
    const productionCard = await confirmedOrder(t);

    const packed = await report({ stage: 'packed' });
    expect(packed.status).toBe(200);
    expect(packed.json).toEqual({
      order: NUMBER,
      stage: 'packed',
      completed: ['in_production', 'qc_passed', 'packed'],
      status: 'done',
    });
    // The shipping card, the tracking card and the production card's update are delivered side by side.
    let state = await t.waitFor(
      (s) =>
        s.inbox.wushifu?.[0] &&
        field(etdCard(s), '当前阶段')?.startsWith('已包装') &&
        s.inbox.zhoushifu?.find((c) => c.id === productionCard.id)?.resolved
          ? s
          : undefined,
      'the shipping card and the production card closed',
    );
    expect(state.inbox.wushifu![0]!.title).toBe(`已发货 · ${NUMBER}`);
    expect(state.inbox.zhoushifu!.find((c) => c.id === productionCard.id)!.resolved?.status).toBe('approved');
    expect((await stageEvents(t)).map((e) => [e.data.stage, e.data.via])).toEqual([
      ['in_production', 'mes'],
      ['qc_passed', 'mes'],
      ['packed', 'mes'],
    ]);

    const shipped = await report({ stage: 'shipped', carrier: '顺丰', waybill: 'sf1234567890' });
    expect(shipped.json).toEqual({ order: NUMBER, stage: 'shipped', completed: ['shipped'], status: 'done' });
    expect(await order(t)).toMatchObject({ stage: 'shipped', carrier: 'shunfeng', waybill: 'SF1234567890' });
    // The tracking card's update and the shipping card's close are delivered side by side.
    state = await t.waitFor(
      (s) => (field(etdCard(s), '物流')?.includes('SF1234567890') && s.inbox.wushifu?.[0]?.resolved ? s : undefined),
      'the waybill and the shipping card closed',
    );
    expect(field(etdCard(state), '物流')).toBe('顺丰速运 SF1234567890');
    expect(state.inbox.wushifu![0]!.resolved?.status).toBe('approved');
  });

  it('adds the waybill of a shipment a person reported without one', async () => {
    const { t, report } = await start();
    await confirmedOrder(t);
    await t.say(`${NUMBER} 已发货`, { senderId: 'wushifu' });
    await t.settle();
    const res = await report({ stage: 'shipped', waybill: 'SF1234567890' });
    expect(res.json).toEqual({
      order: NUMBER,
      stage: 'shipped',
      completed: [],
      status: 'waybill-added',
      waybill: 'SF1234567890',
    });
    expect(await order(t)).toMatchObject({ waybill: 'SF1234567890', carrier: 'shunfeng' });
    await t.waitFor((s) => field(etdCard(s), '物流')?.includes('SF1234567890'), 'the waybill on the ETD card');
  });

  it('takes a repeat of the same report once: same answer, one event, one set of effects', async () => {
    const { t, report } = await start();
    await confirmedOrder(t);

    // With an Idempotency-Key, two at once and one later.
    const body = { stage: 'qc_passed', at: '2026-02-24T10:00:00+08:00' };
    const [first, second] = await Promise.all([report(body, { key: 'mes-42' }), report(body, { key: 'mes-42' })]);
    await t.settle();
    const effects = await outboxKeys(t);
    const third = await report(body, { key: 'mes-42' });
    await t.settle();
    const expected = {
      order: NUMBER,
      stage: 'qc_passed',
      completed: ['in_production', 'qc_passed'],
      status: 'done',
    };
    for (const res of [first, second, third]) expect(res).toMatchObject({ status: 200, json: expected });
    expect([first.replayed, second.replayed].sort()).toEqual([null, 'true']);
    expect(third.replayed).toBe('true');
    expect(await inbound(t)).toHaveLength(1);
    expect(await stageEvents(t)).toHaveLength(2);
    expect(await outboxKeys(t)).toEqual(effects);

    // The same key for another report is refused, and changes nothing.
    const reused = await report({ stage: 'packed' }, { key: 'mes-42' });
    expect(reused.status).toBe(409);
    expect(reused.json.error).toBe(`Idempotency-Key: already used for another report (${NUMBER} qc_passed)`);
    expect((await order(t)).stage).toBe('qc_passed');

    // Without a key, the order and stage are the key: a repeat is the same report, even with another note.
    const packed = await report({ stage: 'packed', note: '第一次' });
    await t.settle();
    const afterPacked = await outboxKeys(t);
    const again = await report({ stage: 'packed', note: '重发' });
    expect(again).toMatchObject({ status: 200, json: packed.json, replayed: 'true' });
    expect(packed.json).toEqual({ order: NUMBER, stage: 'packed', completed: ['packed'], status: 'done' });
    await t.settle();
    expect(await outboxKeys(t)).toEqual(afterPacked);
    expect((await stageEvents(t)).map((e) => [e.data.stage, e.data.note ?? null])).toEqual([
      ['in_production', null],
      ['qc_passed', null],
      ['packed', '第一次'],
    ]);
    expect(await inbound(t)).toHaveLength(2);
  });

  it('answers a stage done before with 200 "already", naming who did it, and changes nothing', async () => {
    const { t, report } = await start();
    await confirmedOrder(t);
    await t.say(`${NUMBER} 开始生产`, { senderId: 'zhoushifu' });
    await t.settle();
    const effects = await outboxKeys(t);
    const res = await report({ stage: 'in_production' });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({
      order: NUMBER,
      stage: 'in_production',
      completed: [],
      status: 'already',
      current: 'in_production',
      by: '周师傅',
      at: t.clock.now().toISOString(),
    });
    await t.settle();
    expect(await outboxKeys(t)).toEqual(effects);
    expect(await stageEvents(t)).toHaveLength(1);
    // A report the MES sent for a later stage makes an earlier one "already" too.
    await report({ stage: 'packed' });
    const earlier = await report({ stage: 'qc_passed' });
    expect(earlier.json).toMatchObject({ status: 'already', current: 'packed', by: null });
  });

  it('refuses an order not confirmed yet with 409, and decides the same report afresh once it is', async () => {
    const { t, report } = await start();
    const state = await pendingOrder(t);
    const refused = await report({ stage: 'in_production' });
    expect(refused.status).toBe(409);
    expect(refused.json).toEqual({
      error: `${NUMBER} is not confirmed: its stages are reported once it is`,
      order: NUMBER,
      stage: 'in_production',
      status: 'refused',
      reason: 'not-confirmed',
    });
    expect((await order(t)).stage).toBeNull();
    expect(await stageEvents(t)).toEqual([]);

    await approve(t, state);
    const done = await report({ stage: 'in_production' });
    expect(done).toMatchObject({ status: 200, json: { status: 'done', completed: ['in_production'] }, replayed: null });
    expect((await order(t)).stage).toBe('in_production');
  });

  it('refuses a stage a stock order skips with 409', async () => {
    const { t, report } = await start();
    await approve(t, await pendingOrder(t, '客户：博世 需要BRK-2026-01样品5件，3月5日前到'));
    expect((await order(t)).skippedStages).toEqual(['in_production', 'qc_passed']);
    const res = await report({ stage: 'qc_passed' });
    expect(res.status).toBe(409);
    expect(res.json).toMatchObject({
      error: `${NUMBER} ships from stock: it has no stage "qc_passed"`,
      reason: 'skipped',
    });
    expect((await order(t)).stage).toBe('confirmed');
    // Packing is the stock order's first stage.
    expect((await report({ stage: 'packed' })).json.completed).toEqual(['packed']);
  });

  it('refuses "delivered" (403), an unknown order (404) and a time before the confirmation (400)', async () => {
    const { t, report } = await start();
    await confirmedOrder(t);
    const before = await order(t);

    const delivered = await report({ stage: 'delivered' });
    expect(delivered.status).toBe(403);
    expect(delivered.json).toMatchObject({ error: 'stage: the MES may not report "delivered"', reason: 'not-allowed' });

    const unknown = await report({ stage: 'packed' }, { number: 'SO-20260224-0099' });
    expect(unknown.status).toBe(404);
    expect(unknown.json).toMatchObject({ error: 'order "SO-20260224-0099" not found', reason: 'unknown-order' });

    const early = await report({ stage: 'packed', at: '2026-02-24T09:59:00+08:00' });
    expect(early.status).toBe(400);
    expect(early.json).toMatchObject({
      error: `at: before ${NUMBER} was confirmed (2026-02-24T02:00:00.000Z)`,
      reason: 'before-confirmation',
    });

    expect(await order(t)).toEqual(before);
    expect(await stageEvents(t)).toEqual([]);
  });

  it('answers a bad body, a time in the future or a bad key with 400 naming the field, storing nothing', async () => {
    const { t, report } = await start();
    await confirmedOrder(t);
    const cases: Array<[unknown, string]> = [
      [{}, 'stage: '],
      [{ stage: 'painted' }, 'stage: '],
      [{ stage: 'packed', at: '2026-02-24 10:00' }, 'at: must be an ISO 8601 time with an offset'],
      [{ stage: 'packed', at: '2026-02-24T10:00:00' }, 'at: must be an ISO 8601 time with an offset'],
      [{ stage: 'packed', at: '2026-02-24T10:06:00+08:00' }, 'at: is in the future'],
      [{ stage: 'packed', note: 'x'.repeat(501) }, 'note: must be at most 500 characters'],
      [{ stage: 'packed', note: 'bad\u0000' }, 'note: must be plain text'],
      [{ stage: 'packed', waybill: 'SF1234567890' }, 'waybill: only with stage "shipped"'],
      [{ stage: 'shipped', waybill: '12-34' }, 'waybill: must be 0-4 letters and 8-20 digits'],
      [{ stage: 'shipped', carrier: '顺丰' }, 'carrier: needs a waybill'],
      [{ stage: 'shipped', carrier: '飞鸽', waybill: 'SF1234567890' }, 'carrier: unknown carrier'],
      [{ stage: 'packed', operator: 'zhou' }, 'body: '],
      [[], 'body: '],
    ];
    for (const [body, prefix] of cases) {
      const res = await report(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.json.error.startsWith(prefix), `${JSON.stringify(body)} → ${res.json.error}`).toBe(true);
    }
    expect(await report(undefined, { raw: '{"stage": ' })).toMatchObject({
      status: 400,
      json: { error: 'malformed JSON body' },
    });
    const badNumber = await report({ stage: 'packed' }, { number: 'SO-1' });
    expect(badNumber.json.error).toMatch(/^number: /);
    const badKey = await report({ stage: 'packed' }, { key: 'key with spaces' });
    expect(badKey.json.error).toMatch(/^Idempotency-Key: /);
    // Five minutes ahead of orderbot's clock is within the allowed skew.
    expect((await report({ stage: 'in_production', at: '2026-02-24T10:05:00+08:00' })).status).toBe(200);
    expect(await inbound(t)).toHaveLength(1);
  });

  it('refuses a wrong token with 401 before anything is stored', async () => {
    const { t, report } = await start();
    await confirmedOrder(t);
    for (const token of ['wrong-token-0123456789abcdef', `${TOKEN}x`]) {
      const res = await report({ stage: 'packed' }, { token });
      expect(res).toMatchObject({ status: 401, json: { error: 'missing or wrong bearer token' } });
    }
    expect((await report(undefined, { token: 'nope', raw: '{not json' })).status).toBe(401);
    expect(await inbound(t)).toEqual([]);
    expect((await order(t)).stage).toBe('confirmed');
  });
});
