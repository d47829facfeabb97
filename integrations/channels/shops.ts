import type { BusinessConfig, ChannelShopConfig } from '../../config/business-config';
import { ConfigError } from '../../core/errors';
import { createDouyinAdapter } from './douyin';
import { createJdAdapter } from './jd';
import type { ChannelAdapter } from './port';
import type { AdapterSettings } from './settings';
import { createTaobaoAdapter } from './taobao';

const FACTORIES = {
  douyin: createDouyinAdapter,
  taobao: (settings) =>
    createTaobaoAdapter(settings, {
      ...(settings.shop.platformPromotionPrefixes
        ? { platformPromotionPrefixes: settings.shop.platformPromotionPrefixes }
        : {}),
      ...(settings.shop.billAmountUnit ? { billAmountUnit: settings.shop.billAmountUnit } : {}),
      ...(settings.shop.feeAccountIds ? { feeAccountIds: settings.shop.feeAccountIds } : {}),
    }),
  jd: createJdAdapter,
} satisfies Record<ChannelShopConfig['channel'], (settings: AdapterSettings) => ChannelAdapter>;

/** The adapter of one configured shop, its secrets read from `env` (the variables the config names). */
export function channelAdapter(
  shop: ChannelShopConfig,
  env: NodeJS.ProcessEnv,
  seams: Pick<AdapterSettings, 'fetch' | 'now'> = {},
): ChannelAdapter {
  const secret = env[shop.secretEnv];
  if (!secret) {
    throw new ConfigError(`channels: shop ${shop.channel}:${shop.shop} needs its app secret in ${shop.secretEnv}`);
  }
  const token = shop.tokenEnv ? (env[shop.tokenEnv] ?? null) : null;
  return FACTORIES[shop.channel]({ shop, secret, token, ...seams });
}

/** Every configured shop's adapter. */
export function channelAdapters(
  config: BusinessConfig,
  env: NodeJS.ProcessEnv,
  seams: Pick<AdapterSettings, 'fetch' | 'now'> = {},
): ChannelAdapter[] {
  return config.channels.shops.map((shop) => channelAdapter(shop, env, seams));
}
