export interface FreshToken {
  token: string;
  expiresInSeconds: number;
}

/** Same shape as db/platform-tokens.ts `cachedToken` with the database and clock bound. */
export type TokenCache = (key: string, fetchToken: () => Promise<FreshToken>) => Promise<string>;
export type InvalidateToken = (key: string, token: string) => Promise<void>;

/**
 * A per-process token cache: one fetch at a time per key, and a token counts as gone
 * `refreshBeforeMs` before the lifetime the ERP announced.
 */
export function memoryTokenCache(options: { now?: () => Date; refreshBeforeMs?: number } = {}): {
  tokenCache: TokenCache;
  invalidateToken: InvalidateToken;
} {
  const now = options.now ?? (() => new Date());
  const margin = options.refreshBeforeMs ?? 60_000;
  const tokens = new Map<string, { token: string; expiresAt: number }>();
  const inFlight = new Map<string, Promise<string>>();

  const tokenCache: TokenCache = async (key, fetchToken) => {
    const cached = tokens.get(key);
    if (cached && cached.expiresAt - margin > now().getTime()) return cached.token;
    const pending = inFlight.get(key);
    if (pending) return pending;
    const started = now().getTime();
    const fetching = fetchToken()
      .then((fresh) => {
        tokens.set(key, { token: fresh.token, expiresAt: started + fresh.expiresInSeconds * 1000 });
        return fresh.token;
      })
      .finally(() => inFlight.delete(key));
    inFlight.set(key, fetching);
    return fetching;
  };

  const invalidateToken: InvalidateToken = async (key, token) => {
    if (tokens.get(key)?.token === token) tokens.delete(key);
  };

  return { tokenCache, invalidateToken };
}
