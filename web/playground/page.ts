import { readFileSync } from 'node:fs';
import Router from '@koa/router';

const PAGE = readFileSync(new URL('./playground.html', import.meta.url), 'utf8');

/** The playground's page at /: it drives the playground adapter's HTTP API (/api/playground/…). */
export function playgroundPageRoutes(): Router {
  const router = new Router();
  router.get('/', (ctx) => {
    ctx.type = 'html';
    ctx.body = PAGE;
  });
  return router;
}
