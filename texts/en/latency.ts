import type { Catalogue } from '../catalogue';
import { format } from './format';

export const latency: Catalogue['latency'] = {
  paused: (number, reason) =>
    `⏸ ${number} is waiting on the customer${reason ? ` (${reason})` : ''}; the latency clock is paused. Say "${number} customer replied" when they answer.`,
  resumed: (number, waitedMs, totalMs) =>
    `▶️ ${number}: the customer replied; the clock runs again (waited ${format.latency(waitedMs)}, ${format.latency(totalMs)} excluded in all).`,
  notPaused: (number) => `${number} was not waiting on the customer; the clock runs as before.`,
  alreadyPaused: (number, since) => `${number} has been waiting on the customer since ${since} already.`,
  rejected: (number) => `${number} was rejected; no clock runs.`,
  stopped: (number, latencyMs) =>
    `${number} already has a confirmed promise; its latency clock has stopped${latencyMs === null ? '' : ` (${format.latency(latencyMs)})`}.`,
  notInChat: (number) => `There is no order ${number} in this chat; please check the number.`,
  noWaitingOrder:
    'You have no order waiting on the customer in this chat. Name it, e.g. "SO-20260224-0001 customer replied".',
  noPendingOrder:
    'You have no order awaiting approval in this chat. Name it, e.g. "SO-20260224-0001 waiting on customer".',
};
