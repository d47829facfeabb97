import { format } from './format';

/** The customer-perceived latency clock: paused while waiting on the customer, resumed when they answer. */
export const latency = {
  paused: (number: string, reason: string | null): string =>
    `⏸ ${number} 等客户${reason ? `（${reason}）` : ''}，客户时延暂停计时。客户回复后请说“${number} 客户已回复”。`,
  resumed: (number: string, waitedMs: number, totalMs: number): string =>
    `▶️ ${number} 客户已回复，时延继续计时（本次等待${format.latency(waitedMs)}，累计${format.latency(totalMs)}不计入）。`,
  notPaused: (number: string): string => `${number} 没有在等客户，计时照常。`,
  alreadyPaused: (number: string, since: string): string => `${number} 已在等客户（${since} 起），无需重复。`,
  rejected: (number: string): string => `${number} 已驳回，不再计时。`,
  stopped: (number: string, latencyMs: number | null): string =>
    `${number} 已确认交期，客户时延已停止计时${latencyMs === null ? '' : `（${format.latency(latencyMs)}）`}。`,
  notInChat: (number: string): string => `本群没有单号 ${number}，请核对。`,
  noWaitingOrder: '您在本群没有等客户的订单。请带上单号，例如“SO-20260224-0001 客户已回复”。',
  noPendingOrder: '您在本群没有待审批的订单。请带上单号，例如“SO-20260224-0001 等客户图纸”。',
};
