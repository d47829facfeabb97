import type { HandlerContext } from '../core/context';
import { chinaDate } from '../domain/china-time';
import { texts } from '../texts';
import { OPS_LANG } from './names';

/** A plant-data source that could not be read: the data from before stays, and ops are told. */
export type PlantDataProblem =
  | { kind: 'erp-sync-failed'; erp: string; error: string }
  | { kind: 'excel-import-failed'; file: string; sha256: string; error: string };

/**
 * One message to the ops conversation per problem: a broken Excel file once per content, a failing ERP
 * once a day. Nothing is said when no ops conversation is configured.
 */
export async function reportPlantDataProblem(ctx: HandlerContext, problem: PlantDataProblem): Promise<void> {
  const conversationId = ctx.config.opsConversation;
  if (!conversationId) return;
  const t = texts(OPS_LANG).plant;
  const { text, key } =
    problem.kind === 'erp-sync-failed'
      ? { text: t.erpSyncFailed(problem.erp, problem.error), key: `erp-sync-failed:${chinaDate(ctx.now)}` }
      : {
          text: t.excelImportFailed(problem.file, problem.error),
          key: `bridge-failed:${problem.file}:${problem.sha256}`,
        };
  await ctx.emit({ kind: 'post', to: { conversationId }, text }, key);
}
