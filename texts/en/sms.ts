import type { Catalogue } from '../catalogue';

export const sms: Catalogue['sms'] = {
  delay: (a) =>
    `[${a.company}] Your order ${a.order} is now expected ${a.etd}, later than agreed, because: ${a.reason}. We apologise for the inconvenience.`,
  link: (link) => (link ? ` Track it: ${link}` : ''),
  confirmed: (a) => `[${a.company}] Your order ${a.order} is confirmed and expected ${a.when}.${sms.link(a.link)}`,
  shipped: (a) =>
    `[${a.company}] Your order ${a.order} has shipped, ${a.carrier} waybill ${a.waybill}.${sms.link(a.link)}`,
  promiseChanged: (a) =>
    `[${a.company}] The delivery date of your order ${a.order} has moved from ${a.from} to ${a.to}.${sms.link(a.link)}`,
  noCarrier: 'courier',
  noWaybill: 'to follow',
  refused: (number, phone, reason) =>
    `❗ The delay SMS for ${number} to ${phone} was refused by the SMS provider (${reason}). Please call the customer.`,
  uncertain: (number, phone) =>
    `❗ The delay SMS for ${number} to ${phone} may not have arrived (the provider did not answer). Please call the customer to make sure.`,
};
