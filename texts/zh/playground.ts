/**
 * The local playground's page (web/playground). The page's script fills the `{slot}`s of a message
 * (the page gets this section as JSON, so every message here is a string, not a function).
 */
export const playground = {
  /** The page's `<html lang>`. */
  htmlLang: 'zh-CN',
  /** The bot's name until the config has loaded, or when the config gives none. */
  botName: '订单助手',
  subtitle: '本地调试台',
  /** The tab title: `{bot}` is the bot's name. */
  title: '{bot} · 本地调试台',
  /** Under the bot's name once the config has loaded. */
  companySubtitle: '{company} · 本地调试台',
  healthChecking: '数据库: 检测中…',
  /** `{database}` is the database's kind: "pglite", "postgres". */
  healthOk: '数据库: {database}',
  healthDown: '服务不可用',
  clockHint: '演练场时钟（可快进，用来查看超时升级等）',
  /** `{time}` is "02-24 10:00" in China time. */
  clock: '时钟 {time}',
  clockAdvanced: '时钟 {time}（已快进 {minutes} 分钟）',
  travel1h: '快进 1 小时',
  travel2h5m: '快进 2 小时 5 分',
  travelFailed: '快进失败：{error}',
  chat: '群聊',
  conversations: '会话',
  sendAs: '发送身份',
  /** A person in the "send as" list with their role. */
  personWithRole: '{name}（{role}）',
  examplesLabel: '示例消息',
  messageLabel: '消息内容',
  messagePlaceholder: '输入消息，Enter 发送，Shift+Enter 换行',
  send: '发送',
  sendFailed: '发送失败：{error}',
  configFailed: '加载配置失败：{error}',
  requestFailed: '请求失败 ({status})',
  rejectReason: '请填写驳回原因：',
  actionFailed: '操作失败：{error}',
  noMessages: '暂无消息，试试下方的示例',
  inboxes: '审批人收件箱',
  inboxOf: '{name} 的收件箱',
  noTasks: '暂无待办',
  sms: '短信',
  smsHeading: '短信通知',
  smsSimulated: '模拟发送',
  noSms: '暂无短信',
  /** Sample requests for the chips above the message box. */
  examples: [
    '需要BRK-2026-01样品5件,3月5日前到',
    'BRK-2026-01 samples ×5 by 3/5',
    'BRK-2026-02 ×200 Ra≤0.8μm 下周五前 客户：大陆集团',
    'BRK-2026-1 5件 月底前',
    'BRK-2026-03 10件',
    '3月20日前',
    '博世 需要BRK-2026-01批量400件，20天内到',
  ] as readonly string[],
};
