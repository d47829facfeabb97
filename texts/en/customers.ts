import type { Catalogue } from '../catalogue';
import { format } from './format';

export const customers: Catalogue['customers'] = {
  choice: {
    title: 'Which customer?',
    note: (names) => `The message names ${names.join(' and ')}; tap this order's customer, or reply with its name.`,
    prompt: (names) =>
      `❓ This request names ${names.join(' and ')}: which customer is it for? Tap the card or reply with the name.`,
    chosen: (name) => `Customer: ${name}`,
    taken: 'This request has been dealt with already.',
  },

  add: {
    title: (name) => `New customer · ${name}`,
    name: 'Customer',
    order: 'Order',
    note: (name) =>
      `"${name}" is not in the customer list yet. Added, the order is linked to it; give its contact in the chat: "${name} contact Zhang 13800138000".`,
    button: 'Add customer',
    added: (name) => `Customer added · ${name}`,
    addedReply: (name, orders) =>
      `✅ Customer "${name}" added${orders > 0 ? `; ${orders} order${orders > 1 ? 's' : ''} linked` : ''}. Give its contact: "${name} contact Zhang 13800138000".`,
    exists: (name) => `"${name}" is in the customer list already; the order is linked.`,
  },

  contact: {
    updated: (a) =>
      `✅ ${a.customer} updated: ${[a.contactName ? `contact ${a.contactName}` : '', a.phone ? `phone ${a.phone}` : '']
        .filter(Boolean)
        .join(', ')}. Delay SMS go to this contact from now on.`,
    refused: "Only sales people and admins can change a customer's contact.",
    notFound: (subject) => `No customer "${subject}" in the customer list; use its full or short name.`,
    ambiguous: (names) => `"${names.join('" and "')}" both fit; write the customer's full name.`,
    badPhone: (digits) =>
      `"${digits}" is not a mobile or landline number (e.g. 13800138000, 021-55556666); nothing was changed.`,
  },

  sameNeed: {
    title: 'The same need is open',
    order: 'Order',
    sales: 'Sales',
    items: 'Items',
    date: (promised) => (promised ? 'Promised' : 'Requested'),
    status: 'Status',
    prompt: (a) =>
      `🔁 ${a.customer} already has ${a.number} from ${a.sales} for this material. Is it the same need? Tap the card, or reply "same need" / "new need".`,
    follow: 'Same need: follow it',
    separate: 'A new need: order',
    following: (number) => `✅ Following ${number}: its news comes to this chat too. No new order was made.`,
    followed: (number) => `Following ${number}`,
    separated: 'A new order was made',
    alreadyOpen: (number, date) =>
      `You have the same order open already: ${number} (requested for ${date}); no second order was made. Ask "where is ${number}" for its progress.`,
    onlyRequester: (name) => `Only ${name}, who made the request, can choose.`,
    taken: 'This request has been dealt with already.',
  },

  status: {
    pending_approval: 'awaiting approval',
    confirmed: 'confirmed',
  },

  items: (lines) => format.clauses(lines),
};
