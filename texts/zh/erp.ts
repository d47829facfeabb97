/** Sale orders written to the plant's ERP: their remarks, the ops conversation's notices, the board. */
export const erp = {
  name: (kind: 'u8' | 'kingdee'): string => (kind === 'u8' ? '用友U8' : '金蝶云星空'),

  /** The sale order's remark (U8 memo, Kingdee FNote / FEntryNote): the customer's special requirements. */
  remarks: (specs: string[]): string => (specs.length > 0 ? `技术要求：${specs.join('；')}` : ''),

  /** To the ops conversation, once per order. */
  refused: (a: { number: string; customer: string; erp: string; reason: string }): string =>
    `⚠️ 订单 ${a.number}（${a.customer}）写入${a.erp}销售订单被拒绝：${a.reason}\n` +
    '请在 ERP 中核对客户编码和物料编码，并手工录入这张销售订单。',
  noCustomer: (a: { number: string; erp: string }): string =>
    `⚠️ 订单 ${a.number} 没有关联客户，无法写入${a.erp}销售订单。\n` +
    '这张订单请在 ERP 中手工录入。若是新客户，请在管理后台“导入主数据”中做客户导入，文件里填上“客户编码”列（ERP 中的客户编码），以后的订单才能写入。',
  noErpCode: (a: { number: string; customer: string; erp: string }): string =>
    `⚠️ 订单 ${a.number} 的客户“${a.customer}”没有客户编码，无法写入${a.erp}销售订单。\n` +
    '请在管理后台“导入主数据”中做一次客户导入补上：文件含“客户名称”和“客户编码”两列即可，其他资料保持不变；以后的订单会自动写入，这张订单请在 ERP 中手工录入。',

  /** The ops board. */
  board: {
    number: 'ERP单号',
    written: (erp: string) => `已写入${erp}`,
    refused: 'ERP 写入被拒绝',
  },
};
