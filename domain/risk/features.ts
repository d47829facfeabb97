/**
 * The risk models' features: what the plant knew about an order AT THE TIME IT WAS CREATED.
 *
 * Input: a history of orders (`RiskHistoryEntry`: a `RiskOrder` and, once known, its `RiskOutcome`). Nothing here
 * reads a clock, a database or a text: the caller passes the history and the order.
 *
 * As-of rule (what keeps the backtest honest): the features of an order created at time t use only
 * - other orders of the history created strictly before t (counts of recent orders, first order of a material);
 * - lateness outcomes with `deliveredAt` strictly before t (the outcome becomes known at delivery);
 * - complaint outcomes of orders whose complaint window (`complaintWindowDays` after delivery, default 30) had
 *   closed before t, counting the complaints made within that window.
 * The order itself (same id) is never part of its own history. So adding later orders, later deliveries or later
 * complaints to the history never changes an order's features (tests/domain/risk-features.property.test.ts).
 *
 * Two steps:
 * 1. `riskFactsAsOf(order, history)` (or `indexRiskHistory(history)` once, then `riskFacts(order, index)` for many
 *    orders) gives `RiskFacts`: raw, human-meaningful evidence (counts, days, rates). Explanations quote these.
 * 2. `encodeFacts(facts, spec)` turns facts into the standardised numeric vector a model reads, by a `FeatureSpec`
 *    learned on training facts with `fitFeatureSpec(facts)`. The spec is plain JSON (stored in risk_models.feature_spec).
 *
 * Features (`BASE_FEATURES`, then one column per frequent material and 'mat_other'):
 * - customer: smoothed past late rate (Bayesian: (late + 4 × plant rate) ÷ (known + 4)), late last time, no history
 *   yet, log(1 + orders in the last 90 days), packaging damage and returns among the last k = 3 orders with a closed
 *   complaint window, smoothed packaging-damage rate;
 * - order/product: material (smoothed late rate, and one-hot), log(1 + quantity), promised lead − usual lead (days)
 *   and its shortfall max(0, usual − promised), sample, expedite, first order of this material for this customer;
 * - plant: line load and its hinge max(0, load − 0.9), mould worn / in repair, purchase lead days;
 * - calendar: month (sine, cosine), days to the Spring Festival (capped at 120), within 45 days before it, the
 *   promised window spans it.
 *
 * Calendar: months are China wall-clock months (UTC+08:00); the Spring Festival dates are a table (2020–2035).
 * Bad input (a promise before creation, a negative or non-finite quantity, load or lead, an invalid date, a
 * delivery before creation, a duplicate id) is refused with a RangeError.
 */

export type MouldStatus = 'ok' | 'worn' | 'repair';
export type RiskOrderKind = 'sample' | 'batch';
export type RiskComplaintKind = 'packaging' | 'dimension' | 'surface' | 'late' | 'other';

/** An order as the risk model sees it: everything known when it was created. */
export interface RiskOrder {
  id: string;
  customer: string;
  material: string;
  /** Pieces (any positive number; the model reads log(1 + quantity)). */
  quantity: number;
  kind: RiskOrderKind;
  createdAt: Date;
  promisedAt: Date;
  expedite: boolean;
  /** Booked load ÷ capacity of the line over the promised window (0.8 = 80%), as known at creation. */
  lineLoad: number;
  mouldStatus: MouldStatus;
  /** The mould's label (e.g. '#3'), quoted by explanations; optional. */
  mould?: string;
  /** Days to buy the material in (0 when in stock). */
  purchaseLeadDays: number;
  /** The material's usual lead days (the plant's standard for it). */
  usualLeadDays: number;
}

export interface RiskComplaint {
  kind: RiskComplaintKind;
  at: Date;
  /** Goods came back (a return), whatever the complaint's kind. */
  returned?: boolean;
}

/** What happened to an order; present only once the order is delivered. */
export interface RiskOutcome {
  /** Delivered after promisedAt. */
  late: boolean;
  /** When it was delivered: the lateness outcome is known from this instant. */
  deliveredAt: Date;
  /** Complaints and returns, each known from its own `at`. */
  complaints: readonly RiskComplaint[];
}

export interface RiskHistoryEntry {
  order: RiskOrder;
  /** null while the order is not delivered. */
  outcome: RiskOutcome | null;
}

/** Raw evidence about an order as of its creation. Rates are smoothed; counts are raw (quoted in explanations). */
export interface RiskFacts {
  orderId: string;
  customer: string;
  material: string;
  mould: string | null;
  /** The plant's late rate over all outcomes known before the order (smoothed towards DEFAULT_PLANT_LATE_RATE). */
  plantLateRate: number;
  /** The customer's orders with a known lateness outcome, and how many of them were late. */
  customerKnownOrders: number;
  customerLateOrders: number;
  /** (late + priorStrength × plantLateRate) ÷ (known + priorStrength). */
  customerLateRate: number;
  /** Was the customer's most recently delivered order late? null when none delivered yet. */
  lateLastTime: boolean | null;
  /** The plant's complaint rate over orders whose complaint window had closed (smoothed towards DEFAULT_PLANT_COMPLAINT_RATE). */
  plantComplaintRate: number;
  /** The customer's orders whose complaint window had closed before this order, and how many had a complaint / packaging damage. */
  customerClosedOrders: number;
  customerComplainedOrders: number;
  /** (complained + priorStrength × plantComplaintRate) ÷ (closed + priorStrength): the complaint baseline's score. */
  customerComplaintRate: number;
  customerDamagedOrders: number;
  /** Packaging damage rate, smoothed the same way towards the plant's damage rate. */
  customerDamageRate: number;
  /** The customer's orders created in the 90 days before this one. */
  ordersLast90Days: number;
  /** The customer's last k orders with a closed complaint window (k = RECENT_ORDERS): how many (≤ k), and how many had packaging damage / a return. */
  recentOrders: number;
  recentDamaged: number;
  recentReturned: number;
  /** The material's smoothed late rate (same smoothing as the customer's). */
  materialKnownOrders: number;
  materialLateRate: number;
  quantity: number;
  promisedLeadDays: number;
  usualLeadDays: number;
  /** promisedLeadDays − usualLeadDays: negative when the promise is tighter than usual. */
  leadSlackDays: number;
  sample: boolean;
  expedite: boolean;
  /** No earlier order of this material by this customer. */
  firstOfMaterial: boolean;
  lineLoad: number;
  mouldStatus: MouldStatus;
  purchaseLeadDays: number;
  /** China wall-clock month 1–12 of creation. */
  month: number;
  /** Whole days from the creation date (China) to the next Spring Festival (0 on the day); null beyond the table. */
  daysToSpringFestival: number | null;
  /** A Spring Festival day falls between creation and the promised date. */
  spansSpringFestival: boolean;
}

export const DAY_MS = 86_400_000;
/** k: how many of the customer's last delivered orders the damage/return counts look at. */
export const RECENT_ORDERS = 3;
/** The plant's late rate assumed before any outcome is known. */
export const DEFAULT_PLANT_LATE_RATE = 0.1;
/** The plant's complaint rate assumed before any outcome is known. */
export const DEFAULT_PLANT_COMPLAINT_RATE = 0.05;
/** The plant's packaging-damage rate assumed before any outcome is known. */
export const DEFAULT_PLANT_DAMAGE_RATE = 0.02;
/** Days after delivery in which a complaint counts; the complaint outcome is known once they have passed. */
export const DEFAULT_COMPLAINT_WINDOW_DAYS = 30;
/** Weight (in orders) of the prior in the smoothed customer and material rates. */
export const DEFAULT_PRIOR_STRENGTH = 4;
/** Days before the Spring Festival counted as the pre-festival rush. */
export const PRE_FESTIVAL_DAYS = 45;
const CHINA_OFFSET_MS = 8 * 3_600_000;

/** Spring Festival (lunar new year's day), China dates, 2020–2035. */
export const SPRING_FESTIVAL: Readonly<Record<number, string>> = {
  2020: '2020-01-25',
  2021: '2021-02-12',
  2022: '2022-02-01',
  2023: '2023-01-22',
  2024: '2024-02-10',
  2025: '2025-01-29',
  2026: '2026-02-17',
  2027: '2027-02-06',
  2028: '2028-01-26',
  2029: '2029-02-13',
  2030: '2030-02-03',
  2031: '2031-01-23',
  2032: '2032-02-11',
  2033: '2033-01-31',
  2034: '2034-02-19',
  2035: '2035-02-08',
};

/** Midnight (China) of the Spring Festival of `year`, as an instant; null outside the table. */
export function springFestivalStart(year: number): Date | null {
  const date = SPRING_FESTIVAL[year];
  return date ? new Date(`${date}T00:00:00+08:00`) : null;
}

/** China wall-clock month (1–12) and year of an instant. */
export function chinaMonth(instant: Date): { year: number; month: number } {
  const shifted = new Date(instant.getTime() + CHINA_OFFSET_MS);
  return { year: shifted.getUTCFullYear(), month: shifted.getUTCMonth() + 1 };
}

/** Start of the China calendar day containing `instant`, as an instant. */
function chinaDayStart(instant: Date): number {
  const shifted = instant.getTime() + CHINA_OFFSET_MS;
  return shifted - (((shifted % DAY_MS) + DAY_MS) % DAY_MS) - CHINA_OFFSET_MS;
}

/** Whole days from the China date of `instant` to the next Spring Festival (0 on the day); null beyond the table. */
export function daysToSpringFestival(instant: Date): number | null {
  const day = chinaDayStart(instant);
  const { year } = chinaMonth(instant);
  for (const y of [year, year + 1]) {
    const festival = springFestivalStart(y);
    if (festival && festival.getTime() >= day) return Math.round((festival.getTime() - day) / DAY_MS);
  }
  return null;
}

function spansFestival(from: Date, to: Date): boolean {
  const { year } = chinaMonth(from);
  for (const y of [year, year + 1]) {
    const festival = springFestivalStart(y);
    if (festival && festival.getTime() >= chinaDayStart(from) && festival.getTime() <= to.getTime()) return true;
  }
  return false;
}

/**
 * What the complaint model predicts: a complaint about the goods (packaging, dimension, surface, other) or a return.
 * A complaint about lateness alone is the lateness model's business.
 */
export function isComplaint(c: RiskComplaint): boolean {
  return c.kind !== 'late' || c.returned === true;
}

/** Delivered orders of one group (the plant, a customer, a material), by delivery instant, with running counts. */
interface KnownSeries {
  /** Delivery instants, ascending. */
  delivered: Float64Array;
  /** lateBefore[i]: late orders among the first i. */
  lateBefore: Int32Array;
  /** Among the first i, orders with (within their complaint window) a complaint / packaging damage / a return. */
  complainedBefore: Int32Array;
  damagedBefore: Int32Array;
  returnedBefore: Int32Array;
  /** Whether order i was late / damaged / returned. */
  late: Uint8Array;
  damaged: Uint8Array;
  returned: Uint8Array;
}

interface Delivered {
  deliveredAt: number;
  createdAt: number;
  id: string;
  late: boolean;
  complained: boolean;
  damaged: boolean;
  returned: boolean;
}

function series(list: Delivered[]): KnownSeries {
  // By delivery; ties by creation then id, so "the last one" is deterministic.
  list.sort(
    (x, y) => x.deliveredAt - y.deliveredAt || x.createdAt - y.createdAt || (x.id < y.id ? -1 : x.id > y.id ? 1 : 0),
  );
  const n = list.length;
  const out: KnownSeries = {
    delivered: new Float64Array(n),
    lateBefore: new Int32Array(n + 1),
    complainedBefore: new Int32Array(n + 1),
    damagedBefore: new Int32Array(n + 1),
    returnedBefore: new Int32Array(n + 1),
    late: new Uint8Array(n),
    damaged: new Uint8Array(n),
    returned: new Uint8Array(n),
  };
  list.forEach((d, i) => {
    out.delivered[i] = d.deliveredAt;
    out.late[i] = d.late ? 1 : 0;
    out.damaged[i] = d.damaged ? 1 : 0;
    out.returned[i] = d.returned ? 1 : 0;
    out.lateBefore[i + 1] = out.lateBefore[i]! + (d.late ? 1 : 0);
    out.complainedBefore[i + 1] = out.complainedBefore[i]! + (d.complained ? 1 : 0);
    out.damagedBefore[i + 1] = out.damagedBefore[i]! + (d.damaged ? 1 : 0);
    out.returnedBefore[i + 1] = out.returnedBefore[i]! + (d.returned ? 1 : 0);
  });
  return out;
}

const EMPTY_SERIES = series([]);

/** A history prepared for many as-of look-ups (build once with `indexRiskHistory`). */
export interface RiskHistoryIndex {
  readonly plant: KnownSeries;
  readonly byCustomer: ReadonlyMap<string, KnownSeries>;
  readonly byMaterial: ReadonlyMap<string, KnownSeries>;
  /** Creation instants of each customer's orders, ascending. */
  readonly createdByCustomer: ReadonlyMap<string, Float64Array>;
  /** Per customer|material pair: its two earliest orders (creation instant, id). */
  readonly firstOrders: ReadonlyMap<string, { at: number; id: string }[]>;
  readonly priorStrength: number;
  readonly complaintWindowDays: number;
}

export interface RiskFactsOptions {
  priorStrength?: number;
  /** Days after delivery in which complaints count (default 30); an order's complaint outcome is known after it. */
  complaintWindowDays?: number;
}

/**
 * Prepares a history for `riskFacts`. Throws a RangeError on an outcome delivered before its order was created,
 * or on two entries with the same order id.
 */
export function indexRiskHistory(
  history: readonly RiskHistoryEntry[],
  options: RiskFactsOptions = {},
): RiskHistoryIndex {
  const windowDays = options.complaintWindowDays ?? DEFAULT_COMPLAINT_WINDOW_DAYS;
  const all: Delivered[] = [];
  const byCustomer = new Map<string, Delivered[]>();
  const byMaterial = new Map<string, Delivered[]>();
  const created = new Map<string, number[]>();
  const firstOrders = new Map<string, { at: number; id: string }[]>();
  const ids = new Set<string>();
  const push = <T>(map: Map<string, T[]>, key: string, value: T) => {
    const list = map.get(key);
    if (list) list.push(value);
    else map.set(key, [value]);
  };
  for (const { order, outcome } of history) {
    if (ids.has(order.id)) throw new RangeError(`indexRiskHistory: order ${order.id} appears twice`);
    ids.add(order.id);
    const createdAt = order.createdAt.getTime();
    push(created, order.customer, createdAt);
    const pair = `${order.customer}\u0000${order.material}`;
    const firsts = firstOrders.get(pair) ?? [];
    firsts.push({ at: createdAt, id: order.id });
    firsts.sort((x, y) => x.at - y.at || (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
    firstOrders.set(pair, firsts.slice(0, 2));
    if (!outcome) continue;
    const deliveredAt = outcome.deliveredAt.getTime();
    if (deliveredAt < createdAt) {
      throw new RangeError(`indexRiskHistory: order ${order.id} was delivered before it was created`);
    }
    const closes = deliveredAt + windowDays * DAY_MS;
    const within = outcome.complaints.filter((c) => c.at.getTime() <= closes);
    const d: Delivered = {
      deliveredAt,
      createdAt,
      id: order.id,
      late: outcome.late,
      complained: within.some(isComplaint),
      damaged: within.some((c) => c.kind === 'packaging'),
      returned: within.some((c) => c.returned === true),
    };
    all.push(d);
    push(byCustomer, order.customer, d);
    push(byMaterial, order.material, d);
  }
  return {
    plant: series(all),
    byCustomer: new Map([...byCustomer].map(([k, v]) => [k, series(v)])),
    byMaterial: new Map([...byMaterial].map(([k, v]) => [k, series(v)])),
    createdByCustomer: new Map([...created].map(([k, v]) => [k, Float64Array.from(v).sort()])),
    firstOrders,
    priorStrength: options.priorStrength ?? DEFAULT_PRIOR_STRENGTH,
    complaintWindowDays: windowDays,
  };
}

/** Refuses an order the features cannot describe truthfully. */
export function checkOrder(order: RiskOrder): void {
  const bad = (what: string) => new RangeError(`risk features: order ${order.id}: ${what}`);
  if (!Number.isFinite(order.createdAt.getTime())) throw bad('invalid creation time');
  if (!Number.isFinite(order.promisedAt.getTime())) throw bad('invalid promised time');
  if (order.promisedAt.getTime() < order.createdAt.getTime()) throw bad('promised before it was created');
  for (const [name, value] of [
    ['quantity', order.quantity],
    ['lineLoad', order.lineLoad],
    ['purchaseLeadDays', order.purchaseLeadDays],
    ['usualLeadDays', order.usualLeadDays],
  ] as const) {
    if (!(Number.isFinite(value) && value >= 0)) throw bad(`${name} must be a non-negative number, got ${value}`);
  }
}

/** Number of entries of the ascending array strictly below t. */
function countBelow(sorted: Float64Array, t: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The plant's outcomes known at an instant: orders delivered before it and how many were late; orders whose complaint
 * window had closed before it and how many had a complaint / packaging damage within that window. `riskFacts` reads
 * them from the index; a caller holding only part of the history (one customer's and one material's orders) passes
 * them counted elsewhere (db/risk-history.ts counts them in the database), with the same meaning.
 */
export interface PlantOutcomeCounts {
  delivered: number;
  late: number;
  closed: number;
  complained: number;
  damaged: number;
}

/** A material's orders (by their main material) delivered before an instant, and how many of them were late. */
export interface MaterialOutcomeCounts {
  delivered: number;
  late: number;
}

export function materialOutcomesAsOf(index: RiskHistoryIndex, material: string, instant: Date): MaterialOutcomeCounts {
  const series = index.byMaterial.get(material) ?? EMPTY_SERIES;
  const delivered = countBelow(series.delivered, instant.getTime());
  return { delivered, late: series.lateBefore[delivered]! };
}

export function plantOutcomesAsOf(index: RiskHistoryIndex, instant: Date): PlantOutcomeCounts {
  const t = instant.getTime();
  // Outcomes delivered before t cannot include an order created at t (delivered after its creation, checked by the index).
  const { plant } = index;
  const delivered = countBelow(plant.delivered, t);
  const closed = countBelow(plant.delivered, t - index.complaintWindowDays * DAY_MS);
  return {
    delivered,
    late: plant.lateBefore[delivered]!,
    closed,
    complained: plant.complainedBefore[closed]!,
    damaged: plant.damagedBefore[closed]!,
  };
}

/**
 * The order's facts as of its creation, from a prepared history (see the file header for the as-of rule).
 * Lateness counts use orders delivered before the order's creation; complaint counts use orders whose complaint
 * window had closed before it (delivered more than `complaintWindowDays` earlier), with the complaints of that window.
 * `counted`: the plant-wide and the material's counts as of the creation, when the index holds only part of the
 * history (see `PlantOutcomeCounts`); from the index otherwise.
 */
export function riskFacts(
  order: RiskOrder,
  index: RiskHistoryIndex,
  counted: { plant?: PlantOutcomeCounts; material?: MaterialOutcomeCounts } = {},
): RiskFacts {
  const plant = counted.plant ?? plantOutcomesAsOf(index, order.createdAt);
  checkOrder(order);
  const t = order.createdAt.getTime();
  const a = index.priorStrength;
  const closedBy = t - index.complaintWindowDays * DAY_MS;

  // The plant's rates are themselves smoothed, by ten orders' worth of the defaults.
  const plantLateRate = (plant.late + 10 * DEFAULT_PLANT_LATE_RATE) / (plant.delivered + 10);
  const plantComplaintRate = (plant.complained + 10 * DEFAULT_PLANT_COMPLAINT_RATE) / (plant.closed + 10);
  const plantDamageRate = (plant.damaged + 10 * DEFAULT_PLANT_DAMAGE_RATE) / (plant.closed + 10);

  const customer = index.byCustomer.get(order.customer) ?? EMPTY_SERIES;
  const customerKnown = countBelow(customer.delivered, t);
  const customerLate = customer.lateBefore[customerKnown]!;
  const customerClosed = countBelow(customer.delivered, closedBy);
  const customerComplained = customer.complainedBefore[customerClosed]!;
  const customerDamaged = customer.damagedBefore[customerClosed]!;
  const recentOrders = Math.min(RECENT_ORDERS, customerClosed);
  const from = customerClosed - recentOrders;
  const recentDamaged = customer.damagedBefore[customerClosed]! - customer.damagedBefore[from]!;
  const recentReturned = customer.returnedBefore[customerClosed]! - customer.returnedBefore[from]!;

  const { delivered: materialKnown, late: materialLate } =
    counted.material ?? materialOutcomesAsOf(index, order.material, order.createdAt);

  const created = index.createdByCustomer.get(order.customer) ?? new Float64Array(0);
  const ordersLast90Days = countBelow(created, t) - countBelow(created, t - 90 * DAY_MS);
  const firsts = index.firstOrders.get(`${order.customer}\u0000${order.material}`) ?? [];
  const earlier = firsts.find((f) => f.id !== order.id);
  const firstOfMaterial = !(earlier && earlier.at < t);

  const promisedLeadDays = (order.promisedAt.getTime() - t) / DAY_MS;
  return {
    orderId: order.id,
    customer: order.customer,
    material: order.material,
    mould: order.mould ?? null,
    plantLateRate,
    customerKnownOrders: customerKnown,
    customerLateOrders: customerLate,
    customerLateRate: (customerLate + a * plantLateRate) / (customerKnown + a),
    lateLastTime: customerKnown === 0 ? null : customer.late[customerKnown - 1] === 1,
    plantComplaintRate,
    customerClosedOrders: customerClosed,
    customerComplainedOrders: customerComplained,
    customerComplaintRate: (customerComplained + a * plantComplaintRate) / (customerClosed + a),
    customerDamagedOrders: customerDamaged,
    customerDamageRate: (customerDamaged + a * plantDamageRate) / (customerClosed + a),
    ordersLast90Days,
    recentOrders,
    recentDamaged,
    recentReturned,
    materialKnownOrders: materialKnown,
    materialLateRate: (materialLate + a * plantLateRate) / (materialKnown + a),
    quantity: order.quantity,
    promisedLeadDays,
    usualLeadDays: order.usualLeadDays,
    leadSlackDays: promisedLeadDays - order.usualLeadDays,
    sample: order.kind === 'sample',
    expedite: order.expedite,
    firstOfMaterial,
    lineLoad: order.lineLoad,
    mouldStatus: order.mouldStatus,
    purchaseLeadDays: order.purchaseLeadDays,
    month: chinaMonth(order.createdAt).month,
    daysToSpringFestival: daysToSpringFestival(order.createdAt),
    spansSpringFestival: spansFestival(order.createdAt, order.promisedAt),
  };
}

/** One order's facts from a plain history (indexes it first: for many orders, index once and call `riskFacts`). */
export function riskFactsAsOf(
  order: RiskOrder,
  history: readonly RiskHistoryEntry[],
  options: RiskFactsOptions = {},
): RiskFacts {
  return riskFacts(order, indexRiskHistory(history, options));
}

/**
 * How facts become numbers, learned on the training facts. JSON-serialisable (only strings and numbers).
 * `names[i]` is the name of vector position i; `means[i]`/`sds[i]` standardise it (z = (raw − mean) ÷ sd).
 * Materials: one-hot 'mat:<material>' for `materials` (the most frequent in training), 'mat_other' for the rest.
 */
export interface FeatureSpec {
  version: 1;
  names: string[];
  materials: string[];
  means: number[];
  sds: number[];
  /** k of the "last k orders" counts, recorded for the explanations. */
  recentOrders: number;
}

/** Names of the fixed (non-material) features, in vector order. */
export const BASE_FEATURES = [
  'cust_late_rate',
  'cust_late_last',
  'cust_no_history',
  'cust_orders_90d',
  'cust_damage_recent',
  'cust_return_recent',
  'cust_damage_rate',
  'material_late_rate',
  'log_quantity',
  'lead_slack_days',
  'lead_short_days',
  'sample',
  'expedite',
  'first_of_material',
  'line_load',
  'line_load_over_90',
  'mould_worn',
  'mould_repair',
  'purchase_lead_days',
  'month_sin',
  'month_cos',
  'days_to_festival',
  'pre_festival',
  'spans_festival',
] as const;

export type BaseFeature = (typeof BASE_FEATURES)[number];

/** The raw (unstandardised) values of the fixed features. */
export function baseFeatureValues(f: RiskFacts): Record<BaseFeature, number> {
  const days = f.daysToSpringFestival ?? 365;
  const angle = (2 * Math.PI * (f.month - 1)) / 12;
  return {
    cust_late_rate: f.customerLateRate,
    cust_late_last: f.lateLastTime ? 1 : 0,
    cust_no_history: f.customerKnownOrders === 0 ? 1 : 0,
    cust_orders_90d: Math.log1p(f.ordersLast90Days),
    cust_damage_recent: f.recentDamaged,
    cust_return_recent: f.recentReturned,
    cust_damage_rate: f.customerDamageRate,
    material_late_rate: f.materialLateRate,
    log_quantity: Math.log1p(Math.max(0, f.quantity)),
    lead_slack_days: f.leadSlackDays,
    lead_short_days: Math.max(0, -f.leadSlackDays),
    sample: f.sample ? 1 : 0,
    expedite: f.expedite ? 1 : 0,
    first_of_material: f.firstOfMaterial ? 1 : 0,
    line_load: f.lineLoad,
    line_load_over_90: Math.max(0, f.lineLoad - 0.9),
    mould_worn: f.mouldStatus === 'worn' ? 1 : 0,
    mould_repair: f.mouldStatus === 'repair' ? 1 : 0,
    purchase_lead_days: f.purchaseLeadDays,
    month_sin: Math.sin(angle),
    month_cos: Math.cos(angle),
    days_to_festival: Math.min(days, 120),
    pre_festival: days <= PRE_FESTIVAL_DAYS ? 1 : 0,
    spans_festival: f.spansSpringFestival ? 1 : 0,
  };
}

/** The column of the materials without a column of their own. */
export const OTHER_MATERIAL_FEATURE = 'mat_other';

/** Raw (unstandardised) values in the order of `names`; throws on a name this version does not know. */
function rawValues(f: RiskFacts, names: readonly string[], materials: readonly string[]): number[] {
  const base: Record<string, number> = baseFeatureValues(f);
  const listed = materials.includes(f.material);
  return names.map((name) => {
    if (name === OTHER_MATERIAL_FEATURE) return listed ? 0 : 1;
    if (name.startsWith('mat:')) return f.material === name.slice(4) ? 1 : 0;
    const value = base[name];
    if (value === undefined) throw new RangeError(`risk features: unknown feature "${name}" in the spec`);
    return value;
  });
}

export interface FeatureSpecOptions {
  /** How many of the most frequent training materials get a column of their own (default 10). */
  topMaterials?: number;
}

/** Learns the spec (material columns, means, sds) from training facts. Throws on an empty training set. */
export function fitFeatureSpec(training: readonly RiskFacts[], options: FeatureSpecOptions = {}): FeatureSpec {
  if (training.length === 0) throw new RangeError('fitFeatureSpec: no training orders');
  const counts = new Map<string, number>();
  for (const f of training) counts.set(f.material, (counts.get(f.material) ?? 0) + 1);
  const materials = [...counts.entries()]
    .sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1))
    .slice(0, options.topMaterials ?? 10)
    .map(([m]) => m);
  const names = [...BASE_FEATURES, ...materials.map((m) => `mat:${m}`), OTHER_MATERIAL_FEATURE];
  const d = names.length;
  const sum = new Array<number>(d).fill(0);
  const sumSq = new Array<number>(d).fill(0);
  for (const f of training) {
    const v = rawValues(f, names, materials);
    for (let j = 0; j < d; j++) {
      sum[j]! += v[j]!;
      sumSq[j]! += v[j]! * v[j]!;
    }
  }
  const n = training.length;
  const means = sum.map((s) => s / n);
  const sds = sumSq.map((s, j) => {
    const variance = s / n - means[j]! ** 2;
    // A constant column stays 0 after standardising instead of dividing by zero.
    return variance > 1e-12 ? Math.sqrt(variance) : 1;
  });
  return { version: 1, names, materials, means, sds, recentOrders: RECENT_ORDERS };
}

/**
 * The standardised vector of an order's facts, in `spec.names` order (values are looked up by name, so a stored
 * spec keeps its meaning when this file adds features). Throws on a spec naming a feature this version lacks.
 */
export function encodeFacts(facts: RiskFacts, spec: FeatureSpec): number[] {
  const raw = rawValues(facts, spec.names, spec.materials);
  return raw.map((v, j) => (v - spec.means[j]!) / spec.sds[j]!);
}
