import type { Catalogue } from '../catalogue';

export const sms: Catalogue['sms'] = {
  delay: (a) =>
    `[${a.company}] Your order ${a.order} is now expected ${a.etd}, later than agreed, because: ${a.reason}. We apologise for the inconvenience.`,
  refused: (number, phone, reason) =>
    `❗ The delay SMS for ${number} to ${phone} was refused by the SMS provider (${reason}). Please call the customer.`,
  uncertain: (number, phone) =>
    `❗ The delay SMS for ${number} to ${phone} may not have arrived (the provider did not answer). Please call the customer to make sure.`,
};
