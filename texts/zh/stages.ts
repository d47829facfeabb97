import type { Stage, WorkStage } from '../../domain/lifecycle';

const LABELS: Record<Stage, string> = {
  confirmed: '已确认',
  in_production: '生产中',
  qc_passed: '质检通过',
  packed: '已包装',
  shipped: '已发货',
  delivered: '已签收',
};

const ACTIONS: Record<WorkStage, string> = {
  in_production: '开始生产',
  qc_passed: '质检通过',
  packed: '包装完成',
  shipped: '已发货',
  delivered: '已签收',
};

/** An order's stages as people name them. */
export const stages = {
  /** Where the order is: "生产中". */
  label: (stage: Stage): string => LABELS[stage],
  /** What completes the stage, for buttons: "开始生产". */
  action: (stage: WorkStage): string => ACTIONS[stage],
};
