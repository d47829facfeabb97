import { readFileSync } from 'node:fs';
import Router from '@koa/router';
import { type Lang, texts } from '../../texts';
import { escapeHtml, scriptJson } from '../board/html';
import { pageLang } from '../lang';

/** The page with `{{key}}` where a message goes and `{{{texts}}}` where the script's messages go. */
const TEMPLATE = readFileSync(new URL('./playground.html', import.meta.url), 'utf8');

/** The playground's page at /: it drives the playground adapter's HTTP API (/api/playground/…). */
export function playgroundPageRoutes(): Router {
  const router = new Router();
  router.get('/', (ctx) => {
    const lang = pageLang(ctx, '/');
    ctx.type = 'html';
    ctx.set('Cache-Control', 'no-store');
    ctx.body = renderPlaygroundPage(lang);
  });
  return router;
}

/** The page in one language: every `{{key}}` HTML-escaped, the script's messages as JSON. */
export function renderPlaygroundPage(lang: Lang): string {
  const words = texts(lang).playground;
  const values: Record<string, unknown> = { ...words, pageTitle: words.title.replace('{bot}', words.botName) };
  return TEMPLATE.replace(/\{\{\{texts\}\}\}|\{\{(\w+)\}\}/g, (_, key: string | undefined) => {
    if (key === undefined) return scriptJson(words);
    const value = values[key];
    if (typeof value !== 'string') throw new Error(`playground.html: no message "${key}" in texts/*/playground.ts`);
    return escapeHtml(value);
  });
}
