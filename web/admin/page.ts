import { readFileSync } from 'node:fs';
import Router from '@koa/router';
import type { ConfigSource } from '../../config/business-config';
import type { Database } from '../../db/client';
import { type Lang, texts } from '../../texts';
import { escapeHtml, scriptJson } from '../board/html';
import { signedInUser } from '../board/routes';
import { pageLang } from '../lang';

/** The page with `{{key}}` where a message goes and `{{{texts}}}` where the script's messages go. */
const TEMPLATE = readFileSync(new URL('./admin.html', import.meta.url), 'utf8');

/**
 * The admin console's page at /admin: plain HTML and a little script over the admin API, one form for
 * the whole business config (every setting, generated from the config itself), the board users and the
 * versions with rollback. Signing in is the board's.
 */
export function adminPageRoutes(args: { db: Database; config: ConfigSource; clock: () => Date }): Router {
  const router = new Router();
  router.get('/admin', async (ctx) => {
    const lang = pageLang(ctx, '/');
    if (!(await signedInUser(ctx, args))) return ctx.redirect('/board/login?next=%2Fadmin');
    ctx.type = 'text/html; charset=utf-8';
    ctx.set('Cache-Control', 'no-store');
    ctx.set('X-Frame-Options', 'DENY');
    ctx.body = renderAdminPage(lang);
  });
  return router;
}

export function renderAdminPage(lang: Lang): string {
  const words = texts(lang).admin;
  const values: Record<string, string> = {
    htmlLang: words.htmlLang,
    title: words.title,
    heading: words.heading,
    board: words.board,
    otherLanguage: words.otherLanguage,
    otherLang: lang === 'zh' ? 'en' : 'zh',
    loading: words.loading,
    save: words.save,
    users: words.users,
    username: words.username,
    password: words.password,
    role: words.role,
    roleViewer: words.roles.viewer!,
    roleAdmin: words.roles.admin!,
    person: words.person,
    setUser: words.setUser,
    versions: words.versions,
    newGroups: words.newGroups,
    newGroupsHint: words.newGroupsHint,
    imports: words.imports,
    importFile: words.importFile,
    importCustomerColumns: words.importCustomerColumns,
    preview: words.preview,
    confirmImport: words.confirmImport,
    audit: words.audit,
    officialCalendar: words.officialCalendar,
    officialYear: words.officialYear,
    directory: words.directory,
    directoryHint: words.directoryHint,
    syncDirectory: words.syncDirectory,
  };
  return TEMPLATE.replace(/\{\{\{texts\}\}\}|\{\{(\w+)\}\}/g, (_, key: string | undefined) => {
    if (key === undefined) return scriptJson(scriptTexts(lang));
    const value = values[key];
    if (value === undefined) throw new Error(`admin.html: no message "${key}"`);
    return escapeHtml(value);
  });
}

/** The script's messages: a message with values becomes a template with {0}, {1} … where they go. */
function scriptTexts(lang: Lang): Record<string, unknown> {
  const words = texts(lang).admin as Record<string, unknown>;
  return Object.fromEntries(
    Object.entries(words).map(([key, value]) => [
      key,
      typeof value === 'function'
        ? (value as (...args: string[]) => string)(...Array.from({ length: value.length }, (_, i) => `{${i}}`))
        : value,
    ]),
  );
}
