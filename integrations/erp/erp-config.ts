import { ConfigError } from '../../core/errors';
import { z } from 'zod';
import { KingdeeClient, KINGDEE_MAX_LIMIT } from './kingdee-client';
import type { ErpPort } from './port';
import type { InvalidateToken, TokenCache } from './token-cache';
import { U8Client } from './u8-client';

const required = (name: string) => z.string({ error: `${name} is missing` }).min(1, `${name} is missing`);
const url = (name: string) =>
  required(name).pipe(z.url({ protocol: /^https?$/, error: `${name} must be an http(s) URL` }));
const positiveInt = (name: string) =>
  z.coerce
    .number({ error: `${name} must be a number` })
    .int(`${name} must be a whole number`)
    .positive(`${name} must be positive`);

const onOff = (name: string) =>
  z
    .string()
    .transform((v) => v.trim().toLowerCase())
    .pipe(z.enum(['on', 'off', 'true', 'false', '1', '0', 'yes', 'no'], { error: `${name} must be "on" or "off"` }))
    .transform((v) => v === 'on' || v === 'true' || v === '1' || v === 'yes');

/** Writing confirmed orders back as sale orders: off unless ERP_WRITE_BACK=on (it changes the plant's books). */
const writeBackFields = {
  ERP_WRITE_BACK: onOff('ERP_WRITE_BACK').default(false),
  /** U8 deptcode / Kingdee FSaleDeptId. */
  ERP_SALE_DEPARTMENT: z.string().optional(),
  /** U8 typecode (销售类型) / Kingdee FBillTypeID (default XSDD01_SYS). */
  ERP_SALE_TYPE: z.string().optional(),
  /** How long after a write whose answer was lost it is looked up and, if absent, written again. */
  ERP_WRITE_RETRY_AFTER_MS: positiveInt('ERP_WRITE_RETRY_AFTER_MS').default(60_000),
};

const u8Schema = z.object({
  ERP_KIND: z.literal('u8'),
  /** The OpenAPI gateway, e.g. https://api.yonyouup.com */
  ERP_BASE_URL: url('ERP_BASE_URL'),
  ERP_APP_KEY: required('ERP_APP_KEY'),
  ERP_APP_SECRET: required('ERP_APP_SECRET'),
  ERP_FROM_ACCOUNT: required('ERP_FROM_ACCOUNT'),
  ERP_TO_ACCOUNT: required('ERP_TO_ACCOUNT'),
  ERP_DS_SEQUENCE: z.string().optional(),
  /** How often the result URL of a sale order write is asked (U8 writes asynchronously). */
  ERP_RESULT_POLL_MS: positiveInt('ERP_RESULT_POLL_MS').optional(),
  ERP_TIMEOUT_MS: positiveInt('ERP_TIMEOUT_MS').optional(),
  ERP_PAGE_SIZE: positiveInt('ERP_PAGE_SIZE').optional(),
  ...writeBackFields,
});

const kingdeeSchema = z.object({
  ERP_KIND: z.literal('kingdee'),
  /** Up to and including /K3Cloud, e.g. http://erp.plant.local/K3Cloud */
  ERP_BASE_URL: url('ERP_BASE_URL'),
  ERP_ACCT_ID: required('ERP_ACCT_ID'),
  ERP_USERNAME: required('ERP_USERNAME'),
  ERP_PASSWORD: required('ERP_PASSWORD'),
  ERP_LCID: positiveInt('ERP_LCID').default(2052),
  ERP_TIMEOUT_MS: positiveInt('ERP_TIMEOUT_MS').optional(),
  ERP_PAGE_SIZE: positiveInt('ERP_PAGE_SIZE')
    .max(KINGDEE_MAX_LIMIT, `ERP_PAGE_SIZE must be at most ${KINGDEE_MAX_LIMIT} for Kingdee`)
    .optional(),
  ...writeBackFields,
  /** FSaleOrgId number. */
  ERP_SALE_ORG: z.string().optional(),
  /** FSettleCurrId number, e.g. PRE001. */
  ERP_SALE_CURRENCY: z.string().optional(),
  /** Where our order number goes in the sale order: FNote (default), FBillNo or a header text field key. */
  ERP_ORDER_REFERENCE_FIELD: z
    .string()
    .regex(/^F\w+$/, 'ERP_ORDER_REFERENCE_FIELD must be a field key such as FNote, FBillNo or F_PAEZ_Text')
    .optional(),
});

export const erpConfigSchema = z.discriminatedUnion('ERP_KIND', [u8Schema, kingdeeSchema], {
  error: 'ERP_KIND must be "u8" or "kingdee"',
});
export type ErpConfig = z.infer<typeof erpConfigSchema>;

/** The ERP settings in `env`, or null when ERP_KIND is not set (no ERP connected). Empty values count as missing. */
export function parseErpConfig(env: Record<string, string | undefined>): ErpConfig | null {
  const present = Object.fromEntries(
    Object.entries(env).filter(([k, v]) => k.startsWith('ERP_') && v !== undefined && v.trim() !== ''),
  );
  if (present.ERP_KIND === undefined) {
    if (present.ERP_WRITE_BACK !== undefined && onOff('ERP_WRITE_BACK').safeParse(present.ERP_WRITE_BACK).data)
      throw new ConfigError('ERP configuration: ERP_WRITE_BACK is on but ERP_KIND is not set');
    return null;
  }
  const parsed = erpConfigSchema.safeParse(present);
  if (!parsed.success) {
    const problems = [...new Set(parsed.error.issues.map((i) => i.message))];
    throw new ConfigError(`ERP configuration (ERP_KIND=${present.ERP_KIND}): ${problems.join('; ')}`);
  }
  return parsed.data;
}

export interface ErpClientDeps {
  fetch?: typeof fetch;
  /** Back these with db/platform-tokens.ts so all processes share one token / session. */
  tokenCache?: TokenCache;
  invalidateToken?: InvalidateToken;
  now?: () => Date;
}

/** What a written sale order takes from the environment, besides the order itself. */
export interface ErpWriteBackSettings {
  enabled: boolean;
  /** Wait after a write whose answer was lost, before it is looked up and written again if absent. */
  retryAfterMs?: number;
  departmentCode?: string;
  typeCode?: string;
}

/** Whether confirmed orders are written back (ERP_WRITE_BACK=on and an ERP configured), and with what. */
export function erpWriteBackSettings(env: Record<string, string | undefined>): ErpWriteBackSettings {
  const config = parseErpConfig(env);
  if (!config) return { enabled: false };
  return {
    enabled: config.ERP_WRITE_BACK,
    retryAfterMs: config.ERP_WRITE_RETRY_AFTER_MS,
    ...(config.ERP_SALE_DEPARTMENT ? { departmentCode: config.ERP_SALE_DEPARTMENT } : {}),
    ...(config.ERP_SALE_TYPE && config.ERP_KIND === 'u8' ? { typeCode: config.ERP_SALE_TYPE } : {}),
  };
}

/** The ERP client `env` asks for, or null when no ERP is configured. Throws a ConfigError naming what is missing. */
export function createErpClient(env: Record<string, string | undefined>, deps: ErpClientDeps = {}): ErpPort | null {
  const config = parseErpConfig(env);
  if (!config) return null;
  const shared = {
    baseUrl: config.ERP_BASE_URL,
    ...deps,
    ...(config.ERP_TIMEOUT_MS ? { timeoutMs: config.ERP_TIMEOUT_MS } : {}),
  };
  if (config.ERP_KIND === 'u8') {
    return new U8Client({
      ...shared,
      appKey: config.ERP_APP_KEY,
      appSecret: config.ERP_APP_SECRET,
      fromAccount: config.ERP_FROM_ACCOUNT,
      toAccount: config.ERP_TO_ACCOUNT,
      ...(config.ERP_DS_SEQUENCE ? { dsSequence: config.ERP_DS_SEQUENCE } : {}),
      ...(config.ERP_PAGE_SIZE ? { rowsPerPage: config.ERP_PAGE_SIZE } : {}),
      ...(config.ERP_RESULT_POLL_MS ? { resultPolling: { intervalMs: config.ERP_RESULT_POLL_MS } } : {}),
    });
  }
  return new KingdeeClient({
    ...shared,
    acctId: config.ERP_ACCT_ID,
    username: config.ERP_USERNAME,
    password: config.ERP_PASSWORD,
    lcid: config.ERP_LCID,
    ...(config.ERP_PAGE_SIZE ? { pageSize: config.ERP_PAGE_SIZE } : {}),
    saleOrder: {
      ...(config.ERP_SALE_TYPE ? { billType: config.ERP_SALE_TYPE } : {}),
      ...(config.ERP_SALE_ORG ? { saleOrg: config.ERP_SALE_ORG } : {}),
      ...(config.ERP_SALE_CURRENCY ? { currency: config.ERP_SALE_CURRENCY } : {}),
      ...(config.ERP_ORDER_REFERENCE_FIELD ? { referenceField: config.ERP_ORDER_REFERENCE_FIELD } : {}),
    },
  });
}
