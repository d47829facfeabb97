import type { Logger } from 'pino';
import type { BusinessConfig } from '../config/business-config';
import type { Env } from '../config/env';
import type { Database } from '../db/client';
import { cachedToken, invalidateToken } from '../db/platform-tokens';
import { createErpClient } from '../integrations/erp/erp-config';
import { syncFromErp } from '../integrations/erp/sync-job';
import { runExcelBridge } from '../integrations/excel/bridge-job';
import { defaultColumnMapping } from '../integrations/excel/mapping';
import type { ScheduledJob } from './scheduler';

/** The periodic plant-data jobs this deployment has: ERP sync when ERP_KIND is set, the Excel bridge when its folder is. */
export function plantSyncJobs(args: { db: Database; config: BusinessConfig; env: Env; log: Logger; clock: () => Date }): ScheduledJob[] {
  const { db, config, env, log, clock } = args;
  const jobs: ScheduledJob[] = [];
  const erp = createErpClient(env as Record<string, string | undefined>, {
    tokenCache: (key, fetchToken) => cachedToken(db, `erp:${key}`, clock(), fetchToken),
    invalidateToken: (key, token) => invalidateToken(db, `erp:${key}`, token),
  });
  if (erp) {
    jobs.push({ name: 'erp-sync', everyMs: config.sync.erpEvery, run: async (now) => void (await syncFromErp({ db, erp, now, log })) });
  }
  const dir = env.EXCEL_BRIDGE_DIR;
  if (dir) {
    const mapping = defaultColumnMapping();
    jobs.push({ name: 'excel-bridge', everyMs: config.sync.excelEvery, run: async (now) => void (await runExcelBridge({ db, dir, mapping, now, log })) });
  }
  return jobs;
}
