import { describe, expect, it } from 'vitest';
import {
  backtestDemand,
  formatBacktestLine,
  generateDemandHistories,
  SPRING_FESTIVAL,
} from '../../domain/demand/backtest';
import { classifyDemand } from '../../domain/demand/methods';

describe('demand backtest across materials', () => {
  const histories = generateDemandHistories({ seed: 42 });

  it('the generator is seeded, calendar-aligned and plants the March week-2 uplift and the Spring Festival dip', () => {
    expect(generateDemandHistories({ seed: 42 })).toEqual(histories);
    expect(generateDemandHistories({ seed: 43 })[0]!.demand).not.toEqual(histories[0]!.demand);
    expect(histories).toHaveLength(40);
    const s = histories[0]!;
    expect(s.weeks).toHaveLength(78);
    expect(s.weeks.at(-1)!.monday).toBe('2026-03-23');
    const at = (monday: string) => s.weeks.findIndex((w) => w.monday === monday);
    const march2 = at('2026-03-09');
    expect(s.expected[march2]! / s.expected[march2 - 2]!).toBeGreaterThan(1.3);
    const festival = at('2026-02-16'); // the week of 2026-02-17
    expect(SPRING_FESTIVAL[2026]).toBe('2026-02-17');
    expect(s.expected[festival]! / s.expected[festival - 3]!).toBeLessThan(0.45);
    for (const h of histories.filter((x) => x.kind === 'intermittent'))
      expect(classifyDemand(h.demand).intermittent).toBe(true);
    expect(() => generateDemandHistories({ seed: 1, firstMonday: '2024-09-03' })).toThrow(/Monday/);
    expect(() => generateDemandHistories({ seed: 1, firstMonday: '2036-06-02' })).toThrow(/Spring Festival/);
  });

  it('reports the chosen method against naive-1, out of sample for the choice too', () => {
    const rows: string[] = [];
    for (const kind of ['seasonal', 'intermittent'] as const) {
      for (const seed of [42, 7, 2026]) {
        const set = generateDemandHistories({ seed }).filter((h) => h.kind === kind);
        const r = backtestDemand(set);
        expect(r.materials).toBe(20);
        expect(r.mase!).toBeLessThan(r.naiveMase!);
        const chosen = r.perMaterial.filter((m) => m.chosen === 'croston-sba').length;
        rows.push(
          `${kind} seed=${seed} ${formatBacktestLine(r)} croston_chosen=${chosen}/20 coverage80=${r.coverage.share!.toFixed(3)}`,
        );
      }
    }
    console.log(rows.join('\n'));
  });

  it('formats the line, and skips materials with too little history', () => {
    const r = backtestDemand([
      ...histories.slice(0, 3),
      { material: 'NEW', demand: histories[0]!.demand.slice(0, 63) },
      { material: 'FLAT', demand: new Array(78).fill(5) },
    ]);
    expect(r.materials).toBe(3);
    expect(r.skipped).toEqual([
      { material: 'NEW', reason: 'short-history' },
      { material: 'FLAT', reason: 'zero-scale' },
    ]);
    expect(formatBacktestLine(r)).toMatch(/^demand: materials=3 mase=\d+\.\d{3} naive_mase=\d+\.\d{3}$/);
    expect(formatBacktestLine(backtestDemand([]))).toBe('demand: materials=0 mase=- naive_mase=-');
  });
});
