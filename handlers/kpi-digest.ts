import type { BusinessConfig } from '../config/business-config';
import type { Queryable } from '../db/client';
import { openOrders, weeklyKpis } from '../db/kpi';
import { hasChannelOrders, reconcileReport } from '../db/reconcile';
import { chinaDate } from '../domain/china-time';
import { weekOf, type KpiFigures, type Week } from '../domain/kpi';
import { texts } from '../texts';
import { formatDigest, type SlowOrder } from '../texts/digest';
import { replyToMessage, type HandlerContext } from '../core/context';
import type { MessageEvent } from '../core/events';
import { departmentList, OPS_LANG } from './names';

const WEEK_MS = 7 * 86_400_000;

/** The digest of `week` against the week before it, with the slowest orders still waiting for approval. */
export async function kpiDigest(
  q: Queryable,
  config: BusinessConfig,
  now: Date,
  week: Week,
  language: 'zh' | 'en',
): Promise<string> {
  const previous = weekOf(new Date(week.start.getTime() - 1));
  const window = config.kpi.promiseWindow;
  const [figures, slow] = await Promise.all([
    weeklyKpis(q, [previous, week], window, now),
    openOrders(q, {
      now,
      delayAlertMs: config.thresholds.delayAlertAfter,
      dueSoonMs: config.kpi.dueSoon,
      busyLines: [],
      limit: 5,
      pendingOnly: true,
    }),
  ]);
  const slowest: SlowOrder[] = slow.rows.map((o) => ({
    number: o.number,
    customerName: o.customerName,
    latencyMs: o.latencyMs,
    paused: o.pausedSince !== null,
    pauseReason: o.pauseReason,
    waitingOn: o.pendingDepartments.length > 0 ? departmentList(config, o.pendingDepartments, language) : null,
  }));
  const departments = config.departments.map((d) => ({ key: d.key, name: d.name, nameEn: d.nameEn ?? d.name }));
  const [lastWeek, thisWeek] = figures as [KpiFigures, KpiFigures];
  const digest = formatDigest({ language, company: config.company, week, thisWeek, lastWeek, departments, slowest });
  const channels = await channelReconciliationLines(q, week, language);
  return channels.length === 0 ? digest : [digest, ...channels].join('\n');
}

/**
 * The week's channel reconciliation, one line per channel (difference rate, settled, matched to the 分, not settled
 * yet; docs/channels-reconciliation.md): only when the plant has channel orders at all.
 */
async function channelReconciliationLines(q: Queryable, week: Week, language: 'zh' | 'en'): Promise<string[]> {
  if (!(await hasChannelOrders(q))) return [];
  const t = texts(language).reconcile;
  const from = chinaDate(week.start);
  const to = chinaDate(new Date(week.end.getTime() - 1));
  const report = await reconcileReport(q, { from, to });
  if (report.channels.length === 0) return [t.digestHeading, t.digestNothing];
  return [
    t.digestHeading,
    ...report.channels.flatMap((f) =>
      f.channel === null
        ? []
        : [
            t.digestLine({
              channel: f.channel,
              rate: f.differenceRate,
              settled: f.settledOrders,
              matchRate: f.matchRate,
              unsettled: f.unsettledOrders,
            }),
          ],
    ),
  ];
}

/** "/kpi" or "本周指标" in a chat: this week so far against last week. */
export async function answerKpiQuery(event: MessageEvent, language: 'zh' | 'en', ctx: HandlerContext): Promise<void> {
  const text = await kpiDigest(ctx.tx, ctx.config, ctx.now, weekOf(ctx.now), language);
  await replyToMessage(ctx, event, text);
}

/**
 * The weekly digest to the ops conversation: the week that just ended. Keyed by that week, so a second
 * run (another process, a restart, a late start) sends nothing more.
 */
export async function sendWeeklyDigest(ctx: HandlerContext): Promise<boolean> {
  const conversationId = ctx.config.opsConversation;
  if (!conversationId) return false;
  const ended = weekOf(new Date(weekOf(ctx.now).start.getTime() - WEEK_MS / 2));
  const text = await kpiDigest(ctx.tx, ctx.config, ctx.now, ended, OPS_LANG);
  await ctx.emit({ kind: 'post', to: { conversationId }, text, refresh: 'digest' }, `kpi-digest:${ended.label}`);
  return true;
}
