import { addWorkingDayNumbers, compileCalendar, type DayCalendar, toDay } from '../promise/calendar';
import { earliestDelivery } from '../promise/earliest';
import { lineDays, toMilli, wholePieces } from '../promise/line';
import type { FeasiblePromise, LoadPeriod, PlantState, PromiseRules, WorkCalendar } from '../promise/types';
import type { LinePart, SplitOffer } from './types';

/** A material as the re-plan sees it. `mould.availableFrom`: null = in service; MOULD_END_UNKNOWN = no known end. */
export interface PlanMaterial {
  code: string;
  purchaseLeadDays: number;
  line: string | null;
  mould: { id: string; availableFrom: string | null } | null;
}

export interface PlanLine {
  id: string;
  capacityPerDay: number;
  load: readonly LoadPeriod[];
}

/** One reservation: stock pieces of a material, or a line's capacity on a day. */
export interface Hold {
  materialCode: string;
  kind: 'stock' | 'production';
  line: string | null;
  day: string | null;
  quantity: number;
}

export interface PlanOrder {
  id: number;
  promisedDate: string;
  items: ReadonlyArray<{ lineNo: number; materialCode: string; quantity: number }>;
  holds: readonly Hold[];
}

export interface ReplanInput {
  today: string;
  calendar: WorkCalendar;
  rules: PromiseRules;
  materials: ReadonlyMap<string, PlanMaterial>;
  lines: ReadonlyMap<string, PlanLine>;
  onHand: ReadonlyMap<string, number>;
  /** What orders outside the re-check hold: stock by material, and line capacity by line and day. */
  fixed: readonly Hold[];
  /** The orders re-checked, the one confirmed first first: an earlier order keeps what it holds. */
  orders: readonly PlanOrder[];
}

export interface Replanned {
  orderId: number;
  holds: Hold[];
  /** When the whole order can now be delivered; null when not within the horizon. */
  date: string | null;
  /** Per order line, its own new date (null: not within the horizon). */
  lineDates: Array<{ lineNo: number; date: string | null }>;
  late: boolean;
  /** What can still be ready by the promise and when the rest can follow (late orders only). */
  split: SplitOffer | null;
  plan: { source: 'stock' | 'production'; start?: string; finish?: string };
}

export interface ReplanResult {
  /** Orders whose reservations still hold: untouched. */
  kept: number[];
  /** Orders whose reservations no longer hold, with what they hold now (late or not). */
  moved: Replanned[];
}

/** What is taken so far: stock by material, and line capacity by line and day number, in thousandths. */
class Usage {
  readonly stock = new Map<string, number>();
  readonly lines = new Map<string, Map<number, number>>();

  lineDay(line: string): Map<number, number> {
    const days = this.lines.get(line) ?? new Map<number, number>();
    this.lines.set(line, days);
    return days;
  }

  add(hold: Hold, today: number) {
    if (hold.kind === 'stock')
      this.stock.set(hold.materialCode, (this.stock.get(hold.materialCode) ?? 0) + hold.quantity);
    else if (hold.line && hold.day && toDay(hold.day) >= today) {
      const days = this.lineDay(hold.line);
      const day = toDay(hold.day);
      days.set(day, (days.get(day) ?? 0) + toMilli(hold.quantity));
    }
  }

  /** A copy of the parts `codes` and `lines` touch, for trying an offer without changing this one. */
  scratch(codes: Iterable<string>, lines: Iterable<string>): Usage {
    const copy = new Usage();
    for (const code of codes) copy.stock.set(code, this.stock.get(code) ?? 0);
    for (const line of lines) copy.lines.set(line, new Map(this.lines.get(line)));
    return copy;
  }
}

/**
 * Re-checks confirmed orders after the plant changed. Pure. Each order, the one confirmed first first, keeps its
 * reservations when every one still holds: stock within what is on hand, a production day that is still worked,
 * with its mould in service and within the line's capacity (less than one piece over: day quantities are rounded
 * to whole pieces). The others are promised again, in the same order, against everything kept: an order whose
 * new date passes its promise is late, and gets a split offer when part of it can still make the promise against
 * what all the others hold in the end.
 */
export function replan(input: ReplanInput): ReplanResult {
  const cal = compileCalendar(input.calendar);
  const today = toDay(input.today);
  const usage = new Usage();
  for (const hold of input.fixed) usage.add(hold, today);
  const kept: number[] = [];
  const redo: PlanOrder[] = [];
  for (const order of input.orders) {
    if (holdsStill(input, cal, today, usage, order.holds)) {
      for (const hold of order.holds) usage.add(hold, today);
      kept.push(order.id);
    } else redo.push(order);
  }
  const moved = redo.map((order) => promiseAgain(input, today, usage, order));
  // Split offers last, each against what every other order holds once all are re-promised: an offer worked
  // out earlier could count on capacity a later re-promised order then took (or on what it gave back).
  for (const [i, result] of moved.entries()) {
    if (!result.late) continue;
    const order = redo[i]!;
    const items = remaining(order, today);
    const others = withoutHolds(usage, items, result.holds, today, input);
    result.split = offerSplit(input, cal, today, others, order, items)?.offer ?? null;
  }
  return { kept, moved };
}

/** What everything holds but these holds, for the parts of `usage` the items' materials and lines touch. */
function withoutHolds(
  usage: Usage,
  items: ReadonlyArray<{ materialCode: string }>,
  holds: readonly Hold[],
  today: number,
  input: ReplanInput,
): Usage {
  const codes = items.map((i) => i.materialCode);
  const lines = codes.flatMap((c) => input.materials.get(c)?.line ?? []);
  const others = usage.scratch(codes, lines);
  for (const hold of holds) others.add({ ...hold, quantity: -hold.quantity }, today);
  return others;
}

function holdsStill(input: ReplanInput, cal: DayCalendar, today: number, usage: Usage, holds: readonly Hold[]) {
  const stock = new Map<string, number>();
  const days = new Map<string, number>();
  for (const hold of holds) {
    if (hold.kind === 'stock') {
      const taken = (stock.get(hold.materialCode) ?? usage.stock.get(hold.materialCode) ?? 0) + hold.quantity;
      if (taken > (input.onHand.get(hold.materialCode) ?? 0)) return false;
      stock.set(hold.materialCode, taken);
      continue;
    }
    if (!hold.line || !hold.day) return false;
    const day = toDay(hold.day);
    if (day < today) continue;
    const material = input.materials.get(hold.materialCode);
    const line = input.lines.get(hold.line);
    if (!material || !line || material.line !== hold.line || !cal.isWorking(day)) return false;
    const mouldFrom = material.mould?.availableFrom;
    if (mouldFrom && toDay(mouldFrom) > day) return false;
    const key = `${hold.line}:${day}`;
    const taken = (days.get(key) ?? usage.lineDay(hold.line).get(day) ?? 0) + toMilli(hold.quantity);
    if (taken >= capacityMilli(line, day) + toMilli(1)) return false;
    days.set(key, taken);
  }
  return true;
}

/** A line's capacity on a day less its load, in thousandths, before any reservation. */
function capacityMilli(line: PlanLine, day: number): number {
  return lineDays({ id: line.id, capacityPerDay: line.capacityPerDay, load: line.load, reservations: [] }).freeMilli(
    day,
    false,
  );
}

function stateOf(input: ReplanInput, usage: Usage, code: string, today: string): PlantState {
  const material = input.materials.get(code);
  const line = material?.line ? input.lines.get(material.line) : undefined;
  return {
    stock: { onHand: input.onHand.get(code) ?? 0, reserved: usage.stock.get(code) ?? 0 },
    material: { code, purchaseLeadDays: material?.purchaseLeadDays ?? 0 },
    line: line
      ? {
          id: line.id,
          capacityPerDay: line.capacityPerDay,
          load: line.load.filter((p) => p.to >= today),
          reservations: [],
          reservedMilli: usage.lineDay(line.id),
        }
      : null,
    mould: material?.mould ?? null,
  };
}

/** The holds a feasible item result takes: the stock, or its production days in whole pieces. */
export function holdsOf(code: string, result: FeasiblePromise): Hold[] {
  if (result.source === 'stock') {
    return [{ materialCode: code, kind: 'stock', line: null, day: null, quantity: result.reserve.stock }];
  }
  return wholePieces(result.reserve.days).map((d) => ({
    materialCode: code,
    kind: 'production' as const,
    line: result.reserve.line,
    day: d.date,
    quantity: d.quantity,
  }));
}

/** What is left to make of each line: production already past (days before `today`) is done. */
export function remainingItems(order: PlanOrder, today: string) {
  return remaining(order, toDay(today));
}

function remaining(order: PlanOrder, today: number): Array<{ lineNo: number; materialCode: string; quantity: number }> {
  const made = new Map<string, number>();
  for (const hold of order.holds) {
    if (hold.kind === 'production' && hold.day && toDay(hold.day) < today) {
      made.set(hold.materialCode, (made.get(hold.materialCode) ?? 0) + hold.quantity);
    }
  }
  return order.items
    .map((item) => {
      const done = Math.min(item.quantity, made.get(item.materialCode) ?? 0);
      made.set(item.materialCode, (made.get(item.materialCode) ?? 0) - done);
      return { ...item, quantity: item.quantity - done };
    })
    .filter((item) => item.quantity > 0);
}

function promiseAgain(input: ReplanInput, today: number, usage: Usage, order: PlanOrder): Replanned {
  const items = remaining(order, today);
  const args = { today: input.today, calendar: input.calendar, rules: input.rules };
  const past = order.holds.filter((h) => h.kind === 'production' && h.day && toDay(h.day) < today);
  const holds: Hold[] = [...past];
  const lineDates: Replanned['lineDates'] = [];
  for (const item of items) {
    const result = earliestDelivery({
      ...args,
      quantity: item.quantity,
      state: stateOf(input, usage, item.materialCode, input.today),
    });
    lineDates.push({ lineNo: item.lineNo, date: result.feasible ? result.date : null });
    if (!result.feasible) continue;
    const taken = holdsOf(item.materialCode, result);
    for (const hold of taken) usage.add(hold, today);
    holds.push(...taken);
  }
  const dates = lineDates.map((l) => l.date);
  const date = dates.includes(null) ? null : dates.reduce<string>((max, d) => (d! > max ? d! : max), '');
  const late = date === null || date > order.promisedDate;
  return {
    orderId: order.id,
    holds,
    date: date === '' ? input.today : date,
    lineDates,
    late,
    split: null,
    plan: planOf(holds),
  };
}

/**
 * The part of each line that can still be ready by the promise (from stock on hand, or from production days that
 * finish in time), and the date the rest can follow. Null when nothing, or everything, can make the promise.
 */
function offerSplit(
  input: ReplanInput,
  cal: DayCalendar,
  today: number,
  usage: Usage,
  order: PlanOrder,
  items: ReturnType<typeof remaining>,
): SplitPlan | null {
  const promised = toDay(order.promisedDate);
  const finishBy = lastFinishDay(promised, input.rules, cal, today);
  const codes = items.map((i) => i.materialCode);
  const lines = codes.flatMap((c) => input.materials.get(c)?.line ?? []);
  const scratch = usage.scratch(codes, lines);
  const args = { today: input.today, calendar: input.calendar, rules: input.rules };
  const now: LinePart[] = [];
  const rest: Array<LinePart & { materialCode: string }> = [];
  const nowHolds: Hold[] = [];
  const restHolds: Hold[] = [];
  for (const item of items) {
    const state = stateOf(input, scratch, item.materialCode, input.today);
    const part = Math.min(item.quantity, partInTime(state, item.quantity, finishBy, promised, input.rules, cal, today));
    if (part > 0) {
      now.push({ lineNo: item.lineNo, quantity: part });
      const result = earliestDelivery({ ...args, quantity: part, state });
      if (!result.feasible) return null;
      nowHolds.push(...holdsOf(item.materialCode, result));
      for (const hold of holdsOf(item.materialCode, result)) scratch.add(hold, today);
    }
    if (part < item.quantity)
      rest.push({ lineNo: item.lineNo, materialCode: item.materialCode, quantity: item.quantity - part });
  }
  if (now.length === 0 || rest.length === 0) return null;
  let restDate = '';
  for (const item of rest) {
    const result = earliestDelivery({
      ...args,
      quantity: item.quantity,
      state: stateOf(input, scratch, item.materialCode, input.today),
    });
    if (!result.feasible) return null;
    restHolds.push(...holdsOf(item.materialCode, result));
    for (const hold of holdsOf(item.materialCode, result)) scratch.add(hold, today);
    if (result.date > restDate) restDate = result.date;
  }
  const offer = { now, rest: rest.map(({ lineNo, quantity }) => ({ lineNo, quantity })), restDate };
  return { offer, nowHolds, restHolds };
}

/** A split offer and what each of its two deliveries would hold. */
export interface SplitPlan {
  offer: SplitOffer;
  nowHolds: Hold[];
  restHolds: Hold[];
}

/**
 * One order's split, worked out against what every other order holds (`input.fixed`; `input.orders` is not
 * read): null when nothing, or everything, can make its promise.
 */
export function splitPlan(input: ReplanInput, order: PlanOrder): SplitPlan | null {
  const cal = compileCalendar(input.calendar);
  const today = toDay(input.today);
  const usage = new Usage();
  for (const hold of input.fixed) usage.add(hold, today);
  return offerSplit(input, cal, today, usage, order, remaining(order, today));
}

/** Where production holds start and finish (stock only: no production). */
export function planOf(holds: readonly Hold[]): Replanned['plan'] {
  const days = holds.flatMap((h) => (h.kind === 'production' && h.day ? [h.day] : [])).sort();
  return days.length === 0 ? { source: 'stock' } : { source: 'production', start: days[0]!, finish: days.at(-1)! };
}

/** Whole pieces of `quantity` that reach the customer by `promised`: from stock, or made by `finishBy`. */
function partInTime(
  state: PlantState,
  quantity: number,
  finishBy: number | null,
  promised: number,
  rules: PromiseRules,
  cal: DayCalendar,
  today: number,
): number {
  const shipsBy = addWorkingDayNumbers(today, rules.pickPackDays, cal) + rules.transitDays;
  const fromStock = shipsBy <= promised ? Math.max(0, state.stock.onHand - state.stock.reserved) : 0;
  if (fromStock > 0) return Math.floor(Math.min(fromStock, quantity));
  if (finishBy === null || !state.line) return 0;
  const mouldFrom = state.mould?.availableFrom ? toDay(state.mould.availableFrom) : today;
  const start = Math.max(today + 1, today + state.material.purchaseLeadDays, mouldFrom);
  const days = lineDays(state.line);
  let free = 0;
  for (let day = start; day <= finishBy; day++) if (cal.isWorking(day)) free += days.freeMilli(day, false);
  return Math.floor(Math.min(free, toMilli(quantity)) / toMilli(1));
}

/** The last working day whose production still reaches the customer by `promised`; null when none from tomorrow. */
function lastFinishDay(promised: number, rules: PromiseRules, cal: DayCalendar, today: number): number | null {
  for (let day = promised - rules.transitDays; day > today; day--) {
    if (cal.isWorking(day) && addWorkingDayNumbers(day, rules.pickPackDays, cal) + rules.transitDays <= promised)
      return day;
  }
  return null;
}
