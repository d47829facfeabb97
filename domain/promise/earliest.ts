import {
  addWorkingDayNumbers,
  compileCalendar,
  firstWorkingDay,
  fromDay,
  holidaysBetween,
  toDay,
  type DayCalendar,
} from './calendar';
import { allocate, lineDays, productionDays, toMilli } from './line';
import type { Constraint, PromiseArgs, PromiseResult } from './types';

/** Earliest delivery of one order item; semantics in index.ts. */
export function earliestDelivery(args: PromiseArgs): PromiseResult {
  const { quantity, state, rules } = args;
  const cal = compileCalendar(args.calendar);
  const today = toDay(args.today);
  const available = Math.max(0, state.stock.onHand - state.stock.reserved);
  const stock: Constraint = { kind: 'stock', available, needed: quantity };
  const transit: Constraint = { kind: 'transit', days: rules.transitDays };

  if (toMilli(available) >= toMilli(quantity)) {
    const packed = addWorkingDayNumbers(today, rules.pickPackDays, cal);
    const binding = [stock, ...calendarConstraint(today + 1, packed, cal)];
    return {
      feasible: true,
      source: 'stock',
      date: fromDay(packed + rules.transitDays),
      reserve: { stock: quantity },
      constraints: [...binding, transit],
      binding,
    };
  }
  return produce(args, today, cal, stock, transit);
}

function produce(
  { quantity, state, rules, expedite = false }: PromiseArgs,
  today: number,
  cal: DayCalendar,
  stock: Constraint,
  transit: Constraint,
): PromiseResult {
  const horizon = today + rules.horizonDays;
  const leadDays = Math.max(0, state.material.purchaseLeadDays - (expedite ? (rules.expediteLeadCutDays ?? 0) : 0));
  const readyFrom = today + leadDays;
  const mouldFrom = state.mould?.availableFrom ? toDay(state.mould.availableFrom) : null;

  // Each start constraint with the day it allows production from.
  const gates: Array<{ constraint: Constraint; from: number }> = [];
  if (leadDays > 0) {
    gates.push({
      constraint: { kind: 'purchase-lead', days: leadDays, readyFrom: fromDay(readyFrom) },
      from: readyFrom,
    });
  }
  if (state.mould && mouldFrom !== null && mouldFrom > today) {
    gates.push({
      constraint: { kind: 'mould', mould: state.mould.id, availableFrom: fromDay(mouldFrom) },
      from: mouldFrom,
    });
  }
  const gateConstraints = gates.map((g) => g.constraint);

  const line = state.line;
  if (!line) return { feasible: false, reason: 'no-line', constraints: [stock, ...gateConstraints] };

  const days = lineDays(line);
  const rawStart = Math.max(today + 1, ...gates.map((g) => g.from));
  const start = firstWorkingDay(rawStart, horizon, cal);
  const need = toMilli(quantity);
  const allocation = start === null ? null : allocate(need, start, horizon, cal, (d) => days.freeMilli(d, expedite));
  if (start === null || allocation === null) {
    const busiest = expedite || start === null ? null : days.busiest(start, horizon);
    const loadConstraint: Constraint[] = busiest
      ? [{ kind: 'line-load', line: line.id, load: busiest.load, until: busiest.to }]
      : [];
    return { feasible: false, reason: 'beyond-horizon', constraints: [stock, ...gateConstraints, ...loadConstraint] };
  }

  const finish = allocation.finish;
  const packed = addWorkingDayNumbers(finish, rules.pickPackDays, cal);
  const defaultStart = firstWorkingDay(today + 1, horizon, cal);
  // Without the existing load the item could finish no later, so this is always found.
  const finishNoLoad = expedite
    ? finish
    : (allocate(need, start, horizon, cal, (d) => days.freeMilli(d, true))?.finish ?? finish);

  const tagged: Array<{ constraint: Constraint; binding: boolean }> = [
    { constraint: stock, binding: false },
    ...gates.map((g) => ({
      constraint: g.constraint,
      binding: start !== defaultStart && firstWorkingDay(g.from, horizon, cal) === start,
    })),
  ];
  const busiest = expedite ? null : days.busiest(start, finish);
  if (busiest) {
    tagged.push({
      constraint: { kind: 'line-load', line: line.id, load: busiest.load, until: busiest.to },
      binding: finish > finishNoLoad,
    });
  }
  const firstDay = allocation.days[0]?.day ?? start;
  tagged.push({
    constraint: { kind: 'line-capacity', line: line.id, freeFrom: fromDay(firstDay), finish: fromDay(finish) },
    binding: finishNoLoad > start,
  });
  for (const c of calendarConstraint(rawStart, packed, cal)) tagged.push({ constraint: c, binding: true });
  tagged.push({ constraint: transit, binding: false });

  const binding = tagged.filter((t) => t.binding).map((t) => t.constraint);
  return {
    feasible: true,
    source: 'production',
    date: fromDay(packed + rules.transitDays),
    start: fromDay(start),
    finish: fromDay(finish),
    reserve: { line: line.id, days: productionDays(allocation) },
    constraints: [...binding, ...tagged.filter((t) => !t.binding).map((t) => t.constraint)],
    binding,
  };
}

function calendarConstraint(from: number, until: number, cal: DayCalendar): Constraint[] {
  const holidays = holidaysBetween(from, until, cal);
  return holidays.length > 0 ? [{ kind: 'calendar', holidays }] : [];
}
