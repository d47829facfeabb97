/**
 * npm run bench -- e2e: the product as a separate process on real PostgreSQL, fed at a rising rate by a fake
 * WeCom (encrypted, signed AI-bot callbacks over HTTP) and a fake DingTalk (robot frames over the Stream
 * socket), through intake to the outbox and on to the fakes' APIs. Each step reports the rate offered and
 * handled, the callback's answer time, message-to-card-delivered time, and the backlog left; then pgbench
 * runs one transaction of the same shape on the same database, and the peak RSS of the product is read.
 *
 * BENCH_DATABASE_URL: the server (default postgres://postgres@127.0.0.1:5432/test); a database is made and dropped.
 * BENCH_E2E_RATES (messages/s, comma separated; empty: no rate steps), BENCH_E2E_STEP_S (seconds per step),
 * BENCH_E2E_DINGTALK (share).
 *
 * First, DingTalk OpenAPI calls per order (the monthly quota's unit: a standard-edition organisation gets 5,000):
 * BENCH_E2E_ORDERS (default 20; 0 skips this part) DingTalk orders from request through every department's approval to
 * confirmation, counted at the fake; the access-token call (not in the quota) and session-webhook posts
 * (not OpenAPI) are shown apart.
 *
 * Cost per order (every message offered is an order request), each over a step from its first message until its
 * backlog has drained:
 * - product: the product process's own CPU (utime + stime of /proc/<pid>/stat, all its threads, in CLK_TCK ticks);
 * - postgres: the CPU of every process of the PostgreSQL cluster (the postmaster, found as the parent of one of the
 *   bench's backends, and all its children under /proc, plus the postmaster's cutime/cstime, which collects the CPU of
 *   children that exited during the step), less the bench's own backends (application_name orderbot-bench). So the
 *   server's background processes (WAL writer, checkpointer, autovacuum) count, and so would other databases' work on
 *   a shared server: run it when nothing else uses the server. The product's own backends are shown apart in
 *   brackets. pgbench runs after the steps. '-' when the server's processes are not visible here;
 * - fakes: the bench process's own CPU (`process.cpuUsage()`): the fake WeCom and DingTalk, the load and the polling;
 * - other cores: what every other process of the machine used meanwhile (/proc/stat), in cores: on a shared machine,
 *   a step with other work running is not a measurement of the product;
 * - statements and round trips: counted in the product (ORDERBOT_DB_STATS=1 makes db/client.ts count each query the
 *   driver builds and each write to its sockets; the bench reads GET /internal/db-stats at the step's start and end);
 * - young GCs and GC ms: the product's garbage collections (counted by bot/process-stats.ts, served with the statements):
 *   with the product's 4 MB semi-space, about one young collection per 4 MB it allocated, so a gauge of its garbage
 *   that the machine's speed does not move;
 * - loop delay: how late the product's event loop ran (sampled every ms, perf_hooks.monitorEventLoopDelay) from the
 *   step's start to its end: a callback arriving meanwhile waited that long before its first line ran;
 * - answered inside: the WeCom callbacks' answer times as the product timed them (its POST requests, from its first
 *   middleware to the answer's body): beside the answer times the fake measured, the product's share of them.
 *
 * The run ends with one line: `e2e: sustained=<orders/s> product_cpu=<ms/order> postgres_cpu=<ms/order>
 * statements=<per order> round_trips=<per order> callback_p99=<ms> pgbench=<tps> ratio=<sustained/pgbench>`.
 * sustained is the highest rate whose step was sustained (every message acknowledged, the backlog left at its end
 * drained within a fifth of the step, at least 1 s), and the costs are from that step (from the first step when none
 * was); callback_p99 is the WeCom callback's answer p99 of the 60/s step when the run has one, else of that step.
 * BENCH_E2E_NODE_FLAGS adds node flags to the product's (`--trace-gc`), after those of `npm start` (a V8 flag's last
 * value wins); BENCH_E2E_LOG keeps its log in that file.
 * BENCH_E2E_STATEMENTS=1 prints after each step the 30 statements the product ran most per message, by query text.
 * BENCH_E2E_RUNS=n (default 1) repeats the whole run (a new database and product process each time) n times and
 * ends with `e2e-median:`, each figure as median(min-max) over the runs.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { DEMO_CONFIG_PATH, loadBusinessConfig } from '../../config/business-config';
import { openDatabase, queryRows, type DatabaseHandle, type DatabaseStats } from '../../db/client';
import { migrate } from '../../db/migrate';
import { seedDemoDataIfEmpty } from '../../integrations/import/demo-seed';
import { FakeDingtalk } from '../fakes/dingtalk/fake-dingtalk';
import { FakeWecom } from '../fakes/wecom/fake-wecom';
import { BotProcess, freePort } from '../drills/process/bot-process';
import type { AnswerTimes, GcStats, LoopDelay } from '../../bot/process-stats';
import { REPO_ROOT } from './product-command';

/**
 * The demo company with `count` more sales people, each writing to the bot in their own chat: a group's
 * webhook robot takes 20 posts a minute and a chat's messages go out one after another, so a few busy
 * groups would measure those limits rather than the product.
 */
function benchConfig(count: number): {
  path: string;
  wecomSales: string[];
  dingtalkSales: string[];
  wecomUsers: string[];
} {
  const doc = parseYaml(readFileSync(DEMO_CONFIG_PATH, 'utf8')) as { people: Array<Record<string, string>> };
  const sales = Array.from({ length: count }, (_, i) => ({
    id: `bench${i}`,
    name: `销售${i}`,
    role: '销售',
    wecom: `BenchSales${i}`,
    dingtalk: `09${String(i).padStart(5, '0')}`,
  }));
  doc.people.push(...sales);
  const path = join(mkdtempSync(join(tmpdir(), 'orderbot-bench-config-')), 'bench.yaml');
  writeFileSync(path, stringifyYaml(doc));
  const config = loadBusinessConfig(path);
  return {
    path,
    wecomSales: sales.map((p) => p.wecom),
    dingtalkSales: sales.map((p) => p.dingtalk),
    wecomUsers: config.people.flatMap((p) => (p.wecom ? [p.wecom] : [])),
  };
}
const DINGTALK_STAFF = loadBusinessConfig().people.flatMap((p) => (p.dingtalk ? [p.dingtalk] : []));
const MATERIALS = ['BRK-2026-01', 'BRK-2026-02', 'BRK-2026-03', 'BRK-2026-04'];

interface Sent {
  key: string;
  platform: 'wecom' | 'dingtalk';
  /** The stream frame's messageId (DingTalk). */
  frameId?: string;
  at: number;
  answerMs?: number;
  status?: number | string;
}

interface StepResult {
  offered: number;
  sent: number;
  acked: number;
  answer: Percentiles;
  frameAck: Percentiles;
  card: Percentiles;
  handledPerSecond: number;
  backlogAtEnd: number;
  drainedInMs: number;
  /** Per message over the step and its drain: the product's CPU time (all threads). */
  productCpuMs: number;
  /** The PostgreSQL cluster's CPU, less the bench's own backends (NaN when its processes are not visible). */
  postgresCpuMs: number;
  /** Of which the product's backends. */
  productBackendsCpuMs: number;
  /** The bench process: the fakes, the load and its polling. */
  fakesCpuMs: number;
  /** Cores that processes other than these three kept busy during the step on average: a noise gauge. */
  otherCores: number;
  /** Per message: the product's young-generation collections and the main thread's time paused in collections. */
  minorGcs: number;
  gcPausedMs: number;
  /** How late the product's event loop ran during the step (and its drain), ms: a request arriving meanwhile waited. */
  loopDelay: LoopDelay;
  /** The callbacks' answer times inside the product (from its first middleware), ms: the rest is network and client. */
  answeredIn: AnswerTimes;
  statements: number;
  /** Statements per message by query text, most first. */
  byText: Array<[string, number]>;
  roundTrips: number;
  sustained: boolean;
}

/** What one run measured, as the `e2e:` line prints it. */
interface RunFigures {
  sustained: number;
  product_cpu: number;
  postgres_cpu: number;
  statements: number;
  round_trips: number;
  callback_p99: number;
  pgbench: number;
  ratio: number;
}

interface Percentiles {
  p50: number;
  p95: number;
  p99: number;
}

const fmt = (n: number) => (Number.isFinite(n) ? (n >= 100 ? n.toFixed(0) : n.toFixed(1)) : '-');

const triple = (p: Percentiles) => [p.p50, p.p95, p.p99].map(fmt).join('/');

function percentiles(values: number[]): Percentiles {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]! : NaN);
  return { p50: at(0.5), p95: at(0.95), p99: at(0.99) };
}

/** The staff id of each department's first lead: one approval each confirms an order. */
function approverStaffIds(): Set<string> {
  const config = loadBusinessConfig();
  return new Set(
    config.departments.flatMap((d) => {
      const staffId = config.people.find((p) => p.id === d.leads[0])?.dingtalk;
      return staffId ? [staffId] : [];
    }),
  );
}

/**
 * `count` DingTalk orders (requested together, each lead approving as their card arrives) through approval
 * to confirmation, and the OpenAPI requests the fake saw for them, per order.
 */
async function dingtalkCallsPerOrder(
  dingtalk: FakeDingtalk,
  database: DatabaseHandle,
  sales: string[],
  count: number,
): Promise<void> {
  const start = dingtalk.api.requests.length;
  const approvers = approverStaffIds();
  const tapped = new Set<string>();
  for (let i = 0; i < count; i++) {
    dingtalk.say({ staffId: sales[i % sales.length]!, text: requestText(i), msgId: `msgcalls${i}==` });
  }
  await waitFor(
    async () => {
      for (const card of dingtalk.api.cards.values()) {
        if (card.spaceType !== 'IM_ROBOT' || !approvers.has(card.spaceId) || tapped.has(card.outTrackId)) continue;
        if (card.params.showActions !== 'true') continue;
        tapped.add(card.outTrackId);
        dingtalk.tap({ staffId: card.spaceId, outTrackId: card.outTrackId, action: 'approve' });
      }
      const [row] = await queryRows<{ n: number }>(
        database.db,
        sql`select count(*)::int as n from orders where status = 'confirmed'`,
      );
      return row!.n >= count;
    },
    `${count} DingTalk orders to be confirmed`,
    120_000,
  ).catch(async (err) => {
    console.log(
      {
        cards: dingtalk.api.cards.size,
        tapped: tapped.size,
        approvers: [...approvers],
        said: dingtalk.api.messages.slice(0, 2),
      },
      await queryRows(database.db, sql`select status, count(*)::int from orders group by 1`),
      await queryRows(
        database.db,
        sql`select kind, status, left(last_error, 160) as error, count(*)::int from outbox group by 1, 2, 3 limit 20`,
      ),
    );
    throw err;
  });
  await waitFor(async () => (await backlog(database)) === 0, 'the outbox to drain', 60_000);
  const byRoute = new Map<string, number>();
  for (const r of dingtalk.api.requests.slice(start)) {
    const route = `${r.method} ${r.path}`;
    byRoute.set(route, (byRoute.get(route) ?? 0) + 1);
  }
  const apart = ['POST /v1.0/oauth2/accessToken', 'POST /robot/sendBySession'];
  const counted = [...byRoute].filter(([route]) => !apart.includes(route));
  const calls = counted.reduce((sum, [, n]) => sum + n, 0);
  console.log(
    `DingTalk OpenAPI calls per order: ${fmt(calls / count)} (${calls} calls for ${count} orders from request to confirmation, ` +
      `${approvers.size} approvals each; at 5,000 a month that is ${Math.floor(5000 / (calls / count))} orders)\n` +
      `  by API: ${counted.map(([route, n]) => `${route} ${fmt(n / count)}`).join(', ')}\n` +
      `  not in the quota: ${byRoute.get(apart[0]!) ?? 0} access-token calls, ${byRoute.get(apart[1]!) ?? 0} session-webhook posts`,
  );
}

export function requestText(i: number): string {
  const material = MATERIALS[i % MATERIALS.length];
  const qty = 1 + (i % 9);
  return i % 2 === 0 ? `需要${material}样品${qty}件,3月20日前到` : `${material} samples ×${qty} by 3/20`;
}

async function waitFor<T>(
  check: () => T | undefined | false | Promise<T | undefined | false>,
  what: string,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/** /proc/<pid>/stat after the command name: [0] state, [1] ppid, [11] utime, [12] stime, [13] cutime, [14] cstime. */
function procStat(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(') ') + 2).split(' ');
  } catch {
    return undefined; // gone
  }
}

/** User + system CPU seconds of a process so far (all its threads); 0 once it is gone. */
function cpuSeconds(pid: number): number {
  const fields = procStat(pid);
  return fields ? (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS : 0;
}

/**
 * The CPU of a PostgreSQL cluster running on this machine, read from /proc: the postmaster's own and its waited-for
 * children's (cutime + cstime), plus every live child's. It only grows, so two readings give what the cluster
 * spent between them, also in processes that started or ended in between.
 */
class PostgresCpu {
  private constructor(
    private readonly postmaster: number,
    private readonly database: DatabaseHandle,
    private readonly databaseName: string,
  ) {}

  /** Undefined when the server's processes are not visible here (another host or container). */
  static async find(database: DatabaseHandle, databaseName: string): Promise<PostgresCpu | undefined> {
    const [row] = await queryRows<{ pid: number }>(database.db, sql`select pg_backend_pid() as pid`);
    const ppid = Number(procStat(row!.pid)?.[1]);
    let comm = '';
    try {
      comm = readFileSync(`/proc/${ppid}/comm`, 'utf8');
    } catch {}
    return comm.startsWith('postgres') ? new PostgresCpu(ppid, database, databaseName) : undefined;
  }

  /** Seconds so far: the cluster, the bench's own backends and the product's backends (in this bench's database). */
  async read(): Promise<{ cluster: number; bench: Map<number, number>; product: Map<number, number> }> {
    const backends = await queryRows<{ pid: number; app: string }>(
      this.database.db,
      sql`select pid, application_name as app from pg_stat_activity where datname = ${this.databaseName}`,
    );
    const bench = new Map<number, number>();
    const product = new Map<number, number>();
    for (const b of backends) {
      if (b.app === 'orderbot-bench') bench.set(b.pid, cpuSeconds(b.pid));
      else if (b.app === 'orderbot') product.set(b.pid, cpuSeconds(b.pid));
    }
    const own = procStat(this.postmaster);
    let cluster = own ? own.slice(11, 15).reduce((sum, t) => sum + Number(t), 0) / CLOCK_TICKS : Number.NaN;
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      const fields = procStat(Number(entry));
      if (fields && Number(fields[1]) === this.postmaster)
        cluster += (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
    }
    return { cluster, bench, product };
  }
}

/** CPU seconds all processes of this machine spent so far (/proc/stat: everything but idle and iowait). */
function machineBusySeconds(): number {
  const [, ...ticks] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/);
  const [user, nice, system, , , irq, softirq, steal] = ticks.map(Number);
  return (user! + nice! + system! + irq! + softirq! + (steal ?? 0)) / CLOCK_TICKS;
}

/** What the backends in `end` spent since `start` (a backend not in `start` started in between). */
function spentSince(start: Map<number, number>, end: Map<number, number>): number {
  let sum = 0;
  for (const [pid, seconds] of end) sum += seconds - (start.get(pid) ?? 0);
  return sum;
}

async function productDatabaseStats(
  productUrl: string,
): Promise<DatabaseStats & { gc: GcStats; loop: LoopDelay; answers: AnswerTimes }> {
  const res = await fetch(`${productUrl}/internal/db-stats`);
  if (!res.ok) throw new Error(`GET /internal/db-stats answered ${res.status}: is ORDERBOT_DB_STATS=1 set?`);
  return (await res.json()) as DatabaseStats & { gc: GcStats; loop: LoopDelay; answers: AnswerTimes };
}

export async function backlog(database: DatabaseHandle): Promise<number> {
  const [row] = await queryRows<{ n: number }>(
    database.db,
    sql`select ((select count(*) from inbound_messages where status = 'received') + (select count(*) from outbox where status = 'pending'))::int as n`,
  );
  return row!.n;
}

/** Message sent → first approval card delivered to a lead, per message, from the outbox's sent_at. */
async function cardTimes(database: DatabaseHandle, sent: Map<string, Sent>): Promise<number[]> {
  const rows = await queryRows<{ externalId: string; cardAt: string }>(
    database.db,
    sql`select i.external_id as "externalId", (extract(epoch from min(c.sent_at)) * 1000)::float8 as "cardAt"
        from inbound_messages i
        join outbox r on r.idempotency_key = 'in:' || i.id || ':reply'
        join outbox c on c.order_id = r.order_id and c.kind = 'send-card' and c.payload -> 'to' ? 'userId' and c.status = 'sent'
        group by i.external_id`,
  );
  const times: number[] = [];
  for (const row of rows) {
    const message = sent.get(row.externalId);
    if (message) times.push(Number(row.cardAt) - message.at);
  }
  return times;
}

class Load {
  readonly sent = new Map<string, Sent>();
  private seq = 0;

  constructor(
    private readonly wecom: FakeWecom,
    private readonly dingtalk: FakeDingtalk,
    private readonly dingtalkShare: number,
    readonly productPid: number,
    private readonly sales: { wecom: string[]; dingtalk: string[] },
  ) {}

  frameAcks(): Array<{ messageId: string; ms: number }> {
    return this.dingtalk.gateway.acks;
  }

  /** Offers `rate` messages/s for `seconds`, open loop: sends on schedule whether or not answers came back. */
  async run(rate: number, seconds: number): Promise<Sent[]> {
    const step: Sent[] = [];
    const pending: Promise<void>[] = [];
    const started = performance.now();
    const total = Math.round(rate * seconds);
    for (let n = 0; n < total; n++) {
      const due = started + (n / rate) * 1000;
      const wait = due - performance.now();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      const i = this.seq++;
      const message = (i * 7919) % 100 < this.dingtalkShare * 100 ? this.sendDingtalk(i) : this.sendWecom(i, pending);
      step.push(message);
    }
    await Promise.all(pending);
    // A frame's ack is waited for as a callback's answer is (up to its 5 s): the step's last message can be a frame,
    // whose ack would otherwise be counted missing when the backlog was already empty.
    await this.framesAcked(step, 5000);
    return step;
  }

  private async framesAcked(step: Sent[], withinMs: number) {
    const frames = step.flatMap((m) => (m.frameId ? [m.frameId] : []));
    const deadline = performance.now() + withinMs;
    while (performance.now() < deadline) {
      const acked = new Set(this.frameAcks().map((a) => a.messageId));
      if (frames.every((id) => acked.has(id))) return;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  private sendWecom(i: number, pending: Promise<void>[]): Sent {
    const msgId = String(7_300_000_000_000_000_000n + BigInt(i));
    const message: Sent = { key: `msg:${msgId}`, platform: 'wecom', at: Date.now() };
    this.sent.set(message.key, message);
    pending.push(
      this.wecom
        .sendAppText(this.sales.wecom[i % this.sales.wecom.length]!, requestText(i), { msgId, attempts: 1 })
        .then((delivery) => {
          const attempt = delivery.attempts[0]!;
          message.answerMs = attempt.ms;
          message.status = attempt.status;
        }),
    );
    return message;
  }

  private sendDingtalk(i: number): Sent {
    const msgId = `msgbench${i}==`;
    const at = Date.now();
    const { messageId } = this.dingtalk.say({
      staffId: this.sales.dingtalk[i % this.sales.dingtalk.length]!,
      text: requestText(i),
      msgId,
    });
    const message: Sent = { key: `msg:${msgId}`, platform: 'dingtalk', at, frameId: messageId };
    this.sent.set(message.key, message);
    return message;
  }
}

function runPgbench(url: string, seconds: number, clients: number): number {
  const bin = pgbenchPath();
  const target = new URL(url);
  const args = [
    '-n',
    '-f',
    join(REPO_ROOT, 'tests', 'bench', 'pgbench-intake.sql'),
    '-c',
    String(clients),
    '-j',
    '2',
    '-T',
    String(seconds),
    '-h',
    target.hostname,
    '-p',
    target.port || '5432',
    '-U',
    decodeURIComponent(target.username || 'postgres'),
    target.pathname.slice(1),
  ];
  const result = spawnSync(bin, args, { encoding: 'utf8' });
  const tps = /tps = ([\d.]+)/.exec(result.stdout)?.[1];
  if (!tps) throw new Error(`pgbench failed: ${result.stderr || result.stdout}`);
  return Number(tps);
}

function pgbenchPath(): string {
  const found = spawnSync('bash', ['-c', 'command -v pgbench || ls /usr/lib/postgresql/*/bin/pgbench | tail -1'], {
    encoding: 'utf8',
  }).stdout.trim();
  if (!found) throw new Error('pgbench is not installed (Debian: postgresql-contrib / the server package)');
  return found;
}

function databaseUrl(adminUrl: string, name: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function benchEndToEnd(adminUrl: string): Promise<void> {
  const runs = Math.max(1, Number(process.env.BENCH_E2E_RUNS ?? 1));
  const figures: RunFigures[] = [];
  for (let run = 1; run <= runs; run++) {
    if (runs > 1) console.log(`run ${run} of ${runs}`);
    const result = await benchRun(adminUrl);
    if (result) figures.push(result);
  }
  if (runs > 1 && figures.length > 0) console.log(`e2e-median: runs=${figures.length} ${medianLine(figures)}`);
}

const LINE_DECIMALS: Record<keyof RunFigures, number> = {
  sustained: 0,
  product_cpu: 2,
  postgres_cpu: 2,
  statements: 1,
  round_trips: 1,
  callback_p99: 1,
  pgbench: 0,
  ratio: 3,
};

function lineValue(key: keyof RunFigures, value: number): string {
  return Number.isFinite(value) ? value.toFixed(LINE_DECIMALS[key]) : '-';
}

function figuresLine(f: RunFigures): string {
  return (Object.keys(LINE_DECIMALS) as Array<keyof RunFigures>).map((k) => `${k}=${lineValue(k, f[k])}`).join(' ');
}

/** Each figure as median(min-max) over the runs (the median of an even count is the mean of the middle two). */
function medianLine(all: RunFigures[]): string {
  return (Object.keys(LINE_DECIMALS) as Array<keyof RunFigures>)
    .map((k) => {
      const values = all.map((f) => f[k]).filter(Number.isFinite);
      if (values.length === 0) return `${k}=-`;
      values.sort((x, y) => x - y);
      const mid = values.length / 2;
      const median = values.length % 2 ? values[Math.floor(mid)]! : (values[mid - 1]! + values[mid]!) / 2;
      return `${k}=${lineValue(k, median)}(${lineValue(k, values[0]!)}-${lineValue(k, values.at(-1)!)})`;
    })
    .join(' ');
}

/** One run: a new database and product process, the DingTalk calls per order, the rate steps and pgbench. */
async function benchRun(adminUrl: string): Promise<RunFigures | undefined> {
  const rates = (process.env.BENCH_E2E_RATES ?? '10,20,40,80,160,320,640,1280')
    .split(',')
    .filter((r) => r.trim())
    .map(Number);
  const stepSeconds = Number(process.env.BENCH_E2E_STEP_S ?? 10);
  const dingtalkShare = Number(process.env.BENCH_E2E_DINGTALK ?? 0.25);
  const name = `orderbot_bench_e2e_${process.pid}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`drop database if exists ${name} with (force)`);
  await admin.unsafe(`create database ${name}`);
  const url = databaseUrl(adminUrl, name);
  const dataDir = mkdtempSync(join(tmpdir(), 'orderbot-bench-'));
  const silence = console.info;
  console.info = () => {};
  const company = benchConfig(Number(process.env.BENCH_E2E_SALES ?? 40));
  const wecom = await new FakeWecom({ users: company.wecomUsers, callbacks: { timeoutMs: 5000, retries: 0 } }).start();
  const dingtalk = await FakeDingtalk.start({ api: { staffIds: [...DINGTALK_STAFF, ...company.dingtalkSales] } });
  const env = {
    ...dingtalk.envVars(),
    ...wecom.envVars(),
    DATABASE_URL: url,
    ORDERBOT_DATA_DIR: dataDir,
    ORDERBOT_CONFIG: company.path,
    // Statements and round trips, counted by the product and read at GET /internal/db-stats.
    ORDERBOT_DB_STATS: '1',
  };
  // The product's own process, so its memory and CPU are its own.
  const profile = process.env.BENCH_E2E_PROFILE
    ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_E2E_PROFILE}`]
    : [];
  const nodeFlags = (process.env.BENCH_E2E_NODE_FLAGS ?? '').split(/\s+/).filter(Boolean);
  // The bench's config is not the demo's, so the product loads no demo master data: without it no order is made.
  const seeding = await openDatabase({ url, poolSize: 1 });
  await migrate(seeding.db);
  await seedDemoDataIfEmpty(seeding.db, new Date());
  await seeding.close();
  const product = new BotProcess(
    await freePort(),
    { ...env, LOG_LEVEL: 'error' },
    process.env.BENCH_E2E_LOG ?? join(dataDir, 'product.log'),
    [...profile, ...nodeFlags],
  );
  await product.start(60_000);
  // Named so that its own backends are left out of PostgreSQL's CPU.
  const database = await openDatabase({ url: `${url}?application_name=orderbot-bench`, poolSize: 2 });
  try {
    wecom.connect(product.url);
    await waitFor(() => dingtalk.gateway.liveConnections().length > 0, 'the product to connect to the DingTalk stream');
    const orders = Number(process.env.BENCH_E2E_ORDERS ?? 20);
    if (orders > 0) await dingtalkCallsPerOrder(dingtalk, database, company.dingtalkSales, orders);
    if (rates.length === 0) return undefined;
    const load = new Load(wecom, dingtalk, dingtalkShare, product.pid!, {
      wecom: company.wecomSales,
      dingtalk: company.dingtalkSales,
    });
    const meters: Meters = {
      productPid: product.pid!,
      productUrl: product.url,
      postgres: await PostgresCpu.find(database, name),
    };
    console.log(
      `end to end on PostgreSQL: product in its own process; encrypted WeCom app callbacks and ${Math.round(dingtalkShare * 100)}% DingTalk stream frames from ${company.wecomSales.length} sales people; ${stepSeconds} s per step`,
    );
    console.log(
      'offered/s  handled/s      acked  WeCom answer p50/95/99 ms  frame ack p50/95/99 ms  card p50/95/99 ms  ' +
        'CPU ms/msg: product  postgres (its backends)  fakes  other cores  statements/msg  round trips/msg  ' +
        'young GCs/msg  GC ms/msg  loop delay p99/max ms  answered inside p99/max ms  backlog  drained',
    );
    const results: StepResult[] = [];
    let best: StepResult | undefined;
    for (const rate of rates) {
      const result = await runStep(load, database, meters, rate, stepSeconds);
      results.push(result);
      console.log(
        `${String(rate).padStart(9)}  ${fmt(result.handledPerSecond).padStart(9)}  ${`${result.acked}/${result.sent}`.padStart(9)}  ` +
          `${triple(result.answer).padStart(25)}  ${triple(result.frameAck).padStart(22)}  ${triple(result.card).padStart(17)}  ` +
          `${fmt(result.productCpuMs).padStart(19)}  ${`${fmt(result.postgresCpuMs)} (${fmt(result.productBackendsCpuMs)})`.padStart(23)}  ` +
          `${fmt(result.fakesCpuMs).padStart(5)}  ${result.otherCores.toFixed(2).padStart(11)}  ${fmt(result.statements).padStart(14)}  ${fmt(result.roundTrips).padStart(15)}  ` +
          `${result.minorGcs.toFixed(2).padStart(13)}  ${result.gcPausedMs.toFixed(2).padStart(9)}  ` +
          `${`${fmt(result.loopDelay.p99)}/${fmt(result.loopDelay.max)}`.padStart(21)}  ` +
          `${`${fmt(result.answeredIn.p99)}/${fmt(result.answeredIn.max)}`.padStart(26)}  ` +
          `${String(result.backlogAtEnd).padStart(7)}  ${fmt(result.drainedInMs / 1000)} s${result.sustained ? '' : '  (not sustained)'}`,
      );
      if (process.env.BENCH_E2E_STATEMENTS === '1')
        for (const [text, n] of result.byText.slice(0, 30))
          console.log(`  ${n.toFixed(2).padStart(6)}  ${text.replace(/\s+/g, ' ').slice(0, 160)}`);
      if (!result.sustained) break;
      best = result;
    }
    const rss = product.memoryMb('VmHWM');
    const duplicates = await duplicateOrders(database);
    const tps = runPgbench(url, 10, 8);
    const sustained = best?.offered ?? 0;
    console.log(
      `sustained: ${sustained} messages/s (target 1,500); peak RSS of the product ${fmt(rss)} MB; orders made twice: ${duplicates}\n` +
        `pgbench, one transaction of the same shape (inbound row, order, item, 3 tasks, 4 outbox rows), 8 clients, same database: ${fmt(tps)} tps\n` +
        `orderbot / pgbench: ${(sustained / tps).toFixed(3)} (target ≥ 0.5)`,
    );
    // The costs of the sustained step (of the first step when none was); the callback's p99 at 60/s when measured.
    const costs = best ?? results[0]!;
    const callbackStep = results.find((r) => r.offered === 60) ?? costs;
    const figures: RunFigures = {
      sustained,
      product_cpu: costs.productCpuMs,
      postgres_cpu: costs.postgresCpuMs,
      statements: costs.statements,
      round_trips: costs.roundTrips,
      callback_p99: callbackStep.answer.p99,
      pgbench: tps,
      ratio: sustained / tps,
    };
    console.log(`e2e: ${figuresLine(figures)}`);
    return figures;
  } finally {
    await product.stop();
    await database.close();
    await wecom.stop();
    await dingtalk.close();
    console.info = silence;
    if (process.env.BENCH_E2E_KEEP === '1') console.log(`kept database ${name}`);
    else await admin.unsafe(`drop database if exists ${name} with (force)`);
    await admin.end();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

interface Meters {
  productPid: number;
  productUrl: string;
  postgres: PostgresCpu | undefined;
}

/** Every counter at one moment: read at a step's start and again once its backlog has drained. */
async function readMeters(meters: Meters) {
  const [queries, postgresCpu] = await Promise.all([productDatabaseStats(meters.productUrl), meters.postgres?.read()]);
  return {
    product: cpuSeconds(meters.productPid),
    bench: process.cpuUsage(),
    machine: machineBusySeconds(),
    at: performance.now(),
    queries,
    postgresCpu,
  };
}

async function runStep(
  load: Load,
  database: DatabaseHandle,
  meters: Meters,
  rate: number,
  seconds: number,
): Promise<StepResult> {
  const before = await readMeters(meters);
  const started = performance.now();
  const step = await load.run(rate, seconds);
  const offeredFor = performance.now() - started;
  const backlogAtEnd = await backlog(database);
  const drainStart = performance.now();
  await waitFor(async () => (await backlog(database)) === 0, 'the backlog to drain', 120_000).catch(async (err) => {
    console.log(
      await queryRows(
        database.db,
        sql`select kind, status, attempts, left(last_error, 160) as error, count(*)::int from outbox where status <> 'sent' group by 1, 2, 3, 4 limit 20`,
      ),
    );
    throw err;
  });
  const drainedInMs = performance.now() - drainStart;
  const after = await readMeters(meters);
  const perMessage = (spentSeconds: number) => (spentSeconds * 1000) / step.length;
  const benchMicros = after.bench.user + after.bench.system - before.bench.user - before.bench.system;
  const pgBefore = before.postgresCpu;
  const pgAfter = after.postgresCpu;
  const wecomSent = step.filter((m) => m.platform === 'wecom');
  const acks = new Map(load.frameAcks().map((a) => [a.messageId, a.ms]));
  const frameAcks = step.flatMap((m) => (m.frameId && acks.has(m.frameId) ? [acks.get(m.frameId)!] : []));
  const acked = wecomSent.filter((m) => m.status === 200).length + frameAcks.length;
  const stepMessages = new Map([...load.sent].filter(([, m]) => step.includes(m)));
  const cards = await cardTimes(database, stepMessages);
  return {
    offered: rate,
    sent: step.length,
    acked,
    answer: percentiles(wecomSent.flatMap((m) => (m.answerMs === undefined ? [] : [m.answerMs]))),
    frameAck: percentiles(frameAcks),
    card: percentiles(cards),
    handledPerSecond: (step.length / (offeredFor + drainedInMs)) * 1000,
    backlogAtEnd,
    drainedInMs,
    productCpuMs: perMessage(after.product - before.product),
    postgresCpuMs:
      pgBefore && pgAfter
        ? perMessage(pgAfter.cluster - pgBefore.cluster - spentSince(pgBefore.bench, pgAfter.bench))
        : Number.NaN,
    productBackendsCpuMs: pgBefore && pgAfter ? perMessage(spentSince(pgBefore.product, pgAfter.product)) : Number.NaN,
    fakesCpuMs: benchMicros / 1000 / step.length,
    otherCores:
      pgBefore && pgAfter
        ? (after.machine -
            before.machine -
            (after.product - before.product) -
            (pgAfter.cluster - pgBefore.cluster) -
            benchMicros / 1e6) /
          ((after.at - before.at) / 1000)
        : Number.NaN,
    minorGcs: (after.queries.gc.minor - before.queries.gc.minor) / step.length,
    gcPausedMs: (after.queries.gc.pausedMs - before.queries.gc.pausedMs) / step.length,
    // Each reading starts the next period: this one covers the step from its first reading.
    loopDelay: after.queries.loop,
    answeredIn: after.queries.answers,
    statements: (after.queries.statements - before.queries.statements) / step.length,
    byText: Object.entries(after.queries.byText)
      .map(([text, n]) => [text, (n - (before.queries.byText[text] ?? 0)) / step.length] as [string, number])
      .filter(([, n]) => n > 0)
      .sort((a, b) => b[1] - a[1]),
    roundTrips: (after.queries.roundTrips - before.queries.roundTrips) / step.length,
    // Kept up: every message was acknowledged and what was left at the end cleared within a fifth of the step.
    sustained: acked === step.length && drainedInMs <= Math.max(1000, seconds * 200),
  };
}

async function duplicateOrders(database: DatabaseHandle): Promise<number> {
  const [row] = await queryRows<{ n: number }>(
    database.db,
    sql`select count(*)::int as n from (select order_id from outbox where idempotency_key like 'in:%:reply' and order_id is not null group by order_id having count(*) > 1) d`,
  );
  return row!.n;
}
