/**
 * npm run bench -- rules: channel promotion rules evaluated on canonical orders (domain/channels/rules.ts),
 * BENCH_RULE_ORDERS orders (default 20,000) against BENCH_RULES active rules (default 500) spread over three
 * channels, ten shops and 2,000 SKUs: thresholds, percent and fixed discounts, stack groups, exclusions and
 * stop-further. Target (issue 20): at least 20,000 orders/s with the compiled pool (domain/channels/rule-pool.ts),
 * every order against all 500 rules (the pool's own channel/shop index does the narrowing). The reference
 * evaluateRules is measured too, on a tenth of the orders, for comparison.
 */
import { performance } from 'node:perf_hooks';
import type { ChannelOrder } from '../../domain/channels/order';
import { compileRulePool } from '../../domain/channels/rule-pool';
import { type ChannelRule, evaluateRules, type RuleEvaluation } from '../../domain/channels/rules';

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

function measure(
  label: string,
  batch: ChannelOrder[],
  ruleCount: number,
  evaluate: (order: ChannelOrder) => RuleEvaluation,
): number {
  for (const order of batch.slice(0, 1000)) evaluate(order);
  let applied = 0;
  const started = performance.now();
  for (const order of batch) applied += evaluate(order).applied.length;
  const seconds = (performance.now() - started) / 1000;
  const perSecond = batch.length / seconds;
  console.log(
    `${label}: ${batch.length} orders × ${ruleCount} rules in ${seconds.toFixed(2)} s: ` +
      `${Math.round(perSecond)} orders/s (${(applied / batch.length).toFixed(2)} rules applied per order)`,
  );
  return perSecond;
}

export function benchRules(): boolean {
  const next = random(20_260_224);
  const ruleList = rules(Number(process.env.BENCH_RULES ?? 500), next);
  const batch = orders(Number(process.env.BENCH_RULE_ORDERS ?? 20_000), next);
  const compileStarted = performance.now();
  const pool = compileRulePool(ruleList);
  console.log(`rule pool: ${ruleList.length} rules compiled in ${(performance.now() - compileStarted).toFixed(1)} ms`);
  // The same results, checked on a sample before timing anything.
  for (const order of batch.slice(0, 200)) {
    if (JSON.stringify(pool.evaluate(order)) !== JSON.stringify(evaluateRules(order, ruleList))) {
      throw new Error(`rule pool and evaluateRules differ on order ${order.orderId}`);
    }
  }
  const perSecond = measure('rule evaluation (compiled pool)', batch, ruleList.length, (o) => pool.evaluate(o));
  // The reference function is slow: measured on a tenth of the batch, for comparison only.
  measure(
    'rule evaluation (evaluateRules, reference)',
    batch.slice(0, Math.max(1000, Math.floor(batch.length / 10))),
    ruleList.length,
    (o) => evaluateRules(o, ruleList),
  );
  console.log(
    `rule evaluation target ≥ ${TARGET_PER_S} orders/s (compiled pool): ${perSecond >= TARGET_PER_S ? 'met' : 'NOT met'}`,
  );
  return perSecond >= TARGET_PER_S;
}
