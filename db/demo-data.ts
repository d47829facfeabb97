/**
 * The demo plant state seeded at first start besides the master data: mould states and line loads.
 * The demo master data (customers, materials, qualified ranges, inspection reports, stock) is in
 * config/demo/*.csv and goes in through the importers.
 */

/** Mould states and line loads relative to the day the demo starts, so the playground always has a story. */
export function demoPlant(today: string) {
  const day = (n: number) => new Date(Date.parse(`${today}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
  return {
    moulds: [
      { id: 'M-3', status: 'repair' as const, availableFrom: day(6) },
      { id: 'M-4', status: 'ok' as const, availableFrom: null },
      { id: 'M-5', status: 'ok' as const, availableFrom: null },
      { id: 'M-6', status: 'maintenance' as const, availableFrom: day(2) },
      { id: 'M-9', status: 'ok' as const, availableFrom: null },
      { id: 'M-12', status: 'ok' as const, availableFrom: null },
    ],
    lineLoads: [
      { line: 'A', fromDate: today, toDate: day(10), load: 0.92 },
      { line: 'A', fromDate: day(11), toDate: day(40), load: 0.6 },
      { line: 'B', fromDate: today, toDate: day(14), load: 0.75 },
      { line: 'C', fromDate: today, toDate: day(30), load: 0.5 },
      { line: 'D', fromDate: today, toDate: day(30), load: 0.3 },
    ],
  };
}
