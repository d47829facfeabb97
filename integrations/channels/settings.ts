import type { ChannelShopConfig } from '../../config/business-config';

/** What an adapter is built from: the shop's config, its secrets read from the environment, and test seams. */
export interface AdapterSettings {
  shop: ChannelShopConfig;
  secret: string;
  /** The shop's access token / session key; null when the platform needs none for the calls made. */
  token: string | null;
  /** Defaults to the global fetch; tests pass none either (the fakes listen on a local port). */
  fetch?: typeof fetch;
  /** The clock used for request timestamps; defaults to the system clock. */
  now?: () => Date;
}
