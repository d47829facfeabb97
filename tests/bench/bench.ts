/**
 * npm run bench: parser messages/s, promise checks/s on a 10,000-material plant, and intake through the playground HTTP API with the database
 * (accepted messages/s, HTTP answer p50/p99, message-to-order-reply p50/p99). PGlite always; PostgreSQL
 * too when BENCH_DATABASE_URL (or TEST_DATABASE_URL) is set.
 * npm run bench -- kpi: the KPI queries and the ops board on a million orders (tests/bench/kpi-bench.ts).
 * npm run bench -- rules: channel promotion rules evaluated, orders per second (tests/bench/rules-bench.ts).
 * npm run bench -- channels: 30,000 orders per channel imported from the fake Douyin, Taobao and JD through the intake (tests/bench/channel-import-bench.ts).
 * npm run bench -- risk: the risk models' retraining and a new order's assessment on the demo's history and a 20,000-order one (tests/bench/risk-bench.ts).
 * npm run bench -- repromise: a mould change under 5,000 confirmed orders re-checked (tests/bench/repromise-bench.ts).
 * npm run bench -- scale: escalation tick, outbox claim and the product's RSS at scale (tests/bench/scale-bench.ts).
 * npm run bench -- directory: a 500-person company directory synced from the fake WeCom and stored (tests/bench/directory-bench.ts).
 * npm run bench -- e2e: WeCom callbacks and DingTalk frames at a rising rate through the product, against pgbench (tests/bench/e2e-bench.ts).
 * npm run bench -- handler: the product's CPU per order on its order path, in one process, through the playground (tests/bench/handler-bench.ts).
 */
import { performance } from 'node:perf_hooks';
import { sql } from 'drizzle-orm';
import { startApp } from '../../bot/app';
import { createLogger } from '../../bot/logger';
import { loadBusinessConfig } from '../../config/business-config';
import { queryRows } from '../../db/client';
import { buildCustomerIndex, recognizeCustomers } from '../../domain/customers';
import { parseMessage } from '../../domain/parse';
import { earliestForOrder } from '../../domain/promise';
import { migrate } from '../../db/migrate';
import { plantStates } from '../../db/plant';
import { lineLoads, materials, moulds, stock } from '../../db/schema';
import { createTestDatabase, type Backend } from '../support/databases';
import { benchKpis } from './kpi-bench';
import { benchScale } from './scale-bench';
import { benchRepromise } from './repromise-bench';
import { benchRules } from './rules-bench';
import { benchChannelImport } from './channel-import-bench';
import { benchEndToEnd } from './e2e-bench';
import { benchHandlerPath } from './handler-bench';
import { benchImports } from './import-bench';
import { benchDirectory } from './directory-bench';
import { benchRisk } from './risk-bench';

const MESSAGES = [
  '需要BRK-2026-01样品5件,3月5日前到',
  'BRK-2026-01 samples ×5 by 3/5',
  'BRK-2026-02 ×200 Ra≤0.8μm 下周五前 客户：大陆集团',
  '客户：博世 BRK-2026-03、BRK-2026-04 各两千件 加急 3月底',
  'CAL-3310-A qty 1,200 within 10 days for Continental',
  'PAD-7781 1.5万套 5天内',
  'BRK-2026-22 到哪了？',
  '大家好，今天下午开会',
];

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
const fmt = (n: number) => (n >= 100 ? n.toFixed(0) : n.toFixed(2));

function benchParser(seconds = 2) {
  const now = new Date('2026-02-24T10:00:00+08:00');
  let n = 0;
  const end = performance.now() + seconds * 1000;
  while (performance.now() < end) {
    for (const m of MESSAGES) parseMessage(m, now);
    n += MESSAGES.length;
  }
  console.log(`parser: ${fmt(n / seconds)} messages/s (${MESSAGES.length} message mix, ${seconds}s)`);
}

/**
 * Customer recognition messages/s with 300 generated customers (Chinese company names with 1-3
 * aliases: a short name, sometimes a Latin name or acronym), over a mix of order, status and chat
 * messages, most naming one or two customers in the ways sales people do.
 */
function benchCustomerRecognition(seconds = 2) {
  let seed = 20260224;
  const rand = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  const pick = <T>(xs: readonly T[]): T => xs[rand(xs.length)] as T;
  const syllables = [...'华宏鑫瑞恒泰达信安盛隆德兴源昌威博凯锐航拓精远成汇联通盈科捷丰宇峰'];
  const places = ['苏州', '上海', '宁波', '无锡', '常州', '天津', '重庆', '长春', '武汉', '广州'];
  const trades = ['汽车部件', '精密机械', '电子科技', '制动系统', '动力科技', '工业', '新能源', '传动技术'];
  const latin = ['Hua', 'Hong', 'Xin', 'Rui', 'Heng', 'Tai', 'Da', 'Sheng', 'Long', 'De', 'Xing', 'Yuan', 'Wei'];
  const customers: Array<{ id: number; name: string; aliases: string[] }> = [];
  const brands = new Set<string>();
  while (customers.length < 300) {
    const brand = pick(syllables) + pick(syllables) + (rand(3) === 0 ? pick(syllables) : '');
    if (brands.has(brand)) continue;
    brands.add(brand);
    const name = `${brand}${pick(trades)}（${pick(places)}）有限公司`;
    const aliases = [brand];
    if (rand(2) === 0) aliases.push(`${brand}${pick(['集团', '汽车', '科技'])}`);
    if (rand(3) === 0)
      aliases.push(
        rand(2) === 0
          ? `${pick(latin)}${pick(latin).toLowerCase()}`
          : `${pick(latin)[0]}${pick(latin)[0]}${pick(latin)[0]}`.toUpperCase(),
      );
    customers.push({ id: customers.length + 1, name, aliases });
  }
  const index = buildCustomerIndex(customers);
  const someName = () => {
    const c = pick(customers);
    return pick([c.name, ...c.aliases]);
  };
  const templates = [
    (n: string) => `${n}要BRK-2026-01样品5件，3月5日前到`,
    (n: string) => `客户：${n} BRK-2026-03、BRK-2026-04 各两千件 加急 3月底`,
    (n: string) => `给${n}做CAL-3310-A 打样3套 下周五前 急`,
    (n: string) => `BRK-2026-01 samples ×5 by 3/5 for ${n}`,
    (n: string) => `${n}那边催BRK-2026-22的样品，到哪了？`,
    (n: string) => `${n} 需要 PAD-7781 1.5万套 5天内，${someName()}也要500个`,
    () => '大家好，今天下午开会，大众化的方案再看看',
    () => 'SO-20260224-0001 发货了吗 SF1234567890',
  ];
  const messages = Array.from({ length: 64 }, (_, i) =>
    (templates[i % templates.length] as (n: string) => string)(someName()),
  );
  let n = 0;
  let named = 0;
  const end = performance.now() + seconds * 1000;
  while (performance.now() < end) {
    for (const m of messages) named += recognizeCustomers(m, index).length;
    n += messages.length;
  }
  void named;
  console.log(
    `customer recognition: ${fmt(n / seconds)} messages/s (${customers.length} customers, ${index.nameCount} names)`,
  );
}

async function benchIntake(backend: Backend, total: number, concurrency: number) {
  const database = await createTestDatabase(backend, { poolSize: 10 });
  const app = await startApp({
    database,
    config: loadBusinessConfig(),
    log: createLogger('silent'),
    port: 0,
    outboxPollMs: 20,
  });
  const orderMessages = MESSAGES.slice(0, 6);
  const answer: number[] = [];
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < total) {
      const i = next++;
      const body = JSON.stringify({
        conversationId: `bench-${i % 20}`,
        senderId: 'zhangsan',
        text: orderMessages[i % orderMessages.length],
        messageId: `bench-${i}`,
      });
      const t0 = performance.now();
      const res = await fetch(`${app.url}/api/playground/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
      await res.arrayBuffer();
      answer.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const acceptedIn = (performance.now() - started) / 1000;
  // Wait until every message is handled and every effect delivered.
  for (;;) {
    const [row] = await queryRows<{ n: number }>(
      database.db,
      sql`select ((select count(*) from inbound_messages where status = 'received') + (select count(*) from outbox where status = 'pending'))::int as n`,
    );
    if (row!.n === 0) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  const doneIn = (performance.now() - started) / 1000;
  const [orders] = await queryRows<{ n: number }>(database.db, sql`select count(*)::int as n from orders`);
  const [effects] = await queryRows<{ n: number }>(
    database.db,
    sql`select count(*)::int as n from outbox where status = 'sent'`,
  );
  const [reply] = await queryRows<{ p50: number; p99: number }>(
    database.db,
    sql`select percentile_cont(0.5) within group (order by ms) as p50, percentile_cont(0.99) within group (order by ms) as p99
        from (select extract(epoch from (o.sent_at - i.received_at)) * 1000 as ms
              from inbound_messages i join outbox o on o.idempotency_key = 'in:' || i.id || ':reply') t`,
  );
  answer.sort((a, b) => a - b);
  console.log(
    `intake on ${backend}: ${total} messages, concurrency ${concurrency}\n` +
      `  accepted ${fmt(total / acceptedIn)} messages/s; HTTP answer p50 ${fmt(percentile(answer, 50))} ms, p99 ${fmt(percentile(answer, 99))} ms\n` +
      `  handled end to end (order, 4 lead cards, the order card in the chat, reply delivered) ${fmt(total / doneIn)} messages/s: ${orders!.n} orders, ${effects!.n} effects delivered in ${fmt(doneIn)} s\n` +
      `  message to reply delivered p50 ${fmt(Number(reply!.p50))} ms, p99 ${fmt(Number(reply!.p99))} ms`,
  );
  await app.close();
  await database.close();
}

/** Promise checks/s with 10,000 materials on 50 lines, each check reading the plant state from the database. */
async function benchPromises(backend: Backend, seconds = 3) {
  const database = await createTestDatabase(backend, { poolSize: 4 });
  await migrate(database.db);
  const base = loadBusinessConfig();
  const config = {
    ...base,
    lines: Array.from({ length: 50 }, (_, i) => ({ id: `L${i}`, name: `L${i}线`, capacityPerDay: 100 + i * 10 })),
  };
  const today = '2026-02-24';
  const codes = Array.from({ length: 10_000 }, (_, i) => `MAT-${String(i).padStart(5, '0')}`);
  for (let i = 0; i < codes.length; i += 1000) {
    const chunk = codes.slice(i, i + 1000);
    await database.db.insert(materials).values(
      chunk.map((code, j) => ({
        code,
        name: code,
        line: `L${(i + j) % 50}`,
        mould: `MD-${(i + j) % 200}`,
        leadTimeDays: (i + j) % 7,
      })),
    );
    await database.db.insert(stock).values(
      chunk.map((code, j) => ({
        materialCode: code,
        onHand: ((i + j) * 37) % 400,
        source: 'bench',
        updatedAt: new Date(),
      })),
    );
  }
  await database.db.insert(moulds).values(
    Array.from({ length: 200 }, (_, i) => ({
      id: `MD-${i}`,
      status: i % 10 === 0 ? ('repair' as const) : ('ok' as const),
      availableFrom: i % 10 === 0 ? '2026-03-02' : null,
      updatedAt: new Date(),
    })),
  );
  await database.db.insert(lineLoads).values(
    config.lines.map((l, i) => ({
      line: l.id,
      fromDate: today,
      toDate: '2026-03-31',
      load: (i % 10) / 10,
      source: 'bench',
    })),
  );
  const check = async (code: string, quantity: number) =>
    database.db.transaction(async (tx) => {
      const states = await plantStates(tx, config, [code], today);
      return earliestForOrder({
        today,
        calendar: config.calendar,
        rules: config.promise,
        items: [{ quantity, state: states.get(code)! }],
      });
    });
  let n = 0;
  const latencies: number[] = [];
  const end = performance.now() + seconds * 1000;
  while (performance.now() < end) {
    const t0 = performance.now();
    await check(codes[(n * 7919) % codes.length]!, 50 + (n % 500));
    latencies.push(performance.now() - t0);
    n += 1;
  }
  latencies.sort((a, b) => a - b);
  console.log(
    `promise checks on ${backend} (10,000 materials, 50 lines, state read from the database): ${fmt(n / seconds)} checks/s, ` +
      `p50 ${fmt(percentile(latencies, 50))} ms, p99 ${fmt(percentile(latencies, 99))} ms`,
  );
  await database.close();
}

async function main() {
  const only = process.argv[2];
  const pgUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
  if (pgUrl) process.env.TEST_DATABASE_URL = pgUrl;
  if (only === 'kpi') return kpiOnly(pgUrl);
  if (only === 'scale') return scaleOnly(pgUrl);
  if (only === 'e2e') return benchEndToEnd(pgUrl ?? 'postgres://postgres@127.0.0.1:5432/test');
  if (only === 'handler') return benchHandlerPath(pgUrl ?? 'postgres://postgres@127.0.0.1:5432/test');
  if (only === 'imports') return benchImports();
  if (only === 'directory') return benchDirectory();
  if (only === 'repromise') return repromiseOnly(pgUrl);
  if (only === 'rules') return rulesOnly();
  if (only === 'channels') return channelsOnly(pgUrl);
  if (only === 'risk') return riskOnly(pgUrl);
  const total = Number(process.env.BENCH_MESSAGES ?? 600);
  const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 16);
  benchParser();
  benchCustomerRecognition();
  await benchPromises('pglite');
  await benchIntake('pglite', total, concurrency);
  if (pgUrl) {
    await benchPromises('postgres');
    await benchIntake('postgres', total, concurrency);
  } else {
    console.log('(set BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test to also measure PostgreSQL)');
  }
}

/** npm run bench -- kpi: the KPI queries and the ops board on a million orders (PostgreSQL, and PGlite). */
async function kpiOnly(pgUrl: string | undefined) {
  const total = Number(process.env.BENCH_KPI_ORDERS ?? 1_000_000);
  const open = Number(process.env.BENCH_KPI_OPEN ?? 5_000);
  if (pgUrl) await benchKpis('postgres', total, open);
  else console.log('(set BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test to measure PostgreSQL)');
  await benchKpis('pglite', Number(process.env.BENCH_KPI_PGLITE_ORDERS ?? total), open);
}

/** npm run bench -- rules: in memory, no database. */
function rulesOnly() {
  if (!benchRules()) process.exitCode = 1;
}

/** npm run bench -- repromise: PGlite, and PostgreSQL when BENCH_DATABASE_URL is set. */
async function repromiseOnly(pgUrl: string | undefined) {
  let met = await benchRepromise('pglite');
  if (pgUrl) met = (await benchRepromise('postgres')) && met;
  else console.log('(set BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test to also measure PostgreSQL)');
  if (!met) process.exitCode = 1;
}

/** npm run bench -- channels: PGlite, and PostgreSQL when BENCH_DATABASE_URL is set. */
async function channelsOnly(pgUrl: string | undefined) {
  let met = await benchChannelImport('pglite');
  if (pgUrl) met = (await benchChannelImport('postgres')) && met;
  else console.log('(set BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test to also measure PostgreSQL)');
  // The idle PGlite that tests/support/pglite-image.ts keeps for reuse holds a WASM timer: it would keep us alive.
  process.exit(met ? 0 : 1);
}

/** npm run bench -- risk: PGlite, and PostgreSQL when BENCH_DATABASE_URL is set. */
async function riskOnly(pgUrl: string | undefined) {
  await benchRisk('pglite');
  if (pgUrl) await benchRisk('postgres');
  else console.log('(set BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test to also measure PostgreSQL)');
  // The idle PGlite that tests/support/pglite-image.ts keeps for reuse holds a WASM timer: it would keep us alive.
  process.exit(0);
}

/** npm run bench -- scale: PostgreSQL only (BENCH_DATABASE_URL, or the local server's `test` database as admin). */
async function scaleOnly(pgUrl: string | undefined) {
  process.env.TEST_DATABASE_URL = pgUrl ?? 'postgres://postgres@127.0.0.1:5432/test';
  if (!(await benchScale())) process.exitCode = 1;
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
