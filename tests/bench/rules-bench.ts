/**
 * npm run bench -- rules: channel promotion rules evaluated on canonical orders (domain/channels/rules.ts),
 * BENCH_RULE_ORDERS orders (default 20,000) against BENCH_RULES active rules (default 500) spread over three
 * channels, ten shops and 2,000 SKUs: thresholds, percent and fixed discounts, stack groups, exclusions and
 * stop-further. Target (issue 20): at least 20,000 orders/s. Orders are evaluated against all rules of the
 * pool, as the CLI does; narrowing the pool by channel and shop first is left to the caller.
 */
import { performance } from 'node:perf_hooks';
import type { ChannelOrder } from '../../domain/channels/order';
import { type ChannelRule, evaluateRules } from '../../domain/channels/rules';

const TARGET_PER_S = 20_000;
const CHANNELS = ['douyin', 'taobao', 'jd'] as const;

/** A small deterministic generator, so every run measures the same work. */
function random(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function rules(n: number, next: () => number): ChannelRule[] {
  return Array.from({ length: n }, (_, i): ChannelRule => {
    const channel = CHANNELS[i % 3]!;
    const skus = Array.from({ length: 1 + Math.floor(next() * 20) }, () => `SKU-${Math.floor(next() * 2000)}`);
    const percent = i % 4 === 0;
    return {
      code: `R-${i}`,
      version: 1,
      label: `rule ${i}`,
      channel,
      shop: i % 5 === 0 ? null : `shop-${i % 10}`,
      skuScope: { include: i % 7 === 0 ? [] : skus, exclude: [] },
      conditions: { minSubtotalFen: Math.floor(next() * 30_000) },
      benefit: percent
        ? { type: 'percent_off', basisPoints: 500 + Math.floor(next() * 1500) }
        : { type: 'fixed_off', amountFen: 500 + Math.floor(next() * 5000) },
      target: i % 3 === 0 ? 'item' : 'order',
      allocation: i % 6 === 0 ? 'each' : 'across',
      priority: Math.floor(next() * 100),
      stackGroup: i % 2 === 0 ? `group-${i % 20}` : null,
      combinesWith: { item: true, order: i % 3 !== 0 },
      exclusiveWith: i % 11 === 0 ? [`R-${(i + 3) % n}`] : [],
      stopFurther: i % 50 === 0,
      window: { from: '2026-01-01 00:00:00', to: '2026-07-01 00:00:00', basis: 'pay' },
      fundedBy: i % 4 === 1 ? 'platform' : 'shop',
      platformRef: null,
    };
  });
}

function orders(n: number, next: () => number): ChannelOrder[] {
  return Array.from({ length: n }, (_, i): ChannelOrder => {
    const at = new Date(Date.UTC(2026, 0, 1) + Math.floor(next() * 170 * 86_400_000)).toISOString();
    return {
      channel: CHANNELS[i % 3]!,
      shop: `shop-${i % 10}`,
      orderId: `O-${i}`,
      buyerKey: `B-${i % 5000}`,
      createdAt: at,
      paidAt: at,
      lines: Array.from({ length: 1 + Math.floor(next() * 4) }, () => ({
        sku: `SKU-${Math.floor(next() * 2000)}`,
        quantity: 1 + Math.floor(next() * 5),
        unitPriceFen: 100 + Math.floor(next() * 50_000),
        discounts: [],
      })),
      discounts: [],
      totals: { freightFen: 0, paidFen: 0 },
    };
  });
}

export function benchRules(): boolean {
  const next = random(20_260_224);
  const pool = rules(Number(process.env.BENCH_RULES ?? 500), next);
  const batch = orders(Number(process.env.BENCH_RULE_ORDERS ?? 20_000), next);
  for (const order of batch.slice(0, 1000)) evaluateRules(order, pool);
  let applied = 0;
  const started = performance.now();
  for (const order of batch) applied += evaluateRules(order, pool).applied.length;
  const seconds = (performance.now() - started) / 1000;
  const perSecond = batch.length / seconds;
  console.log(
    `rule evaluation: ${batch.length} orders × ${pool.length} rules in ${seconds.toFixed(2)} s: ` +
      `${Math.round(perSecond)} orders/s (${(applied / batch.length).toFixed(2)} rules applied per order) — ` +
      `target ≥ ${TARGET_PER_S}: ${perSecond >= TARGET_PER_S ? 'met' : 'NOT met'}`,
  );
  return perSecond >= TARGET_PER_S;
}
