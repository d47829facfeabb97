import { describe, expect, it } from 'vitest';
import {
  addWorkingTime,
  canAdvance,
  computeEtd,
  delayAlertDue,
  nextStage,
  nextWorkingMoment,
  parseStageWord,
  promisedInstant,
  quietHoursEnd,
  skippedStages,
  stagesCompleted,
  workingTimeBetween,
  type EtdArgs,
  type StageDurations,
  type Workday,
} from '../../domain/lifecycle';
import type { WorkCalendar } from '../../domain/promise';

const HOUR = 3_600_000;
/** A China wall-clock time, 'YYYY-MM-DDTHH:mm'. */
const cn = (local: string) => new Date(`${local}+08:00`);

const plain: WorkCalendar = { holidays: [], makeUpWorkdays: [] };
/** Spring Festival 2026: Feb 15–23 off; Saturdays Feb 14 and Feb 28 worked (调休). */
const spring2026: WorkCalendar = {
  holidays: [
    '2026-02-15',
    '2026-02-16',
    '2026-02-17',
    '2026-02-18',
    '2026-02-19',
    '2026-02-20',
    '2026-02-21',
    '2026-02-22',
    '2026-02-23',
  ],
  makeUpWorkdays: ['2026-02-14', '2026-02-28'],
};
const workday: Workday = { start: '08:30', end: '17:30' };

describe('stages', () => {
  const stock = skippedStages('stock');

  it('stock orders skip production and QC', () => {
    expect(stock).toEqual(['in_production', 'qc_passed']);
    expect(skippedStages('production')).toEqual([]);
  });

  it('nextStage skips skipped stages and ends after delivered', () => {
    expect(nextStage('confirmed', [])).toBe('in_production');
    expect(nextStage('confirmed', stock)).toBe('packed');
    expect(nextStage('shipped', [])).toBe('delivered');
    expect(nextStage('delivered', [])).toBeNull();
  });

  it('canAdvance allows strictly later, non-skipped stages, jumps included', () => {
    expect(canAdvance('confirmed', 'in_production', [])).toBe(true);
    expect(canAdvance('confirmed', 'shipped', [])).toBe(true);
    expect(canAdvance('packed', 'packed', [])).toBe(false);
    expect(canAdvance('shipped', 'packed', [])).toBe(false);
    expect(canAdvance('confirmed', 'qc_passed', stock)).toBe(false);
    expect(canAdvance('confirmed', 'packed', stock)).toBe(true);
    expect(canAdvance('delivered', 'delivered', [])).toBe(false);
  });

  it('stagesCompleted lists the stages a jump completes', () => {
    expect(stagesCompleted('packed', 'delivered', [])).toEqual(['shipped', 'delivered']);
    expect(stagesCompleted('confirmed', 'shipped', stock)).toEqual(['packed', 'shipped']);
    expect(stagesCompleted('confirmed', 'qc_passed', [])).toEqual(['in_production', 'qc_passed']);
    expect(stagesCompleted('shipped', 'packed', [])).toEqual([]);
  });

  it('parses stage words people write', () => {
    const cases: Array<[string, string | undefined]> = [
      ['开始生产', 'in_production'],
      ['生产中', 'in_production'],
      ['已投产', 'in_production'],
      ['在生产', 'in_production'],
      ['质检通过', 'qc_passed'],
      ['检验合格', 'qc_passed'],
      ['QC通过', 'qc_passed'],
      ['qc 通过', 'qc_passed'],
      ['QC Passed', 'qc_passed'],
      ['已包装', 'packed'],
      ['包装完成', 'packed'],
      ['打包好了', 'packed'],
      ['PACKED', 'packed'],
      ['已发货', 'shipped'],
      ['发货了！', 'shipped'],
      [' 已发出 ', 'shipped'],
      ['Shipped', 'shipped'],
      ['已签收', 'delivered'],
      ['已送达', 'delivered'],
      ['签收了', 'delivered'],
      ['客户已签收', 'delivered'],
      ['delivered.', 'delivered'],
      ['已确认', undefined],
      ['好的', undefined],
      ['', undefined],
      ['明天发货', undefined],
    ];
    for (const [text, stage] of cases) expect(parseStageWord(text), text).toBe(stage);
  });
});

describe('working time', () => {
  it('Friday 16:00 + 4h carries over the weekend to Monday', () => {
    // 2026-02-27 is a Friday: 1.5h left that day, 2.5h from Monday 08:30.
    expect(addWorkingTime(cn('2026-02-27T16:00'), 4 * HOUR, plain, workday)).toEqual(cn('2026-03-02T11:00'));
    expect(addWorkingTime(cn('2026-02-27T16:30'), 4 * HOUR, plain, workday)).toEqual(cn('2026-03-02T11:30'));
  });

  it('skips the Spring Festival and works the make-up Saturdays', () => {
    expect(addWorkingTime(cn('2026-02-13T16:00'), 4 * HOUR, spring2026, workday)).toEqual(cn('2026-02-14T11:00'));
    expect(addWorkingTime(cn('2026-02-14T16:00'), 4 * HOUR, spring2026, workday)).toEqual(cn('2026-02-24T11:00'));
    expect(addWorkingTime(cn('2026-02-27T16:00'), 4 * HOUR, spring2026, workday)).toEqual(cn('2026-02-28T11:00'));
    expect(nextWorkingMoment(cn('2026-02-17T10:00'), spring2026, workday)).toEqual(cn('2026-02-24T08:30'));
    expect(workingTimeBetween(cn('2026-02-13T08:30'), cn('2026-02-24T17:30'), spring2026, workday)).toBe(27 * HOUR);
  });

  it('nextWorkingMoment: start inclusive, end exclusive', () => {
    expect(nextWorkingMoment(cn('2026-03-02T08:30'), plain, workday)).toEqual(cn('2026-03-02T08:30'));
    expect(nextWorkingMoment(cn('2026-03-02T07:00'), plain, workday)).toEqual(cn('2026-03-02T08:30'));
    expect(nextWorkingMoment(cn('2026-03-02T17:30'), plain, workday)).toEqual(cn('2026-03-03T08:30'));
    expect(nextWorkingMoment(cn('2026-02-27T18:00'), plain, workday)).toEqual(cn('2026-03-02T08:30'));
  });

  it('zero working time, and additions ending exactly at the end of the day', () => {
    expect(addWorkingTime(cn('2026-03-02T10:00'), 0, plain, workday)).toEqual(cn('2026-03-02T10:00'));
    expect(addWorkingTime(cn('2026-03-02T20:00'), 0, plain, workday)).toEqual(cn('2026-03-03T08:30'));
    expect(addWorkingTime(cn('2026-03-02T16:30'), HOUR, plain, workday)).toEqual(cn('2026-03-02T17:30'));
    expect(addWorkingTime(cn('2026-03-02T06:00'), 9 * HOUR, plain, workday)).toEqual(cn('2026-03-02T17:30'));
  });

  it('workingTimeBetween', () => {
    expect(workingTimeBetween(cn('2026-02-27T16:00'), cn('2026-03-02T11:00'), plain, workday)).toBe(4 * HOUR);
    expect(workingTimeBetween(cn('2026-03-02T11:00'), cn('2026-03-02T10:00'), plain, workday)).toBe(0);
    expect(workingTimeBetween(cn('2026-02-28T00:00'), cn('2026-03-01T23:59'), plain, workday)).toBe(0);
  });

  it('rejects broken calendars and arguments instead of looping', () => {
    const never: WorkCalendar = { weekendDays: [0, 1, 2, 3, 4, 5, 6], holidays: [], makeUpWorkdays: [] };
    expect(() => nextWorkingMoment(cn('2026-03-02T10:00'), never, workday)).toThrow(/3 years/);
    expect(() => addWorkingTime(cn('2026-03-02T10:00'), HOUR, never, workday)).toThrow(/3 years/);
    expect(() => addWorkingTime(cn('2026-03-02T10:00'), -1, plain, workday)).toThrow(RangeError);
    expect(() => addWorkingTime(cn('2026-03-02T10:00'), HOUR, plain, { start: '17:30', end: '08:30' })).toThrow(
      RangeError,
    );
  });
});

describe('computeEtd', () => {
  const durations: StageDurations = {
    in_production: 9 * HOUR,
    qc_passed: 4 * HOUR,
    packed: 4 * HOUR,
    shipped: 2 * HOUR,
  };
  // 2026-03-02 is a Monday.
  const base: EtdArgs = {
    now: cn('2026-03-02T10:00'),
    stage: 'confirmed',
    stageSince: cn('2026-03-02T10:00'),
    skipped: [],
    durations,
    transitMs: 24 * HOUR,
    calendar: plain,
    workday,
  };
  const steps = (args: EtdArgs) => computeEtd(args).steps.map((s) => [s.stage, s.expectedAt.toISOString()]);
  const at = (local: string) => cn(local).toISOString();

  it('from confirmed, every stage in working time, transit continuous', () => {
    const result = computeEtd(base);
    expect(steps(base)).toEqual([
      ['in_production', at('2026-03-03T10:00')],
      ['qc_passed', at('2026-03-03T14:00')],
      ['packed', at('2026-03-04T09:00')],
      ['shipped', at('2026-03-04T11:00')],
      ['delivered', at('2026-03-05T11:00')],
    ]);
    expect(result.etd).toEqual(cn('2026-03-05T11:00')); // on a boundary: not rounded
  });

  it('rounds the ETD up to the next half hour', () => {
    const args = { ...base, transitMs: 26 * HOUR + 10 * 60_000 };
    expect(computeEtd(args).steps.at(-1)?.expectedAt).toEqual(cn('2026-03-05T13:10'));
    expect(computeEtd(args).etd).toEqual(cn('2026-03-05T13:30'));
  });

  it('a stock order skips production and QC', () => {
    const args = { ...base, skipped: skippedStages('stock') };
    expect(steps(args)).toEqual([
      ['packed', at('2026-03-02T14:00')],
      ['shipped', at('2026-03-02T16:00')],
      ['delivered', at('2026-03-03T16:00')],
    ]);
  });

  it('an overdue stage slips the ETD as time passes', () => {
    const inProduction = { ...base, stage: 'in_production' as const };
    // QC expected Monday 14:00; on time.
    expect(computeEtd(inProduction).steps[0]?.expectedAt).toEqual(cn('2026-03-02T14:00'));
    // Tuesday 09:00, QC not passed yet: assumed to pass now.
    const tue = computeEtd({ ...inProduction, now: cn('2026-03-03T09:00') });
    expect(tue.steps[0]?.expectedAt).toEqual(cn('2026-03-03T09:00'));
    // Tuesday evening: not before Wednesday morning.
    const tueEvening = computeEtd({ ...inProduction, now: cn('2026-03-03T20:00') });
    expect(tueEvening.steps[0]?.expectedAt).toEqual(cn('2026-03-04T08:30'));
    expect(computeEtd(inProduction).etd < tue.etd).toBe(true);
    expect(tue.etd < tueEvening.etd).toBe(true);
  });

  it('respects the production plan', () => {
    const args = { ...base, plan: { productionStart: '2026-03-05', productionFinish: '2026-03-06' } };
    expect(steps(args).slice(0, 3)).toEqual([
      ['in_production', at('2026-03-05T08:30')],
      ['qc_passed', at('2026-03-06T17:30')],
      ['packed', at('2026-03-09T12:30')],
    ]);
  });

  it('shipped: actual shipping time plus transit, never in the past', () => {
    const shipped = {
      ...base,
      stage: 'shipped' as const,
      stageSince: cn('2026-03-04T11:00'),
      now: cn('2026-03-04T12:00'),
    };
    expect(computeEtd(shipped)).toEqual({
      etd: cn('2026-03-05T11:00'),
      steps: [{ stage: 'delivered', expectedAt: cn('2026-03-05T11:00') }],
    });
    expect(computeEtd({ ...shipped, now: cn('2026-03-06T10:10') }).etd).toEqual(cn('2026-03-06T10:30'));
  });

  it('delivered: the ETD is when it was signed for', () => {
    const signed = cn('2026-03-05T09:47');
    expect(computeEtd({ ...base, stage: 'delivered', stageSince: signed, now: cn('2026-03-09T10:00') })).toEqual({
      etd: signed,
      steps: [],
    });
  });
});

describe('promise and alerts', () => {
  it('promisedInstant is the China date at deliverBy', () => {
    expect(promisedInstant('2026-03-05', '18:00')).toEqual(new Date('2026-03-05T10:00:00Z'));
    expect(() => promisedInstant('2026-3-5', '18:00')).toThrow(RangeError);
  });

  it('delayAlertDue', () => {
    const promisedAt = cn('2026-03-05T18:00');
    const threshold = 2 * HOUR;
    const due = (etd: string, last: string | null) =>
      delayAlertDue({ etd: cn(etd), promisedAt, threshold, lastAlertEtd: last ? cn(last) : null });
    expect(due('2026-03-05T17:00', null)).toBe(false); // early
    expect(due('2026-03-05T19:00', null)).toBe(false); // late, within threshold
    expect(due('2026-03-05T20:00', null)).toBe(false); // exactly the threshold
    expect(due('2026-03-05T20:30', null)).toBe(true);
    expect(due('2026-03-05T21:30', '2026-03-05T20:30')).toBe(false); // slipped 1h since the alert
    expect(due('2026-03-05T22:30', '2026-03-05T20:30')).toBe(true); // slipped 2h
    expect(due('2026-03-05T17:00', '2026-03-05T20:30')).toBe(false); // back on time
    expect(
      delayAlertDue({ etd: cn('2026-03-06T10:00'), promisedAt, threshold: 0, lastAlertEtd: cn('2026-03-06T10:00') }),
    ).toBe(false);
  });

  it('quietHoursEnd', () => {
    const quiet = { from: '21:00', to: '08:00' };
    expect(quietHoursEnd(cn('2026-03-05T22:00'), quiet)).toEqual(cn('2026-03-06T08:00'));
    expect(quietHoursEnd(cn('2026-03-05T21:00'), quiet)).toEqual(cn('2026-03-06T08:00'));
    expect(quietHoursEnd(cn('2026-03-05T07:59'), quiet)).toEqual(cn('2026-03-05T08:00'));
    expect(quietHoursEnd(cn('2026-03-05T08:00'), quiet)).toBeNull();
    expect(quietHoursEnd(cn('2026-03-05T12:00'), quiet)).toBeNull();
    expect(quietHoursEnd(cn('2026-03-05T22:00'), { from: '08:00', to: '08:00' })).toBeNull();
    expect(quietHoursEnd(cn('2026-03-05T12:30'), { from: '12:00', to: '13:30' })).toEqual(cn('2026-03-05T13:30'));
    expect(quietHoursEnd(cn('2026-03-05T13:30'), { from: '12:00', to: '13:30' })).toBeNull();
  });
});
