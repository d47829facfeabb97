import type { Catalogue } from '../catalogue';
import { orders } from './orders';
import { format } from './format';

export const approvals: Catalogue['approvals'] = {
  card: {
    title: (department) => `Order approval · ${department}`,
    orderNumber: 'Order',
    requester: 'Sales',
    customer: 'Customer',
    item: (index, of) => (of > 1 ? `Item ${index + 1}` : 'Item'),
    itemValue: (i) =>
      `${i.materialCode} ${i.materialName} × ${i.quantity} ${i.unit} (${orders.kind(i.kind)})${i.due ? ` · due ${format.date(i.due)}` : ''}`,
    requested: 'Requested',
    urgent: ' (urgent)',
    specs: 'Specs',
    specQualified: (spec) => `${spec} ✓`,
    specOutside: (spec, range) => `${spec} ✗ outside its qualified range (${range})`,
    specUnknown: (spec) => `${spec} ? no qualified history`,
    specSeparator: '; ',
    source: (text) => `Request: ${text}`,
    report: (r) =>
      `Inspection report ${r.reportNo} (${r.materialCode}, ${r.inspectedOn}, ${r.passed ? 'passed' : 'failed'}): ${r.results}`,
    reportResults: (results) => results.map(([k, v]) => `${k} ${v}`).join(', '),
    approve: 'Approve',
    reject: 'Reject',
    reasonsTitle: 'Reason',
  },

  escalation: {
    title: (department) => `Escalated approval · ${department}`,
    subtitle: (number, waited, holders) => `${number} waiting ${waited} (${holders})`,
    waited: 'Waiting',
    waitedValue: (waited, holders) => `${waited} (${holders})`,
    note: (holders, waited) => `${holders} did not answer within ${waited}; it is yours now, and you may decide.`,
    holders: (names) => names.join('/'),
    chat: (a) =>
      `⏰ ${a.number}: ${a.department} approval has waited ${a.waited} (${a.holders}); escalated to ${a.to}.`,
  },

  approvedBy: (who, time) => `Approved · ${who} ${time}`,
  rejectedBy: (who, time, note) => `Rejected · ${who} ${time}${note ? `: ${note}` : ''}`,
  closedByRejection: (who) => `Rejected by ${who}; nothing to do`,

  notAssignee: (department, assignees) =>
    `You are not an approver of this ${department} card (approvers: ${assignees}); nothing was changed.`,
  alreadyDecided(a) {
    const verb = { approved: 'approved', rejected: 'rejected', cancelled: 'closed', pending: 'handled' }[a.status];
    return `This approval of ${a.number} was already ${verb} by ${a.who ?? 'the system'} at ${a.time}; nothing to do.`;
  },
  needsReason: (number) => `Rejecting ${number} needs a reason: pick (or write) one on the card, then tap "Reject".`,
  unknownCard: 'This card has expired; its approval cannot be found.',
  unknownAction: (key) => `Unknown action "${key}".`,
};
