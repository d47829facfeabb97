/**
 * Fault drill: orderbot is killed with SIGKILL in the middle of a burst of order requests from WeCom,
 * then started again on the same database. WeCom retries the callbacks that failed meanwhile.
 * Passes only when every acknowledged message became exactly one order and every effect reached
 * WeCom exactly once.
 *
 *   node --import tsx tests/drills/crash-restart.ts [--short]
 */
import { join } from 'node:path';
import { BotProcess, freePort, sleep } from './process/bot-process';
import { createDatabase } from './process/databases';
import { runDrill, seconds, until } from './process/drill';
import { countEffects } from './process/effects';
import { Ledger } from './process/ledger';
import { attemptTimeline, externalIdOf, LoadRun, orderRequests } from './process/load';
import { splitLosses, tallyMessages } from './process/verdict';
import { startFakeWecom } from './process/wecom-side';

/** WeCom waits about 5 s between attempts of one callback. */
const RETRY_DELAY_MS = 5000;

/**
 * The outbox rows the killed process had claimed wait out their lease before the new process takes
 * them (60 s by default): the short form shortens it, the full form shows the product's default.
 */
const SHORT = {
  messages: 90,
  groupEvery: 6,
  perSecond: 80,
  concurrency: 16,
  killAfterAcked: 0.4,
  downMs: 1000,
  leaseMs: '12000',
  quietWithinMs: 60_000,
};
const FULL = {
  messages: 600,
  groupEvery: 20,
  perSecond: 80,
  concurrency: 16,
  killAfterAcked: 0.5,
  downMs: 3000,
  leaseMs: '',
  quietWithinMs: 240_000,
};

await runDrill(
  'crash-restart drill',
  { shortMs: 120_000, fullMs: 900_000 },
  async ({ short, report, tmp, onCleanup }) => {
    const p = short ? SHORT : FULL;
    const database = await createDatabase();
    onCleanup(() => database.drop());
    const fake = await startFakeWecom(RETRY_DELAY_MS);
    onCleanup(() => fake.stop());
    const leaseMs = process.env.ORDERBOT_OUTBOX_LEASE_MS ?? p.leaseMs;
    const env = {
      DATABASE_URL: database.url,
      LOG_LEVEL: 'warn',
      ORDERBOT_DATA_DIR: join(tmp, 'data'),
      ...fake.envVars(),
      ...(leaseMs ? { ORDERBOT_OUTBOX_LEASE_MS: leaseMs } : {}),
    };
    const bot = new BotProcess(await freePort(), env, join(tmp, 'bot.log'));
    onCleanup(() => bot.kill());
    const ledger = new Ledger(database.url);
    onCleanup(() => ledger.close());

    let t = Date.now();
    await bot.start();
    const firstStartMs = Date.now() - t;
    fake.connect(bot.url);

    const load = new LoadRun(fake, orderRequests(p.messages, p.groupEvery), {
      concurrency: p.concurrency,
      perSecond: p.perSecond,
    });
    const loadStarted = Date.now();
    await until(() => load.acked >= p.messages * p.killAfterAcked, 60_000, 'acknowledged messages before the kill');
    // Kill while work is in flight: messages acked but not handled, and effects a sender has leased.
    await until(
      async () => {
        const b = await ledger.backlog();
        return b.received > 0 && b.leased > 0;
      },
      10_000,
      'unhandled messages and leased effects in flight',
    ).catch(() => {});
    const killedAt = Date.now();
    await bot.kill('SIGKILL');
    const ackedBeforeKill = load.sent.filter((s) => s.delivery.acked && s.endedAt <= killedAt).length;
    const atKill = await ledger.backlog();
    const unhandledAtKill = (await ledger.inbound()).filter((r) => r.status === 'received').map((r) => r.externalId);

    await sleep(p.downMs);
    t = Date.now();
    await bot.start();
    const healthyAt = Date.now();
    const restartMs = healthyAt - t;
    await load.done;
    const loadMs = Date.now() - loadStarted;
    const quietMs = await ledger.quiescence(p.quietWithinMs);
    const afterQuiet = Date.now();

    const [inbound, byMessage, orders, outbox] = await Promise.all([
      ledger.inbound(),
      ledger.ordersByMessage(),
      ledger.orderCount(),
      ledger.outbox(),
    ]);
    const tally = tallyMessages(load.sent, inbound, byMessage, orders);
    const effects = countEffects(fake, outbox);
    const attempts = attemptTimeline(load.sent, RETRY_DELAY_MS);
    const whileDown = attempts.filter((a) => a.at >= killedAt && a.at < healthyAt);
    const refusedWhileDown = whileDown.filter((a) => a.status !== 200).length;
    const retried = load.sent.filter((s) => s.delivery.attempts.length > 1);
    const losses = splitLosses(tally.unacked, attempts, (at) => at >= killedAt && at < healthyAt);
    const byExternalId = new Map(load.sent.map((s) => [externalIdOf(s), s]));
    const gapOrders = unhandledAtKill.map((id) => byMessage.get(byExternalId.get(id)?.msgId ?? '') ?? 0);

    report.line(
      `load: ${p.messages} order requests at ${p.perSecond}/s, up to ${p.concurrency} callbacks in flight (peak ${load.maxInFlight}), WeCom retry delay ${seconds(RETRY_DELAY_MS)}; took ${seconds(loadMs)}`,
    );
    report.line(
      `bot: first start ${seconds(firstStartMs)}; SIGKILL after ${ackedBeforeKill} acked messages; down ${seconds(healthyAt - killedAt)} (restart took ${seconds(restartMs)}); outbox lease ${leaseMs ? `${leaseMs} ms (ORDERBOT_OUTBOX_LEASE_MS)` : 'product default (60 s)'}`,
    );
    report.line(
      `at the kill: ${atKill.received} inbound rows acked but not handled yet (the gap), ${atKill.pending} effects pending, ${atKill.leased} of them leased by the killed process`,
    );
    report.line(
      `callbacks while down: ${whileDown.length} attempts, ${refusedWhileDown} failed (connection refused or error); ${retried.length} messages needed a WeCom retry`,
    );
    report.line(
      `lost: ${losses.ours.length} by us, ${losses.platform.length} by WeCom (all four attempts while the bot was down)`,
    );
    report.tallyLines(tally, outbox, effects);
    report.line(
      `quiet (nothing left to handle or deliver) ${quietMs === undefined ? `NOT within ${seconds(p.quietWithinMs)}` : `${seconds(quietMs)} after the load ended, ${seconds(afterQuiet - healthyAt)} after the restart`}`,
    );

    // The sender delivers up to 8 rows at once; each may have gone out without its 'sent' mark.
    report.standardChecks(tally, outbox, effects, 8);
    report.check(
      'no message lost that WeCom retried into a running bot',
      losses.ours.length === 0,
      losses.ours.map((m) => `#${m.index} ${m.delivery.attempts.map((a) => a.status).join('/')}`).join(', '),
    );
    report.check(
      'the system went quiet after the restart',
      quietMs !== undefined,
      `still busy after ${seconds(p.quietWithinMs)}`,
    );
    report.check(
      'the kill left acked messages unhandled (the drill tested the gap)',
      unhandledAtKill.length > 0 || atKill.pending > 0,
      'nothing was in flight at the kill',
    );
    report.check(
      'every message unhandled at the kill became exactly one order',
      gapOrders.every((n) => n === 1),
      `orders per gap message: ${gapOrders.join(',')}`,
    );
    report.check(
      'the bot ran twice: killed by SIGKILL, then restarted',
      bot.runs.length === 2 && bot.runs[0]!.ended === 'signal SIGKILL' && bot.running,
      JSON.stringify(bot.runs),
    );
    const errors = bot.errorLines();
    report.line(`bot error log lines: ${errors.length}${errors[0] ? ` (first: ${errors[0].slice(0, 300)})` : ''}`);
  },
);
