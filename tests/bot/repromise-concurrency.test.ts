import { eq, sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { type DatabaseHandle, openDatabase, queryRows } from '../../db/client';
import { cards, orderEvents, orders, outbox, plantChanges, repromises } from '../../db/schema';
import { recheckPlantChanges } from '../../handlers/repromise';
import { TestApp } from '../support/app';
import { TestClock } from '../support/clock';
import { captureLog } from '../support/log-capture';
import { backends, useTestDatabase } from '../support/databases';

const APPROVERS = ['wanggong', 'chenjie', 'zhoushifu'];
/** Late orders after "M-4 维修 至 3/2": BRK-2026-06 is made on line B with M-4, each promised for Mar 3. */
const LATE = [
  { chat: 'sales-east', sender: 'zhangsan', text: '客户：大陆集团 需要BRK-2026-06样品20件，3月3日前到' },
  { chat: 'sales-east', sender: 'zhangsan', text: '客户：博世 需要BRK-2026-06样品10件，3月3日前到' },
  { chat: 'sales-south', sender: 'lisi', text: '客户：比亚迪 需要BRK-2026-06样品10件，3月3日前到' },
  { chat: 'sales-south', sender: 'lisi', text: '需要BRK-2026-06样品15件，3月3日前到' },
];

/** A request in a sales chat, approved by tech, purchasing and production through their cards. */
async function confirm(t: TestApp, order: (typeof LATE)[number]) {
  const before = await t.state();
  const seen = new Set(APPROVERS.flatMap((who) => (before.inbox[who] ?? []).map((c) => c.id)));
  await t.say(order.text, { conversationId: order.chat, senderId: order.sender });
  const state = await t.waitFor(
    (s) => APPROVERS.every((who) => s.inbox[who]?.some((c) => !seen.has(c.id))) && s,
    'the approval cards',
  );
  for (const who of APPROVERS) {
    const card = state.inbox[who]!.find((c) => !seen.has(c.id))!;
    expect((await t.tap(card.id, who, 'approve')).status).toBe(202);
  }
  await t.settle();
}

/** What the job leaves behind, counted. */
async function footprint(t: TestApp) {
  const [row] = await queryRows<Record<string, string | number>>(
    t.db,
    sql`select
      (select count(*) from cards where purpose = 'repromise') as cards,
      (select count(*) from outbox where kind = 'send-card' and idempotency_key like 'card:rp-%') as sends,
      (select count(*) from repromises) as repromises,
      (select count(*) from order_events where type = 'replanned') as replanned,
      (select count(*) from plant_changes where processed_at is null) as unprocessed`,
  );
  return Object.fromEntries(Object.entries(row!).map(([k, v]) => [k, Number(v)]));
}

/**
 * Two orderbot processes on one database run the re-promise job at the same moment. On PostgreSQL each has
 * its own connection pool (the change is claimed FOR UPDATE SKIP LOCKED: the other process skips it); on
 * PGlite the two apps share the one embedded database, whose transactions run one after the other.
 */
describe.each(backends)('re-promise from two processes at once on %s', (backend) => {
  const database = useTestDatabase(backend);
  const apps: TestApp[] = [];
  const handles: DatabaseHandle[] = [];
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((a) => a.close()));
    await Promise.all(handles.splice(0).map((d) => d.close()));
  });

  it('gives one card per chat and one re-promise per order for the same change', async () => {
    const clock = new TestClock();
    // Both processes log to one place: each re-check of a change says so.
    const { log, lines } = captureLog();
    const rechecks = () =>
      lines
        .map((l) => JSON.parse(l) as { msg?: string; change?: number })
        .filter((l) => l.msg === 'plant change re-checked');
    const first = await TestApp.start(backend, { database: database(), fresh: true, clock, log });
    apps.push(first);
    const url = (database() as { url?: string }).url;
    const secondDb = url ? await openDatabase({ url, poolSize: 4 }) : database();
    if (url) handles.push(secondDb);
    const second = await TestApp.start(backend, { database: secondDb, clock, log });
    apps.push(second);

    for (const order of LATE) await confirm(first, order);
    const confirmed = await first.db.select().from(orders).orderBy(orders.id);
    expect(confirmed.map((o) => [o.conversationId, o.status, o.promisedDate])).toEqual(
      LATE.map((o) => [o.chat, 'confirmed', '2026-03-03']),
    );

    // The production lead reports the repair. The clock stays short of the scheduler's own turn for the job (every
    // 30 s from the start), so that the two runs below are the first to see the change.
    clock.advance(10_000);
    await first.say('M-4 维修 至 3/2', { senderId: 'zhoushifu' });
    await first.waitFor((s) => first.botMessages(s).includes('已更新：模具M-4 维修至3月2日'), 'the mould reply');
    await first.settle();
    expect(await first.db.select().from(plantChanges)).toHaveLength(1);
    const before = await footprint(first);
    expect(before).toMatchObject({ cards: 0, sends: 0, repromises: 0, replanned: 0, unprocessed: 1 });

    const job = (t: TestApp) => t.app.bot.runScheduled('repromise', (ctx) => recheckPlantChanges(ctx));
    for (let round = 0; round < 3; round++) {
      await Promise.all([job(first), job(second), job(second), job(first)]);
    }
    await Promise.all([first.settle(), second.settle()]);

    const after = await footprint(first);
    expect(after).toMatchObject({
      cards: 2,
      sends: 2,
      repromises: LATE.length,
      replanned: LATE.length,
      unprocessed: 0,
    });
    const rows = await first.db.select().from(repromises).orderBy(repromises.orderId);
    expect(rows.map((r) => [r.orderId, r.status, r.promisedDate])).toEqual(
      confirmed.map((o) => [o.id, 'open', '2026-03-03']),
    );
    // Past the repair (M-4 back on Mar 2), one after the other on line B.
    expect(rows.every((r) => r.earliest !== null && r.earliest >= '2026-03-05')).toBe(true);
    const [change] = await first.db.select().from(plantChanges);
    expect(rows.every((r) => r.changeId === change!.id)).toBe(true);
    // Re-checked by one of the twelve runs only.
    expect(rechecks()).toEqual([expect.objectContaining({ change: change!.id, late: LATE.length })]);
    // Each chat sees one summary card naming its own orders, and nothing else from the job.
    const state = await first.state();
    for (const chat of ['sales-east', 'sales-south']) {
      const shown = (state.conversations[chat] ?? []).filter((m) => m.card?.id.startsWith('rp-'));
      expect(shown).toHaveLength(1);
      const numbers = confirmed.filter((o) => o.conversationId === chat).map((o) => o.number);
      expect(shown[0]!.card!.title).toBe(`⚠️ ${numbers.length}个订单交期承诺受影响`);
      expect(shown[0]!.card!.fields.map((f) => f.label)).toEqual(['原因', ...numbers]);
    }
    const sent = await first.db.select().from(outbox).where(eq(outbox.kind, 'send-card'));
    expect(sent.filter((r) => r.idempotencyKey.startsWith('card:rp-')).every((r) => r.status === 'sent')).toBe(true);

    // Again, from both, and from both schedulers once the job is due: nothing new.
    await Promise.all([job(first), job(second)]);
    clock.advance(31_000);
    await Promise.all([first.app.scheduler.tick(), second.app.scheduler.tick(), job(second)]);
    await Promise.all([first.settle(), second.settle()]);
    expect(rechecks()).toHaveLength(1);
    const [again] = await first.db.select().from(plantChanges);
    expect(again!.processedAt).toEqual(change!.processedAt);
    expect(await footprint(first)).toEqual(after);
    expect(await first.db.select().from(cards).where(eq(cards.purpose, 'repromise'))).toHaveLength(2);
    expect(
      (await first.db.select().from(orderEvents).where(eq(orderEvents.type, 'replanned'))).map((e) => e.orderId).sort(),
    ).toEqual(confirmed.map((o) => o.id).sort());
  });
});
