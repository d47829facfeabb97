/** Demo master data loaded into an empty database at first start, so the playground works out of the box. */

export const demoCustomers = [
  { name: '大陆集团', aliases: ['Continental', '大陆', 'Conti'], contactName: '刘经理', contactPhone: '13800138001', address: '上海市嘉定区安亭镇墨玉南路1055号' },
  { name: '博世', aliases: ['Bosch', '博世汽车'], contactName: 'Wang Lei', contactPhone: '13800138002', address: '苏州市工业园区苏虹西路126号' },
  { name: '采埃孚', aliases: ['ZF', 'ZF Friedrichshafen'], contactName: '周工', contactPhone: '13800138003', address: '杭州市萧山区经济技术开发区' },
  { name: '比亚迪', aliases: ['BYD'], contactName: '陈主管', contactPhone: '13800138004', address: '深圳市坪山区比亚迪路3009号' },
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
      leadTimeDays: 7 + (i % 3) * 3,
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
