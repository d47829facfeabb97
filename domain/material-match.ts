import { distance } from 'fastest-levenshtein';

/**
 * Known codes closest to an unknown one, best first: edit distance on the upper-cased code, with
 * separators ignored so that "BRK202601" and "BRK-2026-1" both find BRK-2026-01.
 */
export function closestCodes(unknown: string, known: readonly string[], limit = 3): string[] {
  const squash = (code: string) => code.toUpperCase().replace(/[^A-Z0-9]/g, '');
  const target = squash(unknown);
  const maxDistance = Math.max(2, Math.ceil(target.length / 3));
  return known
    .map((code) => ({
      code,
      d: Math.min(distance(squash(code), target), distance(code.toUpperCase(), unknown.toUpperCase())),
    }))
    .filter((c) => c.d <= maxDistance)
    .sort((a, b) => a.d - b.d || a.code.localeCompare(b.code))
    .slice(0, limit)
    .map((c) => c.code);
}
