import type { Catalogue } from '../catalogue';
import type { PrestockMessage, PrestockSkill } from '../zh/prestock';

const METHOD: Record<PrestockMessage['method'], string> = {
  'seasonal-naive': 'from the same weeks last year',
  'croston-sba': "from the recent average level (Croston's method)",
};

const SKILL: Record<PrestockSkill, string> = {
  'much-better': 'its errors were clearly smaller than "last week again"',
  better: 'its errors were somewhat smaller than "last week again"',
  similar: 'its errors were about those of "last week again"',
  worse: 'its errors were larger than "last week again"; take it as a hint',
  unknown: 'demand did not move in those weeks, so there is nothing to compare',
};

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const ORDINAL = ['1st', '2nd', '3rd', '4th', '5th'];

export const prestock: Catalogue['prestock'] = {
  suggestion: (m) => {
    const week = `the ${ORDINAL[m.weekOfMonth - 1] ?? `${m.weekOfMonth}th`} week of ${MONTHS[m.month - 1]}`;
    const total = m.weekIndex > 1 ? `, ${m.totalLow}–${m.totalHigh} ${m.unit} from this week up to then` : '';
    const once =
      m.method === 'seasonal-naive' && m.seasonalCycles <= 1
        ? " Last year's pattern has been seen only once, so the range is wide."
        : '';
    return [
      `📦 Pre-stocking: ${m.material} ${m.name}`,
      `Expected demand in ${week}: ${m.weekLow}–${m.weekHigh} ${m.unit}${total}; stock + on its way ${m.stock + m.supply} ${m.unit} (stock ${m.stock}, on its way ${m.supply}, counted by arrival date).`,
      `Basis: ${METHOD[m.method]}, a range with about four chances in five; tried on the last ${m.evalWeeks} weeks, ${SKILL[m.skill]}.${once}`,
      'Consider stocking up early.',
    ].join('\n');
  },
};
