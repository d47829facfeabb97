import { and, eq, gt, sql } from 'drizzle-orm';
import type { Database } from './client';
import { platformTokens } from './schema';

export interface FreshToken {
  token: string;
  /** Lifetime the platform announced, in seconds (WeCom and DingTalk: 7200). */
  expiresInSeconds: number;
}

/** How long a process reuses a token it read without reading the table again. */
const REMEMBER_MS = 60_000;

/**
 * Tokens a platform client read lately: every platform call needs one, and the row changes only every two
 * hours. Each client keeps its own; a token the platform calls invalid is forgotten there (invalidateToken).
 */
export interface TokenMemo {
  tokens: Map<string, { token: string; expiresAt: Date; readAt: number }>;
  /** Tokens the platform refused lately: a read that started before the refusal must not bring them back. */
  refused: Set<string>;
}

export function tokenMemo(): TokenMemo {
  return { tokens: new Map(), refused: new Set() };
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
  options: { refreshBeforeMs?: number; memo?: TokenMemo } = {},
): Promise<string> {
  const margin = options.refreshBeforeMs ?? 5 * 60_000;
  const validAfter = new Date(now.getTime() + margin);
  const memo = options.memo ?? tokenMemo();
  const known = memo.tokens.get(key);
  if (
    known &&
    known.expiresAt > validAfter &&
    now.getTime() - known.readAt < REMEMBER_MS &&
    now.getTime() >= known.readAt
  )
    return known.token;
  const read = async (q: Pick<Database, 'select'>) => {
    const [row] = await q
      .select()
      .from(platformTokens)
      .where(and(eq(platformTokens.key, key), gt(platformTokens.expiresAt, validAfter)));
    if (!row || memo.refused.has(row.token)) return undefined;
    memo.tokens.set(key, { token: row.token, expiresAt: row.expiresAt, readAt: now.getTime() });
    return row.token;
  };
  const cached = await read(db);
  if (cached) return cached;
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`token:${key}`}))`);
    const again = await read(tx);
    if (again) return again;
    const fresh = await fetchToken();
    const expiresAt = new Date(now.getTime() + fresh.expiresInSeconds * 1000);
    memo.tokens.set(key, { token: fresh.token, expiresAt, readAt: now.getTime() });
    await tx
      .insert(platformTokens)
      .values({ key, token: fresh.token, expiresAt, refreshedAt: now })
      .onConflictDoUpdate({ target: platformTokens.key, set: { token: fresh.token, expiresAt, refreshedAt: now } });
    return fresh.token;
  });
}

/** Forgets a token the platform called invalid, unless another process has already replaced it. */
export async function invalidateToken(db: Database, key: string, token: string, memo?: TokenMemo): Promise<void> {
  if (memo) {
    if (memo.tokens.get(key)?.token === token) memo.tokens.delete(key);
    memo.refused.add(token);
    if (memo.refused.size > 16) memo.refused.delete(memo.refused.values().next().value!);
  }
  await db.delete(platformTokens).where(and(eq(platformTokens.key, key), eq(platformTokens.token, token)));
}
