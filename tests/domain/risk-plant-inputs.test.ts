import { describe, expect, it } from 'vitest';
import { plantRiskInputs } from '../../domain/risk/plant-inputs';

describe('the plant side of an order risk, from its promise', () => {
  it('takes the busiest line load, the first mould out of service and the longest purchase lead over the items', () => {
    expect(
      plantRiskInputs([
        {
          constraints: [
            { kind: 'line-load', line: 'A', load: 0.7, until: '2026-03-01' },
            { kind: 'purchase-lead', days: 4, readyFrom: '2026-02-28' },
          ],
        },
        {
          constraints: [
            { kind: 'mould', mould: 'M-3', availableFrom: '2026-03-09' },
            { kind: 'line-load', line: 'B', load: 0.95, until: '2026-03-02' },
            { kind: 'purchase-lead', days: 9, readyFrom: '2026-03-05' },
          ],
        },
      ]),
    ).toEqual({ lineLoad: 0.95, mouldStatus: 'repair', mould: 'M-3', purchaseLeadDays: 9 });
  });

  it('is a plain order from stock when nothing constrained it', () => {
    expect(plantRiskInputs([{ constraints: [{ kind: 'stock', available: 50, needed: 5 }] }])).toEqual({
      lineLoad: 0,
      mouldStatus: 'ok',
      mould: null,
      purchaseLeadDays: 0,
    });
  });
});
