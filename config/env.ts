import { z } from 'zod';

const optional = z.string().trim().min(1).optional().catch(undefined);
/** An empty or blank variable is unset; any other value must be valid. */
const blankIsUnset = (v: unknown) => (typeof v === 'string' ? v.trim() || undefined : v);

/** Secrets and endpoints from the environment (DESIGN.md "Config"). Business rules live in the YAML config. */
export const envSchema = z
  .object({
    DATABASE_URL: optional,
    ORDERBOT_DATA_DIR: z.string().default('./data'),
    ORDERBOT_CONFIG: optional,
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    HOST: z.string().default('127.0.0.1'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    /** How long a claimed outbox row stays invisible to other senders; after a crash its rows wait this long. */
    ORDERBOT_OUTBOX_LEASE_MS: z.coerce.number().int().min(1000).optional(),
    WECOM_CORP_ID: optional,
    WECOM_AGENT_ID: optional,
    WECOM_SECRET: optional,
    WECOM_TOKEN: optional,
    WECOM_ENCODING_AES_KEY: optional,
    WECOM_AIBOT_TOKEN: optional,
    WECOM_AIBOT_ENCODING_AES_KEY: optional,
    WECOM_API_BASE: z.string().url().default('https://qyapi.weixin.qq.com'),
    /** How long a call to the platform's API may take before its outcome counts as unknown (default 10 s). */
    WECOM_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(100).optional(),
    DINGTALK_CLIENT_ID: optional,
    DINGTALK_CLIENT_SECRET: optional,
    DINGTALK_ROBOT_CODE: optional,
    DINGTALK_CARD_TEMPLATE_ID: optional,
    DINGTALK_API_BASE: z.string().url().default('https://api.dingtalk.com'),
    DINGTALK_GATEWAY_URL: z.string().url().default('https://api.dingtalk.com/v1.0/gateway/connections/open'),
    /** DingTalk's old-style server API (gettoken, topapi/…): the company directory is read there. */
    DINGTALK_OAPI_BASE: z.string().url().default('https://oapi.dingtalk.com'),
    DINGTALK_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(100).optional(),
    /**
     * The lease on an app's one Stream connection (default 4 s): the process holding it renews it every
     * quarter of it; after a crash another process connects once it runs out.
     */
    DINGTALK_STREAM_LEASE_MS: z.coerce.number().int().min(200).optional(),
    /** DingTalk OpenAPI calls the organisation may make a month (standard edition 5,000); 0 = unlimited (paid editions). */
    DINGTALK_MONTHLY_QUOTA: z.coerce.number().int().min(0).default(5000),
    /** Folder the accountants' stock and material exports land in (the Excel bridge). */
    EXCEL_BRIDGE_DIR: optional,
    /** Bearer token a MES uses on /api/mes; unset: the MES interface is off. */
    MES_API_TOKEN: optional,
    /**
     * The address customers reach this server at (e.g. https://orders.example.com): customer SMS carry a
     * status link under it. Unset: no link.
     */
    PUBLIC_URL: z.preprocess(
      blankIsUnset,
      z
        .string()
        .regex(/^https?:\/\/[^/\s]+(\/\S*)?$/, 'must be an http(s) URL such as https://orders.example.com')
        .optional(),
    ),
    /** Signs the customer status links; unset: a secret generated once and kept in the database. */
    STATUS_LINK_SECRET: z.preprocess(blankIsUnset, z.string().min(16, 'must be at least 16 characters').optional()),
  })
  // ERP_* variables are validated by integrations/erp when ERP_KIND is set.
  .loose();

export type Env = z.output<typeof envSchema>;

export function readEnv(source: NodeJS.ProcessEnv = process.env): Env {
  const result = envSchema.safeParse(source);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`environment is invalid:\n${lines.join('\n')}`);
  }
  return result.data;
}

/** Chat platforms whose credentials are present. With none, the local playground runs. */
export function configuredPlatforms(env: Env): string[] {
  const platforms: string[] = [];
  if (env.WECOM_CORP_ID && env.WECOM_TOKEN && env.WECOM_ENCODING_AES_KEY) platforms.push('wecom');
  if (env.DINGTALK_CLIENT_ID && env.DINGTALK_CLIENT_SECRET) platforms.push('dingtalk');
  return platforms;
}
