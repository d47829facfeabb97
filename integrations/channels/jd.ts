import type { AdapterSettings } from './settings';
import type { ChannelAdapter } from './port';

/** UNFINISHED: the Jd adapter is being built (issue 20). */
export function createJdAdapter(_settings: AdapterSettings): ChannelAdapter {
  throw new Error('the jd adapter is not built yet');
}
