import { createHash, randomBytes } from 'node:crypto';
import Router from '@koa/router';
import { and, eq, gt, lt } from 'drizzle-orm';
import type { Context, Next } from 'koa';
import { boardRole, type ConfigSource, personName } from '../../config/business-config';
import type { Database } from '../../db/client';
import { boardSessions } from '../../db/schema';
import { dateRange } from '../../domain/kpi';
import { kpiCsv } from '../../handlers/kpi-export';
import { type Lang, texts } from '../../texts';
import { boardPageData, orderPageData } from './board-data';
import { UNKNOWN_USER_HASH, verifyPassword } from './passwords';
import { reconcilePage } from './reconcile-page';
import { stackingPage } from './stacking-page';
import { type PageOptions, renderBoardPage, renderLoginPage, renderNotFoundPage, renderOrderPage } from './views';
import { isLang, pageLang } from '../lang';

const COOKIE = 'orderbot_board';
/** The reader's language for the pages: set by `?lang=en` / `?lang=zh`, kept for a year. */
const MAX_FAILURES = 5;
const FAILURE_WINDOW_MS = 15 * 60_000;
/** The demo config's password: accepted only while the playground (no real chat platform) runs. */
const DEMO_PASSWORD = 'orderbot';

export interface BoardUser {
  username: string;
  name: string;
  role: 'admin' | 'viewer';
  /** The session's CSRF token: a write from the console must send it back (header x-csrf-token). */
  csrfToken: string;
}

/**
 * The ops board: a login (users and password hashes from the business config, sessions in the
 * database so any process can serve them), the board, one page per order and a CSV export.
 */
export function boardRoutes(args: {
  db: Database;
  config: ConfigSource;
  clock: () => Date;
  playground: boolean;
}): Router {
  const { db, clock } = args;
  // The latest config version at each request: users and settings saved in the console apply at once.
  const live = () => args.config.current;
  const router = new Router({ prefix: '/board' });
  const failures = new LoginThrottle();

  // Every board page, the login included, speaks the reader's language.
  router.use(async (ctx, next) => {
    ctx.state.lang = pageLang(ctx, '/board');
    await next();
  });

  router.get('/login', async (ctx) => {
    if (await signedInUser(ctx, args)) return ctx.redirect('/board');
    const next = nextOf(ctx.query.next);
    html(ctx, 200, renderLoginPage({ company: live().company, ...next }, loginView(ctx, next)));
  });

  router.post('/login', async (ctx) => {
    const body = (ctx.request.body ?? {}) as Record<string, unknown>;
    const username = typeof body.username === 'string' ? body.username.trim().slice(0, 100) : '';
    const password = typeof body.password === 'string' ? body.password.slice(0, 1000) : '';
    const next = nextOf(body.next);
    const throttleKey = `${ctx.ip}|${username}`;
    const view = loginView(ctx, next);
    const words = texts(langOf(ctx)).board.login;
    const refuse = (status: number, error: string) =>
      html(ctx, status, renderLoginPage({ company: live().company, error, username, ...next }, view));
    if (failures.blocked(throttleKey, clock())) return refuse(429, words.tooManyAttempts);
    const user = live().board.users.find((u) => u.username === username);
    const ok = await verifyPassword(password, user?.passwordHash ?? UNKNOWN_USER_HASH);
    if (!user || !ok) {
      failures.fail(throttleKey, clock());
      return refuse(401, words.wrongPassword);
    }
    failures.clear(throttleKey);
    if (password === DEMO_PASSWORD && !args.playground) return refuse(403, words.demoPasswordRefused);
    const token = randomBytes(32).toString('base64url');
    const now = clock();
    const expiresAt = new Date(now.getTime() + live().board.sessionTtl);
    await db.delete(boardSessions).where(lt(boardSessions.expiresAt, now));
    await db
      .insert(boardSessions)
      .values({ tokenHash: hashToken(token), username: user.username, createdAt: now, expiresAt });
    // maxAge, not expires: the browser counts from its own clock (the playground's can be moved ahead).
    ctx.cookies.set(COOKIE, token, {
      httpOnly: true,
      sameSite: 'lax',
      // The board and the admin console (/admin, /api/admin) share the session.
      path: '/',
      secure: ctx.secure,
      maxAge: live().board.sessionTtl,
      overwrite: true,
    });
    ctx.redirect(next.next ?? '/board');
  });

  router.post('/logout', async (ctx) => {
    const token = ctx.cookies.get(COOKIE);
    if (token) await db.delete(boardSessions).where(eq(boardSessions.tokenHash, hashToken(token)));
    // A session cookie set before the console existed has the path /board.
    for (const path of ['/', '/board']) {
      const overwrite = path === '/'; // the first replaces any cookie set earlier in this answer; the second adds
      ctx.cookies.set(COOKIE, '', { httpOnly: true, sameSite: 'lax', path, expires: new Date(0), overwrite });
    }
    ctx.redirect('/board/login');
  });

  const requireUser = async (ctx: Context, next: Next) => {
    const user = await signedInUser(ctx, args);
    if (!user) {
      if (ctx.path.endsWith('.csv')) {
        ctx.status = 401;
        ctx.body = { error: 'sign in at /board/login first' };
        return;
      }
      return ctx.redirect(`/board/login?next=${encodeURIComponent(ctx.originalUrl)}`);
    }
    ctx.state.user = user;
    await next();
  };

  router.get('/', requireUser, async (ctx) => {
    const user = ctx.state.user as BoardUser;
    const lang = langOf(ctx);
    html(ctx, 200, renderBoardPage(await boardPageData(db, live(), clock(), user.name, lang), pageView(ctx)));
  });

  router.get('/orders/:number', requireUser, async (ctx) => {
    const user = ctx.state.user as BoardUser;
    const number = String(ctx.params.number ?? '').slice(0, 40);
    const lang = langOf(ctx);
    const data = await orderPageData(db, live(), clock(), user.name, number, lang);
    if (!data) {
      const what = texts(lang).board.notFound.order(number);
      return html(ctx, 404, renderNotFoundPage({ company: live().company, what }, pageView(ctx)));
    }
    html(ctx, 200, renderOrderPage(data, pageView(ctx)));
  });

  router.get('/stacking', requireUser, stackingPage({ db, config: args.config, clock }));

  router.get('/reconcile', requireUser, reconcilePage({ db, config: args.config, clock }));

  router.get('/kpi.csv', requireUser, async (ctx) => {
    const from = String(ctx.query.from ?? '');
    const to = String(ctx.query.to ?? '');
    if (!/^\d{4}-\d{2}-\d{2}$/.test(from) || !/^\d{4}-\d{2}-\d{2}$/.test(to) || from > to) {
      ctx.status = 400;
      ctx.body = { error: 'give from and to as YYYY-MM-DD, from not after to' };
      return;
    }
    ctx.type = 'text/csv; charset=utf-8';
    ctx.set('Content-Disposition', `attachment; filename="kpi-${from}-${to}.csv"`);
    ctx.body = await kpiCsv(db, live(), dateRange(from, to));
  });

  return router;
}

/** The signed-in user of a request (board session cookie), or null. */
export async function signedInUser(
  ctx: Context,
  args: { db: Database; config: ConfigSource; clock: () => Date },
): Promise<BoardUser | null> {
  const token = ctx.cookies.get(COOKIE);
  if (!token || token.length > 100) return null;
  const [session] = await args.db
    .select()
    .from(boardSessions)
    .where(and(eq(boardSessions.tokenHash, hashToken(token)), gt(boardSessions.expiresAt, args.clock())));
  const config = args.config.current;
  const user = session && config.board.users.find((u) => u.username === session.username);
  const role = boardRole(config, session?.username ?? '');
  if (!user || !role) return null;
  return {
    username: user.username,
    name: user.person ? personName(config, user.person) : user.username,
    role,
    csrfToken: createHash('sha256').update(`csrf|${token}`).digest('base64url'),
  };
}

function langOf(ctx: Context): Lang {
  return isLang(ctx.state.lang) ? ctx.state.lang : 'zh';
}

/** This page (its path and query) in the other language. */
function switchHref(path: string, query: Record<string, string>, lang: Lang): string {
  const params = new URLSearchParams(query);
  params.set('lang', lang === 'zh' ? 'en' : 'zh');
  return `${path}?${params.toString()}`;
}

function pageView(ctx: Context): PageOptions {
  const lang = langOf(ctx);
  const query = Object.fromEntries(
    Object.entries(ctx.query).flatMap(([k, v]) => (k !== 'lang' && typeof v === 'string' ? [[k, v]] : [])),
  );
  return { lang, switchHref: switchHref(ctx.path, query, lang) };
}

/** The login page's view: its language link keeps where to go after signing in. */
function loginView(ctx: Context, next: { next?: string }): PageOptions {
  const lang = langOf(ctx);
  return { lang, switchHref: switchHref('/board/login', next.next !== undefined ? { next: next.next } : {}, lang) };
}

function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Only a path on the board or the admin console: never an absolute or protocol-relative address. */
function nextOf(value: unknown): { next?: string } {
  return typeof value === 'string' && /^\/(board|admin)(\/|\?|$)/.test(value) && !value.includes('//')
    ? { next: value }
    : {};
}

function html(ctx: Context, status: number, body: string) {
  ctx.status = status;
  ctx.type = 'text/html; charset=utf-8';
  ctx.set('Cache-Control', 'no-store');
  ctx.set('X-Frame-Options', 'DENY');
  ctx.body = body;
}

/** Failed sign-ins per address and username: after five in 15 minutes, that pair waits. */
class LoginThrottle {
  private readonly failures = new Map<string, number[]>();

  blocked(key: string, now: Date): boolean {
    return this.recent(key, now).length >= MAX_FAILURES;
  }

  fail(key: string, now: Date) {
    this.failures.set(key, [...this.recent(key, now), now.getTime()]);
    if (this.failures.size > 10_000) this.failures.clear();
  }

  clear(key: string) {
    this.failures.delete(key);
  }

  private recent(key: string, now: Date): number[] {
    return (this.failures.get(key) ?? []).filter((t) => now.getTime() - t < FAILURE_WINDOW_MS);
  }
}
