import { sql } from 'drizzle-orm';
import { chinaDate } from '../domain/china-time';
import { type Queryable, queryRows } from './client';
import { apiCallCounts, quotaNotices } from './schema';

/**
 * A platform's API calls per API and month (api_call_counts), and the quota notices given (quota_notices).
 * Every statement here is one round trip and safe with several processes counting at once.
 */

/** The quota's month, 'YYYY-MM' in China time (DingTalk counts by the organisation's calendar month). */
export function quotaMonth(now: Date): string {
  return chinaDate(now).slice(0, 7);
}

/** Days left in the month in China, today included (1 on the last day). */
export function daysLeftInMonth(now: Date): number {
  const [year, month, day] = chinaDate(now).split('-').map(Number) as [number, number, number];
  const days = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return days - day + 1;
}

/** The first instant of the next month in China. */
export function nextMonthStart(now: Date): Date {
  const [year, month] = quotaMonth(now).split('-').map(Number) as [number, number];
  return new Date(Date.UTC(year, month, 1) - 8 * 3600_000);
}

/**
 * Counts calls (each `api` call in the month of its `at`; several at once in one upsert) and returns, for each,
 * the platform's calls in that month once these are counted: the upserted rows plus the other APIs' counts.
 */
export async function countApiCalls(
  q: Queryable,
  platform: string,
  calls: ReadonlyArray<{ api: string; at: Date }>,
): Promise<number[]> {
  const counts = new Map<string, { api: string; month: string; n: number }>();
  for (const call of calls) {
    const month = quotaMonth(call.at);
    const key = `${call.api}\n${month}`;
    const entry = counts.get(key) ?? { api: call.api, month, n: 0 };
    entry.n += 1;
    counts.set(key, entry);
  }
  const rows = await queryRows<{ month: string; total: number }>(
    q,
    sql`with counted as (
          insert into ${apiCallCounts} (platform, api, month, calls)
          select ${platform}, x.api, x.month, x.n
          from jsonb_to_recordset(${JSON.stringify([...counts.values()])}::jsonb) as x(api text, month text, n int)
          on conflict (platform, api, month) do update set calls = ${apiCallCounts}.calls + excluded.calls
          returning api, month, calls)
        select m.month, ((select sum(k.calls) from counted k where k.month = m.month)
          + coalesce((select sum(c.calls) from ${apiCallCounts} c
                      where c.platform = ${platform} and c.month = m.month
                        and c.api not in (select k.api from counted k where k.month = m.month)), 0))::int as total
        from (select distinct month from counted) m`,
  );
  const totals = new Map(rows.map((r) => [r.month, Number(r.total)]));
  return calls.map((call) => totals.get(quotaMonth(call.at)) ?? 0);
}

/** Counts one call of `api` not made (or refused) because the month's quota was used up. */
export async function countWithheld(q: Queryable, platform: string, api: string, now: Date): Promise<void> {
  const month = quotaMonth(now);
  await q
    .insert(apiCallCounts)
    .values({ platform, api, month, calls: 0, withheld: 1 })
    .onConflictDoUpdate({
      target: [apiCallCounts.platform, apiCallCounts.api, apiCallCounts.month],
      set: { withheld: sql`${apiCallCounts.withheld} + 1` },
    });
}

export interface MonthUsage {
  month: string;
  calls: number;
  withheld: number;
  /** The platform said the quota is used up this month (the 'exhausted' notice is recorded). */
  exhausted: boolean;
}

/** The platform's calls and withheld calls in the month of `now`, and whether it was found exhausted. */
export async function monthUsage(q: Queryable, platform: string, now: Date): Promise<MonthUsage> {
  const month = quotaMonth(now);
  const [row] = await queryRows<{ calls: number; withheld: number; exhausted: boolean }>(
    q,
    sql`select coalesce(sum(c.calls), 0)::int as calls, coalesce(sum(c.withheld), 0)::int as withheld,
          exists(select 1 from ${quotaNotices} n
                 where n.platform = ${platform} and n.month = ${month} and n.kind = 'exhausted') as exhausted
        from ${apiCallCounts} c where c.platform = ${platform} and c.month = ${month}`,
  );
  return {
    month,
    calls: Number(row?.calls ?? 0),
    withheld: Number(row?.withheld ?? 0),
    exhausted: row?.exhausted === true,
  };
}

/**
 * Records that a quota notice of `kind` is given for the month of `at`; true only for the one caller
 * (of any process) that recorded it first, which is the one to send it.
 */
export async function claimQuotaNotice(
  q: Queryable,
  platform: string,
  kind: 'warning' | 'exhausted',
  at: Date,
): Promise<boolean> {
  const inserted = await q
    .insert(quotaNotices)
    .values({ platform, month: quotaMonth(at), kind, at })
    .onConflictDoNothing()
    .returning({ kind: quotaNotices.kind });
  return inserted.length > 0;
}
