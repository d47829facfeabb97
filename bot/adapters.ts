import { configuredPlatforms, type Env } from '../config/env';
import type { PlatformAdapter } from './adapter';
import type { Bot } from './bot';
import { DingtalkAdapter } from './dingtalk/dingtalk-adapter';
import { PlaygroundAdapter, type TimeTravel } from './local/playground-adapter';
import { WecomAdapter } from './wecom/wecom-adapter';

/**
 * The adapters this process runs: one per chat platform whose credentials are set, and the local
 * playground when none are. Each platform's factory gets a line here.
 */
export function createAdapters(
  bot: Bot,
  env: Env,
  timeTravel?: TimeTravel,
): { adapters: PlatformAdapter[]; missing: string[] } {
  const platforms = configuredPlatforms(env);
  const factories: Record<string, ((bot: Bot, env: Env) => PlatformAdapter) | undefined> = {
    dingtalk: (bot, env) => new DingtalkAdapter(bot, env),
    wecom: (bot, env) => new WecomAdapter(bot, env),
  };
  const adapters: PlatformAdapter[] = [];
  const missing: string[] = [];
  for (const platform of platforms) {
    const factory = factories[platform];
    if (factory) adapters.push(factory(bot, env));
    else missing.push(platform);
  }
  if (adapters.length === 0) adapters.push(new PlaygroundAdapter(bot, timeTravel));
  return { adapters, missing };
}
