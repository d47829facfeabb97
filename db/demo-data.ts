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

/**
 * The demo's order history (integrations/import/demo-risk-history.ts): customers delivered to before besides the
 * demo's own four, with whom the damage-habit customer is one in eight orders, as a plant's difficult customer would
 * be; the sales people who took the orders; the text a past request is shown with.
 */
export const demoHistory = {
  pastCustomers: ['上汽零部件', '吉利汽车', '长城汽车', '奇瑞汽车', '长安汽车', '广汽部件', '东风零部件', '一汽配套'],
  sales: [
    { id: 'zhangsan', name: '张三', conversationId: 'sales-east' },
    { id: 'lisi', name: '李四', conversationId: 'sales-south' },
  ],
  requestText: (code: string, quantity: number, unit: string, date: string): string =>
    `需要${code} ${quantity}${unit}，${date}前到`,
};
