/**
 * "SO-20260224-0001 风险", "风险 SO-…", "SO-… risk?", "risk of SO-…": a sales person asking why an order's risk is
 * what it is. Anything else on the line makes it something else (a complaint, a stage report, a question).
 */
export interface RiskQuery {
  number: string;
}

const NUMBER = 'SO-\\d{8}-\\d{4,}(?:-\\d+)?';
const AFTER = new RegExp(`^(${NUMBER})\\s*(?:的)?\\s*(?:风险|risks?)\\s*[?？]?$`, 'i');
const BEFORE = new RegExp(`^(?:风险|risks?(?:\\s+of)?)\\s*[:：]?\\s*(${NUMBER})\\s*[?？]?$`, 'i');

export function parseRiskQuery(text: string): RiskQuery | null {
  const t = text.replace(/@\S+/g, '').trim();
  const m = AFTER.exec(t) ?? BEFORE.exec(t);
  return m ? { number: m[1]!.toUpperCase() } : null;
}
