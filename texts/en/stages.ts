import type { Stage, WorkStage } from '../../domain/lifecycle';
import type { Catalogue } from '../catalogue';

const LABELS: Record<Stage, string> = {
  confirmed: 'confirmed',
  in_production: 'in production',
  qc_passed: 'QC passed',
  packed: 'packed',
  shipped: 'shipped',
  delivered: 'delivered',
};

const ACTIONS: Record<WorkStage, string> = {
  in_production: 'start production',
  qc_passed: 'QC passed',
  packed: 'packed',
  shipped: 'shipped',
  delivered: 'delivered',
};

export const stages: Catalogue['stages'] = {
  label: (stage) => LABELS[stage],
  action: (stage) => ACTIONS[stage],
};
