import type { Logger } from 'pino';
import type { BusinessConfig } from '../config/business-config';
import type { Env } from '../config/env';
import type { Database } from '../db/client';
import { cachedToken, invalidateToken } from '../db/platform-tokens';
import { createErpClient } from '../integrations/erp/erp-config';
import { syncFromErp } from '../integrations/erp/sync-job';
import { runExcelBridge } from '../integrations/excel/bridge-job';
import { defaultColumnMapping } from '../integrations/excel/mapping';
import { chinaDate } from '../domain/china-time';
import { enqueueEffects } from '../core/outbox';
import type { ScheduledJob } from './scheduler';

/** The periodic plant-data jobs this deployment has: ERP sync when ERP_KIND is set, the Excel bridge when its folder is. */
export function plantSyncJobs(args: {
  db: Database;
  config: BusinessConfig;
  env: Env;
  log: Logger;
  clock: () => Date;
  /** The platform the ops conversation is on. */
  platform: string;
}): ScheduledJob[] {
  const { db, config, env, log, clock } = args;
  const report = (text: string, key: string) => reportToOps({ ...args, text, key });
  const jobs: ScheduledJob[] = [];
  const erp = createErpClient(env as Record<string, string | undefined>, {
    tokenCache: (key, fetchToken) => cachedToken(db, `erp:${key}`, clock(), fetchToken),
    invalidateToken: (key, token) => invalidateToken(db, `erp:${key}`, token),
  });
  if (erp) {
    jobs.push({
      name: 'erp-sync',
      everyMs: config.sync.erpEvery,
      run: async (now) => {
        try {
          await syncFromErp({ db, erp, now, log });
        } catch (err) {
          await report(
            `⚠️ ERP（${erp.kind}）同步失败，库存和物料仍是上次同步的数据：${(err as Error).message}`,
            `erp-sync-failed:${chinaDate(now)}`,
          );
          throw err;
        }
      },
    });
  }
  const dir = env.EXCEL_BRIDGE_DIR;
  if (dir) {
    const mapping = defaultColumnMapping();
    jobs.push({
      name: 'excel-bridge',
      everyMs: config.sync.excelEvery,
      run: async (now) => {
        const result = await runExcelBridge({ db, dir, mapping, now, log });
        for (const failed of result.failed) {
          await report(
            `⚠️ Excel 导出文件 ${failed.name} 无法导入，沿用之前的数据：${failed.error}`,
            `bridge-failed:${failed.name}:${failed.sha256}`,
          );
        }
      },
    });
  }
  return jobs;
}

/** One message to the ops conversation per key (a broken file's content, a day of ERP failures). */
async function reportToOps(args: {
  db: Database;
  config: BusinessConfig;
  clock: () => Date;
  platform: string;
  text: string;
  key: string;
}) {
  const conversationId = args.config.opsConversation;
  if (!conversationId) return;
  await args.db.transaction((tx) =>
    enqueueEffects(tx, [{ effect: { kind: 'post', to: { conversationId }, text: args.text }, key: args.key }], {
      platform: args.platform,
      now: args.clock(),
    }),
  );
}
