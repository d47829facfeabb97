import type { Catalogue } from '../catalogue';
import type { Stage } from '../../domain/lifecycle';

const STAGE_LABELS: Record<Stage, string> = {
  confirmed: 'Confirmed',
  in_production: 'In production',
  qc_passed: 'QC passed',
  packed: 'Packed',
  shipped: 'Shipped',
  delivered: 'Delivered',
};

export const notices: Catalogue['notices'] = {
  by: (date, time) => `by ${date} ${time}`,
  stage: (stage) => STAGE_LABELS[stage],
  page: {
    title: 'Order status',
    order: 'Order',
    progress: 'Progress',
    current: (stage) => `${stage} (now)`,
    etd: 'Expected',
    promised: 'Agreed date',
    delivered: 'Delivered',
    shipment: 'Shipment',
    carrier: 'Carrier',
    waybill: 'Waybill',
    tracking: 'Latest',
    noTracking: 'No courier news yet',
    deliveries: 'Deliveries',
    asOf: (time) => `As of ${time}`,
    invalid: 'This link is no longer valid',
    invalidHint: 'Please ask your sales contact for the status of your order.',
  },
};
