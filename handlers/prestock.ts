import type { BusinessConfig } from '../config/business-config';
import type { HandlerContext } from '../core/context';
import { readMaterialNames, readSupply, readWeeklyDemand } from '../db/demand';
import { type PrestockDecision, type PrestockSuggestion, prestockDecision } from '../domain/demand/prestock';
import { DEFAULT_EVAL_WEEKS } from '../domain/demand/select';
import { monthWeekOf } from '../domain/demand/weekly';
import { texts } from '../texts';
import type { PrestockMessage, PrestockSkill } from '../texts/zh/prestock';
import { PLANT_LANG } from './names';

export interface PrestockRun {
  /** Materials with a suggestion, and how many messages were emitted for them (again-runs emit the same keys). */
  suggested: string[];
  messages: number;
  /** Materials without one, by reason (short-history: under 52 weeks; covered; no-forecast). */
  none: Record<'short-history' | 'covered' | 'no-forecast', number>;
}

/** The leads of the target departments (config.risk.prestock.departments, else purchasing and production). */
export function prestockRecipients(config: BusinessConfig): string[] {
  const keys = config.risk.prestock.departments ?? ['purchasing', 'production'];
  const leads = config.departments.filter((d) => keys.includes(d.key)).flatMap((d) => d.leads);
  return [...new Set(leads)];
}

/**
 * The weekly pre-stocking suggestions (issue 21): for every material with order history, the forecast of the coming
 * `horizonWeeks` weeks against stock on hand plus open supply (domain/demand/prestock.ts). Each material whose
 * forecast exceeds its cover by the margin gets one message to each lead of the target departments, with the week,
 * the interval, stock and open supply, the method and how it did on the held-out weeks. Nothing for a material with
 * under a year of history, a covered one, or one without a forecast interval, and nothing at all while no stock count
 * is stored (a material without one among others has none on hand). Keyed by material and the week the
 * shortage shows, so a second run (another process, a restart, next week's run about the same week) sends nothing
 * twice.
 */
export async function suggestPrestocking(ctx: HandlerContext): Promise<PrestockRun> {
  const run: PrestockRun = { suggested: [], messages: 0, none: { 'short-history': 0, covered: 0, 'no-forecast': 0 } };
  const { risk } = ctx.config;
  if (!risk.enabled || !risk.prestock.enabled) return run;
  const recipients = prestockRecipients(ctx.config);
  if (recipients.length === 0) {
    ctx.log.warn('pre-stocking: no lead in the target departments; no suggestion sent');
    return run;
  }
  const [series, { byMaterial: supply, stockKnown }, names] = await Promise.all([
    readWeeklyDemand(ctx.tx, ctx.now),
    readSupply(ctx.tx),
    readMaterialNames(ctx.tx),
  ]);
  // No stock count at all (never imported, no ERP sync): every material would look short. A material without a
  // stock row among others has none on hand (ERP exports list only what is in stock).
  if (!stockKnown) {
    ctx.log.warn('pre-stocking: no stock on hand is known (import stock); no suggestion sent');
    return run;
  }
  const options = { horizonWeeks: risk.prestock.horizonWeeks, margin: risk.prestock.margin };
  const t = texts(PLANT_LANG).prestock;
  for (const s of series) {
    const held = supply.get(s.material);
    let decision: PrestockDecision;
    try {
      decision = prestockDecision(
        { series: s, stockOnHand: held?.stockOnHand ?? 0, openSupply: held?.openSupply ?? [] },
        options,
      );
    } catch (err) {
      ctx.log.warn({ err, material: s.material }, 'pre-stocking: the material could not be forecast');
      run.none['no-forecast']++;
      continue;
    }
    if (decision.kind === 'none') {
      run.none[decision.reason]++;
      continue;
    }
    const suggestion = decision.suggestion;
    const material = names.get(s.material) ?? { name: '', unit: '' };
    const text = t.suggestion(messageOf(suggestion, material));
    await ctx.emitAll(
      recipients.map((userId) => ({
        effect: { kind: 'post' as const, to: { userId }, text },
        key: `prestock:${suggestion.material}:${suggestion.week.isoWeek}:${userId}`,
      })),
    );
    run.suggested.push(s.material);
    run.messages += recipients.length;
  }
  ctx.log.info(
    { suggested: run.suggested.length, ...run.none },
    `pre-stocking: ${run.suggested.length} suggestion(s), ${series.length} material(s) with history`,
  );
  return run;
}

/** The chosen method's error on the held-out weeks against naive-1's, in words (never a percentage). */
export function skillOf(mase: number | null, naiveMase: number | null): PrestockSkill {
  if (mase === null || naiveMase === null || naiveMase <= 0) return 'unknown';
  const ratio = mase / naiveMase;
  if (ratio < 0.8) return 'much-better';
  if (ratio < 0.95) return 'better';
  if (ratio <= 1.1) return 'similar';
  return 'worse';
}

function messageOf(s: PrestockSuggestion, material: { name: string; unit: string }): PrestockMessage {
  const { month, weekOfMonth } = monthWeekOf(s.week.monday);
  const band = (b: { low: number; high: number }) => {
    const low = Math.round(b.low);
    return { low, high: Math.max(low, Math.round(b.high)) };
  };
  const week = band(s.weekDemand);
  const total = band(s.demand);
  return {
    material: s.material,
    name: material.name,
    unit: material.unit,
    month,
    weekOfMonth,
    weekIndex: s.weekIndex,
    weekLow: week.low,
    weekHigh: week.high,
    totalLow: total.low,
    totalHigh: total.high,
    stock: s.stockOnHand,
    supply: s.openSupply,
    method: s.method,
    skill: skillOf(s.mase, s.naiveMase),
    evalWeeks: DEFAULT_EVAL_WEEKS,
    seasonalCycles: s.seasonalCycles,
  };
}
