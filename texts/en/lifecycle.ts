import { chinaTime } from '../../domain/china-time';
import type { Catalogue } from '../catalogue';
import { format } from './format';
import { stages } from './stages';

const COURIER_STATES: Record<string, string> = { problem: 'a problem', refused: 'refused', returned: 'returned' };

export const lifecycle: Catalogue['lifecycle'] = {
  orderCard: {
    title: (number) => `Delivery tracking · ${number}`,
    stage: 'Stage',
    awaitingApproval: 'Awaiting approval',
    stageSince: (stage, since) => `${stages.label(stage)} (since ${since})`,
    requested: 'Requested',
    clock: 'Latency clock',
    clockPaused: (reason, since) => `paused: waiting on the customer${reason ? ` (${reason})` : ''} since ${since}`,
    clockRunning: (since) => `running since ${since}`,
    pausedNote: (number) => `When the customer answers, tap "Customer replied" or say "${number} customer replied".`,
    runningNote: `Waiting for the customer's drawing or answer? Tap "Waiting on customer" to pause the clock.`,
    resume: 'Customer replied',
    pause: 'Waiting on customer',
    nudge: 'Nudge approvers',
    nudgeCommand: (number) => `nudge ${number}`,
    rejected: 'Rejected',
    latency: 'Latency',
    latencyValue: (latency, pausedMs) =>
      latency + (pausedMs > 0 ? ` (excluding ${format.latency(pausedMs)} waiting on the customer)` : ''),
    delivered: 'Delivered',
    etd: 'ETD',
    promised: 'Promised',
    promisedValue: (date, time) => `${date} ${time}`,
    line: (materialCode) => `└ ${materialCode}`,
    lineValue: (quantity, unit, date) => `${quantity} ${unit} ${date}`,
    shipment: 'Shipment',
    shipmentMaxChars: 120,
    step: (stage, _department, when) => `${stages.action(stage)} expected ${when}`,
    closed: 'Delivered; order closed',
  },

  stageCard: {
    title: (stage, number) => `${stages.action(stage)} · ${number}`,
    subtitle: (sales) => `Sales: ${sales}`,
    order: 'Order',
    customer: 'Customer',
    promised: 'Promised',
    plan: 'Production plan',
    planValue: (start, finish) => `${start}–${finish}`,
    note: (stage, number) =>
      `When done, tap "${stages.action(stage)}" or say "${number} ${stages.action(stage)}" in the chat.`,
    done: (stage, who, time) => `${stages.label(stage)} · ${who} ${time}`,
  },

  byCourier: 'courier',
  byMes: 'MES',
  bySystem: 'system',

  delivered: (number, who, time) => `✅ ${number} delivered (${who}, ${time}); order closed.`,

  noOrder: (number) => `No order ${number}.`,
  recorded: (number, stage) => `Recorded: ${number} ${stages.label(stage)}. The delivery card shows the new ETD.`,
  recordedShipped: (number, waybill) =>
    `Recorded: ${number} ${stages.label('shipped')}. The delivery card shows the new ETD.${
      waybill ? '' : ' Add the waybill ("… shipped SF1234567890") to have it tracked.'
    }`,
  waybillRecorded: (number, waybill) => `Waybill ${waybill} recorded for ${number}; tracking starts.`,
  refused(number, stage, r) {
    const label = stages.label(stage);
    switch (r.reason) {
      case 'not-confirmed':
        return `${number} is not confirmed yet; it cannot be marked ${label}.`;
      case 'skipped':
        return `${number} ships from stock; it has no "${label}" step.`;
      case 'already':
        return `${number} is already ${stages.label(r.current)}${r.who ? ` (${r.who}, ${r.when})` : ''}; no need to mark it ${label}.`;
    }
  },
  notOwner: (number, stage, department, owners) =>
    `"${stages.label(stage)}" is marked by ${department} (${owners}); ${number} is unchanged.`,

  status: {
    notFound: (refs) => `No order found${refs.length ? ` for ${refs.join(', ')}` : ''}.`,
    rejected: (number) => `${number}: rejected.`,
    waitingTask: (department, who, waited) => `${department} (${who}, waiting ${waited})`,
    pending: (number, requested, waiting) =>
      `${number}: awaiting approval, requested for ${requested}.\nWaiting on: ${waiting.join(', ')}`,
    delivered: (number, at) => `${number}: delivered (${at}); order closed.`,
    department: (name, owners) => `${name}${owners ? ` (${owners})` : ''}`,
    shipment: (waybill, tracking) => `, waybill ${waybill}${tracking ? `: ${tracking}` : ''}`,
    progress(a) {
      const step =
        a.next.kind === 'customer'
          ? 'the customer to sign for it'
          : a.next.kind === 'stage'
            ? `${a.next.department ? `${a.next.department}, ` : ''}${stages.action(a.next.stage)}`
            : '';
      const waiting = a.next.kind === 'none' ? '' : `\nWaiting on: ${step}, for ${a.since}`;
      return `${a.number}: ${stages.label(a.stage)}${a.shipment}; ${a.etd ?? 'ETD pending'}${a.promised ? ` (promised ${a.promised})` : ''}.${waiting}`;
    },
  },

  delayReason: {
    stageLate: (stage) => `${stages.action(stage)} later than planned`,
    late: 'delivery delayed',
    route: 'transit takes longer than planned',
    plan: 'production plan changed',
  },

  delay(a) {
    const contact = a.sms.contact ?? 'the customer';
    const sms =
      a.sms.kind === 'none'
        ? `No phone number on file for ${contact}: ${a.sms.sales}, please call the customer.`
        : a.sms.kind === 'later'
          ? `SMS to ${contact} (${a.sms.phone}) goes out at ${chinaTime(a.sms.at)} (no SMS at night).`
          : `SMS sent to ${contact} (${a.sms.phone}).`;
    return `⚠️ ${a.number} is late: now ${a.etd}, promised by ${a.promised} (${a.late} late). Reason: ${a.why}.\n${sms}`;
  },

  courierProblem: (number, state, detail) =>
    `🚚 ${number} shipment ${COURIER_STATES[state] ?? state}${detail ? ` (${detail})` : ''}; please follow up.`,
};
