import { Kuaidi100Client, type TrackArgs, type Tracking } from './kuaidi100';

export { CourierError, MIN_POLL_INTERVAL_MS } from './kuaidi100';
export type {
  CourierErrorCode,
  TrackArgs,
  Tracking,
  TrackingEvent,
  TrackingFound,
  TrackingNoInfo,
  TrackingState,
} from './kuaidi100';

/** Courier tracking port. One `track()` is one billed vendor query; poll each waybill at most every MIN_POLL_INTERVAL_MS. */
export interface CourierTracker {
  track(args: TrackArgs): Promise<Tracking>;
}

export interface CreateCourierTrackerOptions {
  timeoutMs?: number;
  fetch?: typeof fetch;
}

/**
 * A 快递100 client when KUAIDI100_CUSTOMER and KUAIDI100_KEY are set (KUAIDI100_API_BASE overrides the base URL,
 * e.g. for the fake); undefined when tracking is not configured.
 */
export function createCourierTracker(
  env: Record<string, string | undefined>,
  options: CreateCourierTrackerOptions = {},
): CourierTracker | undefined {
  const customer = env.KUAIDI100_CUSTOMER?.trim();
  const key = env.KUAIDI100_KEY?.trim();
  if (!customer || !key) return undefined;
  const baseUrl = env.KUAIDI100_API_BASE?.trim();
  return new Kuaidi100Client({
    customer,
    key,
    ...(baseUrl ? { baseUrl } : {}),
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
}
