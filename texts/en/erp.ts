import type { Catalogue } from '../catalogue';

/** Sale orders written to the plant's ERP: their remarks, the ops conversation's notices, the board. */
export const erp: Catalogue['erp'] = {
  name: (kind) => (kind === 'u8' ? 'Yonyou U8' : 'Kingdee K/3 Cloud'),

  remarks: (specs) => (specs.length > 0 ? `Requirements: ${specs.join('; ')}` : ''),

  refused: (a) =>
    `⚠️ ${a.erp} refused sale order ${a.number} (${a.customer}): ${a.reason}\n` +
    'Check the customer and material codes in the ERP and enter this sale order by hand.',
  noCustomer: (a) =>
    `⚠️ Order ${a.number} has no customer, so it cannot be written to ${a.erp} as a sale order.\n` +
    'Add the customer with its ERP code (column "客户编码") in the customer import in the admin console, and enter this order in the ERP by hand.',
  noErpCode: (a) =>
    `⚠️ The customer "${a.customer}" of order ${a.number} has no ERP code, so the order cannot be written to ${a.erp}.\n` +
    'Add the customer\'s ERP code (column "客户编码") in the customer import or the admin console, and enter this order in the ERP by hand.',

  board: {
    number: 'ERP no.',
    written: (erp) => `Written to ${erp}`,
    refused: 'ERP write refused',
  },
};
