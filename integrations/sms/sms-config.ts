import { ConfigError } from '../../core/errors';
import { z } from 'zod';
import { AliyunSmsProvider } from './aliyun';
import { LogSmsProvider, type LogSmsOptions } from './log-provider';
import type { SmsProvider } from './port';
import { TencentSmsProvider } from './tencent';
import type { FetchLike } from './transport';

/** Our template names and the env variable holding each one's vendor template id. */
export const SMS_TEMPLATE_ENV = {
  delay: 'SMS_TEMPLATE_DELAY',
  /** Customer notices (handlers/customer-notices.ts); each is optional: without its id, that notice is not sent. */
  confirmed: 'SMS_TEMPLATE_CONFIRMED',
  shipped: 'SMS_TEMPLATE_SHIPPED',
  'promise-changed': 'SMS_TEMPLATE_PROMISE_CHANGED',
} as const;
export type SmsTemplateName = keyof typeof SMS_TEMPLATE_ENV;

/** Env variable with the comma-separated param order of a template (Tencent TemplateParamSet is positional). */
const paramsEnv = (name: SmsTemplateName): string => `${SMS_TEMPLATE_ENV[name]}_PARAMS`;

const optionalText = z
  .string()
  .transform((s) => s.trim())
  .optional()
  .transform((s) => (s ? s : undefined));

const envSchema = z.object({
  SMS_PROVIDER: z.preprocess(
    (v) => (typeof v === 'string' && v.trim() === '' ? undefined : typeof v === 'string' ? v.trim().toLowerCase() : v),
    z.enum(['aliyun', 'tencent', 'log']).default('log'),
  ),
  SMS_ENDPOINT: optionalText.refine((v) => v === undefined || /^https?:\/\/[^/]+/.test(v), {
    message: 'must be an http(s) URL such as http://127.0.0.1:8080',
  }),
  SMS_ACCESS_KEY_ID: optionalText,
  SMS_ACCESS_KEY_SECRET: optionalText,
  SMS_SECRET_ID: optionalText,
  SMS_SECRET_KEY: optionalText,
  SMS_SDK_APP_ID: optionalText,
  SMS_SIGN_NAME: optionalText,
  SMS_REGION: optionalText,
  SMS_TEMPLATE_DELAY: optionalText,
  SMS_TEMPLATE_DELAY_PARAMS: optionalText,
  SMS_TEMPLATE_CONFIRMED: optionalText,
  SMS_TEMPLATE_CONFIRMED_PARAMS: optionalText,
  SMS_TEMPLATE_SHIPPED: optionalText,
  SMS_TEMPLATE_SHIPPED_PARAMS: optionalText,
  SMS_TEMPLATE_PROMISE_CHANGED: optionalText,
  SMS_TEMPLATE_PROMISE_CHANGED_PARAMS: optionalText,
});

export type SmsEnv = z.infer<typeof envSchema>;

export interface CreateSmsProviderOptions {
  timeoutMs?: number;
  fetch?: FetchLike;
  now?: () => Date;
  /** Tencent param order per template; overrides SMS_TEMPLATE_<NAME>_PARAMS. */
  templateParams?: Partial<Record<SmsTemplateName, readonly string[]>>;
  /** For the log provider (playground). */
  onSend?: LogSmsOptions['onSend'];
  log?: LogSmsOptions['log'];
}

/** Parses the SMS_* env; throws a ConfigError naming each missing or invalid variable. */
export function parseSmsEnv(env: Record<string, string | undefined>): SmsEnv {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const vars = [...new Set(parsed.error.issues.map((i) => String(i.path[0] ?? '?')))];
    const detail = parsed.error.issues.map((i) => `${String(i.path[0] ?? '?')}: ${i.message}`).join('; ');
    throw new ConfigError(`SMS config: invalid ${detail}`, { variables: vars });
  }
  return parsed.data;
}

function requireVars<K extends keyof SmsEnv>(env: SmsEnv, provider: string, keys: K[]): { [P in K]: string } {
  const missing = keys.filter((k) => !env[k]);
  if (missing.length > 0) {
    throw new ConfigError(`SMS config: SMS_PROVIDER=${provider} requires ${missing.join(', ')}`, {
      variables: missing.map(String),
    });
  }
  return Object.fromEntries(keys.map((k) => [k, env[k] as string])) as { [P in K]: string };
}

/** The optional templates (every one but delay) whose vendor id is set: name -> id. */
function optionalTemplates(env: SmsEnv): Partial<Record<SmsTemplateName, string>> {
  const found: Partial<Record<SmsTemplateName, string>> = {};
  for (const name of Object.keys(SMS_TEMPLATE_ENV) as SmsTemplateName[]) {
    const id = env[SMS_TEMPLATE_ENV[name]];
    if (name !== 'delay' && id) found[name] = id;
  }
  return found;
}

function paramOrder(env: SmsEnv, name: SmsTemplateName, options: CreateSmsProviderOptions): string[] | undefined {
  const given = options.templateParams?.[name];
  if (given) return [...given];
  const written = env[paramsEnv(name) as keyof SmsEnv]
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return written && written.length > 0 ? written : undefined;
}

/**
 * Whether the configured provider can send a template: the log provider shows any; Aliyun needs its
 * TemplateCode, Tencent its TemplateId and param order. An env the provider would refuse: false.
 */
export function smsTemplateReady(rawEnv: Record<string, string | undefined>, name: SmsTemplateName): boolean {
  let env: SmsEnv;
  try {
    env = parseSmsEnv(rawEnv);
  } catch {
    return false;
  }
  if (env.SMS_PROVIDER === 'log') return true;
  if (!env[SMS_TEMPLATE_ENV[name]]) return false;
  return env.SMS_PROVIDER === 'aliyun' || paramOrder(env, name, {}) !== undefined;
}

export function createSmsProvider(
  rawEnv: Record<string, string | undefined>,
  options: CreateSmsProviderOptions = {},
): SmsProvider {
  const env = parseSmsEnv(rawEnv);
  const common = {
    ...(env.SMS_ENDPOINT ? { endpoint: env.SMS_ENDPOINT } : {}),
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(options.now ? { now: options.now } : {}),
  };
  switch (env.SMS_PROVIDER) {
    case 'log':
      return new LogSmsProvider({
        ...(options.onSend ? { onSend: options.onSend } : {}),
        ...(options.log ? { log: options.log } : {}),
        ...(options.now ? { now: options.now } : {}),
      });
    case 'aliyun': {
      const v = requireVars(env, 'aliyun', [
        'SMS_ACCESS_KEY_ID',
        'SMS_ACCESS_KEY_SECRET',
        'SMS_SIGN_NAME',
        'SMS_TEMPLATE_DELAY',
      ]);
      return new AliyunSmsProvider({
        accessKeyId: v.SMS_ACCESS_KEY_ID,
        accessKeySecret: v.SMS_ACCESS_KEY_SECRET,
        signName: v.SMS_SIGN_NAME,
        templates: { delay: v.SMS_TEMPLATE_DELAY, ...optionalTemplates(env) },
        ...common,
      });
    }
    case 'tencent': {
      const v = requireVars(env, 'tencent', [
        'SMS_SECRET_ID',
        'SMS_SECRET_KEY',
        'SMS_SDK_APP_ID',
        'SMS_SIGN_NAME',
        'SMS_TEMPLATE_DELAY',
      ]);
      const templates = { delay: v.SMS_TEMPLATE_DELAY, ...optionalTemplates(env) };
      const templateParams: Partial<Record<SmsTemplateName, readonly string[]>> = {};
      for (const name of Object.keys(templates) as SmsTemplateName[]) {
        const order = paramOrder(env, name, options);
        if (!order) {
          throw new ConfigError(
            `SMS config: SMS_PROVIDER=tencent requires ${paramsEnv(name)} (comma-separated param names in template order)`,
            { variables: [paramsEnv(name)] },
          );
        }
        templateParams[name] = order;
      }
      return new TencentSmsProvider({
        secretId: v.SMS_SECRET_ID,
        secretKey: v.SMS_SECRET_KEY,
        sdkAppId: v.SMS_SDK_APP_ID,
        signName: v.SMS_SIGN_NAME,
        region: env.SMS_REGION ?? 'ap-guangzhou',
        templates,
        templateParams,
        ...common,
      });
    }
  }
}
