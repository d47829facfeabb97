/** Weekly pre-stocking suggestions to the purchasing and production leads (handlers/prestock.ts). */

/** How the chosen method did on the held-out weeks against "last week again" (naive-1), in words. */
export type PrestockSkill = 'much-better' | 'better' | 'similar' | 'worse' | 'unknown';

export interface PrestockMessage {
  material: string;
  name: string;
  unit: string;
  /** The first week where demand exceeds stock + open supply: "3月第2周". */
  month: number;
  weekOfMonth: number;
  /** 1 = this week. */
  weekIndex: number;
  /** That week's demand, 80% interval, whole units. */
  weekLow: number;
  weekHigh: number;
  /** Total demand from this week up to that week, 80% interval. */
  totalLow: number;
  totalHigh: number;
  stock: number;
  /** Open supply due by the end of that week. */
  supply: number;
  method: 'seasonal-naive' | 'croston-sba';
  skill: PrestockSkill;
  /** How many held-out weeks the method was tried on. */
  evalWeeks: number;
  /** Whole years of history: 1 = last year's pattern seen once. */
  seasonalCycles: number;
}

const METHOD: Record<PrestockMessage['method'], string> = {
  'seasonal-naive': '按去年同期的需求推算',
  'croston-sba': '按近期的平均水平推算（Croston法）',
};

const SKILL: Record<PrestockSkill, string> = {
  'much-better': '误差明显小于“照搬上周”的做法',
  better: '误差略小于“照搬上周”的做法',
  similar: '误差与“照搬上周”的做法相当',
  worse: '误差大于“照搬上周”的做法，仅供参考',
  unknown: '这段时间需求没有起伏，无法比较误差',
};

export const prestock = {
  suggestion: (m: PrestockMessage): string => {
    const week = `${m.month}月第${m.weekOfMonth}周`;
    const total = m.weekIndex > 1 ? `，从本周到${week}累计 ${m.totalLow}–${m.totalHigh}${m.unit}` : '';
    const once = m.method === 'seasonal-naive' && m.seasonalCycles <= 1 ? '去年的规律只见过一次，区间较宽。' : '';
    return [
      `📦 备料建议：${m.material} ${m.name}`,
      `预计${week}需求 ${m.weekLow}–${m.weekHigh}${m.unit}${total}；现有库存+在途 ${m.stock + m.supply}${m.unit}（库存 ${m.stock}、在途 ${m.supply}，在途按到货日计）。`,
      `依据：${METHOD[m.method]}，区间约有八成把握；在最近${m.evalWeeks}周的回测中，${SKILL[m.skill]}。${once}`,
      '建议提前备料。',
    ].join('\n');
  },
};
