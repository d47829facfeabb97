/**
 * Drill 4: the platforms deliver the same thing more than once. Each WeCom callback arrives 3 times —
 * the identical request, or resealed with a new timestamp and nonce, one after another or all at once;
 * each DingTalk stream frame arrives twice with the same messageId (and some messages again under a new
 * messageId); leads double-tap their card buttons on both platforms. Checks: one inbound row and one
 * order per message, one reply, one set of cards, one approval per double tap.
 *
 *   node --import tsx tests/drills/duplicate-delivery.ts [--short] [--orders=N] [--only=wecom|dingtalk] [--pglite]
 */
import { loadBusinessConfig } from '../../config/business-config';
import { userOfPerson } from '../../bot/wecom/identities';
import { appTextXml } from '../fakes/wecom/wire';
import type { PreparedCallback } from '../fakes/wecom/callback-driver';
import { EAST } from '../wecom/harness';
import { drillDatabase } from './inprocess/database';
import { inboundFacts, offCount, orderFacts } from './inprocess/dedupe-audit';
import { DingtalkDrillWorld, groupIdOf, quietSdk, staffIdOf } from './inprocess/dingtalk-world';
import { drain } from './inprocess/drain';
import { drillOptions } from './inprocess/options';
import { inParallel, orderTexts } from './inprocess/order-texts';
import { outboxRows, outboxSummary } from './inprocess/outbox-audit';
import { seededRandom } from './inprocess/random';
import { DrillReport } from './inprocess/report';
import { WecomDrillWorld } from './inprocess/wecom-world';

const config = loadBusinessConfig();
const options = drillOptions();
const MESSAGES = options.orders ?? (options.short ? 25 : 250);
const report = new DrillReport('duplicate-delivery');
const SALES = ['zhangsan', 'lisi'] as const;
/** Approvals by department: the tech and purchasing leads double-tap, production taps once. */
const APPROVERS = ['wanggong', 'chenjie', 'zhoushifu'] as const;
const DOUBLE = new Set(['wanggong', 'chenjie']);
const MODES = ['identical, in turn', 'resealed, in turn', 'identical, at once', 'resealed, at once'] as const;

const replyOf = (number: string) => `已创建需求单 **${number}**`;

async function settled(db: Parameters<typeof drain>[0], clock: Parameters<typeof drain>[1], busy?: () => boolean) {
  const result = await drain(db, clock, { timeoutMs: options.short ? 20_000 : 180_000, ...(busy ? { busy } : {}) });
  if (!result.settled) throw new Error('the bot did not settle in time');
}

/** The decrypted callback of message `i`: an @-mention of the AI bot in the east group, or a 1:1 text to the app. */
function wecomPlaintext(w: WecomDrillWorld, text: string, i: number): { kind: 'app' | 'aibot'; plaintext: string } {
  const { fake, clock } = w;
  const user = userOfPerson(config, SALES[i % 2]!);
  const createTime = Math.floor(clock.now().getTime() / 1000);
  if (i % 5 === 4) {
    return {
      kind: 'app',
      plaintext: appTextXml({
        corpId: fake.secrets.corpId,
        agentId: fake.secrets.agentId,
        fromUser: user,
        createTime,
        content: text,
        msgId: String(7_340_000_000_000_000_000n + BigInt(i)),
      }),
    };
  }
  const payload = {
    msgid: `CAIQdrill${i.toString(36)}`,
    aibotid: fake.secrets.aibotId,
    chatid: EAST.chatId,
    chattype: 'group',
    from: { userid: user },
    create_time: createTime,
    response_url: fake.groups.mintResponseUrl(fake.url, EAST.chatId),
    msgtype: 'text',
    text: { content: `@订单助手 ${text}` },
  };
  return { kind: 'aibot', plaintext: JSON.stringify(payload) };
}

/** Delivers one callback three times in the given way; returns the HTTP answers. */
async function threeTimes(
  w: WecomDrillWorld,
  message: { kind: 'app' | 'aibot'; plaintext: string },
  mode: (typeof MODES)[number],
): Promise<Array<number | string>> {
  const { callbacks } = w.fake;
  const seal = () => callbacks.prepare(message.kind, message.plaintext);
  if (mode === 'identical, in turn' || mode === 'resealed, in turn') {
    const delivery = await callbacks.deliver(seal(), { attempts: 3 });
    return delivery.attempts.map((a) => a.status);
  }
  const prepared: PreparedCallback[] = mode === 'identical, at once' ? Array(3).fill(seal()) : [seal(), seal(), seal()];
  return (await Promise.all(prepared.map((p) => callbacks.post(p)))).map((a) => a.status);
}

async function wecomDrill() {
  const database = await drillDatabase(options.backend);
  const w = await WecomDrillWorld.start(database);
  try {
    const texts = orderTexts(seededRandom(options.seed), MESSAGES);
    const answers: Array<number | string> = [];
    // One way at a time: the driver's resealRetries setting applies to all deliveries in flight.
    for (const mode of MODES) {
      w.fake.callbacks.behaviour.resealRetries = mode === 'resealed, in turn';
      const mine = texts.map((t, i) => ({ t, i })).filter(({ i }) => MODES[i % MODES.length] === mode);
      await inParallel(mine, 12, async ({ t, i }) => {
        if (mode === 'resealed, in turn') w.clock.advance(1000); // a later retry carries a later timestamp
        answers.push(...(await threeTimes(w, wecomPlaintext(w, t, i), mode)));
      });
    }
    w.fake.callbacks.behaviour.resealRetries = false;
    await settled(w.db, w.clock);
    const orders = await orderFacts(w.db);
    const taps = await wecomDoubleTaps(w, orders);
    await settled(w.db, w.clock);
    await checks('wecom', w.db, MESSAGES, answers, taps, async () => {
      const after = await orderFacts(w.db);
      const groupPosts = w.fake.chat(EAST.chatId).map((m) => m.content);
      const dmTexts = SALES.flatMap((p) => w.fake.textsOf(userOfPerson(config, p)));
      const replies = (n: string) => [...groupPosts, ...dmTexts].filter((c) => c.includes(replyOf(n))).length;
      const cardsOf = (n: string) =>
        [...w.fake.app.cards.values()]
          .flatMap((views) => [...views.values()])
          .filter(
            (v) =>
              (v.card.main_title as { desc?: string } | undefined)?.desc === n &&
              v.taskId.startsWith('c_') &&
              !v.taskId.includes('-r'),
          );
      return { after, replies, cards: (n: string) => cardsOf(n).length };
    });
  } finally {
    await w.close();
    await database.close();
  }
}

/** Tech and purchasing leads tap "approve" twice (at once, or a second apart), production once. */
async function wecomDoubleTaps(w: WecomDrillWorld, orders: Array<{ id: number }>): Promise<number> {
  const cards = await cardsByOrder(w.db);
  let taps = 0;
  await inParallel(orders, 8, async (order, i) => {
    for (const person of APPROVERS) {
      const card = cards.get(`${order.id}:${person}`);
      if (!card) throw new Error(`order ${order.id} has no card for ${person}`);
      const tap = () => w.fake.tap(userOfPerson(config, person), card.taskId, 'approve');
      if (!DOUBLE.has(person)) {
        await tap();
        taps += 1;
      } else if (i % 2 === 0) {
        await Promise.all([tap(), tap()]);
        taps += 2;
      } else {
        await tap();
        w.clock.advance(1000);
        await tap().catch(() => undefined); // greyed already: the client refuses the second tap
        taps += 2;
      }
    }
  });
  return taps;
}

async function cardsByOrder(db: Parameters<typeof orderFacts>[0]) {
  const { queryRows } = await import('../../db/client');
  const { sql } = await import('drizzle-orm');
  const rows = await queryRows<{ orderId: number; recipient: string; id: string; data: Record<string, unknown> }>(
    db,
    sql`select order_id::int as "orderId", recipient_id as recipient, id, platform_data as data from cards where purpose = 'approval'`,
  );
  return new Map(
    rows.map((r) => [`${r.orderId}:${r.recipient}`, { cardId: r.id, taskId: String(r.data.taskId ?? r.id) }]),
  );
}

async function dingtalkDrill() {
  const database = await drillDatabase(options.backend);
  const w = await quietSdk(() => DingtalkDrillWorld.start(database));
  const unanswered = () => w.fake.gateway.unanswered().length > 0;
  try {
    const texts = orderTexts(seededRandom(options.seed + 1), MESSAGES);
    let frames = 0;
    const later: string[] = [];
    texts.forEach((text, i) => {
      const staffId = staffIdOf(SALES[i % 2]!);
      const group = i % 5 === 4 ? undefined : groupIdOf(i % 3 === 0 ? 'sales-south' : 'sales-east');
      const msgId = `msgDrill${i}==`;
      const { messageId } = w.fake.say({ staffId, text, msgId, ...(group ? { group } : {}) });
      frames += 1;
      if (i % 2 === 0) {
        w.fake.gateway.resend(messageId); // again at once, before the first is answered
        frames += 1;
      } else later.push(messageId);
      if (i % 3 === 0) {
        w.fake.say({ staffId, text, msgId, ...(group ? { group } : {}) }); // redelivered under a new messageId
        frames += 1;
      }
    });
    await w.fake.waitFor(() => !unanswered(), 'every frame answered');
    for (const messageId of later) w.fake.gateway.resend(messageId); // again after it was answered
    frames += later.length;
    await settled(w.db, w.clock, unanswered);
    const orders = await orderFacts(w.db);
    const cards = await cardsByOrder(w.db);
    let taps = 0;
    orders.forEach((order, i) => {
      for (const person of APPROVERS) {
        const card = cards.get(`${order.id}:${person}`);
        if (!card) throw new Error(`order ${order.id} has no card for ${person}`);
        const tap = () => w.fake.tap({ staffId: staffIdOf(person), outTrackId: card.cardId, action: 'approve' });
        const first = tap();
        taps += 1;
        if (!DOUBLE.has(person)) continue;
        if (i % 2 === 0) tap();
        else w.fake.gateway.resend(first); // the same tap frame again
        taps += 1;
      }
    });
    await settled(w.db, w.clock, unanswered);
    report.note(
      `dingtalk: ${frames} message frames for ${MESSAGES} messages; ${w.fake.gateway.violations.length} protocol violations`,
    );
    report.check(
      'dingtalk: every frame answered, none against the protocol',
      !unanswered() && w.fake.gateway.violations.length === 0,
      w.fake.gateway.violations.slice(0, 3).join('; '),
    );
    await checks('dingtalk', w.db, MESSAGES, [], taps, async () => {
      const after = await orderFacts(w.db);
      const replies = (n: string) => w.fake.api.messages.filter((m) => m.text.includes(replyOf(n))).length;
      const created = [...w.fake.api.cards.values()];
      return {
        after,
        replies,
        cards: (n: string) =>
          created.filter(
            (c) =>
              Object.values(c.params).some((v) => v.includes(n)) &&
              c.spaceType === 'IM_ROBOT' &&
              cardOwners(after, cards, n).has(c.outTrackId),
          ).length,
      };
    });
  } finally {
    await quietSdk(() => w.close());
    await database.close();
  }
}

function cardOwners(
  orders: Array<{ id: number; number: string }>,
  cards: Map<string, { cardId: string }>,
  number: string,
): Set<string> {
  const order = orders.find((o) => o.number === number);
  return new Set([...cards].filter(([k]) => k.startsWith(`${order?.id}:`)).map(([, c]) => c.cardId));
}

async function checks(
  platform: string,
  db: Parameters<typeof orderFacts>[0],
  messages: number,
  answers: Array<number | string>,
  taps: number,
  seen: () => Promise<{
    after: Awaited<ReturnType<typeof orderFacts>>;
    replies: (number: string) => number;
    cards: (number: string) => number;
  }>,
) {
  const inbound = await inboundFacts(db);
  const { after, replies, cards } = await seen();
  const outbox = outboxSummary(await outboxRows(db));
  report.note(
    `${platform}: ${messages} messages → ${inbound.messages} inbound message rows, ${after.length} orders; ${taps} taps → ${inbound.taps} inbound tap rows; ${outbox.total} effects (${outbox.kinds})`,
  );
  if (answers.length > 0)
    report.check(
      `${platform}: every delivery answered 200`,
      answers.every((a) => a === 200),
      `${answers.filter((a) => a !== 200).length} of ${answers.length} not 200`,
    );
  report.check(
    `${platform}: one inbound row per message`,
    inbound.messages === messages,
    `${inbound.messages} rows for ${messages} messages`,
  );
  report.check(`${platform}: one order per message`, after.length === messages, `${after.length} orders`);
  report.none(
    `${platform}: one reply per message`,
    offCount(
      after,
      (o) => replies(o.number),
      1,
      (o) => `${o.number} replies`,
    ),
  );
  report.none(`${platform}: one set of 4 approval cards per order`, [
    ...offCount(
      after,
      (o) => o.cards,
      4,
      (o) => `${o.number} card rows`,
    ),
    ...offCount(
      after,
      (o) => cards(o.number),
      4,
      (o) => `${o.number} cards at the platform`,
    ),
  ]);
  report.none(
    `${platform}: one approval per department, double taps included`,
    offCount(
      after,
      (o) => o.approvals,
      3,
      (o) => `${o.number} approvals`,
    ),
  );
  report.none(
    `${platform}: every order confirmed`,
    after.filter((o) => o.status !== 'confirmed').map((o) => `${o.number} ${o.status}`),
  );
  report.check(
    `${platform}: every outbox row sent, every inbound row handled`,
    outbox.sent === outbox.total && inbound.unprocessed === 0,
    `${outbox.sent}/${outbox.total} sent, ${inbound.unprocessed} unhandled`,
  );
}

async function main() {
  process.stdout.write(
    `duplicate-delivery: ${MESSAGES} messages per platform, ${options.backend}${options.short ? ', short' : ''}\n`,
  );
  if (options.platforms.includes('wecom')) await wecomDrill();
  if (options.platforms.includes('dingtalk')) await dingtalkDrill();
}

main().then(
  () => report.finish(),
  (err) => report.finish(err),
);
