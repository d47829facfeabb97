import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  boardThresholds,
  type BusinessConfig,
  DEMO_CONFIG_PATH,
  readBusinessConfig,
  validateBusinessConfig,
} from '../../config/business-config';
import type { OpenOrderRow } from '../../db/kpi';
import { boardRow, lineLoadRow } from '../../web/board/board-data';
import { type BoardPageData, renderBoardPage } from '../../web/board/views';

const HOUR = 3600_000;
const NOW = new Date('2026-03-05T06:30:00Z');
const demo = readBusinessConfig(readFileSync(DEMO_CONFIG_PATH, 'utf8')).input as { kpi: Record<string, unknown> };

/** The demo config with its kpi section changed: the parsed config, or the issues as "path: message". */
function withKpi(kpi: Record<string, unknown>, thresholds?: Record<string, unknown>) {
  const input = structuredClone(demo) as Record<string, unknown> & { kpi: Record<string, unknown> };
  input.kpi = { ...input.kpi, ...kpi };
  if (thresholds) input.thresholds = { ...(input.thresholds as object), ...thresholds };
  const result = validateBusinessConfig(input);
  return result.ok
    ? { config: result.config, issues: [] }
    : { config: null, issues: result.issues.map((i) => `${i.path}: ${i.message}`) };
}

function configWith(kpi: Record<string, unknown>, thresholds?: Record<string, unknown>): BusinessConfig {
  const { config, issues } = withKpi(kpi, thresholds);
  expect(issues).toEqual([]);
  return config!;
}

function openRow(overrides: Partial<OpenOrderRow>): OpenOrderRow {
  return {
    id: 1,
    number: 'SO-1',
    customerName: '博世',
    requesterName: '李娜',
    status: 'confirmed',
    stage: 'in_production',
    requestedAt: new Date(NOW.getTime() - 48 * HOUR),
    latencyMs: HOUR,
    pausedSince: null,
    pauseReason: null,
    etd: null,
    promisedAt: null,
    nextDueAt: null,
    escalated: false,
    pendingDepartments: [],
    onBusyLine: false,
    severity: 0,
    ...overrides,
  };
}

/** A confirmed order expected `lateMs` after its promise. */
const lateOrder = (lateMs: number) => openRow({ promisedAt: NOW, etd: new Date(NOW.getTime() + lateMs) });

describe('board colour thresholds in the config', () => {
  it('defaults to what the board always did: lines yellow at 90% and red at 100%, any lateness yellow, red after delayAlertAfter', () => {
    const { busyLineLoad: _, ...kpi } = demo.kpi;
    const input = { ...structuredClone(demo), kpi };
    const result = validateBusinessConfig(input);
    expect(result.ok && boardThresholds(result.config)).toEqual({
      dueSoon: 30 * 60_000,
      lineLoad: { yellow: 0.9, red: 1 },
      lateness: { yellow: 0, red: 4 * HOUR },
    });
    // The delay alert's threshold stays the board's red while kpi.lateness.red is not set.
    expect(boardThresholds(configWith({}, { delayAlertAfter: '3h' })).lateness.red).toBe(3 * HOUR);
  });

  it('still reads busyLineLoad, alone, as the yellow line load, also above 100% as before', () => {
    expect(boardThresholds(configWith({ busyLineLoad: 0.8 })).lineLoad).toEqual({ yellow: 0.8, red: 1 });
    expect(boardThresholds(configWith({ busyLineLoad: 1.2 })).lineLoad).toEqual({ yellow: 1.2, red: 1 });
    expect(boardThresholds(configWith({ busyLineLoad: 0.8, lineLoad: { yellow: '80%' } })).lineLoad.yellow).toBe(0.8);
  });

  it('takes loads as fractions or percentages and lateness as durations', () => {
    const config = configWith({
      busyLineLoad: undefined,
      lineLoad: { yellow: 0.8, red: '85%' },
      lateness: { yellow: '1h', red: 4 * HOUR },
    });
    expect(boardThresholds(config)).toMatchObject({
      lineLoad: { yellow: 0.8, red: 0.85 },
      lateness: { yellow: HOUR, red: 4 * HOUR },
    });
    expect(boardThresholds(configWith({ busyLineLoad: undefined, lineLoad: { red: '120％' } })).lineLoad.red).toBe(1.2);
    expect(boardThresholds(configWith({ busyLineLoad: undefined, lineLoad: { red: '0.95' } })).lineLoad.red).toBe(0.95);
  });

  it('refuses red below yellow, naming the field', () => {
    expect(withKpi({ lineLoad: { red: '85%' } }).issues).toEqual([
      'kpi.lineLoad.red: red (85%) must not be below yellow (kpi.busyLineLoad: 90%)',
    ]);
    expect(withKpi({ busyLineLoad: undefined, lineLoad: { yellow: '90%', red: 0.85 } }).issues).toEqual([
      'kpi.lineLoad.red: red (85%) must not be below yellow (kpi.lineLoad.yellow: 90%)',
    ]);
    expect(withKpi({ busyLineLoad: undefined, lineLoad: { yellow: '110%' } }).issues).toEqual([
      'kpi.lineLoad.yellow: yellow (110%) is above red (100% while kpi.lineLoad.red is not set): set kpi.lineLoad.red too',
    ]);
    expect(withKpi({ lateness: { yellow: '2h', red: '1h' } }).issues).toEqual([
      'kpi.lateness.red: red (1h) must not be below yellow (kpi.lateness.yellow: 2h)',
    ]);
    expect(withKpi({ lateness: { yellow: '6h' } }).issues).toEqual([
      'kpi.lateness.yellow: yellow (6h) is later than red (thresholds.delayAlertAfter, 4h, while kpi.lateness.red is not set): set kpi.lateness.red too',
    ]);
  });

  it('refuses busyLineLoad and lineLoad.yellow that disagree, and loads that are not one', () => {
    expect(withKpi({ busyLineLoad: 0.9, lineLoad: { yellow: 0.8 } }).issues).toEqual([
      'kpi.busyLineLoad: 90% disagrees with kpi.lineLoad.yellow (80%): they are one setting, keep kpi.lineLoad.yellow only',
    ]);
    expect(withKpi({ lineLoad: { red: 85 } }).issues).toEqual([
      'kpi.lineLoad.red: 85 would be 8500% of capacity: write 85% or 0.85',
    ]);
    expect(withKpi({ lineLoad: { red: 'high' } }).issues).toEqual([
      'kpi.lineLoad.red: not a load: "high" (write e.g. 85% or 0.85)',
    ]);
    expect(withKpi({ lateness: { red: 'soon' } }).issues).toEqual([
      'kpi.lateness.red: not a duration: "soon" (write e.g. 2h, 30m, 90s)',
    ]);
  });
});

describe('board colours by the configured thresholds', () => {
  // "A线负荷>85%标红": the sales director's own threshold.
  const config = configWith({
    busyLineLoad: undefined,
    lineLoad: { yellow: '80%', red: '85%' },
    lateness: { yellow: '1h', red: '4h' },
  });
  const { lineLoad } = boardThresholds(config);

  it('colours a line red from 85% and yellow from 80%', () => {
    const line = { id: 'A', name: 'A线' };
    expect(lineLoadRow(line, 0.86, lineLoad)).toEqual({ line: 'A', name: 'A线', loadPct: 86, colour: 'red' });
    expect(lineLoadRow(line, 0.85, lineLoad).colour).toBe('red');
    expect(lineLoadRow(line, 0.8, lineLoad).colour).toBe('yellow');
    expect(lineLoadRow(line, 0.79, lineLoad).colour).toBe('blue');
    // 57% is 56.99999… of a share in floating point: the line shown at 57% is still at the threshold.
    expect(lineLoadRow(line, 0.57, { yellow: 0.57, red: 1 }).colour).toBe('yellow');
    // By default 86% is blue and 80% too.
    const defaults = boardThresholds(configWith({})).lineLoad;
    expect(lineLoadRow(line, 0.86, defaults).colour).toBe('blue');
    expect(lineLoadRow(line, 0.95, defaults).colour).toBe('yellow');
    expect(lineLoadRow(line, 1, defaults).colour).toBe('red');
  });

  it('colours an order by how late it is expected against the lateness thresholds', () => {
    const colourOf = (c: BusinessConfig, lateMs: number) => {
      const row = boardRow(c, lateOrder(lateMs), NOW);
      return { colour: row.colour, late: row.late, reasons: row.reasons };
    };
    expect(colourOf(config, 30 * 60_000)).toEqual({ colour: 'blue', late: false, reasons: [] });
    expect(colourOf(config, 2 * HOUR)).toEqual({ colour: 'yellow', late: true, reasons: ['预计晚于承诺 2小时'] });
    expect(colourOf(config, 5 * HOUR)).toEqual({ colour: 'red', late: true, reasons: ['预计晚于承诺 5小时'] });
    // By default any lateness is yellow, red after 4h (delayAlertAfter).
    const defaults = configWith({});
    expect(colourOf(defaults, 30 * 60_000)).toMatchObject({ colour: 'yellow', late: true });
    expect(colourOf(defaults, 4 * HOUR)).toMatchObject({ colour: 'yellow' });
    expect(colourOf(defaults, 4 * HOUR + 60_000)).toMatchObject({ colour: 'red' });
    expect(colourOf(defaults, 0)).toEqual({ colour: 'blue', late: false, reasons: [] });
  });

  it('states the thresholds in force in the legend, in Chinese and English', () => {
    const data: BoardPageData = {
      company: '宁波精密',
      userName: '周总',
      now: NOW,
      figures: [],
      weeks: [],
      counts: [],
      orders: [boardRow(config, lateOrder(2 * HOUR), NOW)],
      ordersTotal: 1,
      lines: [lineLoadRow({ id: 'A', name: 'A线' }, 0.86, lineLoad)],
      thresholds: boardThresholds(config),
    };
    const zh = renderBoardPage(data);
    expect(zh).toContain('红 = 审批超时 / 预计晚于承诺超过 4小时 / 产线负荷 ≥ 85%');
    expect(zh).toContain('黄 = 审批 30分钟内到期 / 预计晚于承诺超过 1小时 / 产线负荷 ≥ 80%');
    expect(zh).toContain('<span class="fill red" style="width:86%"></span>');
    expect(zh).toContain('<div class="late">');
    const en = renderBoardPage(data, { lang: 'en' });
    expect(en).toContain('red = approval overdue / expected more than 4h later than promised / line load ≥ 85%');
    expect(en).toContain(
      'yellow = approval due within 30m / expected more than 1h later than promised / line load ≥ 80%',
    );
  });
});
