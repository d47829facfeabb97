import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { bodyParser } from '@koa/bodyparser';
import Router from '@koa/router';
import Koa from 'koa';
import type { Logger } from 'pino';
import { sql } from 'drizzle-orm';
import type { DatabaseHandle } from '../db/client';
import { DOUYIN_PUSH_PATH, douyinPushRoutes } from '../integrations/channels/douyin-push';
import { mesRoutes } from '../integrations/mes/routes';
import type { Bot } from './bot';
import { countGarbageCollections, timeAnswers, watchLoopDelay } from './process-stats';
import { adminPageRoutes } from '../web/admin/page';
import { type AdminConfig, adminApiRoutes } from '../web/admin/routes';
import type { DirectoryReader } from '../domain/directory';
import { boardRoutes } from '../web/board/routes';
import { playgroundPageRoutes } from '../web/playground/page';
import { statusPageRoutes } from '../web/status/routes';

/** One koa app for every HTTP entry point: health, the playground, and platform callbacks. */
export function createHttpApp(args: {
  bot: Bot;
  database: DatabaseHandle;
  log: Logger;
  mesToken?: string;
  /** The process's live config, for the admin console (without it, /api/admin is not served). */
  config?: AdminConfig;
  /** The chat platforms' company directories, synced from the console. */
  directoryReaders?: DirectoryReader[];
  /** Where the channel shops' secrets are read (the variables the config names); unset: no channel push is served. */
  env?: NodeJS.ProcessEnv;
}): Koa {
  const { bot, database, log } = args;
  const app = new Koa();
  app.proxy = true;
  // Only for the e2e bench (ORDERBOT_DB_STATS=1): how long the process took to answer each callback.
  const answers = database.stats && timeAnswers();
  if (answers) app.use(answers.middleware);
  app.use(async (ctx, next) => {
    try {
      await next();
    } catch (err) {
      const error = err as { status?: number; statusCode?: number; expose?: boolean; message?: string };
      const status = error.status ?? error.statusCode ?? 500;
      ctx.status = status;
      ctx.body = { error: status < 500 && error.expose !== false ? clientMessage(error.message) : 'internal error' };
      if (status >= 500) log.error({ err, path: ctx.path }, 'request failed');
    }
  });
  // Form posts are the board's sign-in; the raw body is kept too, so a platform callback sent with any of
  // these types still reaches its adapter byte for byte.
  const parser = bodyParser({
    enableTypes: ['json', 'form'],
    jsonLimit: '256kb',
    formLimit: '256kb',
    encoding: 'utf-8',
  });
  // A whole plant's config (hundreds of people) can be larger than any platform callback.
  const adminParser = bodyParser({ enableTypes: ['json'], jsonLimit: '2mb', encoding: 'utf-8' });
  app.use((ctx, next) => {
    // The Douyin push is signed over its raw bytes and answered in Douyin's own words, malformed or not: its route
    // reads the body itself.
    if (ctx.path === DOUYIN_PUSH_PATH) return next();
    return ctx.path.startsWith('/api/admin/') ? adminParser(ctx, next) : parser(ctx, next);
  });

  const health = new Router();
  health.get('/healthz', async (ctx) => {
    try {
      await database.db.execute(sql`select 1`);
      ctx.body = { ok: true, database: database.kind };
    } catch (err) {
      ctx.status = 503;
      ctx.body = { ok: false, database: database.kind, error: (err as Error).message };
    }
  });
  const stats = database.stats;
  if (stats) {
    // Only when the database handle counts (ORDERBOT_DB_STATS=1, for the e2e bench): statements and round trips so far,
    // the garbage collections the process made meanwhile, and since the last reading the event loop's delay and the
    // callbacks' answer times.
    const gc = countGarbageCollections();
    const loop = watchLoopDelay();
    health.get('/internal/db-stats', (ctx) => {
      ctx.body = { ...stats(), gc: gc(), loop: loop(), answers: answers?.read() };
    });
  }
  app.use(health.routes()).use(health.allowedMethods());
  if (args.mesToken) {
    const mes = mesRoutes({
      db: database.db,
      clock: () => bot.now(),
      token: args.mesToken,
      config: bot.configSource,
      ingest: (event, key) => bot.ingest(event, key),
    });
    app.use(mes.routes()).use(mes.allowedMethods());
  }
  if (args.env) {
    // Served whatever the config says now: a Douyin shop added in the console gets its pushes at once, and a push
    // for an app no shop has is refused before anything is stored.
    const douyin = douyinPushRoutes({
      db: database.db,
      config: bot.configSource,
      env: args.env,
      clock: () => bot.now(),
    });
    app.use(douyin.routes()).use(douyin.allowedMethods());
  }
  const playground = bot.listAdapters().some((a) => a.platform === 'playground');
  const board = boardRoutes({ db: database.db, config: bot.configSource, clock: () => bot.now(), playground });
  app.use(board.routes()).use(board.allowedMethods());
  app.use(statusPageRoutes({ db: database.db, config: bot.configSource, clock: () => bot.now() }).routes());
  if (args.config) {
    const admin = adminApiRoutes({
      db: database.db,
      config: args.config,
      clock: () => bot.now(),
      log,
      directoryReaders: args.directoryReaders ?? [],
    });
    app.use(admin.routes()).use(admin.allowedMethods());
    app.use(adminPageRoutes({ db: database.db, config: args.config, clock: () => bot.now() }).routes());
  }
  if (playground) app.use(playgroundPageRoutes().routes());
  for (const adapter of bot.listAdapters()) {
    const router = adapter.routes?.();
    if (router) app.use(router.routes()).use(router.allowedMethods());
  }
  return app;
}

function clientMessage(message: string | undefined): string {
  if (!message) return 'bad request';
  if (/JSON|Unexpected token|invalid json/i.test(message)) return 'malformed JSON body';
  return message;
}

export async function listen(app: Koa, port: number, host: string): Promise<{ server: Server; url: string }> {
  const server = createServer(app.callback());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const address = server.address() as AddressInfo;
  const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return { server, url: `http://${shownHost}:${address.port}` };
}
