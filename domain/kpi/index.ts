/**
 * KPIs: the customer-perceived latency clock, the four weekly figures, China-time weeks, the chat
 * phrases that drive them. Pure: the clock is always passed in.
 */
export {
  clockEventsOf,
  isPaused,
  latencyClock,
  perceivedLatencyMs,
  runningLatencyMs,
  type ClockEvent,
  type LatencyClock,
  type Pause,
} from './latency';
export {
  complaintFigures,
  computeKpis,
  isOnTime,
  isWithinWindow,
  percentile,
  type DeliveredOrder,
  type KpiFigures,
  type KpiInput,
} from './figures';
export { dateRange, lastWeeks, nextDailyRun, nextWeeklyRun, weekOf, type Week } from './weeks';
export { extractRequestTime, parseKpiCommand, parsePauseCommand, type PauseCommand } from './commands';
