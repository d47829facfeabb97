/** Demo master data loaded into an empty database at first start, so the playground works out of the box. */

export const demoCustomers = [
  {
    name: '大陆集团',
    aliases: ['Continental', '大陆', 'Conti'],
    contactName: '刘经理',
    contactPhone: '13800138001',
    address: '上海市嘉定区安亭镇墨玉南路1055号',
  },
  {
    name: '博世',
    aliases: ['Bosch', '博世汽车'],
    contactName: 'Wang Lei',
    contactPhone: '13800138002',
    address: '苏州市工业园区苏虹西路126号',
  },
  {
    name: '采埃孚',
    aliases: ['ZF', 'ZF Friedrichshafen'],
    contactName: '周工',
    contactPhone: '13800138003',
    address: '杭州市萧山区经济技术开发区',
  },
  {
    name: '比亚迪',
    aliases: ['BYD'],
    contactName: '陈主管',
    contactPhone: '13800138004',
    address: '深圳市坪山区比亚迪路3009号',
  },
];

interface DemoMaterial {
  code: string;
  name: string;
  unit: string;
  line: string;
  mould: string | null;
  leadTimeDays: number;
  ranges: Array<{ param: string; min: number | null; max: number | null; unit: string | null }>;
}

const brakeRanges = (ra: number) => [
  { param: 'Ra', min: ra / 2, max: ra, unit: 'μm' },
  { param: 'HRC', min: 56, max: 62, unit: null },
  { param: '平面度', min: 0.01, max: 0.05, unit: 'mm' },
];

export const demoMaterials: DemoMaterial[] = [
  ...Array.from({ length: 10 }, (_, i): DemoMaterial => {
    const n = String(i + 1).padStart(2, '0');
    return {
      code: `BRK-2026-${n}`,
      name: `制动钳支架 ${n} 型`,
      unit: '件',
      line: i < 5 ? 'A' : 'B',
      mould: `M-${3 + (i % 4)}`,
      leadTimeDays: i === 7 ? 10 : 0,
      ranges: brakeRanges(i % 2 === 0 ? 0.8 : 1.6),
    };
  }),
  {
    code: 'CAL-3310-A',
    name: '卡钳壳体 3310A',
    unit: '件',
    line: 'C',
    mould: 'M-9',
    leadTimeDays: 14,
    ranges: [
      { param: 'Ra', min: 0.8, max: 3.2, unit: 'μm' },
      { param: 'HRC', min: 45, max: 52, unit: null },
    ],
  },
  {
    code: 'PAD-7781',
    name: '刹车片 7781',
    unit: '套',
    line: 'D',
    mould: null,
    leadTimeDays: 5,
    ranges: [{ param: '摩擦系数', min: 0.35, max: 0.45, unit: null }],
  },
  {
    code: 'DSC-4420',
    name: '制动盘 4420',
    unit: '件',
    line: 'B',
    mould: 'M-12',
    leadTimeDays: 10,
    ranges: [
      { param: 'Ra', min: 0.4, max: 1.6, unit: 'μm' },
      { param: '跳动', min: 0.01, max: 0.03, unit: 'mm' },
    ],
  },
];

/** Three passing inspections per material, most recent last, with values inside its qualified ranges. */
export function demoInspectionReports() {
  const dates = ['2025-11-12', '2025-12-18', '2026-01-20'];
  return demoMaterials.flatMap((material, m) =>
    dates.map((inspectedOn, k) => ({
      reportNo: `QC-${inspectedOn.replaceAll('-', '').slice(2)}-${String(m * 3 + k + 1).padStart(3, '0')}`,
      materialCode: material.code,
      inspectedOn,
      passed: true,
      results: Object.fromEntries(
        material.ranges.map((r) => {
          const low = r.min ?? 0;
          const high = r.max ?? low;
          return [r.param, Number((low + ((high - low) * (k + 1)) / 4).toFixed(3))];
        }),
      ),
      summary: '首件检验合格',
    })),
  );
}

/** Pieces on hand per material at first start: enough for the usual samples, short for big batches. */
export const demoStock: Record<string, number> = {
  'BRK-2026-01': 300,
  'BRK-2026-02': 500,
  'BRK-2026-03': 1200,
  'BRK-2026-04': 800,
  'BRK-2026-05': 400,
  'BRK-2026-06': 0,
  'BRK-2026-07': 250,
  'BRK-2026-08': 0,
  'BRK-2026-09': 600,
  'BRK-2026-10': 150,
  'CAL-3310-A': 20,
  'PAD-7781': 5000,
  'DSC-4420': 0,
};

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
