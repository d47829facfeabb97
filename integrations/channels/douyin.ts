import type { AdapterSettings } from './settings';
import type { ChannelAdapter } from './port';

/** UNFINISHED: the Douyin adapter is being built (issue 20). */
export function createDouyinAdapter(_settings: AdapterSettings): ChannelAdapter {
  throw new Error('the douyin adapter is not built yet');
}
