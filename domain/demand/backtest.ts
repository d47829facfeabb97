/**
 * Backtest of the demand forecast across materials, its one-line summary, and a seeded generator of weekly demand
 * histories (for tests and for the `risk backtest` command). Pure and deterministic.
 *
 * Interface:
 * - `backtestDemand(series, { evalWeeks = 12, horizon = 4 })` → BacktestResult. Per material with at least
 *   52 + evalWeeks weeks: the method is CHOSEN on the history without its last evalWeeks weeks (selectMethod, whose
 *   own held-out weeks are the evalWeeks before those), then the chosen method and naive-1 are scored on the last
 *   evalWeeks weeks (rolling origin, horizons 1..horizon, MASE scaled by the naive-1 MAE of the weeks before them).
 *   So the reported MASE is out of sample for the choice too. `mase` / `naiveMase` are means over the scored
 *   materials (null when none); materials with too little history or a zero scale are listed in `skipped`.
 *   `coverage`: the share of the chosen method's weekly 80% intervals (forecastWithInterval at each test origin,
 *   horizons 1..horizon) that contain the actual week, with the count of intervals.
 * - `formatBacktestLine(result)` → 'demand: materials=40 mase=0.912 naive_mase=1.356' ('-' for a missing mean).
 * - `generateDemandHistories({ seed, seasonal = 20, intermittent = 20, weeks = 78, firstMonday = '2024-09-30',
 *   noise = 0.2, marchUplift = 0.4 })` → GeneratedHistory[] ({ material, kind, weeks, demand, expected }).
 *   Seasonal series ('S01'…): a base level of 50–500 a week, a mild yearly wave (±15%, random phase), the week whose
 *   Monday is the 2nd Monday of March × (1 + marchUplift) and the week after × (1 + marchUplift / 3), Spring
 *   Festival (`SPRING_FESTIVAL`, the lunar new year's day) week × 0.35, the week before × 0.75, the week after × 0.6;
 *   demand = round(max(0, expected × (1 + noise · N(0,1)))). Intermittent series ('I01'…): a week has demand with
 *   probability 0.15–0.45 (ADI about 2.2–6.7), size lognormal around a mean of 5–60 (σ = 0.5).
 *   The default 78 weeks (18 months, as in research/risk.md §3) end in the week of 2026-03-23, so the last 12 weeks
 *   hold the 2026 Spring Festival and March uplift; a yearly pattern is then seen exactly once before them.
 * - `SPRING_FESTIVAL` (domain/risk/features.ts): lunar new year's day (China date) for 2020–2035; the generator
 *   throws outside those years.
 */
import { SPRING_FESTIVAL } from '../risk/features';
import { forecastWithInterval } from './methods';
import { evaluateMethod, selectMethod } from './select';
import { WEEK_MS, type WeekLabel, weekStarting, weeksAfter } from './weekly';

export interface BacktestOptions {
  evalWeeks?: number;
  horizon?: number;
}

export interface MaterialBacktest {
  material: string;
  chosen: 'seasonal-naive' | 'croston-sba';
  mase: number;
  naiveMase: number;
}

export interface BacktestResult {
  materials: number;
  mase: number | null;
  naiveMase: number | null;
  perMaterial: MaterialBacktest[];
  skipped: { material: string; reason: 'short-history' | 'zero-scale' }[];
  coverage: { level: number; intervals: number; inside: number; share: number | null };
}

const SEASON = 52;

function mean(values: readonly number[]): number | null {
  return values.length === 0 ? null : values.reduce((a, b) => a + b, 0) / values.length;
}

/** Out-of-sample backtest across materials; see the file header. */
export function backtestDemand(
  series: readonly { material: string; demand: readonly number[] }[],
  options: BacktestOptions = {},
): BacktestResult {
  const evalWeeks = options.evalWeeks ?? 12;
  const horizon = options.horizon ?? 4;
  const perMaterial: MaterialBacktest[] = [];
  const skipped: BacktestResult['skipped'] = [];
  let intervals = 0;
  let inside = 0;
  let level = 0.8;
  for (const { material, demand } of series) {
    const n = demand.length;
    const selection =
      n >= SEASON + evalWeeks ? selectMethod(demand.slice(0, n - evalWeeks), { evalWeeks, horizon }) : null;
    if (selection === null) {
      skipped.push({ material, reason: 'short-history' });
      continue;
    }
    const chosen = evaluateMethod(demand, selection.chosen, { evalWeeks, horizon });
    const naive = evaluateMethod(demand, 'naive', { evalWeeks, horizon });
    if (chosen?.mase == null || naive?.mase == null) {
      skipped.push({ material, reason: 'zero-scale' });
      continue;
    }
    perMaterial.push({ material, chosen: selection.chosen, mase: chosen.mase, naiveMase: naive.mase });
    for (let t = n - evalWeeks; t < n; t++) {
      const forecast = forecastWithInterval(selection.chosen, demand.slice(0, t), Math.min(horizon, n - t));
      if (forecast === null) continue;
      level = forecast.level;
      forecast.weeks.forEach((b, i) => {
        const actual = demand[t + i]!;
        intervals++;
        if (actual >= b.low && actual <= b.high) inside++;
      });
    }
  }
  return {
    materials: perMaterial.length,
    mase: mean(perMaterial.map((m) => m.mase)),
    naiveMase: mean(perMaterial.map((m) => m.naiveMase)),
    perMaterial,
    skipped,
    coverage: { level, intervals, inside, share: intervals > 0 ? inside / intervals : null },
  };
}

/** 'demand: materials=40 mase=0.912 naive_mase=1.356'. */
export function formatBacktestLine(result: BacktestResult): string {
  const f = (x: number | null) => (x === null ? '-' : x.toFixed(3));
  return `demand: materials=${result.materials} mase=${f(result.mase)} naive_mase=${f(result.naiveMase)}`;
}

// ---- generator ------------------------------------------------------------------------------------

export { SPRING_FESTIVAL };

export interface GeneratorOptions {
  seed: number;
  seasonal?: number;
  intermittent?: number;
  weeks?: number;
  firstMonday?: string;
  noise?: number;
  marchUplift?: number;
}

export interface GeneratedHistory {
  material: string;
  kind: 'seasonal' | 'intermittent';
  weeks: WeekLabel[];
  demand: number[];
  /** The noise-free expected demand of each week. */
  expected: number[];
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function normal(random: () => number): number {
  const u = Math.max(random(), Number.EPSILON);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

/** The calendar factor of a week for the seasonal series: March uplift and Spring Festival dip. */
function calendarFactor(week: WeekLabel, marchUplift: number): number {
  const [year, month, day] = week.monday.split('-').map(Number) as [number, number, number];
  let factor = 1;
  if (month === 3 && day >= 8 && day <= 14) factor *= 1 + marchUplift;
  if (month === 3 && day >= 15 && day <= 21) factor *= 1 + marchUplift / 3;
  for (const y of [year - 1, year, year + 1]) {
    const festival = SPRING_FESTIVAL[y];
    if (festival === undefined) {
      if (y === year) throw new RangeError(`no Spring Festival date for ${y} (the generator knows 2020–2030)`);
      continue;
    }
    const festivalStart = Date.parse(`${festival}T00:00:00+08:00`);
    const offset = Math.floor((festivalStart - week.start.getTime()) / WEEK_MS);
    if (offset === 0) factor *= 0.35;
    else if (offset === 1) factor *= 0.75;
    else if (offset === -1) factor *= 0.6;
  }
  return factor;
}

/** Seeded weekly demand histories; see the file header. */
export function generateDemandHistories(options: GeneratorOptions): GeneratedHistory[] {
  const { seed, seasonal = 20, intermittent = 20, weeks = 78, firstMonday = '2024-09-30' } = options;
  const noise = options.noise ?? 0.2;
  const marchUplift = options.marchUplift ?? 0.4;
  if (!Number.isInteger(weeks) || weeks < 1) throw new RangeError(`weeks must be an integer >= 1, got ${weeks}`);
  const random = mulberry32(seed);
  const first = weekStarting(firstMonday);
  const labels = [first, ...weeksAfter(first, weeks - 1)];
  const out: GeneratedHistory[] = [];
  for (let s = 0; s < seasonal; s++) {
    const base = 50 + random() * 450;
    const phase = random() * 2 * Math.PI;
    const expected = labels.map((w) => {
      const dayOfYear = (w.start.getTime() - Date.parse(`${w.monday.slice(0, 4)}-01-01T00:00:00+08:00`)) / 86_400_000;
      return base * (1 + 0.15 * Math.sin((2 * Math.PI * dayOfYear) / 365.25 + phase)) * calendarFactor(w, marchUplift);
    });
    const demand = expected.map((e) => Math.round(Math.max(0, e * (1 + noise * normal(random)))));
    out.push({ material: `S${String(s + 1).padStart(2, '0')}`, kind: 'seasonal', weeks: labels, demand, expected });
  }
  for (let s = 0; s < intermittent; s++) {
    const probability = 0.3 + random() * 0.3;
    const size = 5 + random() * 55;
    const expected = labels.map(() => probability * size);
    const demand = labels.map(() =>
      random() < probability ? Math.max(1, Math.round(size * Math.exp(0.6 * normal(random) - 0.18))) : 0,
    );
    out.push({ material: `I${String(s + 1).padStart(2, '0')}`, kind: 'intermittent', weeks: labels, demand, expected });
  }
  return out;
}
