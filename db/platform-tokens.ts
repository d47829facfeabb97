import { and, eq, gt, sql } from 'drizzle-orm';
import type { Database } from './client';
import { platformTokens } from './schema';

export interface FreshToken {
  token: string;
  /** Lifetime the platform announced, in seconds (WeCom and DingTalk: 7200). */
  expiresInSeconds: number;
}

/**
 * The cached access token for `key`, fetched once for all processes: a process that finds none (or one
 * about to expire) takes a per-key advisory lock, checks again, and only then asks the platform.
 */
export async function cachedToken(
  db: Database,
  key: string,
  now: Date,
  fetchToken: () => Promise<FreshToken>,
  options: { refreshBeforeMs?: number } = {},
): Promise<string> {
  const margin = options.refreshBeforeMs ?? 5 * 60_000;
  const validAfter = new Date(now.getTime() + margin);
  const read = async (q: Pick<Database, 'select'>) =>
    (await q.select().from(platformTokens).where(and(eq(platformTokens.key, key), gt(platformTokens.expiresAt, validAfter))))[0]?.token;
  const cached = await read(db);
  if (cached) return cached;
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`token:${key}`}))`);
    const again = await read(tx);
    if (again) return again;
    const fresh = await fetchToken();
    const expiresAt = new Date(now.getTime() + fresh.expiresInSeconds * 1000);
    await tx
      .insert(platformTokens)
      .values({ key, token: fresh.token, expiresAt, refreshedAt: now })
      .onConflictDoUpdate({ target: platformTokens.key, set: { token: fresh.token, expiresAt, refreshedAt: now } });
    return fresh.token;
  });
}

/** Forgets a token the platform called invalid, unless another process has already replaced it. */
export async function invalidateToken(db: Database, key: string, token: string): Promise<void> {
  await db.delete(platformTokens).where(and(eq(platformTokens.key, key), eq(platformTokens.token, token)));
}
