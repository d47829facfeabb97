import type { Catalogue } from '../catalogue';

export const kpi: Catalogue['kpi'] = {
  heading: (company, week, dates) => `📊 ${company} weekly KPIs (${week}, ${dates})`,
  moved: (value, arrow) => `${value} ${arrow}`,
  latency: (p50, p90, before, confirmed) =>
    `Customer-perceived latency: median ${p50}, p90 ${p90} (last week ${before}), ${confirmed} confirmed`,
  onTime: (rate, before, delivered) => `On-time delivery: ${rate} (last week ${before}), ${delivered} delivered`,
  accuracy: (rate, before) => `Promise accuracy: ${rate} (last week ${before})`,
  complaints: (rate, before, count) =>
    `Complaint rate: ${rate} (last week ${before}), ${count} orders with a complaint or return this week`,
  handling: (parts) => `Handling time by department (median): ${parts.length === 0 ? '—' : parts.join(', ')}`,
  slowest: 'Slowest open orders:',
  noOpenOrders: 'No open orders',
  slowOrder(a) {
    const waiting =
      a.state.kind === 'paused'
        ? ` (${a.state.reason === null ? 'waiting on the customer' : `waiting for ${a.state.reason}`})`
        : a.state.kind === 'approval'
          ? `, awaiting ${a.state.departments}`
          : '';
    return `${a.index + 1}. ${a.number}${a.customer === null ? '' : ` ${a.customer}`}, waiting ${a.waited}${waiting}`;
  },
};
