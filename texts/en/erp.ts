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
    'Enter this order in the ERP by hand. If it is a new customer, import it in the admin console (Import master data, Customers) with its ERP code in the column "客户编码" (or "Customer code"), so that later orders can be written.',
  noErpCode: (a) =>
    `⚠️ The customer "${a.customer}" of order ${a.number} has no ERP code, so the order cannot be written to ${a.erp}.\n` +
    'Add it with a customer import in the admin console (Import master data, Customers): a file with just the columns "客户名称" and "客户编码" (or "Customer name" and "Customer code") will do and keeps everything else as it is. Later orders are then written; enter this one in the ERP by hand.',

  board: {
    number: 'ERP no.',
    written: (erp) => `Written to ${erp}`,
    refused: 'ERP write refused',
  },
};
