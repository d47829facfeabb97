import type { KpiFigures } from '../../domain/kpi';

export const MIN = 60_000;
export const HOUR = 60 * MIN;
export const DAY = 24 * HOUR;

/** China time, e.g. at('2026-02-24 10:00'). */
export const at = (local: string) => new Date(`${local.replace(' ', 'T')}:00+08:00`);

/** A period's figures: nothing counted, nothing known, unless overridden. */
export const figuresWith = (over: Partial<KpiFigures>): KpiFigures => ({
  confirmedCount: 0,
  latencyP50Ms: null,
  latencyP90Ms: null,
  deliveredCount: 0,
  onTimeRate: null,
  promiseAccuracy: null,
  handling: [],
  handlingP50Ms: null,
  complaintCount: 0,
  complaintRate: null,
  ...over,
});
