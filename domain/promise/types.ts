/** Plant work calendar. Dates are China calendar dates, YYYY-MM-DD. */
export interface WorkCalendar {
  /** Days of the week the plant rests, 0 = Sunday … 6 = Saturday; default [0, 6]. */
  weekendDays?: readonly number[];
  /** Public holidays (non-working even on a weekday). */
  holidays: readonly string[];
  /** Make-up working days (调休 上班): worked even when a weekend day or listed as a holiday. */
  makeUpWorkdays: readonly string[];
}

export interface LoadPeriod {
  /** Inclusive. */
  from: string;
  /** Inclusive. */
  to: string;
  /** Share of capacity already committed, 0..1 (clamped). Overlapping periods: the highest applies. */
  load: number;
}

export interface LineState {
  id: string;
  capacityPerDay: number;
  load: readonly LoadPeriod[];
  /** Capacity reserved by confirmed orders; several entries on one date add up. */
  reservations: ReadonlyArray<{ date: string; quantity: number }>;
  /**
   * The same, already summed by day number in thousandths of a unit, for callers that promise many orders in
   * a row (the re-promise); when given, `reservations` is not read.
   */
  reservedMilli?: ReadonlyMap<number, number>;
}

/** Everything the plant knows about one order item's material. */
export interface PlantState {
  stock: { onHand: number; reserved: number };
  material: { code: string; purchaseLeadDays: number };
  /** The material's production line; null = it cannot be produced. */
  line: LineState | null;
  /** The mould the material needs; null = no mould. */
  mould: { id: string; availableFrom: string | null } | null;
}

export interface PromiseRules {
  /** Picking and packing, in working days. */
  pickPackDays: number;
  /** Transit to the customer, in calendar days. */
  transitDays: number;
  /** Production days are searched up to today + horizonDays; beyond that the item is infeasible. */
  horizonDays: number;
  /** With expedite, the purchase lead time is shortened by this many calendar days (default 0). */
  expediteLeadCutDays?: number;
}

export interface PromiseArgs {
  today: string;
  quantity: number;
  state: PlantState;
  calendar: WorkCalendar;
  rules: PromiseRules;
  expedite?: boolean;
}

/** A date the engine will never reach: a mould out of service with no known end. */
export const MOULD_END_UNKNOWN = '9999-12-31';

export type Constraint =
  | { kind: 'stock'; available: number; needed: number }
  /** The busiest load period overlapping the production window. */
  | { kind: 'line-load'; line: string; load: number; until: string }
  /** First day with capacity allocated, and the last one. */
  | { kind: 'line-capacity'; line: string; freeFrom: string; finish: string }
  | { kind: 'mould'; mould: string; availableFrom: string }
  | { kind: 'purchase-lead'; days: number; readyFrom: string }
  | { kind: 'transit'; days: number }
  /** Public holidays that fell inside the working window and were skipped. */
  | { kind: 'calendar'; holidays: string[] };

export interface ProductionDay {
  date: string;
  quantity: number;
}

interface Decided {
  feasible: true;
  /** Earliest date the item can reach the customer. */
  date: string;
  /** Every constraint considered, binding ones first. */
  constraints: Constraint[];
  /** The constraints that pushed the date later. */
  binding: Constraint[];
}

export type FeasiblePromise =
  | (Decided & { source: 'stock'; reserve: { stock: number } })
  | (Decided & {
      source: 'production';
      /** First working day production may run (after mould and purchase). */
      start: string;
      /** Last production day. */
      finish: string;
      reserve: { line: string; days: ProductionDay[] };
    });

export type PromiseResult =
  | FeasiblePromise
  | { feasible: false; reason: 'no-line' | 'beyond-horizon'; constraints: Constraint[] };
