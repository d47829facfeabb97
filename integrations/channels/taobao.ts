import type { AdapterSettings } from './settings';
import type { ChannelAdapter } from './port';

/** UNFINISHED: the Taobao adapter is being built (issue 20). */
export function createTaobaoAdapter(_settings: AdapterSettings): ChannelAdapter {
  throw new Error('the taobao adapter is not built yet');
}
