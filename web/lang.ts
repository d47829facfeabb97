import type { Context } from 'koa';
import type { Lang } from '../texts';

/** The cookie that keeps a browser's choice of language for the pages. */
export const LANG_COOKIE = 'orderbot_lang';
const LANG_COOKIE_MAX_AGE_MS = 365 * 24 * 3600_000;

/**
 * The language a page is shown in: `?lang=en` or `?lang=zh` chooses it and sets the `orderbot_lang`
 * cookie on `cookiePath` for a year; otherwise the cookie's; Chinese when neither says.
 */
export function pageLang(ctx: Context, cookiePath: string): Lang {
  const asked = isLang(ctx.query.lang) ? ctx.query.lang : null;
  if (asked) {
    ctx.cookies.set(LANG_COOKIE, asked, {
      httpOnly: false,
      sameSite: 'lax',
      path: cookiePath,
      secure: ctx.secure,
      maxAge: LANG_COOKIE_MAX_AGE_MS,
      overwrite: true,
    });
    return asked;
  }
  const kept = ctx.cookies.get(LANG_COOKIE);
  return isLang(kept) ? kept : 'zh';
}

export function isLang(value: unknown): value is Lang {
  return value === 'zh' || value === 'en';
}
