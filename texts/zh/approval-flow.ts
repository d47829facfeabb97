/** Approval steps over time: reminders, 催办, transfers and stand-ins. */
export const approvalFlow = {
  /** The button on an approval card, and its picker. */
  transferButton: '转交',
  transferTitle: '转交给',
  transferConfirm: '确认转交',
  transferBack: '返回',
  transferNote: (names: string): string => `选择同事后点“确认转交”；可转交给：${names}。`,
  /** The reminder card a step's holder gets before it escalates. */
  reminderTitle: (department: string): string => `⏰ 审批提醒 · ${department}`,
  reminderNote: (a: { waited: string; due: string; to: string | null }): string =>
    a.to ? `已等 ${a.waited}；${a.due} 前未处理将升级给${a.to}。` : `已等 ${a.waited}；请在 ${a.due} 前处理。`,
  nudgeTitle: (department: string): string => `🔔 催办 · ${department}`,
  nudgeNote: (a: { by: string; waited: string; due: string }): string =>
    `${a.by}在销售群催办，已等 ${a.waited}，处理时限 ${a.due}。`,
  handedOverNote: (from: string): string => `由${from}转交给您。`,
  standInNote: (away: string): string => `${away}休假中，由您代为处理。`,
  /** On the card of the person who handed the step over. */
  transferredTo: (to: string, time: string): string => `已转交给${to} · ${time}`,
  standInTook: (away: string, to: string): string => `${away}休假中，已由${to}代为处理`,

  /** To the sales chat. */
  transferredChat: (a: { number: string; department: string; from: string; to: string }): string =>
    `🔁 ${a.number}：${a.department}审批已由${a.from}转交给${a.to}。`,
  standInChat: (number: string, lines: string[]): string => `👤 ${number}：${lines.join('；')}。`,
  standInLine: (a: { department: string; away: string; holder: string }): string =>
    `${a.department}的${a.away}休假中，由${a.holder}代为审批`,
  nudged: (number: string, reminded: string[], skipped: string[]): string =>
    [
      reminded.length > 0 ? `🔔 已催办 ${number}：${reminded.join('；')}。` : `${number} 没有催到任何人。`,
      ...skipped,
    ].join('\n'),
  nudgedLine: (department: string, people: string): string => `${department} ${people}`,
  nudgedRecently: (department: string, time: string, every: string): string =>
    `${department}已于 ${time} 催过，${every}内只催一次。`,
  noPendingStep: (number: string): string => `${number} 没有待审批的步骤，无需催办。`,
  nudgeWhilePaused: (number: string): string => `${number} 正在等客户回复，审批已暂停计时，暂不催办。`,
  nudgeElsewhere: (number: string): string => `${number} 不是这个群的订单，请在订单所在的销售群里催办。`,
  unknownOrder: (number: string): string => `没有找到订单 ${number}，请检查单号。`,

  /** To the person transferring. */
  transferDone: (a: { number: string; department: string; to: string }): string =>
    `已将 ${a.number} 的${a.department}审批转交给${a.to}。`,
  transferNotHolder: (number: string): string => `您不是 ${number} 任何待审批步骤的处理人，无法转交。`,
  transferWhichOrder: (numbers: string[]): string =>
    `您有多个待审批步骤（${numbers.join('、')}），请写明单号，例如“${numbers[0]} 转交 刘工”。`,
  transferNoStep: '您没有待审批的步骤可以转交。',
  unknownPerson: (name: string): string => `不认识“${name}”，请写同事在系统里的名字，例如“刘工”。`,
  transferNotAllowed: (a: { to: string; department: string; allowed: string }): string =>
    `${a.to}不能处理${a.department}的审批，未转交。可转交给：${a.allowed}。`,
  transferToSelf: '这项审批已经在您手上了。',
  transferToRequester: (to: string): string => `${to}是这张订单的销售，不能审批自己的订单，未转交。`,
  transferPickFirst: '请先在“转交给”里选一位同事，再点“确认转交”。',

  /** To the person setting a stand-in. */
  standInSet: (a: { from: string; until: string; standIn: string; tasks: number }): string =>
    `已记下：${a.from} 至 ${a.until} 您休假，期间新的审批卡、提醒和升级都交给${a.standIn}处理${a.tasks > 0 ? `；您手上 ${a.tasks} 项待审批，到期提醒时会交给${a.standIn}` : ''}。发“取消休假”可撤销。`,
  standInPast: (until: string): string => `${until} 已经过去了，请写今天或以后的日期。`,
  standInSelf: '代理人不能是您自己。',
  standInNotAllowed: (a: { standIn: string; departments: string }): string =>
    `${a.standIn}不能代您处理${a.departments}的审批，未设置。`,
  standInNotHolder: '您不负责任何审批，无需设置代理人。',
  standInCancelled: (n: number): string => (n > 0 ? '已取消您的休假代理，审批卡照常发给您。' : '您没有设置休假代理。'),
};
