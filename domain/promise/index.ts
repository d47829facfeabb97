/**
 * Earliest feasible delivery date of order items. Pure: `today` is passed in; all dates are
 * China calendar dates (YYYY-MM-DD), computed on UTC-midnight day numbers.
 *
 * Semantics
 * - Working days: a make-up workday (调休 上班) is worked; otherwise a listed holiday or a weekend day
 *   (default Saturday and Sunday) is not; every other day is.
 * - Stock: available = onHand − reserved (not below 0). If it covers the whole quantity the item
 *   ships from stock: date = today + pickPackDays working days + transitDays calendar days
 *   (pickPackDays = 0 ships today). Otherwise the whole quantity is produced; stock is never
 *   split with production, so the reservation is either stock or line days.
 * - Production starts no earlier than the day after today (today's plan is fixed), than the day
 *   the mould is back in service (usable that day), and than the day purchased material arrives
 *   (today + purchaseLeadDays calendar days; usable that day), on the first working day from there.
 * - Each working day offers free = max(0, capacityPerDay × (1 − load) − reserved that day), load
 *   being the highest load period covering the day (0 if none). Days are filled greedily in order;
 *   finish = last day used. Quantities are exact to 1/1000 of a unit; free capacity rounds down.
 * - Production date = finish + pickPackDays working days + transitDays calendar days.
 * - Infeasible: 'no-line' when stock falls short and the material has no line; 'beyond-horizon'
 *   when the quantity is not produced by today + horizonDays (also when the mould or purchase lies
 *   beyond it).
 * - Expedite relaxes: the line's existing load (free = capacity − reservations; confirmed
 *   reservations still count) and the purchase lead time, shortened by rules.expediteLeadCutDays.
 *   It does not relax the mould, the work calendar, pick/pack or transit. It is never later.
 * - Binding constraints: stock (when shipping from stock); purchase-lead / mould when they moved the
 *   start past the first working day after today; line-load when the item would finish earlier
 *   without the load; line-capacity when production could not finish on its start day; calendar
 *   when public holidays fell in the window worked. Transit is listed but never binding.
 * - Orders: items are promised in the given order, each seeing the stock and line capacity earlier
 *   items took; the order's date is the latest item's.
 */
export { addWorkingDays, isWorkingDay } from './calendar';
export { earliestDelivery } from './earliest';
export { checkPromise, earliestForOrder, type OrderItem, type OrderPromise } from './order';
export { loadTone } from './tone';
export { MOULD_END_UNKNOWN } from './types';
export type {
  Constraint,
  FeasiblePromise,
  LineState,
  LoadPeriod,
  PlantState,
  ProductionDay,
  PromiseArgs,
  PromiseResult,
  PromiseRules,
  WorkCalendar,
} from './types';
