import type { Catalogue } from '../catalogue';

export const approvalFlow: Catalogue['approvalFlow'] = {
  transferButton: 'Transfer',
  transferTitle: 'Transfer to',
  transferConfirm: 'Confirm transfer',
  transferBack: 'Back',
  transferNote: (names) => `Pick a colleague, then tap "Confirm transfer"; you may transfer to: ${names}.`,
  reminderTitle: (department) => `⏰ Approval reminder · ${department}`,
  reminderNote: (a) =>
    a.to
      ? `Waiting ${a.waited}; escalates to ${a.to} if not decided by ${a.due}.`
      : `Waiting ${a.waited}; please decide by ${a.due}.`,
  nudgeTitle: (department) => `🔔 Nudge · ${department}`,
  nudgeNote: (a) => `${a.by} nudged from the sales chat; waiting ${a.waited}, due by ${a.due}.`,
  handedOverNote: (from) => `Transferred to you by ${from}.`,
  standInNote: (away) => `${away} is on leave: you decide in their place.`,
  transferredTo: (to, time) => `Transferred to ${to} · ${time}`,
  standInTook: (away, to) => `${away} is on leave; ${to} took it over`,
  transferredChat: (a) => `🔁 ${a.number}: the ${a.department} approval was transferred from ${a.from} to ${a.to}.`,
  standInChat: (number, lines) => `👤 ${number}: ${lines.join('; ')}.`,
  standInLine: (a) => `${a.away} (${a.department}) is on leave, ${a.holder} approves instead`,
  nudged: (number, reminded, skipped) =>
    [
      reminded.length > 0 ? `🔔 Nudged for ${number}: ${reminded.join('; ')}.` : `Nobody was nudged for ${number}.`,
      ...skipped,
    ].join('\n'),
  nudgedLine: (department, people) => `${department} ${people}`,
  nudgedRecently: (department, time, every) => `${department} was nudged at ${time}; at most one nudge every ${every}.`,
  noPendingStep: (number) => `${number} has no approval waiting; nothing to nudge.`,
  nudgeWhilePaused: (number) => `${number} is waiting on the customer; its approvals are paused, so no nudge.`,
  nudgeElsewhere: (number) => `${number} is not an order of this chat; nudge it from its sales chat.`,
  unknownOrder: (number) => `There is no order ${number}; please check the number.`,
  transferDone: (a) => `The ${a.department} approval of ${a.number} is now with ${a.to}.`,
  transferNotHolder: (number) => `You hold no approval step of ${number}, so you cannot transfer it.`,
  transferWhichOrder: (numbers) =>
    `You hold several approval steps (${numbers.join(', ')}); name the order, e.g. "transfer ${numbers[0]} to Liu".`,
  transferNoStep: 'You hold no approval step to transfer.',
  unknownPerson: (name) => `I do not know "${name}"; write the colleague's name as the system has it.`,
  transferNotAllowed: (a) =>
    `${a.to} cannot decide ${a.department} approvals; nothing was transferred. You may transfer to: ${a.allowed}.`,
  transferToSelf: 'This approval is already yours.',
  transferToRequester: (to) => `${to} is this order's sales person and cannot approve it; nothing was transferred.`,
  transferPickFirst: 'Pick a colleague under "Transfer to" first, then tap "Confirm transfer".',
  standInSet: (a) =>
    `Noted: you are away ${a.from} to ${a.until}; new approval cards, reminders and escalations go to ${a.standIn}${a.tasks > 0 ? `; your ${a.tasks} open steps go to ${a.standIn} when their reminders fall due` : ''}. Say "cancel leave" to undo.`,
  standInPast: (until) => `${until} is past; write today or a later date.`,
  standInSelf: 'You cannot stand in for yourself.',
  standInNotAllowed: (a) => `${a.standIn} cannot decide ${a.departments} approvals for you; nothing was set.`,
  standInNotHolder: 'You decide no approvals, so no stand-in is needed.',
  standInCancelled: (n) =>
    n > 0 ? 'Your leave is cancelled; approval cards come to you again.' : 'You had no leave set.',
};
