import { describe, expect, it } from 'vitest';
import {
  computeKpis,
  dateRange,
  extractRequestTime,
  isOnTime,
  isPaused,
  isWithinWindow,
  lastWeeks,
  latencyClock,
  nextWeeklyRun,
  parseKpiCommand,
  parsePauseCommand,
  percentile,
  perceivedLatencyMs,
  runningLatencyMs,
  weekOf,
  type ClockEvent,
  type PauseCommand,
} from '../../domain/kpi';
import { at, DAY, figuresWith, HOUR, MIN } from '../support/kpi';

const requested = (t: string): ClockEvent => ({ type: 'requested', at: at(t) });
const paused = (t: string, reason?: string): ClockEvent =>
  reason === undefined ? { type: 'paused', at: at(t) } : { type: 'paused', at: at(t), reason };
const resumed = (t: string): ClockEvent => ({ type: 'resumed', at: at(t) });
const confirmed = (t: string): ClockEvent => ({ type: 'confirmed', at: at(t) });

describe('latency clock', () => {
  it('no pause: confirmation minus request, in wall-clock time across the night', () => {
    const events = [requested('2026-02-24 17:00'), confirmed('2026-02-25 09:30')];
    expect(perceivedLatencyMs(events)).toBe(16.5 * HOUR);
    expect(latencyClock(events)).toEqual({
      startedAt: at('2026-02-24 17:00'),
      stoppedAt: at('2026-02-25 09:30'),
      pauses: [],
      pausedMs: 0,
    });
  });

  it('one pause is taken off', () => {
    const events = [
      requested('2026-02-24 09:00'),
      paused('2026-02-24 10:00', '图纸'),
      resumed('2026-02-24 13:00'),
      confirmed('2026-02-24 15:00'),
    ];
    expect(perceivedLatencyMs(events)).toBe(3 * HOUR);
    expect(latencyClock(events).pauses).toEqual([
      { from: at('2026-02-24 10:00'), to: at('2026-02-24 13:00'), reason: '图纸' },
    ]);
  });

  it('two pauses are both taken off', () => {
    const events = [
      requested('2026-02-24 09:00'),
      paused('2026-02-24 10:00'),
      resumed('2026-02-24 11:00'),
      paused('2026-02-24 12:00'),
      resumed('2026-02-24 14:30'),
      confirmed('2026-02-24 16:00'),
    ];
    expect(latencyClock(events).pausedMs).toBe(3.5 * HOUR);
    expect(perceivedLatencyMs(events)).toBe(3.5 * HOUR);
  });

  it('a pause still open at confirmation is closed at confirmation', () => {
    const events = [
      requested('2026-02-24 09:00'),
      paused('2026-02-24 11:00'),
      confirmed('2026-02-24 15:00'),
      resumed('2026-02-24 16:00'),
    ];
    const clock = latencyClock(events);
    expect(clock.pauses).toEqual([{ from: at('2026-02-24 11:00'), to: at('2026-02-24 15:00') }]);
    expect(perceivedLatencyMs(events)).toBe(2 * HOUR);
    expect(isPaused(events)).toBe(false);
  });

  it('a second pause while paused is ignored', () => {
    const events = [
      requested('2026-02-24 09:00'),
      paused('2026-02-24 10:00', 'first'),
      paused('2026-02-24 11:00', 'second'),
      resumed('2026-02-24 12:00'),
      confirmed('2026-02-24 13:00'),
    ];
    expect(latencyClock(events).pauses).toEqual([
      { from: at('2026-02-24 10:00'), to: at('2026-02-24 12:00'), reason: 'first' },
    ]);
    expect(perceivedLatencyMs(events)).toBe(2 * HOUR);
  });

  it('a resume while not paused is ignored', () => {
    const events = [
      requested('2026-02-24 09:00'),
      resumed('2026-02-24 10:00'),
      paused('2026-02-24 11:00'),
      resumed('2026-02-24 12:00'),
      confirmed('2026-02-24 13:00'),
    ];
    expect(latencyClock(events).pauses).toHaveLength(1);
    expect(perceivedLatencyMs(events)).toBe(3 * HOUR);
  });

  it('events may come unsorted', () => {
    const events = [
      confirmed('2026-02-24 15:00'),
      resumed('2026-02-24 13:00'),
      requested('2026-02-24 09:00'),
      paused('2026-02-24 10:00'),
    ];
    expect(perceivedLatencyMs(events)).toBe(3 * HOUR);
  });

  it('events before the request and after confirmation are ignored; the first confirmation counts', () => {
    const events = [
      paused('2026-02-24 08:00'),
      requested('2026-02-24 09:00'),
      confirmed('2026-02-24 12:00'),
      paused('2026-02-24 12:30'),
      confirmed('2026-02-24 18:00'),
    ];
    const clock = latencyClock(events);
    expect(clock.pauses).toEqual([]);
    expect(clock.stoppedAt).toEqual(at('2026-02-24 12:00'));
    expect(perceivedLatencyMs(events)).toBe(3 * HOUR);
  });

  it('a confirmation before any request does not stop the clock', () => {
    const events = [confirmed('2026-02-24 08:00'), requested('2026-02-24 09:00')];
    expect(perceivedLatencyMs(events)).toBeNull();
    expect(runningLatencyMs(events, at('2026-02-24 10:00'))).toBe(HOUR);
  });

  it('is null while not confirmed or without a request', () => {
    expect(perceivedLatencyMs([requested('2026-02-24 09:00')])).toBeNull();
    expect(perceivedLatencyMs([confirmed('2026-02-24 09:00')])).toBeNull();
    expect(perceivedLatencyMs([])).toBeNull();
  });

  it('runningLatencyMs: counts up to now, stops at an open pause, final once confirmed', () => {
    const open = [
      requested('2026-02-24 09:00'),
      paused('2026-02-24 10:00'),
      resumed('2026-02-24 12:00'),
      paused('2026-02-24 13:00'),
    ];
    expect(runningLatencyMs(open, at('2026-02-24 09:45'))).toBe(45 * MIN);
    expect(runningLatencyMs(open, at('2026-02-24 11:00'))).toBe(HOUR);
    expect(runningLatencyMs(open, at('2026-02-24 12:30'))).toBe(1.5 * HOUR);
    expect(runningLatencyMs(open, at('2026-02-25 09:00'))).toBe(2 * HOUR);
    expect(runningLatencyMs([...open, confirmed('2026-02-25 10:00')], at('2026-03-01 00:00'))).toBe(2 * HOUR);
    expect(runningLatencyMs([], at('2026-02-24 09:00'))).toBe(0);
    expect(runningLatencyMs(open, at('2026-02-24 08:00'))).toBe(0);
  });

  it('isPaused follows the last pause', () => {
    expect(isPaused([requested('2026-02-24 09:00'), paused('2026-02-24 10:00')])).toBe(true);
    expect(isPaused([requested('2026-02-24 09:00'), paused('2026-02-24 10:00'), resumed('2026-02-24 11:00')])).toBe(
      false,
    );
    expect(isPaused([paused('2026-02-24 10:00')])).toBe(false);
  });
});

describe('percentile (PostgreSQL percentile_cont)', () => {
  it.each([
    [[1, 2, 3, 4], 0.5, 2.5],
    [[1, 2, 3, 4], 0.9, 3.7],
    [[4, 1, 3, 2], 0.9, 3.7],
    [[1, 2, 3, 4], 0, 1],
    [[1, 2, 3, 4], 1, 4],
    [[10], 0.9, 10],
    [[1, 2, 3, 4, 5], 0.5, 3],
    [[0, 10], 0.25, 2.5],
  ])('%j at %d is %d', (values, p, expected) => {
    expect(percentile(values, p)).toBeCloseTo(expected, 10);
  });

  it('is null for an empty list and rejects p outside [0,1]', () => {
    expect(percentile([], 0.5)).toBeNull();
    expect(() => percentile([1], 1.5)).toThrow(RangeError);
    expect(() => percentile([1], Number.NaN)).toThrow(RangeError);
  });
});

describe('on time and within the window', () => {
  const promisedAt = at('2026-03-05 18:00');
  it('on time means at or before the promise', () => {
    expect(isOnTime({ promisedAt, deliveredAt: promisedAt })).toBe(true);
    expect(isOnTime({ promisedAt, deliveredAt: new Date(promisedAt.getTime() + 1) })).toBe(false);
  });
  it('an early delivery outside the window is a miss', () => {
    expect(isWithinWindow({ promisedAt, deliveredAt: at('2026-03-04 18:00') }, DAY)).toBe(true);
    expect(isWithinWindow({ promisedAt, deliveredAt: at('2026-03-04 17:59') }, DAY)).toBe(false);
    expect(isWithinWindow({ promisedAt, deliveredAt: at('2026-03-05 18:01') }, DAY)).toBe(false);
  });
});

describe('computeKpis', () => {
  const promisedAt = at('2026-03-05 18:00');
  const figures = computeKpis(
    {
      confirmed: [{ latencyMs: HOUR }, { latencyMs: 2 * HOUR }, { latencyMs: 3 * HOUR }, { latencyMs: 4 * HOUR }],
      delivered: [
        { promisedAt, deliveredAt: at('2026-03-05 10:00') }, // on time, in window
        { promisedAt, deliveredAt: at('2026-03-02 10:00') }, // on time, too early
        { promisedAt, deliveredAt: at('2026-03-06 10:00') }, // late
        { promisedAt, deliveredAt: promisedAt }, // on time, in window
      ],
      decided: [
        { department: 'tech', sentAt: at('2026-03-02 09:00'), decidedAt: at('2026-03-02 10:00') },
        { department: 'purchasing', sentAt: at('2026-03-02 09:00'), decidedAt: at('2026-03-02 09:30') },
        { department: 'tech', sentAt: at('2026-03-02 09:00'), decidedAt: at('2026-03-02 12:00') },
        { department: 'production', sentAt: at('2026-03-02 09:00'), decidedAt: at('2026-03-02 11:00') },
      ],
    },
    { promiseWindowMs: DAY },
  );

  it('latency percentiles', () => {
    expect(figures.confirmedCount).toBe(4);
    expect(figures.latencyP50Ms).toBe(2.5 * HOUR);
    expect(figures.latencyP90Ms).toBeCloseTo(3.7 * HOUR, 3);
  });

  it('delivery rates', () => {
    expect(figures.deliveredCount).toBe(4);
    expect(figures.onTimeRate).toBe(0.75);
    expect(figures.promiseAccuracy).toBe(0.5);
  });

  it('handling time by department, sorted by key, and overall', () => {
    expect(figures.handling).toEqual([
      { department: 'production', decidedCount: 1, p50Ms: 2 * HOUR },
      { department: 'purchasing', decidedCount: 1, p50Ms: 30 * MIN },
      { department: 'tech', decidedCount: 2, p50Ms: 2 * HOUR },
    ]);
    expect(figures.handlingP50Ms).toBe(1.5 * HOUR);
  });

  it('empty period: counts 0 and figures null', () => {
    expect(computeKpis({ confirmed: [], delivered: [], decided: [] }, { promiseWindowMs: DAY })).toEqual(
      figuresWith({}),
    );
  });
});

describe('China-time weeks', () => {
  // ISO labels checked against GNU `date +%G-W%V`.
  it.each([
    ['2026-02-24 10:00', '2026-02-23', '2026-W09'],
    ['2026-12-28 00:00', '2026-12-28', '2026-W53'],
    ['2027-01-01 12:00', '2026-12-28', '2026-W53'],
    ['2027-01-03 23:59', '2026-12-28', '2026-W53'],
    ['2027-01-04 00:00', '2027-01-04', '2027-W01'],
    ['2026-01-01 08:00', '2025-12-29', '2026-W01'],
    ['2021-01-03 12:00', '2020-12-28', '2020-W53'],
  ])('%s China time is in the week of %s, %s', (instant, monday, label) => {
    const week = weekOf(at(instant));
    expect(week.start).toEqual(at(`${monday} 00:00`));
    expect(week.end.getTime() - week.start.getTime()).toBe(7 * DAY);
    expect(week.label).toBe(label);
  });

  it('the boundary is Monday 00:00 China time, not UTC', () => {
    expect(weekOf(at('2026-03-01 23:59')).label).toBe('2026-W09');
    expect(weekOf(at('2026-03-02 00:00')).label).toBe('2026-W10');
    // Monday 07:00 China time is still Sunday in UTC.
    expect(weekOf(new Date('2026-03-01T23:00:00Z')).start).toEqual(at('2026-03-02 00:00'));
    expect(weekOf(new Date('2026-03-01T15:59:59.999Z')).label).toBe('2026-W09');
  });

  it('lastWeeks: oldest first, ending with the current week', () => {
    const weeks = lastWeeks(at('2027-01-05 10:00'), 3);
    expect(weeks.map((w) => w.label)).toEqual(['2026-W52', '2026-W53', '2027-W01']);
    expect(weeks[0]!.end).toEqual(weeks[1]!.start);
    expect(lastWeeks(at('2027-01-05 10:00'), 0)).toEqual([]);
  });

  it('nextWeeklyRun', () => {
    expect(nextWeeklyRun(at('2026-03-02 09:00'), 1, '09:00')).toEqual(at('2026-03-09 09:00'));
    expect(nextWeeklyRun(at('2026-03-02 08:59'), 1, '09:00')).toEqual(at('2026-03-02 09:00'));
    expect(nextWeeklyRun(at('2026-02-24 10:00'), 1, '09:00')).toEqual(at('2026-03-02 09:00'));
    expect(nextWeeklyRun(at('2026-02-28 23:30'), 0, '00:15')).toEqual(at('2026-03-01 00:15'));
    // Friday 17:30 China time is Friday 09:30 UTC; a UTC-based calculation would get this wrong.
    expect(nextWeeklyRun(at('2026-02-27 03:00'), 5, '17:30')).toEqual(at('2026-02-27 17:30'));
    expect(() => nextWeeklyRun(at('2026-02-24 10:00'), 7, '09:00')).toThrow(RangeError);
    expect(() => nextWeeklyRun(at('2026-02-24 10:00'), 1, '24:00')).toThrow(RangeError);
  });

  it('dateRange: both ends inclusive, China midnights', () => {
    expect(dateRange('2026-02-23', '2026-03-01')).toEqual({
      start: at('2026-02-23 00:00'),
      end: at('2026-03-02 00:00'),
    });
    expect(dateRange('2026-02-24', '2026-02-24')).toEqual({
      start: at('2026-02-24 00:00'),
      end: at('2026-02-25 00:00'),
    });
    expect(() => dateRange('2026-02-30', '2026-03-01')).toThrow(RangeError);
    expect(() => dateRange('2026-03-02', '2026-03-01')).toThrow(RangeError);
    expect(() => dateRange('2026/03/01', '2026-03-01')).toThrow(RangeError);
  });
});

describe('parsePauseCommand', () => {
  const pause = (reason: string | null, orderNumber: string | null = null): PauseCommand => ({
    kind: 'pause',
    orderNumber,
    reason,
  });
  const resume = (reason: string | null = null, orderNumber: string | null = null): PauseCommand => ({
    kind: 'resume',
    orderNumber,
    reason,
  });

  it.each<[string, PauseCommand]>([
    ['等客户图纸', pause('图纸')],
    ['SO-20260224-0001 等客户确认', pause('客户确认', 'SO-20260224-0001')],
    ['等待客户回复', pause('客户回复')],
    ['在等客户报价确认', pause('客户报价确认')],
    ['还在等客户回复呢', pause('客户回复')],
    ['等客户', pause(null)],
    ['@订单助手 等客户图纸', pause('图纸')],
    ['@订单助手 so-20260224-0001 等客户确认。', pause('客户确认', 'SO-20260224-0001')],
    ['等客户确认 SO-20260224-0001', pause('客户确认', 'SO-20260224-0001')],
    ['waiting on customer', pause(null)],
    ["SO-20260224-0001 waiting for the customer's drawing", pause("the customer's drawing", 'SO-20260224-0001')],
    ["We're still waiting for the customer.", pause(null)],
    ['客户已回复', resume()],
    ['客户回复了', resume()],
    ['客户图纸到了', resume('图纸')],
    ['SO-20260224-0001 客户已确认', resume(null, 'SO-20260224-0001')],
    ['customer replied', resume()],
    ['the customer answered', resume()],
    ['Customer has replied!', resume()],
  ])('%s', (text, expected) => {
    expect(parsePauseCommand(text)).toEqual(expected);
  });

  it.each([
    '需要BRK-2026-01样品5件,3月5日前到',
    '客户：大陆集团 需要BRK-2026-06样品20件',
    'SO-20260224-0001 到哪了',
    'SO-20260224-0001 已发货 顺丰 SF123',
    '需要BRK-2026-01样品5件，等客户确认',
    '等客户确认后发货',
    '在等客户确认吗？',
    '客户确认',
    '客户货到了',
    'SO-20260224-0001 SO-20260224-0002 等客户确认',
    'waiting for customer, then ship 5 pcs',
    'customer wants 5 pcs',
    '',
    '好的',
  ])('not a command: %s', (text) => {
    expect(parsePauseCommand(text)).toBeNull();
  });
});

describe('parseKpiCommand', () => {
  it.each<[string, 'zh' | 'en']>([
    ['/kpi', 'zh'],
    ['kpi', 'zh'],
    ['KPI', 'zh'],
    ['本周指标', 'zh'],
    ['本周KPI', 'zh'],
    ['指标', 'zh'],
    ['@订单助手 本周指标', 'zh'],
    ['@订单助手 /kpi', 'zh'],
    ["this week's kpis", 'en'],
    ['kpis', 'en'],
    ['@orderbot This week’s KPIs?', 'en'],
  ])('%s → %s', (text, language) => {
    expect(parseKpiCommand(text)).toEqual({ language });
  });

  it.each(['kpi 怎么算', '指标是多少', '本周交货', 'last week kpis', '需要BRK-2026-01样品5件', ''])(
    'not a command: %s',
    (text) => {
      expect(parseKpiCommand(text)).toBeNull();
    },
  );
});

describe('extractRequestTime', () => {
  const message = at('2026-02-24 11:00');
  const extract = (text: string, when = message) => {
    const r = extractRequestTime(text, when);
    return { at: r.at?.toISOString() ?? null, rest: r.rest };
  };
  const iso = (local: string) => at(local).toISOString();

  it.each<[string, string]>([
    ['客户 9:30 提的', '2026-02-24 09:30'],
    ['客户9点半提的', '2026-02-24 09:30'],
    ['客户上午10:15提出的', '2026-02-24 10:15'],
    ['客户昨天下午3点提的', '2026-02-23 15:00'],
    ['客户前天 16:00 要的', '2026-02-22 16:00'],
    ['customer asked at 9:30', '2026-02-24 09:30'],
    ['customer asked yesterday at 15:00', '2026-02-23 15:00'],
    ['customer asked at 3pm yesterday', '2026-02-23 15:00'],
    ['客户１０：１５提的', '2026-02-24 10:15'],
    ['客户 2月17日 11:00 提的', '2026-02-17 11:00'],
  ])('%s → %s', (text, local) => {
    expect(extract(text)).toEqual({ at: iso(local), rest: '' });
  });

  it('keeps the order text, tidied', () => {
    const order = '需要BRK-2026-01样品5件,3月5日前到';
    expect(extract(`客户 9:30 提的，${order}`)).toEqual({ at: iso('2026-02-24 09:30'), rest: order });
    expect(extract(`${order}。客户 9:30 提的`)).toEqual({ at: iso('2026-02-24 09:30'), rest: order });
    expect(extract('需要BRK-2026-01样品5件， 客户9:30提的， 3月5日前到').rest).toBe(
      '需要BRK-2026-01样品5件，3月5日前到',
    );
    expect(extract('customer asked at 9:30, need 5 pcs of BRK-2026-01').rest).toBe('need 5 pcs of BRK-2026-01');
  });

  it('a clock time later than the message is the day before', () => {
    expect(extract('客户 21:30 提的', at('2026-02-24 08:00')).at).toBe(iso('2026-02-23 21:30'));
    expect(extract('客户 8:00 提的', at('2026-02-24 08:00')).at).toBe(iso('2026-02-24 08:00'));
  });

  it('a future time is null, with the phrase removed', () => {
    expect(extract('客户今天 15:00 提的，需要5件')).toEqual({ at: null, rest: '需要5件' });
    expect(extract('customer asked today at 11:30')).toEqual({ at: null, rest: '' });
  });

  it('more than 7 days before is null, with the phrase removed', () => {
    expect(extract('客户8天前 10:00 提的，需要5件')).toEqual({ at: null, rest: '需要5件' });
    expect(extract('客户 2月17日 10:59 提的')).toEqual({ at: null, rest: '' });
    expect(extract('customer asked 8 days ago at 10:00')).toEqual({ at: null, rest: '' });
  });

  it('without the phrase: null and the text unchanged', () => {
    for (const text of [
      '客户：大陆集团 需要BRK-2026-06样品20件',
      '需要BRK-2026-01样品5件,3月5日前到',
      '客户要求9:30前到',
      '  随便  ',
    ]) {
      expect(extractRequestTime(text, message)).toEqual({ at: null, rest: text });
    }
  });
});
