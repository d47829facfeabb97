export interface Spec {
  param: string;
  op: '<=' | '<' | '>=' | '>' | '=';
  value: number;
  unit: string | null;
}

/** Values a parameter has reached in passing inspections: a requirement inside this range has been met before. */
export interface QualifiedRange {
  param: string;
  min: number | null;
  max: number | null;
  unit: string | null;
}

export type SpecVerdict =
  | { spec: Spec; status: 'qualified'; range: QualifiedRange }
  | { spec: Spec; status: 'outside'; range: QualifiedRange }
  | { spec: Spec; status: 'unknown' };

const TO_MICRONS: Record<string, number> = { μm: 1, mm: 1000 };

function convert(value: number, from: string | null, to: string | null): number | null {
  if (from === to || from === null || to === null) return value;
  const a = TO_MICRONS[from];
  const b = TO_MICRONS[to];
  return a !== undefined && b !== undefined ? (value * a) / b : null;
}

const sameParam = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/**
 * A requirement is qualified when every value we have reached satisfies it: "Ra ≤ 0.8" needs our worst
 * Ra (the range's max) to be ≤ 0.8; "HRC ≥ 58" needs our lowest HRC ≥ 58; "= v" needs v inside the range.
 */
export function checkSpec(spec: Spec, ranges: readonly QualifiedRange[]): SpecVerdict {
  const range = ranges.find((r) => sameParam(r.param, spec.param));
  if (!range) return { spec, status: 'unknown' };
  const value = convert(spec.value, spec.unit, range.unit);
  if (value === null) return { spec, status: 'unknown' };
  const { min, max } = range;
  const ok = (() => {
    switch (spec.op) {
      case '<=':
        return max !== null && max <= value;
      case '<':
        return max !== null && max < value;
      case '>=':
        return min !== null && min >= value;
      case '>':
        return min !== null && min > value;
      case '=':
        return (min === null || min <= value) && (max === null || value <= max);
    }
  })();
  return { spec, status: ok ? 'qualified' : 'outside', range };
}

export function formatSpec(spec: Spec): string {
  const op = { '<=': '≤', '<': '<', '>=': '≥', '>': '>', '=': '=' }[spec.op];
  return `${spec.param}${op}${spec.value}${spec.unit ?? ''}`;
}

export function formatRange(range: QualifiedRange): string {
  const unit = range.unit ?? '';
  if (range.min !== null && range.max !== null) return `${range.param} ${range.min}–${range.max}${unit}`;
  if (range.max !== null) return `${range.param} ≤${range.max}${unit}`;
  return `${range.param} ≥${range.min}${unit}`;
}
