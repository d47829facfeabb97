import { describe, expect, it } from 'vitest';
import {
  addWorkingDays,
  checkPromise,
  earliestDelivery,
  earliestForOrder,
  isWorkingDay,
  loadTone,
  type LineState,
  type PlantState,
  type PromiseArgs,
  type PromiseRules,
  type WorkCalendar,
} from '../../domain/promise';

// 2025-03-03 is a Monday.
const MON = '2025-03-03';
const calendar: WorkCalendar = { holidays: [], makeUpWorkdays: [] };
const rules: PromiseRules = { pickPackDays: 1, transitDays: 2, horizonDays: 180 };

function line(over: Partial<LineState> = {}): LineState {
  return { id: 'A', capacityPerDay: 100, load: [], reservations: [], ...over };
}

function state(over: Partial<PlantState> = {}): PlantState {
  return {
    stock: { onHand: 0, reserved: 0 },
    material: { code: 'BRK-01', purchaseLeadDays: 0 },
    line: line(),
    mould: null,
    ...over,
  };
}

function promise(over: Partial<PromiseArgs> = {}) {
  return earliestDelivery({ today: MON, quantity: 50, state: state(), calendar, rules, ...over });
}

describe('work calendar', () => {
  it('rests on weekends and holidays, works make-up days', () => {
    const cal: WorkCalendar = { holidays: ['2025-03-04', '2025-03-08'], makeUpWorkdays: ['2025-03-08', '2025-03-09'] };
    expect(isWorkingDay('2025-03-03', cal)).toBe(true);
    expect(isWorkingDay('2025-03-04', cal)).toBe(false);
    expect(isWorkingDay('2025-03-08', cal)).toBe(true); // make-up wins over a listed holiday
    expect(isWorkingDay('2025-03-09', cal)).toBe(true);
    expect(isWorkingDay('2025-03-15', cal)).toBe(false);
    expect(isWorkingDay('2025-03-15', { ...cal, weekendDays: [0] })).toBe(true);
  });

  it('adds working days, zero meaning the same day', () => {
    expect(addWorkingDays('2025-03-07', 0, calendar)).toBe('2025-03-07');
    expect(addWorkingDays('2025-03-07', 1, calendar)).toBe('2025-03-10');
    expect(addWorkingDays('2025-03-07', 1, { holidays: ['2025-03-10'], makeUpWorkdays: [] })).toBe('2025-03-11');
    expect(addWorkingDays('2025-12-31', 2, calendar)).toBe('2026-01-02');
  });

  it('rejects malformed dates and a calendar without working days', () => {
    expect(() => isWorkingDay('2025-02-30', calendar)).toThrow(RangeError);
    expect(() => isWorkingDay('2025-3-3', calendar)).toThrow(RangeError);
    expect(() =>
      addWorkingDays(MON, 1, { weekendDays: [0, 1, 2, 3, 4, 5, 6], holidays: [], makeUpWorkdays: [] }),
    ).toThrow(RangeError);
  });
});

describe('earliest delivery', () => {
  it('ships from stock when available stock covers the quantity', () => {
    const r = promise({ quantity: 80, state: state({ stock: { onHand: 100, reserved: 20 } }) });
    expect(r).toMatchObject({ feasible: true, source: 'stock', date: '2025-03-06', reserve: { stock: 80 } });
    if (!r.feasible) throw new Error('feasible expected');
    expect(r.binding).toEqual([{ kind: 'stock', available: 80, needed: 80 }]);
    expect(r.constraints).toContainEqual({ kind: 'transit', days: 2 });
  });

  it('produces the whole quantity when stock falls short', () => {
    const r = promise({ quantity: 81, state: state({ stock: { onHand: 100, reserved: 20 } }) });
    expect(r).toMatchObject({
      feasible: true,
      source: 'production',
      start: '2025-03-04',
      finish: '2025-03-04',
      date: '2025-03-07',
      reserve: { line: 'A', days: [{ date: '2025-03-04', quantity: 81 }] },
    });
    if (!r.feasible) throw new Error('feasible expected');
    expect(r.binding).toEqual([]);
    expect(r.constraints[0]).toEqual({ kind: 'stock', available: 80, needed: 81 });
  });

  it('does not count stock reserved beyond what is on hand as negative', () => {
    const r = promise({ quantity: 10, state: state({ stock: { onHand: 5, reserved: 50 } }) });
    expect(r.constraints[0]).toEqual({ kind: 'stock', available: 0, needed: 10 });
  });

  it('waits for the mould to come back from repair', () => {
    const r = promise({ state: state({ mould: { id: '#3', availableFrom: '2025-03-10' } }) });
    expect(r).toMatchObject({ feasible: true, start: '2025-03-10', date: '2025-03-13' });
    if (!r.feasible) throw new Error('feasible expected');
    expect(r.binding).toEqual([{ kind: 'mould', mould: '#3', availableFrom: '2025-03-10' }]);
  });

  it('ignores a mould that is already back', () => {
    const r = promise({ state: state({ mould: { id: '#3', availableFrom: '2025-02-20' } }) });
    expect(r).toMatchObject({ start: '2025-03-04' });
    expect(r.constraints.some((c) => c.kind === 'mould')).toBe(false);
    expect(promise({ state: state({ mould: { id: '#3', availableFrom: null } }) })).toMatchObject({
      start: '2025-03-04',
    });
  });

  it('waits for purchased material', () => {
    const r = promise({ state: state({ material: { code: 'X', purchaseLeadDays: 10 } }) });
    expect(r).toMatchObject({ feasible: true, start: '2025-03-13', date: '2025-03-16' });
    if (!r.feasible) throw new Error('feasible expected');
    expect(r.binding).toEqual([{ kind: 'purchase-lead', days: 10, readyFrom: '2025-03-13' }]);
  });

  it('binds only the later of mould and purchase', () => {
    const r = promise({
      state: state({ material: { code: 'X', purchaseLeadDays: 3 }, mould: { id: '#3', availableFrom: '2025-03-10' } }),
    });
    if (!r.feasible) throw new Error('feasible expected');
    expect(r.binding.map((c) => c.kind)).toEqual(['mould']);
    expect(r.constraints.map((c) => c.kind)).toContain('purchase-lead');
  });

  it('stretches the finish over a heavily loaded period', () => {
    const loaded = line({ load: [{ from: '2025-03-04', to: '2025-03-06', load: 0.92 }] });
    const r = promise({ quantity: 100, state: state({ line: loaded }) });
    expect(r).toMatchObject({ feasible: true, finish: '2025-03-07', date: '2025-03-12' });
    if (r.feasible === false || r.source !== 'production') throw new Error('production expected');
    expect(r.reserve.days).toEqual([
      { date: '2025-03-04', quantity: 8 },
      { date: '2025-03-05', quantity: 8 },
      { date: '2025-03-06', quantity: 8 },
      { date: '2025-03-07', quantity: 76 },
    ]);
    expect(r.binding).toContainEqual({ kind: 'line-load', line: 'A', load: 0.92, until: '2025-03-06' });
  });

  it('applies the highest of overlapping load periods', () => {
    const loaded = line({
      load: [
        { from: '2025-03-04', to: '2025-03-04', load: 0.5 },
        { from: '2025-03-01', to: '2025-03-31', load: 0.9 },
      ],
    });
    const r = promise({ quantity: 10, state: state({ line: loaded }) });
    if (r.feasible === false || r.source !== 'production') throw new Error('production expected');
    expect(r.reserve.days[0]).toEqual({ date: '2025-03-04', quantity: 10 });
    expect(r.constraints).toContainEqual({ kind: 'line-load', line: 'A', load: 0.9, until: '2025-03-31' });
  });

  it('lets confirmed reservations consume capacity', () => {
    const reserved = line({
      reservations: [
        { date: '2025-03-04', quantity: 60 },
        { date: '2025-03-04', quantity: 40 },
        { date: '2025-03-05', quantity: 70 },
      ],
    });
    const r = promise({ quantity: 50, state: state({ line: reserved }) });
    if (r.feasible === false || r.source !== 'production') throw new Error('production expected');
    expect(r.reserve.days).toEqual([
      { date: '2025-03-05', quantity: 30 },
      { date: '2025-03-06', quantity: 20 },
    ]);
    expect(r.binding).toContainEqual({
      kind: 'line-capacity',
      line: 'A',
      freeFrom: '2025-03-05',
      finish: '2025-03-06',
    });
  });

  it('skips the weekend and public holidays', () => {
    const friday = '2025-03-07';
    const plain = promise({ today: friday, quantity: 150 });
    expect(plain).toMatchObject({ start: '2025-03-10', finish: '2025-03-11', date: '2025-03-14' });
    const cal: WorkCalendar = { holidays: ['2025-03-11'], makeUpWorkdays: [] };
    const r = promise({ today: friday, quantity: 150, calendar: cal });
    expect(r).toMatchObject({ finish: '2025-03-12', date: '2025-03-15' });
    if (!r.feasible) throw new Error('feasible expected');
    expect(r.binding).toContainEqual({ kind: 'calendar', holidays: ['2025-03-11'] });
  });

  it('works a make-up Saturday', () => {
    const cal: WorkCalendar = { holidays: [], makeUpWorkdays: ['2025-03-08'] };
    const r = promise({ today: '2025-03-07', quantity: 50, calendar: cal });
    expect(r).toMatchObject({ start: '2025-03-08', finish: '2025-03-08', date: '2025-03-12' });
  });

  it('expedite overrides the load and shortens the purchase lead, never later', () => {
    const loaded = line({ load: [{ from: '2025-03-01', to: '2025-03-31', load: 0.95 }] });
    const s = state({ line: loaded, material: { code: 'X', purchaseLeadDays: 5 } });
    const r = { ...rules, expediteLeadCutDays: 3 };
    const normal = promise({ quantity: 100, state: s, rules: r });
    const fast = promise({ quantity: 100, state: s, rules: r, expedite: true });
    expect(normal).toMatchObject({ start: '2025-03-10', finish: '2025-04-01' });
    expect(fast).toMatchObject({ start: '2025-03-05', finish: '2025-03-05', date: '2025-03-08' });
    expect(fast.constraints.some((c) => c.kind === 'line-load')).toBe(false);
    expect(fast.constraints).toContainEqual({ kind: 'purchase-lead', days: 2, readyFrom: '2025-03-05' });
  });

  it('expedite still respects confirmed reservations and the mould', () => {
    const s = state({
      line: line({
        load: [{ from: MON, to: '2025-03-31', load: 1 }],
        reservations: [{ date: '2025-03-11', quantity: 100 }],
      }),
      mould: { id: '#3', availableFrom: '2025-03-11' },
    });
    expect(promise({ state: s, expedite: true })).toMatchObject({ start: '2025-03-11', finish: '2025-03-12' });
  });

  it('is infeasible without a line when stock falls short', () => {
    const r = promise({ state: state({ line: null, stock: { onHand: 10, reserved: 0 } }) });
    expect(r).toMatchObject({ feasible: false, reason: 'no-line' });
    expect(promise({ quantity: 10, state: state({ line: null, stock: { onHand: 10, reserved: 0 } }) })).toMatchObject({
      feasible: true,
      source: 'stock',
    });
  });

  it('gives up beyond the horizon', () => {
    const slow = promise({
      quantity: 1000,
      state: state({ line: line({ capacityPerDay: 10 }) }),
      rules: { ...rules, horizonDays: 30 },
    });
    expect(slow).toMatchObject({ feasible: false, reason: 'beyond-horizon' });
    const late = promise({
      state: state({ mould: { id: '#3', availableFrom: '2025-12-01' } }),
      rules: { ...rules, horizonDays: 30 },
    });
    expect(late).toMatchObject({ feasible: false, reason: 'beyond-horizon' });
    expect(late.constraints).toContainEqual({ kind: 'mould', mould: '#3', availableFrom: '2025-12-01' });
    const full = promise({ state: state({ line: line({ load: [{ from: MON, to: '2026-12-31', load: 1 }] }) }) });
    expect(full).toMatchObject({ feasible: false, reason: 'beyond-horizon' });
    expect(full.constraints).toContainEqual({ kind: 'line-load', line: 'A', load: 1, until: '2026-12-31' });
  });

  it('keeps fractional quantities exact', () => {
    const r = promise({ quantity: 2.5, state: state({ line: line({ capacityPerDay: 1.2 }) }) });
    if (r.feasible === false || r.source !== 'production') throw new Error('production expected');
    expect(r.reserve.days.map((d) => d.quantity)).toEqual([1.2, 1.2, 0.1]);
  });

  it('explains a refused date the way the card tells it', () => {
    // Wednesday 2026-02-25; asked for 3月5日.
    const r = earliestDelivery({
      today: '2026-02-25',
      quantity: 120,
      state: state({
        line: line({ load: [{ from: '2026-03-02', to: '2026-03-04', load: 0.92 }] }),
        mould: { id: '#3', availableFrom: '2026-03-02' },
      }),
      calendar,
      rules: { pickPackDays: 1, transitDays: 3, horizonDays: 180 },
    });
    expect(checkPromise('2026-03-05', r)).toEqual({ ok: false, earliest: '2026-03-09' });
    if (!r.feasible) throw new Error('feasible expected');
    expect(r.binding).toEqual([
      { kind: 'mould', mould: '#3', availableFrom: '2026-03-02' },
      { kind: 'line-load', line: 'A', load: 0.92, until: '2026-03-04' },
      { kind: 'line-capacity', line: 'A', freeFrom: '2026-03-02', finish: '2026-03-05' },
    ]);
    expect(r.constraints.slice(0, 3)).toEqual(r.binding);
  });
});

describe('checkPromise', () => {
  it('accepts the earliest date or later, refuses earlier', () => {
    const r = promise({ quantity: 81 }); // 2025-03-07
    expect(checkPromise('2025-03-07', r)).toEqual({ ok: true });
    expect(checkPromise('2025-04-01', r)).toEqual({ ok: true });
    expect(checkPromise('2025-03-06', r)).toEqual({ ok: false, earliest: '2025-03-07' });
    expect(checkPromise('2025-03-06', promise({ state: state({ line: null }) }))).toEqual({
      ok: false,
      earliest: null,
    });
  });
});

describe('orders with several items', () => {
  it('takes the latest item date and merges the binding constraints of the items that reach it', () => {
    const order = earliestForOrder({
      today: MON,
      calendar,
      rules,
      items: [
        { quantity: 10, state: state({ stock: { onHand: 10, reserved: 0 } }) },
        { quantity: 10, state: state({ material: { code: 'Y', purchaseLeadDays: 7 }, line: line({ id: 'B' }) }) },
        { quantity: 10, state: state({ material: { code: 'Z', purchaseLeadDays: 7 }, line: line({ id: 'C' }) }) },
      ],
    });
    expect(order).toMatchObject({ feasible: true, date: '2025-03-13' });
    if (!order.feasible) throw new Error('feasible expected');
    expect(order.binding).toEqual([{ kind: 'purchase-lead', days: 7, readyFrom: '2025-03-10' }]);
    expect(order.items.map((i) => i.date)).toEqual(['2025-03-06', '2025-03-13', '2025-03-13']);
  });

  it('lets earlier items use up shared stock and line capacity', () => {
    const shared = state({ stock: { onHand: 60, reserved: 0 } });
    const order = earliestForOrder({
      today: MON,
      calendar,
      rules,
      items: [
        { quantity: 60, state: shared },
        { quantity: 60, state: shared },
        { quantity: 80, state: shared },
      ],
    });
    if (!order.feasible) throw new Error('feasible expected');
    expect(order.items.map((i) => i.source)).toEqual(['stock', 'production', 'production']);
    const third = order.items[2];
    if (third?.source !== 'production') throw new Error('production expected');
    expect(third.reserve.days).toEqual([
      { date: '2025-03-04', quantity: 40 },
      { date: '2025-03-05', quantity: 40 },
    ]);
  });

  it('is infeasible when any item is', () => {
    const order = earliestForOrder({
      today: MON,
      calendar,
      rules,
      items: [
        { quantity: 1, state: state() },
        { quantity: 1, state: state({ line: null }) },
      ],
    });
    expect(order.feasible).toBe(false);
    expect(order.items.map((i) => i.feasible)).toEqual([true, false]);
    expect(() => earliestForOrder({ today: MON, calendar, rules, items: [] })).toThrow(RangeError);
  });
});

describe('loadTone', () => {
  it('turns yellow above 70% and red above 85%', () => {
    expect(loadTone(0)).toBe('blue');
    expect(loadTone(0.7)).toBe('blue');
    expect(loadTone(0.7001)).toBe('yellow');
    expect(loadTone(0.85)).toBe('yellow');
    expect(loadTone(0.8501)).toBe('red');
    expect(loadTone(1)).toBe('red');
  });
});
