/** "待办" / "my approvals": the list of a person's open approval steps, and "approve all shown". */
export const pending = {
  /** Asked in a group: the list is personal. */
  askInDm: (bot: string): string => `待办列表只在单聊中查看：请私聊${bot}发送“待办”。`,
  /** Nothing open. */
  none: '您目前没有待审批的事项，辛苦了！',

  /** The list card (one page of steps, oldest first). */
  card: {
    title: (page: number, pages: number): string => (pages > 1 ? `我的待办 · 第${page}/${pages}页` : '我的待办'),
    subtitle: (total: number): string => `共${total}项待审批，最早的在前`,
    /** A step's line label: "1 技术部". */
    label: (index: number, department: string): string => `${index} ${department}`,
    item: (i: { materialCode: string; quantity: number; unit: string }): string =>
      `${i.materialCode}×${i.quantity}${i.unit}`,
    /** The first item of an order with several: "BRK-2026-01×5件等3项". */
    items: (first: string, count: number): string => (count > 1 ? `${first}等${count}项` : first),
    requested: (date: string): string => `交${date}`,
    waited: (span: string): string => `等${span}`,
    flags: {
      'spec-outside': '规格超范围',
      'spec-unknown': '规格无记录',
      expedite: '加急',
      paused: '等客户',
    } as Record<'spec-outside' | 'spec-unknown' | 'expedite' | 'paused', string>,
    flagSeparator: '/',
    /** Notes under the lines. */
    approveAllNote: (count: number): string => `“全部同意”只同意本页无警告的${count}项，与逐张同意相同。`,
    ownCardNote: (numbers: string): string => `有规格警告、加急或等客户的事项请在各自的审批卡上单独处理：${numbers}`,
    numberSeparator: '、',
    approveAll: (count: number): string => `全部同意(${count})`,
    previous: '上一页',
    next: '下一页',
    refresh: '刷新待办',
    /** After "approve all shown". */
    doneTitle: '我的待办 · 批量同意结果',
    doneSubtitle: (approved: number, other: number): string =>
      other > 0 ? `已同意${approved}项，${other}项未处理（见各行）` : `已同意${approved}项`,
    approved: (number: string, customer: string, time: string): string =>
      `${number} ${customer ? `${customer} ` : ''}✓ 已同意 ${time}`,
    notYours: (number: string, holders: string): string => `${number} 已不归您处理（现由${holders}处理）`,
    gone: (number: string): string => `${number} 已无需处理`,
    flaggedNow: (number: string, flags: string): string => `${number} ${flags}，请在其审批卡上单独处理`,
    doneNote: '点“刷新待办”或发送“待办”查看剩余事项。',
    /** A page asked for after everything was decided. */
    emptyTitle: '我的待办',
    empty: '暂无待审批事项',
  },

  /** To the tapper. */
  notYourList: (owner: string): string => `这是${owner}的待办列表，操作未生效。`,
  alreadyUsed: '这张列表的“全部同意”已处理过，未重复操作。发送“待办”查看最新列表。',
  unknownAction: (key: string): string => `不认识的操作“${key}”。`,
};
