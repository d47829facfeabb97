import type { Catalogue } from '../catalogue';

export const pending: Catalogue['pending'] = {
  askInDm: (bot) => `Your approvals list is personal: message ${bot} 1:1 and write "my approvals".`,
  none: 'You have no approvals waiting. Nice work!',

  card: {
    title: (page, pages) => (pages > 1 ? `My approvals · page ${page}/${pages}` : 'My approvals'),
    subtitle: (total) => `${total} waiting, oldest first`,
    label: (index, department) => `${index} ${department}`,
    item: (i) => `${i.materialCode}×${i.quantity} ${i.unit}`,
    items: (first, count) => (count > 1 ? `${first} +${count - 1}` : first),
    requested: (date) => `due ${date}`,
    waited: (span) => `waiting ${span}`,
    flags: {
      'spec-outside': 'spec outside range',
      'spec-unknown': 'spec unknown',
      expedite: 'urgent',
      paused: 'on hold',
    },
    flagSeparator: '/',
    approveAllNote: (count) =>
      `"Approve all" approves the ${count} steps on this page without warnings, as one by one.`,
    ownCardNote: (numbers) => `Steps with a spec warning, urgent or on hold are decided on their own cards: ${numbers}`,
    numberSeparator: ', ',
    approveAll: (count) => `Approve all (${count})`,
    previous: 'Previous',
    next: 'Next',
    refresh: 'Refresh',
    doneTitle: 'My approvals · approve all',
    doneSubtitle: (approved, other) =>
      other > 0 ? `${approved} approved, ${other} not decided (see lines)` : `${approved} approved`,
    approved: (number, customer, time) => `${number} ${customer ? `${customer} ` : ''}✓ approved ${time}`,
    notYours: (number, holders) => `${number} is no longer yours (now with ${holders})`,
    gone: (number) => `${number} needs no decision any more`,
    flaggedNow: (number, flags) => `${number} ${flags}: decide it on its own card`,
    doneNote: 'Tap "Refresh" or write "my approvals" for what is left.',
    emptyTitle: 'My approvals',
    empty: 'No approvals waiting',
  },

  notYourList: (owner) => `This is ${owner}'s approvals list; nothing was done.`,
  alreadyUsed:
    '"Approve all" on this list was already done; nothing was done twice. Write "my approvals" for the latest list.',
  unknownAction: (key) => `Unknown action "${key}".`,
};
