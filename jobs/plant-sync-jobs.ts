import { cachedToken, invalidateToken } from '../db/platform-tokens';
import { type PlantDataProblem, reportPlantDataProblem } from '../handlers/plant-data-alerts';
import { createErpClient } from '../integrations/erp/erp-config';
import { syncFromErp } from '../integrations/erp/sync-job';
import { runExcelBridge } from '../integrations/excel/bridge-job';
import { defaultColumnMapping } from '../integrations/excel/mapping';
import type { JobDeps } from './deps';
import type { ScheduledJob } from './scheduler';

/** The periodic plant-data jobs this deployment has: ERP sync when ERP_KIND is set, the Excel bridge when its folder is. */
export function plantSyncJobs(deps: JobDeps): ScheduledJob[] {
  const { db, config, env, log, clock } = deps;
  const report = (problem: PlantDataProblem) =>
    deps.runInContext(`plant-data:${problem.kind}`, (ctx) => reportPlantDataProblem(ctx, problem));
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
          await report({ kind: 'erp-sync-failed', erp: erp.kind, error: (err as Error).message });
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
          await report({ kind: 'excel-import-failed', file: failed.name, sha256: failed.sha256, error: failed.error });
        }
      },
    });
  }
  return jobs;
}
