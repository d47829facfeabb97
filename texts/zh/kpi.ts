/** What a slow order is waiting for, in the digest. */
export type SlowState =
  | { kind: 'paused'; reason: string | null }
  | { kind: 'approval'; departments: string }
  | { kind: 'none' };

/** Rebuilds the pause phrase: "等客户中", "等客户图纸", "等客户确认" (a reason may already start with 客户). */
function waitingFor(reason: string | null): string {
  if (reason === null) return '等客户中';
  return reason.startsWith('客户') ? `等${reason}` : `等客户${reason}`;
}

/** The weekly KPI digest and the "/kpi" answer (texts/digest.ts puts the lines together). */
export const kpi = {
  heading: (company: string, week: string, dates: string): string => `📊 ${company} 指标周报（${week}，${dates}）`,
  /** A figure and the way it moved since last week: "3小时20分钟↓". */
  moved: (value: string, arrow: string): string => `${value}${arrow}`,
  latency: (p50: string, p90: string, before: string, confirmed: number): string =>
    `客户感知时延：中位 ${p50}，P90 ${p90}（上周 ${before}），已确认 ${confirmed} 单`,
  onTime: (rate: string, before: string, delivered: number): string =>
    `准时交付率：${rate}（上周 ${before}），已签收 ${delivered} 单`,
  accuracy: (rate: string, before: string): string => `承诺准确率：${rate}（上周 ${before}）`,
  complaints: (rate: string, before: string, count: number): string =>
    `客户投诉率：${rate}（上周 ${before}），本周 ${count} 单有投诉或退货`,
  handling: (parts: string[]): string => `各部门处理时长（中位）：${parts.length === 0 ? '—' : parts.join('，')}`,
  slowest: '最慢的未确认订单：',
  noOpenOrders: '没有未确认的订单',
  slowOrder(a: { index: number; number: string; customer: string | null; waited: string; state: SlowState }): string {
    const waiting =
      a.state.kind === 'paused'
        ? `（${waitingFor(a.state.reason)}）`
        : a.state.kind === 'approval'
          ? `，待${a.state.departments}审批`
          : '';
    return `${a.index + 1}. ${a.number}${a.customer === null ? '' : ` ${a.customer}`} 已等 ${a.waited}${waiting}`;
  },
};
