/**
 * npm run bench -- channels: the import of BENCH_CHANNEL_ORDERS channel orders (default 30,000) per channel, from
 * the wire-level fakes of Douyin, Taobao/Tmall and JD (tests/fakes/channels) through the product's intake
 * (handlers/channel-intake.ts runChannelIntake, adapters from integrations/channels/shops.ts), stored in
 * channel_orders and evaluated against BENCH_CHANNEL_RULES active rules (default 500, over the three channels)
 * saved in channel_rules. Target (issue 20): 30,000 orders of a channel imported in under 60 s.
 *
 * Each channel runs on its own fresh database: the fake is seeded with orders spread over the last two days
 * (1–4 lines, outer SKUs among 2,000 — most written as the material code, some in another case, some through a
 * configured alias —, the discounts each platform reports: Douyin shop/platform coupons, full discounts and
 * campaigns; Taobao shop promotions on lines and trades, platform-funded promotions, tmall_coupon_fee and
 * platform_subsidy_fee; JD single-item coupons, shop discounts, JD beans and seller discounts), then the intake
 * runs in passes (maxPages large) until the shop's orders cursor has caught up. Timed: wall time of the passes
 * and the process's CPU (process.cpuUsage). Checked: the stored count equals the seeded count and every order
 * has an evaluation (exit code 1 otherwise).
 *
 * The fakes run in this process, so their CPU (signature checks, JSON, their HTTP servers) is counted in
 * cpu_ms_per_order; PGlite runs in this process too; PostgreSQL's server CPU is not counted.
 * A second line per run splits the wall time: the platform calls (any HTTP call in flight), the rest of
 * pollOrders (mapping the answers), and the rest of the intake (SKU mapping, rule evaluation, storing,
 * cursors); the SKU mapping and rule evaluation is re-measured alone on the same orders after the run.
 */
import { performance } from 'node:perf_hooks';
import { and, eq, sql } from 'drizzle-orm';
import pino from 'pino';
import { type BusinessConfig, type ChannelShopConfig, loadBusinessConfig } from '../../config/business-config';
import { channelRuleEvaluator, materialCodes } from '../../db/channel-pool';
import { saveRuleSheet } from '../../db/channel-rules';
import { type Database, queryRows } from '../../db/client';
import { channelCursors, materials } from '../../db/schema';
import type { Channel } from '../../domain/channels/order';
import type { ChannelRule } from '../../domain/channels/rules';
import { mapOuterSkus } from '../../domain/channels/sku-map';
import { runChannelIntake } from '../../handlers/channel-intake';
import type { ChannelAdapter, ReceivedOrder } from '../../integrations/channels/port';
import { channelAdapter } from '../../integrations/channels/shops';
import { FAKE_ENV, FakeDouyin, fakeShopConfig } from '../fakes/channels/douyin';
import { FakeJd } from '../fakes/channels/jd';
import { chinaTime, FakeTaobao, type FakeTradeInput } from '../fakes/channels/taobao';
import { type Backend, createTestDatabase } from '../support/databases';

const TARGET_S = 60;
const CHANNELS = ['douyin', 'taobao', 'jd'] as const;
const SKU_COUNT = 2_000;
const SPREAD_MS = 2 * 86_400_000;
/** The newest seeded order is this old: behind every adapter's lag (Taobao's is the longest, 2 minutes). */
const NEWEST_AGE_MS = 10 * 60_000;
const MAX_PASSES = 20;

const TAOBAO_SHOP = 'tmall-bench';
const TAOBAO_PLATFORM_PREFIX = 'tmall-platform-';
const JD = { appKey: 'jd-bench-app', secret: 'jd-bench-secret', token: 'jd-bench-token', vender: '10086001' };
const SHOPS: Record<Channel, string> = { douyin: '88880001', taobao: TAOBAO_SHOP, jd: JD.vender };

/** A small deterministic generator, so every run measures the same work. */
function random(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}
type Rng = ReturnType<typeof random>;
const int = (next: Rng, n: number) => Math.floor(next() * n);

const materialCode = (n: number) => `BRK-${String(n).padStart(4, '0')}`;
/** Every 40th SKU is sold under an outer code the plant maps with skuAliases. */
const aliasOf = (n: number) => `SHOP-${n}-A`;
function outerSku(next: Rng): string {
  const n = int(next, SKU_COUNT);
  if (n % 40 === 0) return aliasOf(n);
  return n % 7 === 0 ? materialCode(n).toLowerCase() : materialCode(n);
}

const fenToYuan = (fen: number) => `${Math.floor(fen / 100)}.${String(fen % 100).padStart(2, '0')}`;

/** China wall-clock "YYYY-MM-DD HH:mm:ss" of an instant. */
const wall = (ms: number) => new Date(ms + 8 * 3600_000).toISOString().slice(0, 19).replace('T', ' ');

/** Active rules spread over the three channels (as tests/bench/rules-bench.ts), scoped on the bench's SKUs. */
function benchRules(n: number, next: Rng, now: number): ChannelRule[] {
  return Array.from({ length: n }, (_, i): ChannelRule => {
    const channel = CHANNELS[i % 3]!;
    const skus = Array.from({ length: 1 + int(next, 20) }, () => materialCode(int(next, SKU_COUNT)));
    const percent = i % 4 === 0;
    return {
      code: `BENCH-${i}`,
      version: 1,
      label: `bench rule ${i}`,
      channel,
      shop: i % 5 === 0 ? null : i % 10 === 1 ? 'another-shop' : SHOPS[channel],
      skuScope: { include: i % 7 === 0 ? [] : skus, exclude: i % 13 === 0 ? [materialCode(int(next, SKU_COUNT))] : [] },
      conditions: { minSubtotalFen: int(next, 30_000) },
      benefit: percent
        ? { type: 'percent_off', basisPoints: 500 + int(next, 1500) }
        : { type: 'fixed_off', amountFen: 500 + int(next, 5000) },
      target: i % 3 === 0 ? 'item' : 'order',
      allocation: i % 6 === 0 ? 'each' : 'across',
      priority: int(next, 100),
      stackGroup: i % 2 === 0 ? `group-${i % 20}` : null,
      combinesWith: { item: true, order: i % 3 !== 0 },
      exclusiveWith: i % 11 === 0 ? [`BENCH-${(i + 3) % n}`] : [],
      stopFurther: i % 50 === 0,
      window: {
        from: wall(now - 60 * 86_400_000),
        to: wall(now + 60 * 86_400_000),
        basis: i % 9 === 0 ? 'create' : 'pay',
      },
      fundedBy: i % 4 === 1 ? 'platform' : 'shop',
      platformRef: null,
    };
  });
}

interface Line {
  sku: string;
  unitFen: number;
  quantity: number;
}

/** 1–4 lines (half the orders have one), unit prices 5–800 元. */
function orderLines(next: Rng): Line[] {
  const r = next();
  const count = r < 0.5 ? 1 : r < 0.8 ? 2 : r < 0.93 ? 3 : 4;
  return Array.from({ length: count }, () => ({
    sku: outerSku(next),
    unitFen: 500 + int(next, 79_500),
    quantity: 1 + (next() < 0.7 ? 0 : int(next, 5)),
  }));
}

/** Instants (ms) spread over the two days before `now − NEWEST_AGE_MS`. */
function instant(next: Rng, now: number): number {
  return now - NEWEST_AGE_MS - int(next, SPREAD_MS);
}

interface Platform {
  shop: ChannelShopConfig;
  env: NodeJS.ProcessEnv;
  stop(): Promise<void>;
}

const LOOKBACK_MS = SPREAD_MS + NEWEST_AGE_MS + 3600_000;

async function douyinPlatform(count: number, next: Rng, now: number): Promise<Platform> {
  const fake = new FakeDouyin();
  await fake.start();
  const base = 6_920_000_000_000_000_000n;
  let ids = 0;
  for (let i = 0; i < count; i++) {
    const at = Math.floor(instant(next, now) / 1000);
    fake.addOrder({
      orderId: String(base + BigInt(i) * 100n),
      status: next() < 0.6 ? 2 : 3,
      createTime: at - int(next, 600),
      payTime: at,
      updateTime: at,
      buyer: `open-${int(next, count / 3)}`,
      postFen: next() < 0.8 ? 0 : 800,
      lines: orderLines(next).map((line) => {
        const sum = line.unitFen * line.quantity;
        const cap = Math.floor(sum / 5);
        const coupon = (funder: 'shop' | 'platform') => ({
          funder,
          couponId: String(7_100_000_000_000 + ids++),
          couponType: funder === 'shop' ? 1 : 3,
          amountFen: 100 + int(next, cap),
        });
        return {
          outSkuId: line.sku,
          unitFen: line.unitFen,
          quantity: line.quantity,
          coupons: [...(next() < 0.3 ? [coupon('shop')] : []), ...(next() < 0.15 ? [coupon('platform')] : [])],
          fullDiscounts:
            next() < 0.1
              ? [
                  {
                    funder: 'platform' as const,
                    campaignId: String(8_100_000 + int(next, 50)),
                    campaignType: 100,
                    amountFen: 100 + int(next, cap),
                  },
                ]
              : [],
          campaigns:
            next() < 0.2
              ? [
                  {
                    campaignId: String(9_100_000 + int(next, 50)),
                    campaignType: 1,
                    subType: next() < 0.5 ? 0 : 1,
                    amountFen: 0,
                  },
                ]
              : [],
        };
      }),
    });
  }
  return {
    shop: fakeShopConfig(fake, { firstLookback: LOOKBACK_MS }),
    env: FAKE_ENV,
    stop: () => fake.stop(),
  };
}

async function taobaoPlatform(count: number, next: Rng, now: number): Promise<Platform> {
  const fake = new FakeTaobao({ clock: () => new Date(), seed: 20 });
  await fake.start();
  for (let i = 0; i < count; i++) {
    const at = instant(next, now);
    const lines = orderLines(next);
    // Trade-level discounts (at most about 30 元) only on trades whose goods keep the payment above zero.
    const big = lines.reduce((sum, line) => sum + line.unitFen * line.quantity, 0) >= 5_000;
    const promotions: NonNullable<FakeTradeInput['promotions']> = [];
    lines.forEach((line, j) => {
      if (next() < 0.3) {
        const off = 100 + int(next, Math.floor((line.unitFen * line.quantity) / 5));
        promotions.push({
          on: j,
          promotion_id: `Tmall$tmallItemPromotion-${int(next, 400)}_1`,
          discount_fee: fenToYuan(off),
        });
      }
    });
    if (big && next() < 0.25)
      promotions.push({ on: 'trade', promotion_id: `mjs-${100_000 + int(next, 200)}_1`, discount_fee: '10.00' });
    if (big && next() < 0.1) {
      promotions.push({ on: 'trade', promotion_id: `${TAOBAO_PLATFORM_PREFIX}${int(next, 20)}`, discount_fee: '5.00' });
    }
    fake.addTrade({
      status: next() < 0.6 ? 'WAIT_SELLER_SEND_GOODS' : 'WAIT_BUYER_CONFIRM_GOODS',
      created: chinaTime(at - int(next, 600_000)),
      pay_time: chinaTime(at - int(next, 60_000)),
      modified: chinaTime(at),
      buyer_open_uid: `AAH${int(next, count / 3)}buyer`,
      post_fee: next() < 0.8 ? '0.00' : '8.00',
      ...(big && next() < 0.15 ? { tmall_coupon_fee: 300 + int(next, 1000) } : {}),
      ...(big && next() < 0.05 ? { platform_subsidy_fee: '2.00' } : {}),
      lines: lines.map((line) => ({ outer_sku_id: line.sku, price: fenToYuan(line.unitFen), num: line.quantity })),
      promotions,
    });
  }
  return {
    shop: {
      channel: 'taobao',
      shop: TAOBAO_SHOP,
      name: 'Tmall bench shop',
      appKey: fake.appKey,
      secretEnv: 'TAOBAO_BENCH_SECRET',
      tokenEnv: 'TAOBAO_BENCH_SESSION',
      baseUrl: fake.url,
      pollEvery: 5 * 60_000,
      firstLookback: LOOKBACK_MS,
      signMethod: 'hmac',
      platformPromotionPrefixes: [TAOBAO_PLATFORM_PREFIX],
    },
    env: { TAOBAO_BENCH_SECRET: fake.secret, TAOBAO_BENCH_SESSION: fake.session },
    stop: () => fake.stop(),
  };
}

async function jdPlatform(count: number, next: Rng, now: number): Promise<Platform> {
  const fake = await new FakeJd({
    appKey: JD.appKey,
    secret: JD.secret,
    token: JD.token,
    venderId: JD.vender,
    now: () => new Date(),
    dailyQuota: 100_000_000,
  }).start();
  for (let i = 0; i < count; i++) {
    const at = instant(next, now);
    const orderId = String(3_100_000_000 + i);
    const lines = orderLines(next).map((line, j) => ({
      ...line,
      skuId: String(100_000_000 + int(next, 50_000) * 10 + j),
    }));
    const goods = lines.reduce((s, l) => s + l.unitFen * l.quantity, 0);
    const coupons: { orderId: string; skuId: string; couponType: string; couponPrice: string }[] = [];
    let shopOff = 0;
    let platformOff = 0;
    for (const line of lines) {
      if (next() < 0.3) {
        const off = 100 + int(next, Math.floor((line.unitFen * line.quantity) / 5));
        shopOff += off;
        coupons.push({ orderId, skuId: line.skuId, couponType: '30-单品促销优惠', couponPrice: fenToYuan(off) });
      }
    }
    if (next() < 0.2) {
      shopOff += 1000;
      coupons.push({ orderId, skuId: '', couponType: '100-店铺优惠', couponPrice: '10.00' });
    }
    if (next() < 0.1) {
      platformOff += 200;
      coupons.push({ orderId, skuId: '', couponType: '39-京豆优惠', couponPrice: '2.00' });
    }
    // Now and then a seller discount its coupons do not explain.
    const sellerDiscount = shopOff + (next() < 0.05 ? 500 : 0);
    const freight = next() < 0.8 ? 0 : 600;
    const paid = Math.max(0, goods + freight - sellerDiscount - platformOff);
    fake.put({
      orderId,
      orderTotalPrice: fenToYuan(goods),
      orderSellerPrice: fenToYuan(goods - sellerDiscount),
      orderPayment: fenToYuan(paid),
      freightPrice: fenToYuan(freight),
      sellerDiscount: fenToYuan(sellerDiscount),
      orderState: next() < 0.6 ? 'WAIT_SELLER_STOCK_OUT' : 'WAIT_GOODS_RECEIVE_CONFIRM',
      orderStartTime: chinaTime(at - int(next, 600_000)),
      paymentConfirmTime: chinaTime(at - int(next, 60_000)),
      modified: chinaTime(at),
      open_id_buyer: `jd-open-${int(next, count / 3)}`,
      itemInfoList: lines.map((line) => ({
        skuId: line.skuId,
        outerSkuId: line.sku,
        skuName: 'brake pad',
        jdPrice: fenToYuan(line.unitFen),
        itemTotal: String(line.quantity),
        wareId: String(9_000_000 + int(next, 5000)),
      })),
      couponDetailList: coupons,
    });
  }
  return {
    shop: {
      channel: 'jd',
      shop: JD.vender,
      name: 'JD bench shop',
      appKey: JD.appKey,
      secretEnv: 'JD_BENCH_SECRET',
      tokenEnv: 'JD_BENCH_TOKEN',
      baseUrl: fake.url,
      pollEvery: 5 * 60_000,
      firstLookback: LOOKBACK_MS,
    },
    env: { JD_BENCH_SECRET: JD.secret, JD_BENCH_TOKEN: JD.token },
    stop: () => fake.stop(),
  };
}

const PLATFORMS: Record<Channel, (count: number, next: Rng, now: number) => Promise<Platform>> = {
  douyin: douyinPlatform,
  taobao: taobaoPlatform,
  jd: jdPlatform,
};

/** Where the wall time goes: platform calls in flight, pollOrders as a whole; the orders it returned. */
class Phases {
  httpMs = 0;
  httpCalls = 0;
  pollMs = 0;
  readonly copies: ReceivedOrder[] = [];
  private inFlight = 0;
  private since = 0;

  fetch: typeof fetch = async (input, init) => {
    if (this.inFlight++ === 0) this.since = performance.now();
    this.httpCalls++;
    try {
      return await fetch(input, init);
    } finally {
      if (--this.inFlight === 0) this.httpMs += performance.now() - this.since;
    }
  };

  wrap(adapter: ChannelAdapter): ChannelAdapter {
    const pullMessages = adapter.pullMessages;
    return {
      channel: adapter.channel,
      shop: adapter.shop,
      pollOrders: async (cursor, now) => {
        const started = performance.now();
        try {
          const page = await adapter.pollOrders(cursor, now);
          this.copies.push(...page.orders);
          return page;
        } finally {
          this.pollMs += performance.now() - started;
        }
      },
      fetchOrder: (orderId) => adapter.fetchOrder(orderId),
      pollSettlements: (cursor, now) => adapter.pollSettlements(cursor, now),
      ...(pullMessages ? { pullMessages: (max: number) => pullMessages.call(adapter, max) } : {}),
    };
  }
}

/** 2,000 materials (the SKUs' codes) and the aliases of the SKUs sold under another outer code. */
async function seedMaterials(db: Database) {
  const rows = Array.from({ length: SKU_COUNT }, (_, n) => ({
    code: materialCode(n),
    name: `brake pad ${n}`,
    line: `L${n % 4}`,
    mould: `M-${n % 50}`,
  }));
  for (let i = 0; i < rows.length; i += 500) await db.insert(materials).values(rows.slice(i, i + 500));
  const aliases: Record<string, string> = {};
  for (let n = 0; n < SKU_COUNT; n += 40) aliases[aliasOf(n)] = materialCode(n);
  return aliases;
}

const fmt = (n: number) => (n >= 100 ? n.toFixed(0) : n.toFixed(2));

async function benchChannel(backend: Backend, channel: Channel, count: number, ruleCount: number): Promise<boolean> {
  const database = await createTestDatabase(backend, { poolSize: 4 });
  const db = database.db;
  let platform: Platform | null = null;
  try {
    const now = Date.now();
    const next = random(20_260_224 + CHANNELS.indexOf(channel as (typeof CHANNELS)[number]));
    const aliases = await seedMaterials(db);
    // A budget on every 25th rule, so the pass reads the rules' usage as it would in production.
    await saveRuleSheet(
      db,
      benchRules(ruleCount, next, now).map((rule, i) => ({
        rule,
        status: 'active' as const,
        budget: i % 25 === 0 ? { type: 'usage' as const, limit: 10_000_000 } : null,
      })),
      { source: 'bench', now: new Date(now) },
    );
    await db.execute(sql`analyze`);
    const seedStarted = performance.now();
    platform = await PLATFORMS[channel](count, next, now);
    const seededIn = (performance.now() - seedStarted) / 1000;
    const base = loadBusinessConfig();
    const config: BusinessConfig = {
      ...base,
      channels: { ...base.channels, shops: [platform.shop], skuAliases: aliases },
    };
    const phases = new Phases();
    const adapters = [phases.wrap(channelAdapter(platform.shop, platform.env, { fetch: phases.fetch }))];
    const log = pino({ level: 'silent' });

    const cpu = process.cpuUsage();
    const started = performance.now();
    let passes = 0;
    let caughtUp = false;
    const errors: string[] = [];
    while (!caughtUp && passes < MAX_PASSES) {
      passes++;
      const [result] = await runChannelIntake({
        db,
        adapters,
        config,
        now: () => new Date(),
        log,
        maxPages: 1_000_000,
      });
      if (result?.error) errors.push(result.error);
      const [cursor] = await db
        .select({ caughtUpAt: channelCursors.caughtUpAt })
        .from(channelCursors)
        .where(
          and(
            eq(channelCursors.channel, channel),
            eq(channelCursors.shop, platform.shop.shop),
            eq(channelCursors.kind, 'orders'),
          ),
        );
      caughtUp = cursor?.caughtUpAt != null;
    }
    const seconds = (performance.now() - started) / 1000;
    const used = process.cpuUsage(cpu);
    const cpuMs = (used.user + used.system) / 1000;

    const [stored] = await queryRows<{ n: number; unevaluated: number }>(
      db,
      sql`select count(*)::int as n, count(*) filter (where evaluation is null)::int as unevaluated
          from channel_orders where channel = ${channel}`,
    );
    const [applied] = await queryRows<{ n: number; evaluationBytes: number; bodyBytes: number }>(
      db,
      sql`select coalesce(sum(jsonb_array_length(evaluation->'applied')), 0)::int as n,
                 coalesce(avg(octet_length(evaluation::text)), 0)::int as "evaluationBytes",
                 coalesce(avg(octet_length(body::text)), 0)::int as "bodyBytes"
          from channel_orders where channel = ${channel}`,
    );

    // The SKU mapping and rule evaluation alone, on the orders the pass read (as the intake prepares them).
    const evaluate = await channelRuleEvaluator(db);
    const codes = await materialCodes(db);
    const evalStarted = performance.now();
    for (const copy of phases.copies) evaluate({ ...copy, order: mapOuterSkus(copy.order, aliases, codes) });
    const evalMs = performance.now() - evalStarted;

    const met = seconds < TARGET_S;
    console.log(
      `channels: channel=${channel} db=${backend} orders=${stored!.n} seconds=${seconds.toFixed(1)} ` +
        `orders_per_s=${Math.round(stored!.n / seconds)} cpu_ms_per_order=${(cpuMs / Math.max(1, stored!.n)).toFixed(3)} ` +
        `target=${TARGET_S}s met=${met ? 'yes' : 'no'}`,
    );
    const wallMs = seconds * 1000;
    console.log(
      `  ${passes} pass(es), ${phases.httpCalls} platform calls, ${phases.copies.length} copies read, ` +
        `${(applied!.n / Math.max(1, stored!.n)).toFixed(2)} rules applied per order, stored evaluation ${applied!.evaluationBytes} ` +
        `bytes and body ${applied!.bodyBytes} bytes per order on average, seeded in ${fmt(seededIn)} s; ` +
        `wall: platform calls in flight ${fmt(phases.httpMs / 1000)} s, rest of pollOrders ${fmt((phases.pollMs - phases.httpMs) / 1000)} s, ` +
        `rest of the intake ${fmt((wallMs - phases.pollMs) / 1000)} s (SKU mapping + rule evaluation alone: ${fmt(evalMs / 1000)} s); ` +
        `process CPU ${fmt(cpuMs / 1000)} s`,
    );
    let ok = true;
    if (errors.length > 0) console.log(`  intake errors: ${[...new Set(errors)].join(' | ')}`);
    if (!caughtUp) {
      console.log(`  FAILED: the orders cursor did not catch up in ${MAX_PASSES} passes`);
      ok = false;
    }
    if (stored!.n !== count) {
      console.log(`  FAILED: ${stored!.n} orders stored, ${count} seeded`);
      ok = false;
    }
    if (stored!.unevaluated > 0) {
      console.log(`  FAILED: ${stored!.unevaluated} stored orders have no evaluation`);
      ok = false;
    }
    return ok && met;
  } finally {
    await platform?.stop();
    await database.close();
  }
}

/** Every channel on one backend; false when a check failed or a channel missed the target. */
export async function benchChannelImport(backend: Backend): Promise<boolean> {
  const count = Number(process.env.BENCH_CHANNEL_ORDERS ?? 30_000);
  const ruleCount = Number(process.env.BENCH_CHANNEL_RULES ?? 500);
  console.log(
    `channel import on ${backend}: ${count} orders per channel over the last two days, ${ruleCount} active rules ` +
      `(three channels), target < ${TARGET_S} s per channel. The fake platforms run in this process: their CPU ` +
      `counts in cpu_ms_per_order${backend === 'pglite' ? ', as does PGlite' : " (PostgreSQL's server CPU does not)"}.`,
  );
  const only = process.env.BENCH_CHANNELS?.split(',').map((c) => c.trim());
  let ok = true;
  for (const channel of CHANNELS.filter((c) => !only || only.includes(c))) {
    ok = (await benchChannel(backend, channel, count, ruleCount)) && ok;
  }
  return ok;
}
