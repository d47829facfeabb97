/** The ops board's pages (web/board). */
export const board = {
  /** The page's `<html lang>`. */
  htmlLang: 'zh-CN',
  /** The board's name, next to the company in the top bar. */
  name: '运营看板',
  /** The link to the page in the other language (the English catalogue's reads "中文"). */
  otherLanguage: 'English',
  signOut: '退出',
  /** Links on the board to the e-commerce channel pages (shown when channel shops are configured). */
  channelPages: { reconcile: '渠道对账', stacking: '叠用复核' },
  updatedAt: (time: string) => `更新于 ${time}`,
  backToBoard: '← 返回看板',
  /** Tab titles. */
  titles: {
    board: (company: string) => `运营看板 · ${company}`,
    order: (number: string) => `${number} · 运营看板`,
    login: '登录 · 运营看板',
    notFound: (company: string) => `未找到 · 运营看板 · ${company}`,
  },

  login: {
    heading: (company: string) => `${company} · 运营看板`,
    username: '用户名',
    password: '密码',
    submit: '登录',
    tooManyAttempts: '尝试次数过多，请15分钟后再试。',
    wrongPassword: '用户名或密码错误。',
    demoPasswordRefused: '演示密码只能在本地演练场使用。请用 hash-password 生成新密码写入配置后再登录。',
  },

  notFound: {
    heading: '未找到',
    /** `what` as `order` gives it: "找不到订单 SO-1。". */
    text: (what: string) => `找不到${what}。`,
    order: (number: string) => `订单 ${number}`,
  },

  /** This week's headline tiles. */
  figures: {
    label: '本周指标',
    latencyP50: '客户感知时延（中位）',
    latencyP90: '客户感知时延（P90）',
    onTime: '准时交付率',
    accuracy: '承诺准确率',
    complaints: '客户投诉率',
    handlingP50: '部门处理时长（中位）',
    confirmed: '本周确认订单',
    lastWeek: (value: string) => `上周 ${value}`,
    better: '好转',
    worse: '变差',
    same: '持平',
  },

  charts: {
    heading: (weeks: number) => `近 ${weeks} 周趋势`,
    latency: '客户感知时延',
    onTime: '准时交付率',
    accuracy: '承诺准确率',
    handling: '部门处理时长（中位）',
    median: '中位',
    p90: 'P90',
    onTimeRate: '准时率',
    accuracyRate: '准确率',
    /** An axis value or tooltip: "2.5小时". */
    hours: (hours: number) => `${hours}小时`,
    noData: '暂无数据',
  },

  counts: {
    heading: '未完成订单',
    total: (count: number) => `合计 ${count}`,
  },

  /** What an order's colour means. */
  colours: {
    red: '红',
    yellow: '黄',
    blue: '蓝',
    legend: '颜色说明',
    /** With the thresholds in force: `late` how late past the promise ("4小时"), `load` a line's load ("100%"). */
    redMeans: (t: { late: string; load: string }) =>
      `红 = 审批超时 / 预计晚于承诺超过 ${t.late} / 产线负荷 ≥ ${t.load}`,
    /** `dueSoon` "30分钟"; `late` null: any lateness is yellow. */
    yellowMeans: (t: { dueSoon: string; late: string | null; load: string }) =>
      `黄 = 审批 ${t.dueSoon}内到期 / 预计晚于承诺${t.late ? `超过 ${t.late}` : ''} / 产线负荷 ≥ ${t.load}`,
    blueMeans: '蓝 = 正常',
  },

  lines: {
    heading: '产线负荷',
    load: (percent: number) => `负荷 ${percent}%`,
  },

  /** The open-orders table. */
  orders: {
    heading: '订单明细',
    colour: '颜色',
    number: '订单号',
    customer: '客户',
    requester: '业务员',
    status: '状态',
    waitingOn: '等待',
    age: '已用时',
    etdAndPromise: '预计 / 承诺',
    reasons: '原因',
    none: '暂无未完成订单',
    shown: (shown: number, total: number) => `显示前 ${shown} 条，共 ${total} 条`,
    /** After the age of an order waiting on the customer. */
    paused: '（等客户）',
    etd: (time: string) => `预计 ${time}`,
    promise: (time: string) => `承诺 ${time}`,
  },

  /** Where an order is, in the table and on its page. */
  status: {
    pendingApproval: '待审批',
    rejected: '已驳回',
  },

  /** Who an open order waits on. */
  waitingOn: {
    customer: '客户',
    customerFor: (reason: string) => `客户（${reason}）`,
    customerSignOff: '客户签收',
  },

  /** Why an order is red or yellow. */
  reasons: {
    escalated: '审批超时，已升级',
    pausedApproval: '等客户，审批暂停计时',
    approvalOverdue: (span: string) => `审批超时 ${span}`,
    approvalDueIn: (span: string) => `审批 ${span}后到期`,
    etdLate: (span: string) => `预计晚于承诺 ${span}`,
    busyLine: '产线负荷高',
  },

  /** One order's page. */
  order: {
    customer: '客户',
    requester: '业务员',
    request: '原始需求',
    requestedAt: '提出时间',
    confirmedAt: '确认时间',
    latency: '客户感知时延',
    pausedTotal: '暂停合计',
    promisedAt: '承诺交期',
    etd: '预计交期',
    items: '物料',
    /** After the paused total while the order still waits on the customer. */
    paused: '（等客户中）',
  },

  pauses: {
    heading: '等待客户',
    from: '开始',
    to: '结束',
    reason: '原因',
    duration: '时长',
    none: '无暂停',
    ongoing: '进行中',
  },

  /** The order's events, as the timeline reads them. */
  timeline: {
    heading: '时间线',
    none: '暂无记录',
    created: '创建需求单',
    requestedDate: (date: string) => `要求交期 ${date}`,
    promiseChecked: '交期核算',
    promiseBlocked: '交期受阻',
    earliest: (date: string) => `最早可交 ${date}`,
    /** The promise check's detail: its earliest date and its explanation, either or both. */
    checkDetail: (earliest: string | null, explanation: string | null): string =>
      [earliest === null ? null : board.timeline.earliest(earliest), explanation].filter(Boolean).join('，'),
    approved: (department: string) => `${department}同意`,
    rejected: (department: string) => `${department}驳回`,
    escalated: (department: string) => `${department}审批升级`,
    waited: (span: string) => `已等 ${span}`,
    confirmed: '交期确认',
    promisedDate: (date: string) => `承诺交期 ${date}`,
    orderRejected: '订单驳回',
    paused: '等客户（暂停计时）',
    resumed: '客户已回复（继续计时）',
    waitedFor: (span: string) => `等待 ${span}`,
    waybill: (waybill: string) => `运单 ${waybill}`,
    etdChanged: '预计签收变更',
    /** "3月1日 10:00 → 3月2日 10:00", and for a run of refreshes how many and the last one's time. */
    etdChange: (from: string, to: string, run: { count: number; lastAt: string } | null) =>
      `${from} → ${to}${run ? `（${run.count} 次更新，至 ${run.lastAt}）` : ''}`,
    delayAlert: '延误提醒',
    lateBy: (span: string) => `晚于承诺 ${span}`,
    waybillAdded: '补录运单',
    trackingUpdated: '物流更新',
    smsRejected: '短信被拒',
    smsUncertain: '短信结果未知',
  },
};
