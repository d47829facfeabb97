import type { Catalogue } from '../catalogue';

export const board: Catalogue['board'] = {
  htmlLang: 'en',
  name: 'Ops board',
  otherLanguage: '中文',
  signOut: 'Sign out',
  channelPages: { reconcile: 'Channel reconciliation', stacking: 'Stacking reviews' },
  updatedAt: (time) => `Updated ${time}`,
  backToBoard: '← Back to the board',
  titles: {
    board: (company) => `Ops board · ${company}`,
    order: (number) => `${number} · Ops board`,
    login: 'Sign in · Ops board',
    notFound: (company) => `Not found · Ops board · ${company}`,
  },

  login: {
    heading: (company) => `${company} · Ops board`,
    username: 'Username',
    password: 'Password',
    submit: 'Sign in',
    tooManyAttempts: 'Too many attempts. Please try again in 15 minutes.',
    wrongPassword: 'Wrong username or password.',
    demoPasswordRefused:
      'The demo password only works in the local playground. Make a new password with hash-password, put it in the config and sign in again.',
  },

  notFound: {
    heading: 'Not found',
    text: (what) => `Could not find ${what}.`,
    order: (number) => `order ${number}`,
  },

  figures: {
    label: 'This week',
    latencyP50: 'Customer-facing latency (median)',
    latencyP90: 'Customer-facing latency (P90)',
    onTime: 'On-time delivery',
    accuracy: 'Promise accuracy',
    complaints: 'Complaint rate',
    handlingP50: 'Department handling time (median)',
    confirmed: 'Orders confirmed this week',
    lastWeek: (value) => `Last week ${value}`,
    better: 'better',
    worse: 'worse',
    same: 'unchanged',
  },

  charts: {
    heading: (weeks) => `Last ${weeks} weeks`,
    latency: 'Customer-facing latency',
    onTime: 'On-time delivery',
    accuracy: 'Promise accuracy',
    handling: 'Department handling time (median)',
    median: 'median',
    p90: 'P90',
    onTimeRate: 'on time',
    accuracyRate: 'accurate',
    hours: (hours) => `${hours} h`,
    noData: 'No data yet',
  },

  counts: {
    heading: 'Open orders',
    total: (count) => `${count} in all`,
  },

  colours: {
    red: 'red',
    yellow: 'yellow',
    blue: 'blue',
    legend: 'What the colours mean',
    redMeans: (t) =>
      `red = approval overdue / expected more than ${t.late} later than promised / line load ≥ ${t.load}`,
    yellowMeans: (t) =>
      `yellow = approval due within ${t.dueSoon} / expected ${t.late ? `more than ${t.late} ` : ''}later than promised / line load ≥ ${t.load}`,
    blueMeans: 'blue = on track',
  },

  lines: {
    heading: 'Production line load',
    load: (percent) => `load ${percent}%`,
  },

  orders: {
    heading: 'Orders',
    colour: 'Colour',
    number: 'Order',
    customer: 'Customer',
    requester: 'Sales',
    status: 'Status',
    waitingOn: 'Waiting on',
    age: 'Age',
    etdAndPromise: 'Expected / promised',
    reasons: 'Why',
    none: 'No open orders',
    shown: (shown, total) => `Showing the first ${shown} of ${total}`,
    paused: ' (waiting on the customer)',
    etd: (time) => `expected ${time}`,
    promise: (time) => `promised ${time}`,
  },

  status: {
    pendingApproval: 'awaiting approval',
    rejected: 'rejected',
  },

  waitingOn: {
    customer: 'customer',
    customerFor: (reason) => `customer (${reason})`,
    customerSignOff: 'customer to sign for it',
  },

  reasons: {
    escalated: 'approval overdue, escalated',
    pausedApproval: 'waiting on the customer, approval clock paused',
    approvalOverdue: (span) => `approval overdue by ${span}`,
    approvalDueIn: (span) => `approval due in ${span}`,
    etdLate: (span) => `expected ${span} later than promised`,
    busyLine: 'busy production line',
  },

  order: {
    customer: 'Customer',
    requester: 'Sales',
    request: 'Request as written',
    requestedAt: 'Requested',
    confirmedAt: 'Confirmed',
    latency: 'Customer-facing latency',
    pausedTotal: 'Paused in all',
    promisedAt: 'Promised delivery',
    etd: 'Expected delivery',
    items: 'Items',
    paused: ' (still waiting on the customer)',
  },

  pauses: {
    heading: 'Waiting on the customer',
    from: 'From',
    to: 'To',
    reason: 'Reason',
    duration: 'Duration',
    none: 'No pauses',
    ongoing: 'ongoing',
  },

  timeline: {
    heading: 'Timeline',
    none: 'Nothing recorded yet',
    created: 'Request created',
    requestedDate: (date) => `requested for ${date}`,
    promiseChecked: 'Delivery date checked',
    promiseBlocked: 'Delivery date blocked',
    earliest: (date) => `earliest ${date}`,
    checkDetail: (earliest, explanation) =>
      [earliest === null ? null : board.timeline.earliest(earliest), explanation].filter(Boolean).join(', '),
    approved: (department) => (department ? `${department} approved` : 'Approved'),
    rejected: (department) => (department ? `${department} rejected` : 'Rejected'),
    escalated: (department) => (department ? `${department} approval escalated` : 'Approval escalated'),
    waited: (span) => `waited ${span}`,
    confirmed: 'Delivery date confirmed',
    promisedDate: (date) => `promised for ${date}`,
    orderRejected: 'Order rejected',
    paused: 'Waiting on the customer (clock paused)',
    resumed: 'Customer replied (clock running again)',
    waitedFor: (span) => `waited ${span}`,
    waybill: (waybill) => `waybill ${waybill}`,
    etdChanged: 'Expected delivery changed',
    etdChange: (from, to, run) => `${from} → ${to}${run ? ` (${run.count} updates, the last at ${run.lastAt})` : ''}`,
    delayAlert: 'Delay alert',
    lateBy: (span) => `${span} later than promised`,
    waybillAdded: 'Waybill added',
    trackingUpdated: 'Tracking update',
    smsRejected: 'SMS refused',
    smsUncertain: 'SMS outcome unknown',
  },
};
