/**
 * Drill 3: the platforms misbehave. The fake WeCom and DingTalk APIs answer a seeded random 30% of
 * calls with 5xx, a hang past the client's timeout, rate-limit codes, refused tokens, or a hang-up
 * before or after carrying the call out, while sales people send many orders at once and leads approve
 * them by tapping their cards. Checks: every outbox row ends sent, every effect reached the people
 * exactly once (or the repeat is one the platform cannot drop, listed apart), no order twice.
 *
 *   node --import tsx tests/drills/platform-faults.ts [--short] [--seed=N] [--orders=N] [--only=wecom|dingtalk] [--pglite]
 */
import { drillDatabase } from './inprocess/database';
import { DingtalkDrillWorld, quietSdk } from './inprocess/dingtalk-world';
import { auditDingtalk } from './inprocess/dingtalk-audit';
import { drain } from './inprocess/drain';
import { FaultInjector } from './inprocess/faults';
import { approveEverything, dingtalkOrders, dingtalkTap, wecomOrders, wecomTap } from './inprocess/load';
import { drillOptions } from './inprocess/options';
import { orderTexts } from './inprocess/order-texts';
import { inboundAudit, outboxRows, outboxSummary } from './inprocess/outbox-audit';
import { seededRandom } from './inprocess/random';
import { DrillReport } from './inprocess/report';
import { auditWecom } from './inprocess/wecom-audit';
import { WecomDrillWorld } from './inprocess/wecom-world';
import type { Database } from '../../db/client';
import type { TestClock } from '../support/clock';

const options = drillOptions();
const ORDERS = options.orders ?? (options.short ? 16 : 200);
const FAULT_RATE = 0.3;
/** The bot's API timeout in this drill (10 s in production); a held request answers only after it. */
const CLIENT_TIMEOUT_MS = 500;
const HOLD_MS = CLIENT_TIMEOUT_MS + 300;
const report = new DrillReport('platform-faults');

async function settle(db: Database, clock: TestClock, faults: FaultInjector, busy: () => boolean = () => false) {
  const result = await drain(db, clock, {
    timeoutMs: options.short ? 20_000 : 240_000,
    busy: () => faults.holding > 0 || busy(),
  });
  if (!result.settled) throw new Error('the outbox did not settle in time');
  return result;
}

/** Checks shared by both platforms: the outbox, the orders, the inbound rows. */
async function commonChecks(
  platform: string,
  db: Database,
  faults: FaultInjector,
  started: number,
  clockMovedMs: number,
) {
  const rows = await outboxRows(db);
  const outbox = outboxSummary(rows);
  const inbound = await inboundAudit(db);
  report.note(
    `${platform}: ${ORDERS} order requests → ${inbound.orders} orders, ${inbound.inbound} inbound rows; ${outbox.total} effects (${outbox.kinds})`,
  );
  report.note(`${platform}: ${faults.summary()}`);
  report.note(
    `${platform}: ${outbox.retries} retries (most attempts on one row: ${outbox.maxAttempts}); business clock moved ${Math.round(clockMovedMs / 1000)} s; ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
  report.none(
    `${platform}: every outbox row sent (none failed)`,
    outbox.failed.map((r) => `#${r.id} ${r.kind} after ${r.attempts}: ${r.lastError}`),
  );
  report.none(
    `${platform}: no outbox row stuck pending`,
    outbox.pending.map((r) => `#${r.id} ${r.kind} attempts ${r.attempts}: ${r.lastError}`),
  );
  report.check(
    `${platform}: one order per request`,
    inbound.orders === ORDERS && inbound.ordersCreatedTwice.length === 0,
    `${inbound.orders} orders for ${ORDERS} requests${inbound.ordersCreatedTwice.length ? `; twice: ${inbound.ordersCreatedTwice.join(', ')}` : ''}`,
  );
  report.check(
    `${platform}: every inbound row handled`,
    inbound.failed === 0 && inbound.unhandled === 0,
    `${inbound.failed} failed, ${inbound.unhandled} unhandled`,
  );
  report.check(
    `${platform}: faults were injected`,
    (faults.injected.get('hangup-after') ?? 0) > 0 && (faults.injected.get('timeout') ?? 0) > 0,
    faults.summary(),
  );
  return rows;
}

async function wecomDrill(seed: number) {
  const started = performance.now();
  const database = await drillDatabase(options.backend);
  const w = await WecomDrillWorld.start(database, { requestTimeoutMs: CLIENT_TIMEOUT_MS });
  const faults = new FaultInjector(seededRandom(seed), FAULT_RATE, HOLD_MS);
  try {
    w.fake.failures.randomly(faults.wecom);
    const clockAt = w.clock.now().getTime();
    await wecomOrders(w, orderTexts(seededRandom(seed + 1), ORDERS));
    await settle(w.db, w.clock, faults);
    const approvals = await approveEverything(wecomTap(w), () => settle(w.db, w.clock, faults), w.db);
    report.note(
      `wecom: ${approvals.taps} approval taps${approvals.refused ? ` (${approvals.refused} refused by the client)` : ''}`,
    );
    w.fake.failures.randomly(undefined);
    const rows = await commonChecks('wecom', w.db, faults, started, w.clock.now().getTime() - clockAt);
    const audit = await auditWecom(w.db, rows, w.deliveries, w.currentCard);
    report.note(
      `wecom: ${audit.effects} effects matched at the fake; repeats WeCom absorbed: ${audit.absorbed.texts} texts (duplicate check), ${audit.absorbed.cards} cards (task_id taken), ${audit.absorbed.updates} updates (code spent)`,
    );
    report.none('wecom: no effect lost', audit.lost);
    report.none('wecom: no user-visible duplicate WeCom could have dropped', audit.duplicates);
    report.none('wecom: every card shows its last update', audit.stale);
    if (audit.undedupable.length > 0)
      report.note(
        `wecom: ${audit.undedupable.length} repeats through the webhook robot, which takes no idempotency key (WeCom cannot drop them): ${audit.undedupable.slice(0, 3).join('; ')}`,
      );
    if (audit.freshCopies.length > 0)
      report.note(
        `wecom: ${audit.freshCopies.length} cards sent again as a fresh copy (response code lost with an answer; WeCom cannot update a card without one): ${audit.freshCopies.slice(0, 3).join('; ')}`,
      );
  } finally {
    await w.close();
    await database.close();
  }
}

async function dingtalkDrill(seed: number) {
  const started = performance.now();
  const database = await drillDatabase(options.backend);
  const w = await quietSdk(() => DingtalkDrillWorld.start(database, { requestTimeoutMs: CLIENT_TIMEOUT_MS }));
  const faults = new FaultInjector(seededRandom(seed), FAULT_RATE, HOLD_MS);
  w.fake.api.failures.timeoutMs = HOLD_MS;
  const unanswered = () => w.fake.gateway.unanswered().length > 0;
  try {
    w.fake.api.failures.randomly(faults.dingtalk);
    const clockAt = w.clock.now().getTime();
    dingtalkOrders(w, orderTexts(seededRandom(seed + 1), ORDERS));
    await settle(w.db, w.clock, faults, unanswered);
    const approvals = await approveEverything(dingtalkTap(w), () => settle(w.db, w.clock, faults, unanswered), w.db);
    report.note(
      `dingtalk: ${approvals.taps} approval taps${approvals.refused ? ` (${approvals.refused} refused by the client)` : ''}`,
    );
    w.fake.api.failures.randomly(undefined);
    const rows = await commonChecks('dingtalk', w.db, faults, started, w.clock.now().getTime() - clockAt);
    const audit = auditDingtalk(rows, w.fake);
    report.note(
      `dingtalk: ${audit.effects} effects matched at the fake; repeats DingTalk absorbed: ${audit.absorbed.cards} card creations (outTrackId exists), ${audit.absorbed.updates} card updates (same data again)`,
    );
    const answers = w.fake.gateway.cardAnswers.filter((a) => 'cardData' in (a.response as object));
    const slowest = Math.max(0, ...answers.map((a) => a.ms));
    report.note(
      `dingtalk: ${answers.length} tap answers carried a card update, ${answers.filter((a) => a.late).length} came past DingTalk's 2 s (slowest ${slowest} ms); ${rows.filter((r) => r.key.startsWith('tap-answer-unsure:')).length} PUT after an answer too late to be sure of`,
    );
    report.none('dingtalk: no effect lost', audit.lost);
    report.none('dingtalk: no user-visible duplicate DingTalk could have dropped', audit.duplicates);
    report.none('dingtalk: every card shows its last update', audit.stale);
    if (audit.undedupable.length > 0)
      report.note(
        `dingtalk: ${audit.undedupable.length} robot messages seen twice (the robot message APIs take no idempotency key; DingTalk cannot drop them): ${audit.undedupable.slice(0, 3).join('; ')}`,
      );
  } finally {
    await quietSdk(() => w.close());
    await database.close();
  }
}

async function main() {
  process.stdout.write(
    `platform-faults: seed ${options.seed}, ${ORDERS} orders per platform, ${FAULT_RATE * 100}% of API calls faulted, ${options.backend}${options.short ? ', short' : ''}\n`,
  );
  if (options.platforms.includes('wecom')) await wecomDrill(options.seed);
  if (options.platforms.includes('dingtalk')) await dingtalkDrill(options.seed + 100);
}

main().then(
  () => report.finish(),
  (err) => report.finish(err),
);
