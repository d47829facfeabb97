/**
 * Fault drill: orderbot's PostgreSQL goes away in the middle of a burst of order requests from WeCom
 * and comes back; the bot is not restarted. The database is a private cluster made for the drill
 * (initdb in a temporary folder, its own port), so nothing else on the machine is disturbed.
 * Passes only when no callback was acknowledged without being stored, the bot stayed up and
 * reconnected, every acknowledged message became exactly one order and every effect reached WeCom
 * exactly once.
 *
 *   node --import tsx tests/drills/postgres-restart.ts [--short]      (as root: the cluster runs as postgres)
 */
import { join } from 'node:path';
import { BotProcess, freePort, sleep } from './process/bot-process';
import { PrivateCluster } from './process/databases';
import { runDrill, seconds, until } from './process/drill';
import { countEffects } from './process/effects';
import { Ledger } from './process/ledger';
import { attemptTimeline, LoadRun, orderRequests } from './process/load';
import { splitLosses, tallyMessages } from './process/verdict';
import { startFakeWecom } from './process/wecom-side';

/** WeCom waits about 5 s between attempts: a message's four attempts span some 15 s and more. */
const RETRY_DELAY_MS = 5000;

interface Outage {
  /** 'restart': pg_ctl restart -m fast; 'stop': stop -m fast, wait `downMs` while the load goes on, start. */
  how: 'restart' | 'stop';
  downMs: number;
  /** Starts once this share of the messages is acknowledged. */
  afterAcked: number;
}

const SHORT = {
  messages: 90,
  groupEvery: 6,
  perSecond: 12,
  concurrency: 12,
  leaseMs: '12000',
  outages: [{ how: 'stop', downMs: 2000, afterAcked: 0.3 }] as Outage[],
  quietWithinMs: 30_000,
};
const FULL = {
  messages: 600,
  groupEvery: 20,
  perSecond: 15,
  leaseMs: '',
  concurrency: 16,
  outages: [
    { how: 'restart', downMs: 0, afterAcked: 0.25 },
    { how: 'stop', downMs: 4000, afterAcked: 0.6 },
  ] as Outage[],
  quietWithinMs: 120_000,
};

interface OutageRecord extends Outage {
  /** From the moment the server was told to stop to the moment the bot's /healthz answered 200 again. */
  from: number;
  serverBack: number;
  botHealthy: number;
}

await runDrill(
  'postgres-restart drill',
  { shortMs: 120_000, fullMs: 900_000 },
  async ({ short, report, tmp, onCleanup }) => {
    const p = short ? SHORT : FULL;
    const cluster = await PrivateCluster.create(await freePort(55432));
    onCleanup(() => cluster.destroy());
    const fake = await startFakeWecom(RETRY_DELAY_MS);
    onCleanup(() => fake.stop());
    // Rows claimed before the outage whose delivery then failed wait out the lease (60 s by default).
    const leaseMs = process.env.ORDERBOT_OUTBOX_LEASE_MS ?? p.leaseMs;
    const env = {
      DATABASE_URL: cluster.url,
      LOG_LEVEL: 'warn',
      ORDERBOT_DATA_DIR: join(tmp, 'data'),
      ...fake.envVars(),
      ...(leaseMs ? { ORDERBOT_OUTBOX_LEASE_MS: leaseMs } : {}),
    };
    const bot = new BotProcess(await freePort(), env, join(tmp, 'bot.log'));
    onCleanup(() => bot.kill());
    const ledger = new Ledger(cluster.url);
    onCleanup(() => ledger.close());

    let t = Date.now();
    await bot.start();
    const startMs = Date.now() - t;
    fake.connect(bot.url);

    const load = new LoadRun(fake, orderRequests(p.messages, p.groupEvery), {
      concurrency: p.concurrency,
      perSecond: p.perSecond,
    });
    const loadStarted = Date.now();
    const outages: OutageRecord[] = [];
    for (const outage of p.outages) {
      await until(
        () => load.acked >= p.messages * outage.afterAcked,
        120_000,
        'acknowledged messages before the outage',
      );
      const from = Date.now();
      if (outage.how === 'restart') {
        await cluster.restart();
      } else {
        await cluster.stop('fast');
        await sleep(outage.downMs);
        await cluster.start();
      }
      const serverBack = Date.now();
      await until(() => healthy(bot.url), 60_000, 'the bot to reach its database again');
      outages.push({ ...outage, from, serverBack, botHealthy: Date.now() });
    }
    await load.done;
    const loadMs = Date.now() - loadStarted;
    t = Date.now();
    const quietMs = await ledger.quiescence(p.quietWithinMs);

    const [inbound, byMessage, orders, outbox] = await Promise.all([
      ledger.inbound(),
      ledger.ordersByMessage(),
      ledger.orderCount(),
      ledger.outbox(),
    ]);
    const tally = tallyMessages(load.sent, inbound, byMessage, orders);
    const effects = countEffects(fake, outbox);
    const attempts = attemptTimeline(load.sent, RETRY_DELAY_MS);
    const during = (at: number) => outages.some((o) => at >= o.from && at < o.botHealthy);
    const inOutage = attempts.filter((a) => during(a.at));
    const refused = inOutage.filter((a) => a.status !== 200);
    const statuses = countBy(refused.map((a) => String(a.status)));
    const ackedInOutage = inOutage.filter((a) => a.status === 200).length;
    const { platform: platformLoss, ours: ourLoss } = splitLosses(tally.unacked, attempts, during);
    const retried = load.sent.filter((s) => s.delivery.attempts.length > 1 && s.delivery.acked).length;

    report.line(
      `load: ${p.messages} order requests at ${p.perSecond}/s, up to ${p.concurrency} callbacks in flight (peak ${load.maxInFlight}), WeCom retry delay ${seconds(RETRY_DELAY_MS)}; took ${seconds(loadMs)}`,
    );
    report.line(
      `database: private PostgreSQL cluster on port ${cluster.port}; bot started in ${seconds(startMs)}; outbox lease ${leaseMs ? `${leaseMs} ms (ORDERBOT_OUTBOX_LEASE_MS)` : 'product default (60 s)'}`,
    );
    for (const o of outages) {
      report.line(
        `outage (${o.how === 'restart' ? 'pg_ctl restart -m fast' : `stop -m fast, ${seconds(o.downMs)} down, start`}) after ${Math.round(o.afterAcked * 100)}% acked: server back after ${seconds(o.serverBack - o.from)}, bot healthy again after ${seconds(o.botHealthy - o.from)}`,
      );
    }
    report.line(
      `callbacks from pg_ctl stop until /healthz answered 200 again: ${inOutage.length} attempts, ${refused.length} refused (${
        Object.entries(statuses)
          .map(([k, v]) => `${k}: ${v}`)
          .join(', ') || 'none'
      }), ${ackedInOutage} answered 200`,
    );
    report.line(
      `WeCom retries: ${retried} messages got through on a later attempt; lost: ${ourLoss.length} by us, ${platformLoss.length} by WeCom (all four attempts in the outage)`,
    );
    report.tallyLines(tally, outbox, effects);
    report.line(
      `quiet (nothing left to handle or deliver) ${quietMs === undefined ? `NOT within ${seconds(p.quietWithinMs)}` : `${seconds(quietMs)} after the load ended`}`,
    );

    report.standardChecks(tally, outbox, effects);
    report.check(
      'callbacks were refused while the database was away (the drill tested the outage)',
      refused.length > 0,
      'no callback met the outage',
    );
    report.check(
      'no message lost that WeCom retried into a working bot',
      ourLoss.length === 0,
      ourLoss.map((m) => `#${m.index} ${m.delivery.attempts.map((a) => a.status).join('/')}`).join(', '),
    );
    report.check(
      'the system went quiet after the outage',
      quietMs !== undefined,
      `still busy after ${seconds(p.quietWithinMs)}`,
    );
    report.check(
      'the bot stayed up and reconnected by itself',
      bot.runs.length === 1 && bot.running && (await healthy(bot.url)),
      JSON.stringify(bot.runs),
    );
    const errors = bot.errorLines();
    report.line(`bot error log lines: ${errors.length}${errors[0] ? ` (first: ${errors[0].slice(0, 300)})` : ''}`);
  },
);

async function healthy(url: string): Promise<boolean> {
  return fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2000) })
    .then((r) => r.ok)
    .catch(() => false);
}

function countBy(values: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const v of values) counts[v] = (counts[v] ?? 0) + 1;
  return counts;
}
