import type { Stage } from '../../domain/lifecycle';

/** The stages as a customer reads them (the goods arrive: 已送达, not the plant's 已签收). */
const STAGE_LABELS: Record<Stage, string> = {
  confirmed: '已确认',
  in_production: '生产中',
  qc_passed: '质检通过',
  packed: '已包装',
  shipped: '已发货',
  delivered: '已送达',
};

/** What customers read: the order status page their notice SMS links to. */
export const notices = {
  /** A date with its time: "3月18日14:30前". */
  by: (date: string, time: string): string => `${date}${time}前`,
  stage: (stage: Stage): string => STAGE_LABELS[stage],
  page: {
    title: '订单进度',
    order: '订单号',
    progress: '进度',
    /** The stage the order is at, in the progress list: "生产中（当前）". */
    current: (stage: string): string => `${stage}（当前）`,
    etd: '预计送达',
    promised: '约定交期',
    delivered: '送达时间',
    shipment: '物流信息',
    carrier: '承运商',
    waybill: '运单号',
    tracking: '最新动态',
    noTracking: '暂无物流动态',
    deliveries: '分批交付',
    /** When the page was made: "更新于 3月18日 14:30". */
    asOf: (time: string): string => `更新于 ${time}`,
    /** Every link that does not open an order (expired, altered, unknown): the same words. */
    invalid: '链接已失效',
    invalidHint: '如需查询订单进度，请联系您的业务联系人。',
  },
};
