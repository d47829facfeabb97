/**
 * A seeded synthetic plant history with KNOWN causes, for testing the risk models honestly (research/risk.md §0).
 *
 * `generateRiskHistory(options)` returns orders spread uniformly over `months` (default 18) from `start`, for
 * `customers` (default 150, order frequency skewed like a real plant's) and `materials` (default 60), each entry with
 * its outcome and `truth`: the TRUE probabilities the labels were drawn from. With the truth, a test knows the best
 * AUC any model could reach on that sample (the "oracle").
 *
 * Planted causes of lateness (logit scale, on a base of about −3.2):
 * - mould in repair: +2.4 (strong); mould worn and a large quantity (> 2× the material's typical): +0.8;
 * - a tight promise: +0.3 per day the promised lead is shorter than the material's usual lead (capped at 8 days);
 * - line load hinge: +10 × (load − 0.9) above 0.9;
 * - a season: three "season materials" ordered in January/February before the Spring Festival: +1.5;
 * - a hidden per-customer propensity: normal, sd 0.8 (what the customer's past late rate reveals);
 * - expedite: +0.3.
 * Planted causes of complaints: the `damageHabitCustomers` (default 2) get packaging damage with p = 0.45; everyone
 * else 0.012; other complaints (dimension/surface/other) 0.025, +0.04 with a worn mould, +0.03 on a first order of a
 * material, +0.02 on a sample. A quarter of complaints are returns.
 * Outcomes: lateness known at delivery (late: 1–8 days after the promise, on time: up to 3 days before);
 * complaints arrive 1 to `complaintWindowDays − 1` days after delivery.
 * `noSignal`: every order gets the same probabilities (default late 0.1, complaint 0.06): nothing to learn.
 */

import {
  chinaMonth,
  DAY_MS,
  type MouldStatus,
  type RiskComplaint,
  type RiskHistoryEntry,
  type RiskOrder,
  type RiskOutcome,
  springFestivalStart,
} from './features';
import { seededRandom } from './random';

export interface GenerateOptions {
  seed?: number;
  /** Number of orders (default 20,000). */
  orders?: number;
  months?: number;
  customers?: number;
  materials?: number;
  /** First instant of the history (default 2025-03-01 00:00 China). */
  start?: Date;
  complaintWindowDays?: number;
  damageHabitCustomers?: number;
  /** Which customers (0-based, most frequent first) have the damage habit; overrides `damageHabitCustomers`. */
  damageHabitIndexes?: readonly number[];
  /** true: constant probabilities (late 0.1, complaint 0.06), or give them. */
  noSignal?: boolean | { late: number; complaint: number };
}

export interface GeneratedEntry extends RiskHistoryEntry {
  outcome: RiskOutcome;
  /** The probabilities the labels were drawn from. */
  truth: { late: number; complaint: number };
}

export interface GeneratedHistory {
  entries: GeneratedEntry[];
  start: Date;
  end: Date;
  complaintWindowDays: number;
  seasonMaterials: string[];
  damageHabitCustomers: string[];
}

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

function addMonths(date: Date, months: number): Date {
  const d = new Date(date.getTime());
  d.setUTCMonth(d.getUTCMonth() + months);
  return d;
}

export function generateRiskHistory(options: GenerateOptions = {}): GeneratedHistory {
  const random = seededRandom(options.seed ?? 1);
  const n = options.orders ?? 20_000;
  const months = options.months ?? 18;
  const customerCount = options.customers ?? 150;
  const materialCount = options.materials ?? 60;
  const start = options.start ?? new Date('2025-03-01T00:00:00+08:00');
  const end = addMonths(start, months);
  const window = options.complaintWindowDays ?? 30;
  const noSignal =
    options.noSignal === true ? { late: 0.1, complaint: 0.06 } : options.noSignal ? options.noSignal : null;
  const span = end.getTime() - start.getTime();
  const weeks = Math.ceil(span / (7 * DAY_MS)) + 20;
  const days = Math.ceil(span / DAY_MS) + 80;

  // Materials: usual lead, purchase lead, typical quantity, popularity, a mould whose status walks week by week.
  const materials = Array.from({ length: materialCount }, (_, m) => {
    const status: MouldStatus[] = [];
    let s: MouldStatus = random.next() < 0.8 ? 'ok' : 'worn';
    for (let w = 0; w < weeks; w++) {
      const u = random.next();
      if (s === 'ok') s = u < 0.06 ? 'worn' : 'ok';
      else if (s === 'worn') s = u < 0.1 ? 'repair' : u < 0.15 ? 'ok' : 'worn';
      else s = u < 0.4 ? 'ok' : 'repair';
      status.push(s);
    }
    return {
      name: `MAT${String(m + 1).padStart(2, '0')}`,
      mould: `#${m + 1}`,
      usualLead: 8 + random.int(17),
      purchaseLead: random.int(16),
      scale: Math.exp(Math.log(2000) + 0.7 * random.normal()),
      weight: 1 / (m + 3) ** 0.9,
      status,
    };
  });
  const seasonMaterials = [...new Set([1, 4, 9].map((i) => materials[i % materialCount]!.name))];
  const pickWeighted = <T extends { weight: number }>(list: readonly T[], total: number): T => {
    let u = random.next() * total;
    for (const item of list) {
      u -= item.weight;
      if (u <= 0) return item;
    }
    return list[list.length - 1]!;
  };
  const materialTotal = materials.reduce((s, m) => s + m.weight, 0);

  const habitIndexes = new Set(
    options.damageHabitIndexes ?? [7, 19, 31, 43].slice(0, options.damageHabitCustomers ?? 2),
  );
  const customers = Array.from({ length: customerCount }, (_, c) => {
    const favourites = Array.from({ length: 2 + random.int(5) }, () => pickWeighted(materials, materialTotal));
    return {
      name: `C${String(c + 1).padStart(3, '0')}`,
      weight: 1 / (c + 5) ** 0.8,
      propensity: 0.8 * random.normal(),
      habit: habitIndexes.has(c),
      favourites,
    };
  });
  const customerTotal = customers.reduce((s, c) => s + c.weight, 0);

  // Daily line load: a yearly wave plus an AR(1) wander.
  const load: number[] = [];
  let wander = 0;
  for (let d = 0; d < days; d++) {
    wander = 0.9 * wander + 0.05 * random.normal();
    load.push(0.78 + 0.08 * Math.sin((2 * Math.PI * d) / 365) + wander);
  }

  const times = Array.from({ length: n }, () => start.getTime() + random.next() * span).sort((a, b) => a - b);
  const seen = new Set<string>();
  const entries: GeneratedEntry[] = times.map((t, i) => {
    const customer = pickWeighted(customers, customerTotal);
    const material =
      random.next() < 0.85
        ? customer.favourites[random.int(customer.favourites.length)]!
        : pickWeighted(materials, materialTotal);
    const createdAt = new Date(t);
    const sample = random.next() < 0.08;
    const quantity = sample
      ? 10 + random.int(190)
      : Math.max(50, Math.round(material.scale * Math.exp(0.8 * random.normal())));
    const expedite = random.next() < 0.08;
    const promisedDays = Math.max(3, material.usualLead + Math.round(3.5 * random.normal()) - (expedite ? 5 : 0));
    const promisedAt = new Date(t + promisedDays * DAY_MS);
    const day = Math.floor((t - start.getTime()) / DAY_MS);
    let loadSum = 0;
    for (let d = day; d <= day + promisedDays; d++) loadSum += load[d]!;
    const lineLoad = Math.min(1.3, Math.max(0.3, loadSum / (promisedDays + 1)));
    const mouldStatus = material.status[Math.floor((t - start.getTime()) / (7 * DAY_MS))]!;
    const key = `${customer.name}|${material.name}`;
    const firstOfMaterial = !seen.has(key);
    seen.add(key);
    const order: RiskOrder = {
      id: `O${String(i + 1).padStart(6, '0')}`,
      customer: customer.name,
      material: material.name,
      quantity,
      kind: sample ? 'sample' : 'batch',
      createdAt,
      promisedAt,
      expedite,
      lineLoad,
      mouldStatus,
      mould: material.mould,
      purchaseLeadDays: Math.max(0, material.purchaseLead + random.int(5) - 2),
      usualLeadDays: material.usualLead,
    };

    const { year, month } = chinaMonth(createdAt);
    const festival = springFestivalStart(year);
    const season = seasonMaterials.includes(material.name) && month <= 2 && festival !== null && t < festival.getTime();
    const shortDays = Math.min(8, Math.max(0, material.usualLead - promisedDays));
    const lateLogit =
      -3.2 +
      (mouldStatus === 'repair' ? 2.4 : 0) +
      (mouldStatus === 'worn' && quantity > 2 * material.scale ? 0.8 : 0) +
      0.3 * shortDays +
      10 * Math.max(0, lineLoad - 0.9) +
      (season ? 1.5 : 0) +
      customer.propensity +
      (expedite ? 0.3 : 0);
    const pPackaging = customer.habit ? 0.45 : 0.012;
    const pOther = 0.025 + (mouldStatus === 'worn' ? 0.04 : 0) + (firstOfMaterial ? 0.03 : 0) + (sample ? 0.02 : 0);
    const truth = noSignal
      ? { late: noSignal.late, complaint: noSignal.complaint }
      : { late: sigmoid(lateLogit), complaint: 1 - (1 - pPackaging) * (1 - pOther) };

    const late = random.next() < truth.late;
    const deliveredAt = late
      ? new Date(promisedAt.getTime() + (1 + random.int(8)) * DAY_MS + random.int(8) * 3_600_000)
      : new Date(Math.max(t + DAY_MS, promisedAt.getTime() - random.int(4) * DAY_MS));
    const complaints: RiskComplaint[] = [];
    const complaintAt = () => new Date(deliveredAt.getTime() + (1 + random.next() * (window - 2)) * DAY_MS);
    if (random.next() < truth.complaint) {
      // Which kind: packaging in proportion to its share of the probability.
      const packaging = noSignal ? random.next() < 0.3 : random.next() < pPackaging / (pPackaging + pOther);
      const kinds = ['dimension', 'surface', 'other'] as const;
      complaints.push({
        kind: packaging ? 'packaging' : kinds[random.int(3)]!,
        at: complaintAt(),
        returned: random.next() < 0.25,
      });
    }
    if (late && random.next() < 0.2) complaints.push({ kind: 'late', at: complaintAt() });
    complaints.sort((a, b) => a.at.getTime() - b.at.getTime());
    return { order, outcome: { late, deliveredAt, complaints }, truth };
  });

  return {
    entries,
    start,
    end,
    complaintWindowDays: window,
    seasonMaterials,
    damageHabitCustomers: customers.filter((c) => c.habit).map((c) => c.name),
  };
}
